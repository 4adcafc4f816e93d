"""What a rebuild takes from the archive's trail rather than from the records
themselves (ISSUE 9 items 1 and 2): tombstones, hold files, and what only the old
index knows.

* **Tombstones first.** A disposed record ID is final (DESIGN.md, Retention): a file
  under ``records/`` that claims a disposed record ID, has the content of a disposed
  file or sits at a disposed file's path is a *conflict* — reported, never merged;
  the record stays disposed (:func:`docgen.archive.rebuild._file_group`).
* **Hold files** (:mod:`docgen.archive.holds`) give the holds; those of the old index
  that no hold file lists are carried over, when it can be read.
* A tombstone or hold file that cannot be trusted (:mod:`docgen.archive.untrusted`)
  is a *problem*, reported with its file; the old index's disposals and holds of that
  record are carried over instead, and a tombstone's name alone still keeps files
  from claiming its record ID.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.archive.db import Index
from docgen.archive.holds import read_hold_files
from docgen.archive.models import (
    Base,
    Disposal,
    DisposalPlan,
    DisposalPlanItem,
    File,
    Hold,
    Record,
)
from docgen.archive.placement import RECORDS, TOMBSTONES
from docgen.archive.tombstones import Tombstone, read_tombstones, tombstone_ids
from docgen.archive.untrusted import HOLDS
from docgen.privacy import mask_ids_in_text


@dataclass
class RebuildResult:
    """What the new index holds, and what needs a person's attention."""

    records: int = 0
    files: int = 0
    disposals: int = 0
    holds_carried: int = 0
    holds_dropped: int = 0
    holds_from_files: int = 0
    conflicts: list[str] = field(default_factory=list)  # files not filed (item 2)
    problems: list[str] = field(default_factory=list)  # trail files not trusted


@dataclass
class Disposed:
    """The disposed record IDs, and the content and paths of their files."""

    record_ids: set[str] = field(default_factory=set)
    hashes: dict[str, str] = field(default_factory=dict)  # SHA-256 → record ID
    paths: dict[str, str] = field(default_factory=dict)  # path → record ID

    def add(self, record_id: str, files: list[dict[str, object]]) -> None:
        self.record_ids.add(record_id)
        for entry in files:
            self.hashes.setdefault(str(entry["sha256"]), record_id)
            self.paths.setdefault(str(entry["path"]), record_id)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _add_tombstone(session: Session, stone: Tombstone) -> None:
    meta = stone.metadata
    fields = ("category", "form", "variant", "period", "unit", "subject", "title")
    session.add(
        Record(
            record_id=stone.record_id,
            **{name: str(meta.get(name, "")) for name in fields},
            trigger=_day(meta.get("trigger", "")),
            review_date=_day(meta.get("review_date", "")),
            record_ids=" ".join(meta.get("record_ids", [])),
            status="disposed",
            source=str(meta.get("source", "")),
        )
    )
    for entry in stone.files:
        if session.scalar(select(File.id).where(File.path == entry["path"])) is None:
            session.add(
                File(
                    record_id=stone.record_id,
                    path=entry["path"],
                    kind=entry["kind"],
                    status="disposed",
                    sha256=entry["sha256"],
                    size=entry["size"],
                    mtime_ns=0,
                    inode=0,
                )
            )
    session.add(
        Disposal(
            record_id=stone.record_id,
            files_json=json.dumps(stone.files, ensure_ascii=False),
            metadata_json=json.dumps(meta, ensure_ascii=False),
            approval=stone.approval,
            approved_by=stone.approved_by,
            approved_on=stone.approved_on,
            plan_id=stone.plan_id,
            disposed_by=stone.disposed_by,
            disposed_at=stone.disposed_at,
            tombstone_path=stone.path,
        )
    )
    session.flush()


def apply_tombstones(session: Session, root: Path, result: RebuildResult) -> Disposed:
    """The disposed records of the tombstones; a bad tombstone is a problem."""
    stones, problems = read_tombstones(root)
    disposed = Disposed()
    for stone in stones:
        _add_tombstone(session, stone)
        disposed.add(stone.record_id, stone.files)
        result.disposals += 1
    for path, why in problems:
        result.problems.append(mask_ids_in_text(f"{path}: not a trustworthy tombstone ({why})"))
    disposed.record_ids |= tombstone_ids(root)  # its name alone keeps a record ID disposed
    return disposed


def _columns(row: Base, *leave_out: str) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in leave_out}


def carry_disposals(
    old: Index, session: Session, disposed: Disposed, result: RebuildResult
) -> None:
    """Disposals the old index knows and no readable tombstone gives (a problem)."""
    with old.session() as previous:
        for record in previous.scalars(select(Record).where(Record.status == "disposed")):
            rid = record.record_id
            if session.get(Record, rid) is not None:
                continue
            session.add(Record(**_columns(record)))
            files = list(previous.scalars(select(File).where(File.record_id == rid)))
            for file in files:
                if session.scalar(select(File.id).where(File.path == file.path)) is None:
                    values = _columns(file, "id", "duplicate_of")
                    session.add(File(**{**values, "status": "disposed"}))
            for row in previous.scalars(select(Disposal).where(Disposal.record_id == rid)):
                session.add(Disposal(**_columns(row, "id")))
                result.disposals += 1
            disposed.add(rid, [{"sha256": f.sha256, "path": f.path} for f in files])
            result.problems.append(
                f"{RECORDS}/{TOMBSTONES}/{rid}.json is missing or unreadable: the disposal of "
                f"{rid} is carried over from the previous index; restore the tombstone from backup"
            )
    session.flush()


def apply_holds(session: Session, root: Path, old: Index | None, result: RebuildResult) -> None:
    """Holds from the hold files, then those of the old index no hold file lists."""
    on_file, problems = read_hold_files(root)
    for path, why in problems:
        result.problems.append(
            mask_ids_in_text(
                f"{path}: not a trustworthy hold file ({why}); the record is treated as held "
                "until it is fixed, and the previous index's holds of it are kept"
            )
        )
    known = set(session.scalars(select(Record.record_id)))
    covered: set[tuple[str, datetime]] = set()
    for rid, entries in sorted(on_file.items()):
        if rid not in known:
            result.holds_dropped += len(entries)
            result.problems.append(
                f"{RECORDS}/{HOLDS}/{rid}.json holds {rid}, which is not in the archive: "
                "restore its files from backup"
            )
            continue
        for entry in entries:
            session.add(
                Hold(
                    record_id=rid,
                    reason=entry.reason,
                    placed_by=entry.placed_by,
                    placed_at=entry.placed_at,
                    released_by=entry.released_by,
                    released_at=entry.released_at,
                )
            )
            covered.add((rid, entry.placed_at))
            result.holds_from_files += 1
    if old is None:
        return
    with old.session() as previous:
        for hold in previous.scalars(select(Hold)):
            if (hold.record_id, hold.placed_at) in covered:
                continue
            if hold.record_id not in known:
                result.holds_dropped += 1
                continue
            session.add(Hold(**_columns(hold, "id")))
            result.holds_carried += 1


def carry_plans(old: Index, session: Session) -> None:
    """The disposal plans (not in any file) whose records are all in the new index."""
    known = set(session.scalars(select(Record.record_id)))
    with old.session() as previous:
        for plan in previous.scalars(select(DisposalPlan)):
            query = select(DisposalPlanItem).where(DisposalPlanItem.plan_id == plan.plan_id)
            items = list(previous.scalars(query))
            if any(item.record_id not in known for item in items):
                continue
            session.add(DisposalPlan(**_columns(plan)))
            session.flush()
            session.add_all(DisposalPlanItem(**_columns(item, "id")) for item in items)
