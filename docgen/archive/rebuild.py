"""A new index from the files alone (ISSUE 6 point 8): ``docgen archive rebuild``.

Every file under ``records/`` is hashed and classified the way the ingest did it —
embedded metadata, else the record-ID QR code, else its filed sidecar (a sidecar
docgen wrote for a path-rule filing keeps that origin) — and files of identical
content are grouped: the copy in a category folder is the record's file, the others
are its duplicates (an unclassified copy only stands alone when nothing classifies
it). Tombstones (``records/.tombstones/*.json``, format ``docgen-tombstone/1`` written
by :func:`docgen.archive.disposal.write_tombstone`) give the disposed records and
their approvals; filed forms manifests the forms issued. Holds are not in any file:
they are carried over from the old index when it can be read (and so are forms issued
that no filed manifest lists).

What the files cannot tell — when a file was first seen and filed, its name in the
inbox — is not restored; :func:`compare` ignores it.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.archive.classify import SIDECAR_SUFFIX, classify, find_sidecar
from docgen.archive.context import ArchiveContext
from docgen.archive.db import Index
from docgen.archive.fixity import records_on_disk
from docgen.archive.ingest import merge_record
from docgen.archive.issued import note_issued
from docgen.archive.models import Disposal, File, FormIssued, Hold, Record
from docgen.archive.placement import DUPLICATES, RECORDS, TOMBSTONES, UNCLASSIFIED
from docgen.archive.plan import record_values
from docgen.errors import InputError
from docgen.fsutil import sha256_file

TOMBSTONE_FORMAT = "docgen-tombstone/1"


@dataclass
class RebuildResult:
    """What the new index holds."""

    records: int = 0
    files: int = 0
    disposals: int = 0
    holds_carried: int = 0
    holds_dropped: int = 0


def _rank(path: str) -> tuple[int, str]:
    """Which copy of identical content is the record's own: category folders first."""
    folder = path.split("/")[1] if path.count("/") >= 2 else ""
    order = {UNCLASSIFIED: 1, DUPLICATES: 2}.get(folder, 0)
    return order, path


def _file(root: Path, path: str, record_id: str, status: str, kind: str, sha256: str) -> File:
    st = os.stat(root / path)
    return File(
        record_id=record_id,
        path=path,
        kind=kind,
        status=status,
        sha256=sha256,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        inode=st.st_ino,
        filed_at=datetime.fromtimestamp(st.st_mtime),
        verified_at=datetime.now(),
    )


def _add_with_sidecar(session: Session, root: Path, document: File, sidecars: set[str]) -> File:
    session.add(document)
    sidecar = find_sidecar(root / document.path)
    relative = sidecar.relative_to(root).as_posix() if sidecar else ""
    if relative in sidecars:
        sidecars.discard(relative)
        sha256 = sha256_file(root / relative)
        session.add(_file(root, relative, document.record_id, document.status, "sidecar", sha256))
    return document


def _file_group(
    ctx: ArchiveContext, session: Session, sha256: str, paths: list[str], sidecars: set[str]
) -> None:
    """One content: its record's file, then the duplicates of it."""
    primary, *copies = sorted(paths, key=_rank)
    found = classify(ctx.root / primary, primary, [], ctx.use_qr)
    values = record_values(found, sha256)
    merge_record(session, values, datetime.now())
    status = "filed" if found.classified else "unclassified"
    document = _file(ctx.root, primary, values["record_id"], status, "document", sha256)
    _add_with_sidecar(session, ctx.root, document, sidecars)
    if found.source == "manifest":
        note_issued(session, ctx.root / primary)
    session.flush()
    for path in copies:
        copy = _file(ctx.root, path, values["record_id"], "duplicate", "document", sha256)
        copy.duplicate_of = document.id
        _add_with_sidecar(session, ctx.root, copy, sidecars)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _tombstone(session: Session, path: Path, root: Path) -> None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != TOMBSTONE_FORMAT:
            raise ValueError(f"format is not {TOMBSTONE_FORMAT}")
        meta = data["metadata"]
        record_id = data["record_id"]
        disposed_at = datetime.fromisoformat(data["disposed_at"])
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path}: not a readable tombstone ({error})") from error
    if session.get(Record, record_id) is None:
        fields = ("category", "form", "variant", "period", "unit", "subject", "title")
        values = {name: str(meta.get(name, "")) for name in fields}
        session.add(
            Record(
                record_id=record_id,
                **values,
                trigger=_day(meta.get("trigger", "")),
                review_date=_day(meta.get("review_date", "")),
                record_ids=" ".join(meta.get("record_ids", [])),
                status="disposed",
                source=str(meta.get("source", "")),
            )
        )
    for entry in data.get("files", []):
        if session.scalar(select(File.id).where(File.path == entry["path"])) is None:
            session.add(
                File(
                    record_id=record_id,
                    path=entry["path"],
                    kind=entry.get("kind", "document"),
                    status="disposed",
                    sha256=entry["sha256"],
                    size=int(entry.get("size", 0)),
                    mtime_ns=0,
                    inode=0,
                )
            )
    session.add(
        Disposal(
            record_id=record_id,
            files_json=json.dumps(data.get("files", []), ensure_ascii=False),
            metadata_json=json.dumps(meta, ensure_ascii=False),
            approval=data.get("approval", ""),
            disposed_by=data.get("disposed_by", ""),
            disposed_at=disposed_at,
            tombstone_path=path.relative_to(root).as_posix(),
        )
    )
    session.flush()


def _carry_over(old: Index, session: Session, result: RebuildResult) -> None:
    """Holds and forms issued from the old index (not in any file)."""
    known = set(session.scalars(select(Record.record_id)))
    with old.session() as previous:
        for hold in previous.scalars(select(Hold)):
            if hold.record_id not in known:
                result.holds_dropped += 1
                continue
            columns = ("record_id", "reason", "placed_by", "placed_at", "released_by")
            session.add(
                Hold(**{c: getattr(hold, c) for c in columns}, released_at=hold.released_at)
            )
            result.holds_carried += 1
        for form in previous.scalars(select(FormIssued)):
            if session.get(FormIssued, form.record_id) is not None:
                continue
            form_columns = ("record_id", "form", "variant", "period", "unit", "subject")
            issued = {c: getattr(form, c) for c in form_columns}
            session.add(
                FormIssued(
                    **issued, category=form.category, title=form.title, issued_at=form.issued_at
                )
            )


def fill(ctx: ArchiveContext, target: Index, old: Index | None) -> RebuildResult:
    """Fill the empty index ``target`` from the files under ``ctx.root``."""
    on_disk = records_on_disk(ctx.root)
    sidecars = {p for p in on_disk if p.endswith(SIDECAR_SUFFIX)}
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(set(on_disk) - sidecars):
        groups[sha256_file(ctx.root / path)].append(path)
    result = RebuildResult()
    with target.session() as session:
        for sha256, paths in sorted(groups.items(), key=lambda item: min(item[1], key=_rank)):
            _file_group(ctx, session, sha256, paths, sidecars)
        for tombstone in sorted((ctx.root / RECORDS / TOMBSTONES).glob("*.json")):
            _tombstone(session, tombstone, ctx.root)
            result.disposals += 1
        if old is not None:
            _carry_over(old, session, result)
        session.flush()
        result.records = len(list(session.scalars(select(Record.record_id))))
        result.files = len(list(session.scalars(select(File.id))))
    return result


_RECORD_COLUMNS = (
    "category", "form", "variant", "period", "unit", "subject", "trigger", "review_date",
    "title", "record_ids", "status", "source", "reason",
)  # fmt: skip


def _snapshot(index: Index) -> dict[str, dict[str, tuple[Any, ...]]]:
    """What the files determine, keyed for comparison (no row IDs, no ingest times)."""
    with index.session() as session:
        records = {
            r.record_id: tuple(getattr(r, c) for c in _RECORD_COLUMNS)
            for r in session.scalars(select(Record))
        }
        files = list(session.scalars(select(File)))
        paths = {f.id: f.path for f in files}
        by_path = {
            f.path: (
                f.record_id,
                f.kind,
                f.status,
                f.sha256,
                f.size,
                paths.get(f.duplicate_of or 0),
            )
            for f in files
        }
        disposals = {
            d.tombstone_path: (d.record_id, d.approval, d.disposed_by, d.disposed_at)
            for d in session.scalars(select(Disposal))
        }
        issued = {
            f.record_id: (f.form, f.variant, f.period, f.unit, f.subject, f.category, f.issued_at)
            for f in session.scalars(select(FormIssued))
        }
    return {"record": records, "file": by_path, "disposal": disposals, "form issued": issued}


def compare(old: Index, new: Index) -> list[str]:
    """Every difference between two indexes in what the files determine."""
    before, after = _snapshot(old), _snapshot(new)
    differences = []
    for table, rows in before.items():
        for key in sorted(set(rows) | set(after[table])):
            if rows.get(key) != after[table].get(key):
                differences.append(
                    f"{table} {key}: before {rows.get(key)}, rebuilt {after[table].get(key)}"
                )
    return differences


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def rebuild_into(ctx: ArchiveContext, target: Path) -> RebuildResult:
    """A new index at ``target`` (replaced if it exists) from the files of ``ctx``."""
    remove_database(target)
    with Index(target) as new:
        return fill(ctx, new, ctx.index)


def replace_index(ctx: ArchiveContext, rebuilt: Path, now: datetime) -> Path:
    """Put the rebuilt index in place of the current one, which is kept beside it as
    ``index.sqlite.before-rebuild-YYYYMMDD-HHMMSS``; returns that backup's path."""
    current = ctx.index.path
    backup = current.with_name(f"{current.name}.before-rebuild-{now:%Y%m%d-%H%M%S}")
    with ctx.index.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.index.close()
    os.replace(current, backup)
    for suffix in ("-wal", "-shm"):
        Path(f"{current}{suffix}").unlink(missing_ok=True)
    os.replace(rebuilt, current)
    return backup
