"""A batch is written whole or not at all (ISSUE 9 items 3 and 4).

A batch is rendered into a private staging folder on the same file system as the
output folder (in the workspace's state folder when that is on the same file
system, else a hidden ``.docgen-fill-…`` folder beside the output folder, never
inside it), with its manifest, and only then moved into the output folder, file by
file, each by a rename (no data is copied, so a full disk cannot stop it half-way).
On any failure, before or during the move, or when the caller's own last step (the
journal) fails, everything the batch created is removed again, the output folder
too if the batch made it, and the error is one line naming the file that could not
be written. The staging folder is removed in every case; one left by a killed
process (filled forms: personal data) is swept by the next batch at once. A batch
holds an exclusive lock (``flock``) on :data:`LOCK_NAME` inside its folder for as long
as it lives, and the kernel lets it go when the process dies however it dies
(``SIGKILL`` too): a folder whose lock can be taken is abandoned. (A process ID alone
would not do: after a reboot or a wrap-around the ID of a dead batch may be a live
process's.) The folder gets its sweepable name only once its lock is held: it is made
as ``….new`` and renamed.

Nothing of an earlier batch is overwritten: a document whose file already exists
with the same content is kept as it is (and listed by the new manifest), one with
other content is refused before anything is moved, and each batch's manifest has a
name of its own (see :mod:`docgen.forms.manifest`). A file that appears meanwhile
(another batch into the same folder) is not overwritten either: files are placed
with a hard link, which fails if the name is taken.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType

from docgen.errors import InputError
from docgen.fsutil import sha256_file
from docgen.i18n import _

PREFIX = "docgen-fill-"
_HIDDEN = "." + PREFIX
#: A folder killed while it was being made (``….new``, no lock yet) whose process is
#: gone is swept once it is this old (it holds no document yet).
STALE_SECONDS = 24 * 3600
#: The file in a staging folder its batch holds locked while it lives.
LOCK_NAME = ".lock"
_NEW = ".new"
#: Errors of ``os.link`` that mean "no hard links here" (then rename, after a check).
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


class WriteFailed(InputError):
    """A file of the batch could not be written: ``name`` (a file name) and why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(_("cannot write {file}: {reason}").format(file=name, reason=reason))
        self.name, self.reason = name, reason
        self.args = (name, reason)  # so that it crosses from a worker process intact


def _existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _same_device(a: Path, b: Path) -> bool:
    try:
        return os.stat(_existing(a)).st_dev == os.stat(_existing(b)).st_dev
    except OSError:
        return False


def staging_root(out_dir: Path, state_dir: Path | None) -> tuple[Path, str]:
    """Where to stage a batch for ``out_dir``, and the prefix of its folder."""
    if state_dir is not None and _same_device(state_dir, out_dir):
        return state_dir / "staging", PREFIX
    target = out_dir.absolute()
    return _existing(target.parent if target.exists() else target), _HIDDEN


def _sweep(root: Path, prefix: str) -> None:
    """Remove staging folders left by processes that are gone (a crash, a kill)."""
    with contextlib.suppress(OSError):
        for entry in root.iterdir():
            if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
                continue
            if _abandoned(entry, prefix):
                shutil.rmtree(entry, ignore_errors=True)


def _abandoned(folder: Path, prefix: str) -> bool:
    """Whether no live batch owns ``folder``: its lock can be taken. A folder without
    a lock (made by an older docgen, or killed before it was named) is abandoned when
    its process is gone; one still being made (``….new``) only once it is a day old."""
    pid = folder.name[len(prefix) :].split("-", 1)[0]
    dead = not (pid.isdigit() and _alive(int(pid)))
    if folder.name.endswith(_NEW):
        return dead and time.time() - folder.stat().st_mtime > STALE_SECONDS
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return dead
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its batch is running
    finally:
        os.close(fd)  # (releases the lock if it was taken)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


#: The lock descriptors of the batches of this process, closed in a forked child
#: (the writer processes of ``--jobs``): a lock is held while any copy of its
#: descriptor is open, and a worker left behind by a killed batch must not keep the
#: batch's folder looking alive. (``exec`` closes them anyway: ``O_CLOEXEC``.)
_HELD: set[int] = set()


def _close_inherited() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_inherited)


def _locked_folder(root: Path, prefix: str) -> tuple[Path, int]:
    """A new staging folder in ``root`` named ``prefix…``, and the descriptor of the
    lock inside it, held: the folder is made as ``….new``, locked, then renamed, so
    that no sweep ever sees it named and unlocked."""
    made = Path(tempfile.mkdtemp(prefix=prefix, suffix=_NEW, dir=root))
    try:
        fd = os.open(made / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            final = made.with_name(made.name[: -len(_NEW)])
            os.rename(made, final)  # a fresh name: mkdtemp's random part is unique
        except BaseException:
            os.close(fd)
            raise
        _HELD.add(fd)
    except BaseException:
        shutil.rmtree(made, ignore_errors=True)
        raise
    return final, fd


class Staging:
    """The staging folder of one batch for ``out_dir`` (a context manager)."""

    def __init__(self, out_dir: Path, state_dir: Path | None = None) -> None:
        self.out_dir = out_dir
        self.root, self._prefix = staging_root(out_dir, state_dir)
        self.path = Path()
        self._placed: list[Path] = []
        self._made: list[Path] = []
        self._lock: int | None = None

    def __enter__(self) -> Staging:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            _sweep(self.root, self._prefix)
            prefix = f"{self._prefix}{os.getpid()}-"
            self.path, self._lock = _locked_folder(self.root, prefix)
        except OSError as error:
            raise InputError(
                _(
                    "cannot write to {folder} (where the batch is prepared before it is "
                    "moved into {out}): {reason}"
                ).format(folder=self.root, out=self.out_dir, reason=error.strerror or error)
            ) from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            _HELD.discard(self._lock)
            os.close(self._lock)
            self._lock = None
        if kind is not None:
            self.rollback()

    def final(self, path: Path) -> Path:
        """Where the staged file ``path`` goes."""
        return self.out_dir / path.name

    def failed(self, error: WriteFailed) -> InputError:
        """``error`` (of a staged file) as the user sees it: naming the final file."""
        return InputError(
            _("cannot write {file}: {reason}; nothing of this batch was written to {out}").format(
                file=self.out_dir / error.name, reason=error.reason, out=self.out_dir
            )
        )

    def existing_same(self, staged: Path) -> Path | None:
        """The final file of ``staged`` if it exists with the same content; None if
        it does not exist; refused if it exists with other content."""
        final = self.final(staged)
        if not final.exists():
            return None
        if final.is_file() and sha256_file(final) == sha256_file(staged):
            return final
        raise InputError(
            _(
                "{file}: already exists with other content (from an earlier batch?); "
                "nothing was written: move it away or fill into another folder"
            ).format(file=final)
        )

    def commit(self, staged: list[Path]) -> None:
        """Move ``staged`` into the output folder; on a failure, undo and raise."""
        try:
            self._make_out_dir()
            for path in staged:
                _place(path, self.final(path))
                self._placed.append(self.final(path))
        except FileExistsError as error:
            self.rollback()
            raise InputError(
                _(
                    "{file}: appeared while this batch was written (another batch?); "
                    "nothing of this batch was written"
                ).format(file=error.filename)
            ) from error
        except OSError as error:
            self.rollback()
            name = error.filename or self.out_dir
            raise InputError(
                _(
                    "cannot write {file}: {reason}; nothing of this batch was written to {out}"
                ).format(file=name, reason=error.strerror or error, out=self.out_dir)
            ) from error

    def _make_out_dir(self) -> None:
        missing = []
        folder = self.out_dir.absolute()
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            folder.mkdir()
            self._made.append(folder)

    def rollback(self) -> None:
        """Remove what :meth:`commit` placed, and the folders it made."""
        for path in reversed(self._placed):
            with contextlib.suppress(OSError):
                path.unlink()
        self._placed.clear()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made.clear()


def _place(staged: Path, final: Path) -> None:
    """``staged`` under the name ``final``, never over an existing file."""
    try:
        os.link(staged, final)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "File exists", str(final)) from None
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise OSError(error.errno, error.strerror, str(final)) from error
        if final.exists():
            raise FileExistsError(errno.EEXIST, "File exists", str(final)) from None
        os.replace(staged, final)
