"""Where a record's file goes under ``records/``, and durable file operations.

Layout (ISSUE 6 point 3; DEVELOPING.md, Workspace layout)::

    records/<category>/<ROC year>/<record ID><ext>     e.g. records/monthly_check/115/DG-4M-202610-1A2B3C4D.pdf
    records/<category>/<ROC year>/<record ID>_2<ext>   a second file of the same record and type
    records/<category>/<ROC year>/<record ID>.pdf.manifest.json   a package's manifest, beside it
    records/<category>/<ROC year>/<name>.meta.yaml     its sidecar, when it has one
    records/duplicates/<record ID><ext>                identical content to a file filed before
    records/unclassified/<original file name>          kept, reported, never lost
    records/.tombstones/<record ID>.json               what a disposed record was

The ROC year is the year of the record's period, else of the date in its record ID,
else of its trigger or review date, else of the day it was filed.

The metadata that names a folder was checked before (:mod:`docgen.archive.claims`);
:func:`folder_for` refuses an unknown category all the same, and every target is held
inside ``records/`` by :func:`docgen.archive.paths.contained` (ISSUE 9 item 1). A
source is copied as the regular file it is, never through a link (item 2), and never
hard-linked: a filed record shares its inode with nothing outside ``records/`` (an
inbox file's other names, or a program still holding it open, could change it). The
copy is hashed as it is written and must have the content that was planned, else
:class:`ContentChanged` (the file is being written: it waits for the next pass).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from docgen.calendar import roc_year
from docgen.errors import IntegrityError
from docgen.fsutil import atomic_path
from docgen.i18n import _
from docgen.metadata import RecordMetadata
from docgen.rules.record_id import parse_record_id
from docgen.rules.retention import CATEGORIES

#: A package manifest keeps this ending, so it is named (and sorts) after its package.
PACKAGE_MANIFEST = ".pdf.manifest.json"
RECORDS = "records"
DUPLICATES = "duplicates"
UNCLASSIFIED = "unclassified"
#: A record's status once the 檔管人員 said its file is no record (it stays where it is,
#: under ``records/unclassified/``: :func:`docgen.services.triage.reject_file`).
REJECTED = "rejected"
#: The statuses of a record nobody has classified: its file may still be classified.
NOT_CLASSIFIED = frozenset({UNCLASSIFIED, REJECTED})
TOMBSTONES = ".tombstones"


def filing_year(meta: RecordMetadata, today: date) -> int:
    """The (AD) year a record is filed under; see the module docstring."""
    if meta.period[:4].isdigit():
        return int(meta.period[:4])
    record = parse_record_id(meta.record_id) if meta.record_id else None
    if record is not None and len(record.period) == 8:
        return int(record.period[:4])
    for text in (meta.review_date, meta.trigger):
        if text[:4].isdigit():
            return int(text[:4])
    return today.year


def filed_suffix(name: str) -> str:
    """What a filed file's name ends with after its record ID: its extension, lower
    case (``.pdf.manifest.json`` whole for a package manifest)."""
    if name.lower().endswith(PACKAGE_MANIFEST):
        return PACKAGE_MANIFEST
    return Path(name).suffix.lower()


def folder_for(status: str, meta: RecordMetadata, today: date) -> str:
    """The folder (relative to the archive root) for a file of this status and record."""
    if status == "duplicate":
        return f"{RECORDS}/{DUPLICATES}"
    if status == "unclassified":
        return f"{RECORDS}/{UNCLASSIFIED}"
    if meta.category not in CATEGORIES:
        raise IntegrityError(
            _("refused to file under an unknown category {category!r}").format(
                category=meta.category
            )
        )
    year = roc_year(date(filing_year(meta, today), 1, 1))
    return f"{RECORDS}/{meta.category}/{year}"


def unique_name(root: Path, folder: str, stem: str, ext: str, taken: Callable[[str], bool]) -> str:
    """``folder/stem+ext``, else ``stem_2+ext`` …: the first name free on disk and not
    ``taken`` (e.g. by a file the index knows but whose bytes are gone)."""
    number = 1
    while True:
        name = stem + ext if number == 1 else f"{stem}_{number}{ext}"
        relative = f"{folder}/{name}"
        if not (root / relative).exists() and not taken(relative):
            return relative
        number += 1


def fsync_dir(folder: Path) -> None:
    """Make a rename or link inside ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_data(path: Path) -> None:
    """Flush the file's data (its name is made durable by :func:`fsync_dir`)."""
    with open(path, "rb") as handle:
        os.fdatasync(handle.fileno())


def temp_name(target: Path) -> Path:
    """The temporary name a copy is written under before it is linked into place."""
    return target.with_name(f".{target.name}.ingest.part")


def sync_all(paths: list[Path]) -> None:
    """:func:`sync_data` of many files at once (concurrent syncs share journal commits)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(sync_data, paths))


class ContentChanged(IntegrityError):
    """The file's content is not what was hashed when its filing was planned."""


def place(source: Path, target: Path, sha256: str, sync: bool = True) -> None:
    """Put a copy of ``source`` at ``target`` (which must not exist), durably: copied
    under a temporary name, checked to hash to ``sha256`` (else
    :class:`ContentChanged`, nothing left), fsynced, then linked into place — never a hard link
    to ``source`` itself (see the module docstring). The source stays; ``target``
    appears whole. Without ``sync`` the caller syncs the data and the folder (once for
    many files, before the filing is recorded: a crash before leaves a pending intent,
    rolled back)."""
    if not stat.S_ISREG(os.lstat(source).st_mode):
        raise IntegrityError(_("{file}: no longer a regular file").format(file=source.name))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(target)
    tmp.unlink(missing_ok=True)  # left by a killed copy
    try:
        copied = copy_regular(source, tmp)
        if copied != sha256:
            raise ContentChanged(
                _(
                    "{file}: its content changed after it was hashed (still being "
                    "written?): left in the inbox for the next pass"
                ).format(file=source.name)
            )
        if sync:
            sync_data(tmp)
        os.link(tmp, target, follow_symlinks=False)
    finally:
        tmp.unlink(missing_ok=True)
    if sync:
        fsync_dir(target.parent)


def copy_regular(source: Path, target: Path) -> str:
    """Copy the regular file ``source`` (opened without following a link) to the new
    file ``target``, with its modification time; the SHA-256 of the bytes
    written (the copy's content: ``target`` is new, no other process has it open)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(source, flags | getattr(os, "O_BINARY", 0))
    digest = hashlib.sha256()
    with open(fd, "rb", buffering=0) as reader, open(target, "xb", buffering=0) as writer:
        st = os.fstat(reader.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise IntegrityError(_("{file}: no longer a regular file").format(file=source.name))
        buffer = bytearray(min(max(st.st_size + 1, 1 << 16), 1 << 20))
        view = memoryview(buffer)
        while count := reader.readinto(buffer):
            digest.update(view[:count])
            written = 0
            while written < count:
                written += writer.write(view[written:count]) or 0
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    return digest.hexdigest()


def write_durably(target: Path, data: bytes, sync_folder: bool = True) -> None:
    """Write ``data`` at ``target`` atomically and fsync it (and its folder)."""
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    fsync_dir(target.parent)
