"""One open archive: the workspace's archive root, inbox, records folder and index,
and the lock that lets only one process file at a time (watch, scan or rebuild)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from docgen.archive.classify import check_path_rules
from docgen.archive.db import Index, open_index
from docgen.archive.models import File
from docgen.archive.placement import RECORDS
from docgen.config import Config, Workspace
from docgen.errors import InputError
from docgen.privacy import mask_ids_in_text

INBOX = "inbox"


class ArchiveContext:
    """Paths and the index of one workspace's archive (open it with :func:`open_archive`)."""

    def __init__(self, workspace: Workspace, index: Index, use_qr: bool = True) -> None:
        self.workspace = workspace
        self.config: Config = workspace.config
        self.index = index
        self.root = workspace.archive_root
        self.inbox = self.root / INBOX
        self.records = self.root / RECORDS
        self.use_qr = use_qr
        #: The clock stability is judged by (compared with file mtimes).
        self.clock = time.time
        self._known: set[str] | None = None
        #: Inbox files not yet stable: (size, mtime_ns) and when this process first saw it.
        self.observed: dict[Path, tuple[tuple[int, int], float]] = {}

    def known_paths(self) -> set[str]:
        """Every path the index knows (loaded once; the ingest adds what it files)."""
        if self._known is None:
            with self.index.session() as session:
                self._known = set(session.scalars(select(File.path)))
        return self._known

    def relative(self, path: Path) -> str:
        """``path`` relative to the archive root, POSIX (as stored in the index)."""
        return path.relative_to(self.root).as_posix()

    def relative_to_inbox(self, path: Path) -> str:
        return path.relative_to(self.inbox).as_posix()

    def shown(self, path: Path | str) -> str:
        """A path for a log line: relative to the archive root, national IDs masked."""
        text = self.relative(path) if isinstance(path, Path) else path
        return mask_ids_in_text(text)


@contextlib.contextmanager
def archive_lock(workspace: Workspace, wait_seconds: float = 10.0) -> Iterator[None]:
    """Hold the workspace's archive lock; :class:`InputError` if another process keeps
    it for longer than ``wait_seconds`` (the watcher holds it while it runs)."""
    workspace.state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(workspace.state_dir / "archive.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        "another docgen archive process (watch, scan or rebuild) is filing "
                        "this archive: wait for it, or stop the watcher first"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def open_archive(
    workspace: Workspace, use_qr: bool = True, wait_seconds: float = 10.0
) -> Iterator[ArchiveContext]:
    """The archive of ``workspace``, locked, with its folders created and index open."""
    check_path_rules(workspace.config)
    with archive_lock(workspace, wait_seconds):
        root = workspace.archive_root
        (root / INBOX).mkdir(parents=True, exist_ok=True)
        (root / RECORDS).mkdir(parents=True, exist_ok=True)
        with open_index(workspace) as index:
            yield ArchiveContext(workspace, index, use_qr)
