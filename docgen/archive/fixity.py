"""Fixity: do the filed files still hold what was filed (ISSUE 6 point 5, ``fixity``)?

A sweep walks ``records/`` and compares it with the index:

* ``changed`` — an indexed file whose SHA-256 no longer matches;
* ``unknown`` — a file under ``records/`` the index does not know;
* ``gone`` — an indexed file (not disposed) whose bytes are no longer there.

A file unchanged in size, mtime and inode since it was last verified is not read
again unless ``full``; one whose stat changed but whose hash still matches (touched,
restored from a backup) gets its stat updated. Public for RET's missing report:
:func:`gone_files`. Reports: :func:`fixity_report`, :func:`unclassified_report`.
The sweep needs no lock: it runs beside the watcher.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select, update

from docgen.archive.db import Index, open_index
from docgen.archive.placement import RECORDS, REJECTED, TOMBSTONES, UNCLASSIFIED
from docgen.archive.retention import fetch_raw
from docgen.archive.untrusted import HOLDS
from docgen.config import Workspace
from docgen.db.models.archive import File, Intent, Record
from docgen.fsutil import sha256_file
from docgen.i18n import N_, _, translate
from docgen.privacy import mask_ids_in_text
from docgen.report import Report


@dataclass(frozen=True)
class Finding:
    """One fixity problem; ``path`` relative to the archive root."""

    problem: str  # changed | unknown | gone
    path: str
    record_id: str = ""
    expected: str = ""
    actual: str = ""


@dataclass
class SweepResult:
    findings: list[Finding] = field(default_factory=list)
    checked: int = 0
    hashed: int = 0


def records_on_disk(root: Path) -> dict[str, os.stat_result]:
    """Every file under ``records/`` (except tombstones, hold files and temporary
    files) and its stat."""
    found: dict[str, os.stat_result] = {}
    for folder, dirs, names in os.walk(root / RECORDS):
        dirs[:] = [d for d in dirs if d not in (TOMBSTONES, HOLDS)]
        base = Path(folder).relative_to(root).as_posix()
        for name in names:
            if name.startswith(".") and name.endswith(".part"):
                continue
            found[f"{base}/{name}"] = os.stat(os.path.join(folder, name))
    return found


def _present(root: Path, paths: list[str]) -> set[str]:
    """Which of ``paths`` (relative to ``root``, under ``records/``) are there, from
    the listing of each folder they are in: one ``listdir`` per folder, no ``stat``
    per file (a million files in a second). As a walk of ``records/`` would see
    them: a folder reached through a symbolic link, or named with ``.``, ``..`` or
    an empty part, lists nothing."""
    folders = dict.fromkeys(map(_FOLDER, map(_SPLIT, paths)))  # in C: no loop per path
    linked: dict[str, bool] = {RECORDS: False}
    found: set[str] = set()
    for folder in folders:
        if not _walkable(root, folder, linked):
            continue
        try:
            names = os.listdir(root / folder)
        except OSError:  # gone, not a folder, unreadable: its files are not there
            continue
        found.update(map(f"{folder}/".__add__, names))
    return found


def _walkable(root: Path, folder: str, linked: dict[str, bool]) -> bool:
    """Whether a walk of ``records/`` (not following links) reaches ``folder``;
    ``linked`` remembers which folders are links (or not folders a walk enters)."""
    parts = folder.split("/")
    if parts[0] != RECORDS or any(part in ("", ".", "..") for part in parts):
        return False
    for end in range(2, len(parts) + 1):
        prefix = "/".join(parts[:end])
        if prefix not in linked:
            linked[prefix] = os.path.islink(root / prefix)
        if linked[prefix]:
            return False
    return True


def gone_files(workspace: Workspace) -> list[Row[str, str, str]]:
    """Indexed files (not disposed) whose bytes are gone from the archive: rows with
    ``path``, ``record_id`` and ``sha256``. The paths come straight from the cursor
    and the folders' listings say which are there, so that a million files take
    seconds."""
    root = workspace.archive_root
    with open_index(workspace) as index, index.session() as session:
        known = list(map(_FIRST, fetch_raw(session, _NOT_DISPOSED)))
        filed = [path for path in known if path.startswith(_FILED)]
        gone = sorted(set(filed).difference(_present(root, filed)))
        if len(filed) < len(known):  # elsewhere (an earlier layout): asked one by one
            gone += [p for p in known if not p.startswith(_FILED) and not (root / p).exists()]
        found: list[Row[str, str, str]] = []
        for start in range(0, len(gone), 500):  # within any engine's parameter limit
            batch = gone[start : start + 500]
            query = select(File.path, File.record_id, File.sha256).where(File.path.in_(batch))
            found += session.execute(query)
        return sorted(found, key=lambda row: row.path)


_NOT_DISPOSED = select(File.path).where(File.status != "disposed")
_FILED = f"{RECORDS}/"
_FIRST, _FOLDER, _SPLIT = itemgetter(0), itemgetter(0), methodcaller("rpartition", "/")
_COLUMNS = (File.id, File.path, File.record_id, File.sha256, File.size, File.mtime_ns, File.inode)


def _check(root: Path, row: Any, st: os.stat_result, full: bool) -> str | None:
    """The file's hash now, or None when it need not be read (stat unchanged)."""
    same_stat = (st.st_size, st.st_mtime_ns, st.st_ino) == (row.size, row.mtime_ns, row.inode)
    return None if same_stat and not full else sha256_file(root / row.path)


def sweep(index: Index, root: Path, full: bool = False) -> SweepResult:
    """Compare ``records/`` under ``root`` with ``index``; see the module docstring."""
    on_disk = records_on_disk(root)
    result, now, verified = SweepResult(), datetime.now(), []
    with index.session() as session:
        in_flight = set(session.scalars(select(Intent.target))) | set(
            session.scalars(select(Intent.sidecar_target))
        )
        for row in session.execute(select(*_COLUMNS).where(File.status != "disposed")):
            st = on_disk.pop(row.path, None)
            if st is None:
                result.findings.append(Finding("gone", row.path, row.record_id, row.sha256))
                continue
            result.checked += 1
            actual = _check(root, row, st, full)
            result.hashed += actual is not None
            if actual is not None and actual != row.sha256:
                result.findings.append(
                    Finding("changed", row.path, row.record_id, row.sha256, actual)
                )
            elif actual is not None:
                stat = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}
                verified.append({"id": row.id, **stat, "verified_at": now})
        if verified:
            session.execute(update(File), verified)
    for path in sorted(set(on_disk) - in_flight):
        result.findings.append(Finding("unknown", path, "", "", sha256_file(root / path)))
    return result


#: What each finding is called (message IDs; a row's ``kind`` keeps the finding's name).
_PROBLEMS = {
    "changed": N_("content changed"),
    "unknown": N_("not in the index"),
    "gone": N_("file lost"),
}


def fixity_report(workspace: Workspace, full: bool = False) -> Report:
    """The fixity report: every changed, unknown and gone file."""
    with open_index(workspace) as index:
        result = sweep(index, workspace.archive_root, full)
    rows = [
        {
            "problem": translate(_PROBLEMS[f.problem]),
            "kind": f.problem,
            "path": mask_ids_in_text(f.path),
            "record_id": f.record_id,
            "expected": f.expected,
            "actual": f.actual,
        }
        for f in result.findings
    ]
    columns = {
        "problem": N_("Problem"),
        "path": N_("File"),
        "record_id": N_("Record ID"),
        "expected": N_("SHA-256 recorded"),
        "actual": N_("SHA-256 now"),
    }
    summary = {
        N_("Files checked"): result.checked,
        N_("Files read"): result.hashed,
        N_("Sweep"): _("full") if full else _("changed size, mtime or inode only"),
        N_("Problems"): len(rows),
    }
    return Report(N_("Fixity"), columns, rows, summary)


def unclassified_report(workspace: Workspace) -> Report:
    """Files that could not be classified, with the reason, to be sorted by a person
    (those the 檔管人員 rejected as no record are counted, not listed again)."""
    with open_index(workspace) as index, index.session() as session:
        query = (
            select(File, Record)
            .join(Record, File.record_id == Record.record_id)
            .where(File.status == UNCLASSIFIED, File.kind == "document")
            .order_by(File.path)
        )
        listed: list[tuple[File, Record]] = []
        rejected = 0
        for file, record in session.execute(query):
            if record.status == REJECTED:
                rejected += 1
            else:
                listed.append((file, record))
        rows = [
            {
                "path": mask_ids_in_text(file.path),
                "original_name": mask_ids_in_text(file.original_name),
                "filed_at": file.filed_at,
                "reason": mask_ids_in_text(record.reason),
                "sha256": file.sha256,
            }
            for file, record in listed
        ]
    columns = {
        "path": N_("File"),
        "original_name": N_("Name in the inbox"),
        "filed_at": N_("Filed at"),
        "reason": N_("Why unclassified"),
        "sha256": "SHA-256",
    }
    hint = _("add NAME.meta.yaml beside the file and put both in archive/inbox/ again")
    summary = {N_("Files"): len(rows), N_("To file them"): hint}
    if rejected:
        summary[N_("Rejected as no record (kept, not listed)")] = rejected
    return Report(N_("Unclassified files"), columns, rows, summary)
