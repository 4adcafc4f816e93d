"""The paths the archive reads and writes, held to where they belong (ISSUE 9 items 1,
2, 5 and 6; DESIGN.md, Conventions: what a file says about itself is untrusted).

* :func:`contained`: every path the archive writes or removes resolves inside its
  folder (``records/`` for targets, sidecars and temporary names; ``inbox/`` for the
  inbox copies it removes) — defence in depth behind the validation of metadata.
* :func:`safe_file_name`: the name an unclassified file is filed under — its original
  name with national IDs masked, without separators, ``..``, controls or characters
  Windows refuses, and short enough for any file system.
* :func:`stored_name`: how a path or name is stored in the index and shown in a log
  line: national IDs masked (R8), controls and bidi overrides escaped.
* :func:`refusal`, :func:`hash_regular`: the inbox takes regular files only; a link,
  a device, a FIFO or a socket is never opened (lstat, ``O_NOFOLLOW``, ``O_NONBLOCK``).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from docgen.errors import InputError, IntegrityError
from docgen.i18n import N_, _, translate
from docgen.privacy import MaskingPolicy, mask_ids_in_text
from docgen.textsafe import escape_controls

#: IDs in a file name are masked with a full-width asterisk: ``*`` is not allowed in a
#: file name on Windows or an SMB share.
NAME_MASKING = MaskingPolicy(id_mask_char="＊")
#: The longest stem (UTF-8 bytes) of an unclassified file's name: room is left for
#: ``_12``, a sidecar's ``.meta.yaml`` and a temporary ``.….ingest.part`` within 255.
MAX_STEM_BYTES = 150
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)
_FORBIDDEN = set('/\\:*?"<>|')
_CHUNK = 1 << 20


def linked_folder(folder: Path, path: Path) -> Path | None:
    """The first of ``folder`` and the folders between it and ``path`` that is a
    symbolic link (None if none is; ``path`` itself is not looked at)."""
    if folder.is_symlink():
        return folder
    if not path.is_relative_to(folder):
        return None
    current = folder
    for part in path.relative_to(folder).parts[:-1]:
        current = current / part
        if current.is_symlink():
            return current
    return None


def contained(folder: Path, path: Path) -> Path:
    """``path``, if it resolves inside ``folder`` (links followed) and neither ``folder``
    nor a folder on the way to ``path`` is a symbolic link (whose target another
    process may change between this check and the write); else :class:`IntegrityError`
    — nothing is written or removed there (ISSUE 9 item 1)."""
    resolved, base = path.resolve(), folder.resolve()
    if resolved == base or not resolved.is_relative_to(base):
        raise IntegrityError(
            _("refused to write {path}: it leads outside {folder}").format(
                path=escape_controls(str(path)), folder=base
            )
        )
    if (link := linked_folder(folder, path)) is not None:
        raise IntegrityError(
            _(
                "refused to write {path}: it leads outside {folder} through the symbolic "
                "link {link}"
            ).format(
                path=escape_controls(str(path)),
                folder=escape_controls(str(folder)),
                link=escape_controls(str(link)),
            )
        )
    return path


def stored_name(text: str) -> str:
    """``text`` (a path or name) as the index stores it and a log line shows it:
    national IDs masked (R8), controls escaped (ISSUE 9 items 5 and 6)."""
    return escape_controls(mask_ids_in_text(text))


def _safe_char(char: str) -> str:
    if char in _FORBIDDEN or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return "_"
    return char


def _truncate(text: str, limit: int) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def safe_file_name(name: str) -> tuple[str, str]:
    """(stem, extension) to file an unclassified file under: see the module docstring."""
    text = "".join(_safe_char(c) for c in mask_ids_in_text(name, NAME_MASKING))
    text = re.sub(r"\.{2,}", ".", text).strip(" .")
    stem, ext = text, ""
    if (dot := text.rfind(".")) > 0 and _EXTENSION.fullmatch(text[dot:]):
        stem, ext = text[:dot], text[dot:].lower()
    stem = _truncate(stem, MAX_STEM_BYTES).rstrip(" .") or "unnamed"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem, ext


# --- the inbox: regular files only ------------------------------------------------------

_KINDS = (
    (stat.S_ISLNK, N_("a symbolic link")),
    (stat.S_ISDIR, N_("a folder")),
    (stat.S_ISFIFO, N_("a FIFO (named pipe)")),
    (stat.S_ISSOCK, N_("a socket")),
    (stat.S_ISCHR, N_("a device")),
    (stat.S_ISBLK, N_("a device")),
)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in the current language ("" for a regular file)."""
    found = next((name for test, name in _KINDS if test(mode)), None)
    if found is not None:
        return translate(found)
    return "" if stat.S_ISREG(mode) else "?"


def refusal(inbox: Path, path: Path) -> str:
    """Why the inbox entry ``path`` is not taken, "" when it is a regular file reached
    through no link (ISSUE 9 item 2); a vanished file is "" (the caller sees it gone)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return ""
    except OSError as error:  # a name too long for the system, an I/O error …
        return _("cannot be read ({error}): left alone").format(error=error.strerror or error)
    kind = kind_of(mode)
    if stat.S_ISDIR(mode):
        return _("a folder docgen may not read: left alone")
    if kind:
        return _(
            "{kind}, not a regular file: left alone (the archive files regular files only)"
        ).format(kind=kind)
    for parent in path.parents:
        if parent == inbox or not parent.is_relative_to(inbox):
            break
        if parent.is_symlink():
            return _("inside a symbolic link to a folder: left alone (links are not followed)")
    return ""


def _open_flags() -> int:
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    return flags | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def hash_regular(path: Path) -> tuple[os.stat_result, str]:
    """(stat, SHA-256) of the regular file at ``path``, opened without following a link
    or blocking on a FIFO; :class:`IntegrityError` if it is not one (any more)."""
    before = os.lstat(path)
    if kind_of(before.st_mode):
        raise IntegrityError(_("{kind}, not a regular file").format(kind=kind_of(before.st_mode)))
    fd = os.open(path, _open_flags())
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_ino, st.st_dev) != (before.st_ino, before.st_dev):
            raise IntegrityError(_("replaced while it was being read"))
        digest = hashlib.sha256()
        while chunk := os.read(fd, _CHUNK):
            digest.update(chunk)
    finally:
        os.close(fd)
    return st, digest.hexdigest()


def read_small(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (not a link, not a FIFO), at most
    ``limit`` of them; :class:`InputError` naming the file otherwise."""
    try:
        fd = os.open(path, _open_flags())
    except OSError as error:
        raise InputError(
            _("{file}: cannot be read ({error})").format(
                file=path.name, error=error.strerror or error
            )
        ) from error
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(_("{file}: not a regular file").format(file=path.name))
        data = b""
        while len(data) <= limit and (chunk := os.read(fd, min(_CHUNK, limit + 1 - len(data)))):
            data += chunk
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError(
            _("{file}: larger than {limit:,} bytes").format(file=path.name, limit=limit)
        )
    return data


def is_regular(path: Path) -> bool:
    """Whether ``path`` itself (not what a link points to) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """(regular files, other entries: links, devices, FIFOs, sockets) under ``folder``
    — each folder's files, then its subfolders, by name; hidden entries skipped; a link
    to a folder is an entry, never descended into (ISSUE 9 item 2). A folder or entry
    that cannot be read (no permission, a path too long for the system, an I/O error)
    is one of the other entries (:func:`refusal` says why), and the walk goes on."""
    files: list[Path] = []
    others: list[Path] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as found:
                entries = sorted(found, key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:
            others.append(current)  # reported as a folder that cannot be read
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files.append(Path(entry.path))
                else:
                    others.append(Path(entry.path))
            except OSError:
                others.append(Path(entry.path))
        pending += reversed(folders)
    return files, others
