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
process is swept by a later batch once it is a day old and its process is gone.

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
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType

from docgen.errors import InputError
from docgen.fsutil import sha256_file

PREFIX = "docgen-fill-"
_HIDDEN = "." + PREFIX
#: A staging folder older than this whose process is gone was left by a crash.
STALE_SECONDS = 24 * 3600
#: Errors of ``os.link`` that mean "no hard links here" (then rename, after a check).
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


class WriteFailed(InputError):
    """A file of the batch could not be written: ``name`` (a file name) and why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"cannot write {name}: {reason}")
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
            if not entry.name.startswith(prefix) or not entry.is_dir():
                continue
            pid = entry.name[len(prefix) :].split("-", 1)[0]
            old = time.time() - entry.stat().st_mtime > STALE_SECONDS
            if old and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class Staging:
    """The staging folder of one batch for ``out_dir`` (a context manager)."""

    def __init__(self, out_dir: Path, state_dir: Path | None = None) -> None:
        self.out_dir = out_dir
        self.root, self._prefix = staging_root(out_dir, state_dir)
        self.path = Path()
        self._placed: list[Path] = []
        self._made: list[Path] = []

    def __enter__(self) -> Staging:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            _sweep(self.root, self._prefix)
            prefix = f"{self._prefix}{os.getpid()}-"
            self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.root))
        except OSError as error:
            raise InputError(
                f"cannot write to {self.root} (where the batch is prepared before it is "
                f"moved into {self.out_dir}): {error.strerror or error}"
            ) from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if kind is not None:
            self.rollback()

    def final(self, path: Path) -> Path:
        """Where the staged file ``path`` goes."""
        return self.out_dir / path.name

    def failed(self, error: WriteFailed) -> InputError:
        """``error`` (of a staged file) as the user sees it: naming the final file."""
        return InputError(
            f"cannot write {self.out_dir / error.name}: {error.reason}; "
            f"nothing of this batch was written to {self.out_dir}"
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
            f"{final}: already exists with other content (from an earlier batch?); "
            "nothing was written: move it away or fill into another folder"
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
                f"{error.filename}: appeared while this batch was written (another batch?); "
                "nothing of this batch was written"
            ) from error
        except OSError as error:
            self.rollback()
            name = error.filename or self.out_dir
            raise InputError(
                f"cannot write {name}: {error.strerror or error}; "
                f"nothing of this batch was written to {self.out_dir}"
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
