"""Where a package is built, and how it reaches the output folder (ISSUE 9 item 2).

Every intermediate file (converted images, cleaned copies, Ghostscript's output, the
merged package) is written in a private folder in the system's temporary directory
(``TMPDIR``; Python's :mod:`tempfile`), never in the output folder, and the folder is
removed when the build ends, however it ends. A build killed outright (SIGKILL, a
power cut) cannot remove it: the next build removes the folders of builds whose
process is gone. The output folder sees one thing only: the finished package,
renamed into place; when the temporary directory is on another file system, the
package is copied into an unnamed file there (``O_TMPFILE``, which vanishes with
the process) and linked under its name only when complete.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from docgen.errors import InputError
from docgen.fsutil import atomic_path
from docgen.i18n import _

PREFIX = "docgen-package-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep_stale(root: Path) -> None:
    """Remove the work folders in ``root`` left by builds of ours that were killed."""
    with contextlib.suppress(OSError):
        for entry in root.glob(f"{PREFIX}*"):
            pid = entry.name[len(PREFIX) :].split("-")[0]
            with contextlib.suppress(OSError):
                info = entry.lstat()
                if not pid.isdigit() or info.st_uid != os.getuid() or _alive(int(pid)):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def work_folder(root: Path | None = None) -> Iterator[Path]:
    """A private, empty folder for one build (in ``root``, default the system's
    temporary directory), removed at the end."""
    base = Path(root) if root is not None else Path(tempfile.gettempdir())
    sweep_stale(base)
    try:
        made = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)
    except OSError as error:
        raise InputError(
            _("cannot make a work folder in {folder}: {reason}").format(
                folder=base, reason=error.strerror
            )
        ) from error
    try:
        yield Path(made)
    finally:
        shutil.rmtree(made, ignore_errors=True)


def _cannot_write(target: Path, error: OSError) -> InputError:
    return InputError(
        _("cannot write {file}: {reason}").format(file=target, reason=error.strerror or error)
    )


def _link_unnamed(built: Path, target: Path) -> bool:
    """Copy ``built`` into an unnamed file in ``target``'s folder and link it in as
    ``target``; False where the file system has no unnamed files."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return False
    try:
        fd = os.open(target.parent, flag | os.O_WRONLY, 0o666)
    except OSError:
        return False
    try:
        try:
            with open(built, "rb") as source, open(fd, "wb", closefd=False) as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
        except OSError as error:
            raise _cannot_write(target, error) from error
        unnamed = f"/proc/self/fd/{fd}"
        try:
            os.link(unnamed, target)
        except FileExistsError:
            part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
            os.link(unnamed, part)
            try:
                os.replace(part, target)
            finally:
                part.unlink(missing_ok=True)
    except OSError:  # no /proc, or links not allowed here: the named temporary file
        return False
    finally:
        os.close(fd)
    return True


def place(built: Path, target: Path) -> None:
    """Move the finished ``built`` file to ``target`` (see the module doc)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(built, target)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise _cannot_write(target, error) from error
    if _link_unnamed(built, target):
        return
    with atomic_path(target) as tmp:
        try:
            shutil.copyfile(built, tmp)
        except OSError as error:
            raise _cannot_write(target, error) from error
