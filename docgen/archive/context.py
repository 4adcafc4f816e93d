"""One open archive: the workspace's archive root, inbox, records folder and index,
and the lock that lets only one process file at a time (watch, scan or rebuild).

The lock is a file in the archive root itself, ``.docgen-archive.lock``, held with
:mod:`filelock` (``fcntl`` on POSIX, ``msvcrt`` on Windows, both honoured over SMB):
two workspaces with different state folders that point at one archive root still
exclude each other (ISSUE 9 item 4). The inbox and records folders are beside it,
so neither the watcher nor a scan ever sees the lock file; neither may be a symbolic
link (:func:`refuse_linked_folders`).

Paths shown in a log line or stored in the index go through :meth:`ArchiveContext.shown`
(national IDs masked, controls escaped: ISSUE 9 items 5 and 6). An intent stores the
inbox file under that name, so finding the file again takes
:meth:`ArchiveContext.inbox_path` (the name, then the content hash).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from docgen.archive.classify import check_path_rules
from docgen.archive.db import Index, open_index
from docgen.archive.paths import contained, hash_regular, is_regular, stored_name, walk
from docgen.archive.placement import RECORDS
from docgen.config import Config, Workspace
from docgen.db.models.archive import File
from docgen.errors import IntegrityError
from docgen.fsutil import exclusive_lock
from docgen.i18n import _

INBOX = "inbox"
#: The archive lock, in the archive root (ISSUE 9 item 4).
LOCK_NAME = ".docgen-archive.lock"


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
        #: Inbox files this process planned, by (stored name, SHA-256 or "").
        self._sources: dict[tuple[str, str], Path] = {}

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
        """A path for a log line or the index: relative to the archive root, national
        IDs masked, controls escaped (ISSUE 9 items 5 and 6)."""
        if isinstance(path, Path):
            try:
                path = self.relative(path)
            except ValueError:
                path = str(path)
        return stored_name(path)

    def target(self, relative: str) -> Path:
        """The path under ``records/`` of a target, sidecar or temporary name the archive
        writes or removes; :class:`~docgen.errors.IntegrityError` if it leads outside."""
        return contained(self.records, self.root / relative)

    def remember(self, path: Path, sha256: str = "") -> str:
        """The stored name of the inbox file ``path`` (this process can find it again)."""
        name = self.shown(path)
        self._sources[(name, sha256)] = path
        return name

    def forget(self, stored: str, sha256: str = "") -> None:
        """Drop what :meth:`remember` kept (the file was filed or its filing undone)."""
        self._sources.pop((stored, sha256), None)

    def inbox_path(self, stored: str, sha256: str = "") -> Path | None:
        """The inbox file stored as ``stored`` (with content ``sha256``, if given): the
        one this process planned, else the file of that name, else the one whose name
        masks to it and whose content matches; None if there is none."""
        known = self._sources.get((stored, sha256))
        if known is not None and is_regular(known):
            return known
        parts = PurePosixPath(stored).parts
        if len(parts) < 2 or parts[0] != INBOX or ".." in parts:
            return None
        direct = self.root / stored
        if self.shown(direct) == stored and is_regular(direct):
            return contained(self.inbox, direct)
        return self._search(stored, sha256)

    def _search(self, stored: str, sha256: str) -> Path | None:
        for path in walk(self.inbox)[0]:
            if self.shown(path) != stored:
                continue
            with contextlib.suppress(OSError):
                if not sha256 or hash_regular(path)[1] == sha256:
                    return path
        return None


def lock_path(workspace: Workspace) -> Path:
    return workspace.archive_root / LOCK_NAME


@contextlib.contextmanager
def archive_lock(workspace: Workspace, wait_seconds: float = 10.0) -> Iterator[None]:
    """Hold the archive lock in the archive root; :class:`InputError` if another process
    — of this workspace or any other pointing at the same archive — keeps it for longer
    than ``wait_seconds`` (the watcher holds it while it runs)."""
    path = lock_path(workspace)
    busy = _(
        "another docgen archive process (watch, scan or rebuild) is filing "
        "this archive: wait for it, or stop the watcher first"
    )
    shown = _("the archive ({lock})").format(lock=stored_name(str(path)))
    with exclusive_lock(path, wait_seconds, busy, shown):
        yield


def refuse_linked_folders(root: Path) -> None:
    """:class:`IntegrityError` if ``inbox/`` or ``records/`` of the archive at ``root``
    is a symbolic link: the archive would read or file wherever it points (ISSUE 9
    items 1 and 2; every write is checked again by :func:`contained`)."""
    for name in (INBOX, RECORDS):
        if (root / name).is_symlink():
            raise IntegrityError(
                _(
                    "{folder} is a symbolic link: the archive files only into real "
                    "folders; replace the link with the folder it points to"
                ).format(folder=stored_name(str(root / name)))
            )


@contextlib.contextmanager
def open_archive(
    workspace: Workspace, use_qr: bool = True, wait_seconds: float = 10.0
) -> Iterator[ArchiveContext]:
    """The archive of ``workspace``, locked, with its folders created and index open."""
    check_path_rules(workspace.config)
    with archive_lock(workspace, wait_seconds):
        root = workspace.archive_root
        refuse_linked_folders(root)
        (root / INBOX).mkdir(parents=True, exist_ok=True)
        (root / RECORDS).mkdir(parents=True, exist_ok=True)
        with open_index(workspace) as index:
            yield ArchiveContext(workspace, index, use_qr)
