"""Legal holds that survive the loss of the index (ISSUE 9 item 1; DESIGN.md,
Retention: a legal hold stops a record from becoming a candidate, and the index can
always be rebuilt from the files, hold files and tombstones).

Each held record has a hold file ``records/.holds/<record ID>.json`` with its whole
hold history, written atomically and durably **before** the index::

    {"format": "docgen-hold/1", "record_id": "DG-4M-202310-1A2B3C4D",
     "holds": [{"reason": "…", "placed_by": "…", "placed_at": "2026-11-27T10:00:00",
                "released_by": "", "released_at": null}]}

Reasons are masked (:func:`docgen.privacy.mask_ids_in_text`) before they are stored.
Interrupted between the two writes, the file says more than the index: an unreleased
hold in a file counts wherever holds are checked (:func:`holds_on_file`), a release in
a file counts only once the index has it too (the safe way round). ``docgen archive
rebuild`` reads the files back as untrusted input (:func:`read_hold_files`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.archive.db import Index, open_index
from docgen.archive.placement import RECORDS, write_durably
from docgen.archive.untrusted import (
    HOLDS,
    TrailFileError,
    check_format,
    check_record_id,
    is_record_id,
    read_json_object,
    record_id_field,
    text_field,
    time_field,
)
from docgen.calendar import format_roc_short
from docgen.config import Workspace
from docgen.db.models.archive import DisposalPlan, DisposalPlanItem, Hold, Record
from docgen.errors import InputError, UsageError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text

HOLD_FORMAT = "docgen-hold/1"


@dataclass(frozen=True)
class HoldEntry:
    """One hold of a record, as its hold file states it."""

    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str = ""
    released_at: datetime | None = None

    @classmethod
    def of(cls, hold: Hold) -> HoldEntry:
        return cls(hold.reason, hold.placed_by, hold.placed_at, hold.released_by, hold.released_at)

    def as_json(self) -> dict[str, Any]:
        released = self.released_at.isoformat() if self.released_at else None
        return {
            "reason": self.reason,
            "placed_by": self.placed_by,
            "placed_at": self.placed_at.isoformat(),
            "released_by": self.released_by,
            "released_at": released,
        }


def iso(when: datetime) -> str:
    """A hold's time as the hold file and the journal record it."""
    return when.isoformat()


def hold_file(root: Path, record_id: str) -> Path:
    return root / RECORDS / HOLDS / f"{record_id}.json"


def _entry(value: object, number: int) -> HoldEntry:
    if not isinstance(value, dict):
        raise TrailFileError(_("holds[{number}] must be an object").format(number=number))
    placed_at = time_field(value, "placed_at")
    released_at = time_field(value, "released_at", required=False)
    assert placed_at is not None
    if released_at is not None and released_at < placed_at:
        raise TrailFileError(
            _("holds[{number}] is released before it was placed").format(number=number)
        )
    reason = text_field(value, "reason", required=True).strip()
    if not reason:
        raise TrailFileError(_("holds[{number}] has no reason").format(number=number))
    return HoldEntry(
        mask_ids_in_text(reason),  # masked again: the file may not be docgen's
        text_field(value, "placed_by"),
        placed_at,
        text_field(value, "released_by"),
        released_at,
    )


def read_hold_file(path: Path) -> tuple[str, list[HoldEntry]]:
    """The record ID and holds of a hold file; :class:`TrailFileError` if it is bad."""
    data = read_json_object(path)
    check_format(data, HOLD_FORMAT)
    record_id = record_id_field(data, path)
    holds = data.get("holds")
    if not isinstance(holds, list) or not holds:
        raise TrailFileError(_("holds must be a list of at least one hold"))
    return record_id, [_entry(value, number) for number, value in enumerate(holds, 1)]


def read_hold_files(root: Path) -> tuple[dict[str, list[HoldEntry]], list[tuple[str, str]]]:
    """Every readable hold file by record ID, and ``(file, problem)`` for the others."""
    found: dict[str, list[HoldEntry]] = {}
    problems = []
    for path in sorted((root / RECORDS / HOLDS).glob("*.json")):
        try:
            record_id, entries = read_hold_file(path)
        except TrailFileError as error:
            problems.append((path.relative_to(root).as_posix(), str(error)))
            continue
        found[record_id] = entries
    return found, problems


def holds_on_file(root: Path) -> dict[str, str]:
    """Record ID → reason of every unreleased hold in a hold file. A hold file that
    cannot be read holds its record too (say why): a record is never disposed on the
    strength of an unreadable hold file."""
    held: dict[str, str] = {}
    for path in sorted((root / RECORDS / HOLDS).glob("*.json")):
        stem = path.name[: -len(".json")]
        if not is_record_id(stem):
            continue
        try:
            _record_id, entries = read_hold_file(path)
        except TrailFileError as error:
            shown = path.relative_to(root).as_posix()
            held[stem] = _("its hold file {file} cannot be read ({error}): fix it first").format(
                file=shown, error=error
            )
            continue
        active = [e for e in entries if e.released_at is None]
        if active:
            held[stem] = active[-1].reason
    return held


def merge(*histories: list[HoldEntry]) -> list[HoldEntry]:
    """One history from several (index, file): one entry per time placed; a release
    in any of them counts."""
    by_time: dict[datetime, HoldEntry] = {}
    for history in histories:
        for entry in history:
            known = by_time.get(entry.placed_at)
            if known is None or (known.released_at is None and entry.released_at is not None):
                by_time[entry.placed_at] = entry
    return [by_time[when] for when in sorted(by_time)]


def write_hold_file(root: Path, record_id: str, entries: list[HoldEntry]) -> Path:
    """Write the hold file of ``record_id`` atomically and durably."""
    payload = {
        "format": HOLD_FORMAT,
        "record_id": record_id,
        "holds": [entry.as_json() for entry in entries],
    }
    target = hold_file(root, record_id)
    write_durably(target, (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode())
    return target


def _file_history(root: Path, record_id: str) -> list[HoldEntry]:
    path = hold_file(root, record_id)
    if not path.exists():
        return []
    try:
        return read_hold_file(path)[1]
    except TrailFileError as error:
        shown = path.relative_to(root).as_posix()
        raise InputError(
            _(
                "nothing was changed: {file} cannot be read ({error}); restore it from "
                "backup or move it aside, then run the command again"
            ).format(file=shown, error=error)
        ) from None


def _index_history(session: Session, record_id: str) -> list[Hold]:
    query = select(Hold).where(Hold.record_id == record_id).order_by(Hold.placed_at)
    return list(session.scalars(query))


def _adopt(session: Session, record_id: str, on_file: list[HoldEntry]) -> None:
    """Unreleased holds of the file the index lost (a crash between the two writes)."""
    known = {h.placed_at for h in _index_history(session, record_id)}
    for entry in on_file:
        if entry.released_at is None and entry.placed_at not in known:
            session.add(
                Hold(
                    record_id=record_id,
                    reason=entry.reason,
                    placed_by=entry.placed_by,
                    placed_at=entry.placed_at,
                )
            )
    session.flush()


def _record(session: Session, record_id: str) -> Record:
    record = session.get(Record, record_id)
    if record is None:
        raise InputError(
            _("record {record_id} is not in the archive index").format(record_id=record_id)
        )
    return record


def active_hold(session: Session, record_id: str) -> Hold | None:
    """The record's unreleased hold in the index, if it has one."""
    query = select(Hold).where(Hold.record_id == record_id, Hold.released_at.is_(None))
    return session.scalars(query).first()


def _disposal_begun(session: Session, record_id: str) -> str:
    """The unfinished disposal plan that has begun removing ``record_id`` ("" if none)."""
    query = (
        select(DisposalPlanItem.plan_id)
        .join(DisposalPlan)
        .where(
            DisposalPlanItem.record_id == record_id,
            DisposalPlan.state == "pending",
            DisposalPlanItem.state.in_(("tombstoned", "removed")),
        )
    )
    return session.scalars(query).first() or ""


def place_hold(workspace: Workspace, record_id: str, reason: str, by: str, now: datetime) -> Hold:
    """Put ``record_id`` on hold: it is never disposed until released. The hold file
    is written first, then the index, then the journal (ISSUE 9 item 1)."""
    check_record_id(record_id)
    if not reason.strip():
        raise UsageError(_("a hold needs a reason: add --reason TEXT (e.g. the case or letter)"))
    root = workspace.archive_root
    masked = mask_ids_in_text(reason.strip())  # kept for years: no IDs
    with open_index(workspace) as index:
        on_file = _adopt_file(index, root, record_id)
        with index.session() as session:
            record = _record(session, record_id)
            if record.status == "disposed":
                raise InputError(
                    _("record {record_id} was disposed: there is nothing to hold").format(
                        record_id=record_id
                    )
                )
            plan = _disposal_begun(session, record_id)
            if plan:
                raise InputError(
                    _(
                        "record {record_id} is being disposed under the unfinished plan "
                        "{plan} (its tombstone is written): it can no longer be held"
                    ).format(record_id=record_id, plan=plan)
                )
            held = active_hold(session, record_id)
            if held is not None:
                raise InputError(
                    _("record {record_id} is already on hold since {date}: {reason}").format(
                        record_id=record_id,
                        date=format_roc_short(held.placed_at.date()),
                        reason=mask_ids_in_text(held.reason),
                    )
                )
            history = [HoldEntry.of(h) for h in _index_history(session, record_id)]
            latest = max((e.placed_at for e in [*history, *on_file]), default=None)
            if latest is not None and now <= latest:
                # a hold file keeps one hold per time placed: a hold placed again within
                # the same second as the last one is placed a moment after it
                now = latest + timedelta(microseconds=1)
            hold = Hold(
                record_id=record_id, reason=masked, placed_by=by, placed_at=now, released_by=""
            )
            path = write_hold_file(root, record_id, merge(history, on_file, [HoldEntry.of(hold)]))
            session.add(hold)
    # placed_at: which hold of the record this is, for a rebuild (ISSUE 9 review)
    details = {"record_id": record_id, "reason": masked, "by": by, "placed_at": iso(now)}
    Journal(workspace.journal_path, workspace.root).append(
        "archive hold", outputs=[path], details=details
    )
    return hold


def release_hold(
    workspace: Workspace, record_id: str, by: str, now: datetime, reason: str = ""
) -> Hold:
    """Release the hold on ``record_id``; its retention runs as before. The hold file
    says so first, then the index, then the journal (with ``reason``, why it is
    released, IDs masked, when given)."""
    check_record_id(record_id)
    root = workspace.archive_root
    with open_index(workspace) as index:
        on_file = _adopt_file(index, root, record_id)
        with index.session() as session:
            _record(session, record_id)
            hold = active_hold(session, record_id)
            if hold is None:
                raise InputError(_("record {record_id} is not on hold").format(record_id=record_id))
            hold.released_by, hold.released_at = by, now
            history = [HoldEntry.of(h) for h in _index_history(session, record_id)]
            path = write_hold_file(root, record_id, merge(history, on_file))
    details = {
        "record_id": record_id,
        "reason": mask_ids_in_text(hold.reason),
        "by": by,
        "placed_at": iso(hold.placed_at),
        "released_at": iso(now),
    }
    if reason.strip():
        details["release_reason"] = mask_ids_in_text(" ".join(reason.split()))
    Journal(workspace.journal_path, workspace.root).append(
        "archive release", outputs=[path], details=details
    )
    return hold


def _adopt_file(index: Index, root: Path, record_id: str) -> list[HoldEntry]:
    """The record's hold file (its unreleased holds adopted into the index)."""
    on_file = _file_history(root, record_id)
    if on_file:
        with index.session() as session:
            if session.get(Record, record_id) is not None:
                _adopt(session, record_id, on_file)
    return on_file


def export_holds(index: Index, root: Path) -> list[Path]:
    """Write the hold file of every held record whose file is missing or says less
    than the index (holds placed before hold files existed; ``archive rebuild``)."""
    written = []
    with index.session() as session:
        by_record: dict[str, list[HoldEntry]] = {}
        for hold in session.scalars(select(Hold).order_by(Hold.placed_at)):
            by_record.setdefault(hold.record_id, []).append(HoldEntry.of(hold))
    for record_id, history in sorted(by_record.items()):
        if not is_record_id(record_id):
            continue
        try:
            on_file = _file_history(root, record_id)
        except InputError:
            continue  # reported by the rebuild; not overwritten
        merged = merge(history, on_file)
        if merged != on_file:
            written.append(write_hold_file(root, record_id, merged))
    return written
