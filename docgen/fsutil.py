"""Small file-system helpers every writer shares: atomic writes and hashing.

Nothing half-written ever appears under its final name: output goes to a
temporary file in the same folder and is renamed into place only when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import filelock

from docgen.errors import InputError
from docgen.i18n import _

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content, as lowercase hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 of ``data``, as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once: os.umask is process-wide, so reading it per write would race with threads.
_UMASK = _read_umask()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    On any exception the temporary file is removed and ``target`` is untouched. A folder
    that cannot be created or written (a file in the way, no permission, a full disk)
    is an :class:`InputError` naming ``target``.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide output from colleagues
        os.close(fd)
    except OSError as error:
        raise InputError(
            _("cannot write {file}: {error}").format(file=target, error=error.strerror or error)
        ) from error
    tmp = Path(name)
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except OSError as error:
            raise InputError(
                _("cannot write {file}: {error}").format(file=target, error=error.strerror or error)
            ) from error
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically."""
    atomic_write_bytes(target, text.encode(encoding))


@contextlib.contextmanager
def exclusive_lock(path: Path, wait_seconds: float, busy: str, shown: str = "") -> Iterator[None]:
    """Hold the lock file at ``path`` (``filelock``: it works on Windows and SMB shares
    too), waiting at most ``wait_seconds``; :class:`InputError` ``busy`` if another
    process keeps it, or naming the lock (as ``shown``, else its path) if it cannot be
    made at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(path), timeout=max(wait_seconds, 0))
        lock.acquire()
    except filelock.Timeout:
        raise InputError(busy) from None
    except OSError as error:
        raise InputError(
            _("cannot lock {file}: {error}").format(
                file=shown or path, error=error.strerror or error
            )
        ) from error
    try:
        yield
    finally:
        lock.release()
