"""The archive watcher behind ``docgen archive watch`` (ISSUE 6 point 4).

watchdog's native observer (inotify on Linux) or, with ``poll``, its
``PollingObserver`` (for network shares, where inotify sees nothing). Events are
only hints: the watcher files the hinted files sooner, and a full reconcile at the
start and every ``archive.reconcile_minutes`` catches whatever the events missed
(downtime, an inotify queue overflow, which watchdog drops silently).

An error while filing one file is logged once and the file retried at the next
reconcile (quietly, if it fails again unchanged), or as soon as it changes; it is not
read again meanwhile (reading it makes events, which are not hints);
if the observer's thread dies it is started again. An inbox entry that is not a
regular file (a link, a device, a FIFO, a socket) is logged once and left alone
(ISSUE 9 item 2); log lines show paths masked and escaped (items 5 and 6). :meth:`Watcher.stop` (called from
a SIGTERM/SIGINT handler, or another thread) ends the loop after the current file.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from docgen.archive.context import ArchiveContext
from docgen.archive.plan import Filed
from docgen.archive.reconcile import file_paths, is_ignored, list_inbox
from docgen.archive.recovery import recover
from docgen.i18n import _

log = logging.getLogger("docgen.archive")
#: How often the loop wakes to look at hinted and waiting files (seconds).
TICK = 0.25
#: Events of a file being read (by the watcher itself, hashing it): no hint at all.
_READ_ONLY_EVENTS = frozenset({EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE})


class _Hints(FileSystemEventHandler):
    """Collects the paths events name; never raises into watchdog's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: set[Path] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            if event.is_directory or event.event_type in _READ_ONLY_EVENTS:
                return
            with self.lock:
                for name in (event.src_path, getattr(event, "dest_path", "")):
                    if name:
                        self.paths.add(Path(str(name)))
        except Exception:  # a handler error would kill the observer thread
            log.exception(_("ignored an error in a file-system event"))

    def take(self) -> set[Path]:
        with self.lock:
            taken, self.paths = self.paths, set()
        return taken


class Watcher:
    """Files the inbox of ``ctx`` until :meth:`stop`; ``on_pass`` gets each non-empty
    batch of filed files (the CLI journals them)."""

    def __init__(
        self,
        ctx: ArchiveContext,
        poll: float | None = None,
        on_pass: Callable[[list[Filed]], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.poll = poll
        self.on_pass = on_pass or (lambda filed: None)
        self.hints = _Hints()
        self.pending: dict[Path, datetime] = {}
        self.stopping = threading.Event()
        self.observer: BaseObserver | None = None
        self.restarts = 0
        #: Entries already reported as not regular files (logged once each).
        self.refused: set[tuple[Path, str]] = set()
        #: Files that failed, with their state then: logged once, and not read again
        #: until they change (or the next reconcile tries them once more, quietly).
        self.failures: dict[Path, FileState] = {}

    def stop(self) -> None:
        self.stopping.set()

    def _start_observer(self) -> None:
        self.ctx.inbox.mkdir(parents=True, exist_ok=True)
        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        observer.schedule(self.hints, str(self.ctx.inbox), recursive=True)
        observer.daemon = True
        observer.start()
        self.observer = observer

    def _stop_observer(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            if self.observer.is_alive():
                self.observer.join(timeout=5)

    def _keep_observer_alive(self) -> bool:
        """Restart a dead observer; True when it was restarted (reconcile then)."""
        if self.observer is not None and self.observer.is_alive():
            return False
        log.warning(_("the file-system observer stopped; starting it again"))
        self.restarts += 1
        self._stop_observer()
        self._start_observer()
        return True

    def _queue(self, paths: list[Path] | set[Path], retry: bool = False) -> None:
        """Queue ``paths``; a file that failed and has not changed since only when
        ``retry`` (the reconcile)."""
        now = datetime.now()
        for path in paths:
            inside = path.is_relative_to(self.ctx.inbox)
            if not inside or is_ignored(path):
                continue
            if not retry and path in self.failures and self.failures[path] == state_of(path):
                continue
            self.pending.setdefault(path, now)

    def _reconcile(self) -> None:
        """Queue every regular file of the inbox; log each other entry once."""
        files, refused = list_inbox(self.ctx)
        for path, why in refused:
            if (path, why) not in self.refused:
                log.error(
                    _("could not file {file}: {why}").format(file=self.ctx.shown(path), why=why)
                )
        self.refused = set(refused)
        present = set(files)
        self.failures = {p: s for p, s in self.failures.items() if p in present}
        self._queue(files, retry=True)

    def _file_pending(self) -> None:
        items = [(p, seen) for p, seen in sorted(self.pending.items()) if _not_a_folder(p)]
        result = file_paths(self.ctx, items, self.stopping)
        failed: dict[Path, FileState] = {}
        for (shown, message), path in zip(result.failed, result.failed_paths, strict=True):
            state = failed[path] = state_of(path)
            if path not in self.failures or self.failures[path] != state:
                log.error(_("could not file {file}: {why}").format(file=shown, why=message))
        for path, _seen in items:
            self.failures.pop(path, None)
        self.failures.update(failed)
        waiting = set(result.waiting)
        self.pending = {p: seen for p, seen in items if p in waiting}
        if result.filed:
            self.on_pass(result.filed)

    def run(self) -> None:
        """Recover, reconcile, then watch until stopped."""
        interval = self.ctx.config.archive.reconcile_minutes * 60
        recover(self.ctx)
        self._start_observer()
        next_reconcile = 0.0
        log.info(_("watching {folder}").format(folder=self.ctx.shown(self.ctx.inbox)))
        try:
            while not self.stopping.is_set():
                if self._keep_observer_alive() or time.monotonic() >= next_reconcile:
                    self._reconcile()
                    next_reconcile = time.monotonic() + interval
                self._queue(self.hints.take())
                self._file_pending()
                self.stopping.wait(TICK)
        finally:
            self._stop_observer()
            log.info(_("stopped watching"))


#: What tells that a file changed: (size, mtime_ns, ctime_ns, inode); None if it is gone.
FileState = tuple[int, int, int, int] | None


def state_of(path: Path) -> FileState:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _not_a_folder(path: Path) -> bool:
    """Whether something other than a folder is at ``path`` (a link is not followed)."""
    try:
        return not stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False
