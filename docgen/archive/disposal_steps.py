"""Step 3 of a disposal plan: each record from the step it reached — its tombstone
(durable), its files removed, the index updated — each step recorded in the plan
before the next (ISSUE 9 item 3; :mod:`docgen.archive.disposal`). A record put on
hold before its tombstone was written is kept, not disposed. Anything that stops a
step (a file changed since filing, the file system refusing) leaves the plan
unfinished, and the error says where it stopped.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from docgen.archive.approval import Approval
from docgen.archive.db import Index, files_of
from docgen.archive.disposal_plan import (
    DONE,
    KEPT,
    PLANNED,
    REMOVED,
    TOMBSTONED,
    DisposalResult,
    Disposed,
    plan_items,
    set_step,
)
from docgen.archive.holds import active_hold, holds_on_file
from docgen.archive.placement import RECORDS, TOMBSTONES, fsync_dir
from docgen.archive.tombstones import read_tombstone, tombstone_file, write_tombstone
from docgen.archive.untrusted import TrailFileError, inside_records
from docgen.db.models.archive import Disposal, DisposalPlan, DisposalPlanItem, Record
from docgen.errors import DocgenError, InputError, IntegrityError
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.privacy import mask_ids_in_text

#: Why a record was kept, as the plan and the journal record it (data: English in every
#: language; :func:`shown_note` shows it in the run's language).
_HELD_NOTE = "on hold: "


def shown_note(note: str) -> str:
    """A plan row's note (why a record was kept) in the current language."""
    if note.startswith(_HELD_NOTE):
        return _("on hold: {reason}").format(reason=note.removeprefix(_HELD_NOTE))
    return note


def run_plan(index: Index, root: Path, plan_id: str, now: datetime) -> DisposalResult:
    """Step 3 of every record of the plan not yet done (see the module docstring).
    Stopped by an error, the plan stays unfinished and the error says so."""
    with index.session() as session:
        plan = session.get(DisposalPlan, plan_id)
        assert plan is not None and plan.approved_on is not None
        approval = Approval(plan.approval, plan.approved_by, plan.approved_on)
        disposed_by = plan.disposed_by
    result = DisposalResult(plan_id, approval)
    on_file = holds_on_file(root)
    items = plan_items(index, plan_id)
    for number, item in enumerate(items):
        files = json.loads(item.files_json)
        try:
            _steps(index, root, item, files, approval, disposed_by, now, on_file)
        except (DocgenError, OSError) as error:
            raise _stopped(error, plan_id, item.record_id, number, len(items)) from error
        if item.state == KEPT:
            result.kept.append((item.record_id, item.note))
        else:
            tombstone = tombstone_file(root, item.record_id)
            paths = [f["path"] for f in files]
            when = _disposed_at(root, item, now)
            result.disposed.append(Disposed(item.record_id, tombstone, paths, when))
    return result


def _steps(
    index: Index,
    root: Path,
    item: DisposalPlanItem,
    files: list[dict[str, Any]],
    approval: Approval,
    disposed_by: str,
    now: datetime,
    on_file: dict[str, str],
) -> None:
    """One record from the step it reached: tombstone, files removed, index updated."""
    if item.state == PLANNED:
        why = _held(index, item.record_id, on_file)
        if why:
            set_step(index, item, KEPT, _HELD_NOTE + why)
            return
        check_unchanged(root, files, planned=True)
        meta = json.loads(item.metadata_json)
        stone = (files, meta, approval, disposed_by, now, item.plan_id)
        write_tombstone(root, item.record_id, *stone)
        set_step(index, item, TOMBSTONED)
    if item.state == TOMBSTONED:
        check_unchanged(root, files, planned=True)
        _remove(root, files)
        set_step(index, item, REMOVED)
    if item.state == REMOVED:
        _index_disposed(index, item, approval, disposed_by, _disposed_at(root, item, now))


def _stopped(
    error: DocgenError | OSError, plan_id: str, record_id: str, done: int, total: int
) -> DocgenError:
    """``error``, saying where the disposal stopped and how to finish it."""
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        error = InputError(f"{error.strerror or error}{where}")
    error.message = _(
        "{error} — the disposal {plan} stopped at {record_id} ({done} of {total} "
        "record(s) done): put that right, then run the same command again to finish it"
    ).format(error=error.message, plan=plan_id, record_id=record_id, done=done, total=total)
    error.args = (error.message,)
    return error


def _disposed_at(root: Path, item: DisposalPlanItem, now: datetime) -> datetime:
    """When the tombstone says the record was disposed (an earlier run may have
    written it), so that the index and a rebuild from the tombstone agree."""
    try:
        return read_tombstone(tombstone_file(root, item.record_id), root).disposed_at
    except TrailFileError:
        return now


def _held(index: Index, record_id: str, on_file: dict[str, str]) -> str:
    with index.session() as session:
        hold = active_hold(session, record_id)
        return mask_ids_in_text(hold.reason) if hold is not None else on_file.get(record_id, "")


def _remove(root: Path, files: list[dict[str, Any]]) -> None:
    targets = [inside_records(root, entry["path"]) for entry in files]
    for target in targets:
        target.unlink(missing_ok=True)
    for folder in {target.parent for target in targets}:
        if folder.is_dir():
            fsync_dir(folder)


def _index_disposed(
    index: Index,
    item: DisposalPlanItem,
    approval: Approval,
    by: str,
    now: datetime,
) -> None:
    """The last step of one record: the Disposal row, the statuses, the plan row."""
    rid = item.record_id
    with index.session() as session:
        known = select(Disposal.id).where(Disposal.record_id == rid)
        if session.scalar(known.where(Disposal.plan_id == item.plan_id)) is None:
            session.add(
                Disposal(
                    record_id=rid,
                    files_json=item.files_json,
                    metadata_json=item.metadata_json,
                    approval=approval.reference,
                    approved_by=approval.approved_by,
                    approved_on=approval.approved_on,
                    plan_id=item.plan_id,
                    disposed_by=by,
                    disposed_at=now,
                    tombstone_path=f"{RECORDS}/{TOMBSTONES}/{rid}.json",
                )
            )
        record = session.get(Record, rid)
        if record is not None:
            record.status = "disposed"
        for file in files_of(session, rid):
            file.status = "disposed"
        row = session.get(DisposalPlanItem, item.id)
        assert row is not None
        row.state = DONE
    item.state = DONE


def check_unchanged(root: Path, listed: list[dict[str, Any]], planned: bool = False) -> None:
    """The tombstone must name what is destroyed: a file changed since it was filed
    is an :class:`IntegrityError` (settle fixity first), and nothing more is disposed
    (an unfinished plan stays so, to be finished once the file is restored)."""
    for entry in listed:
        path = inside_records(root, entry["path"])
        if path.exists() and sha256_file(path) != entry["sha256"]:
            message = (
                _(
                    "{path} changed since it was filed (SHA-256 differs): run "
                    "`docgen archive report fixity` and settle it first"
                )
                if planned
                else _(
                    "{path} changed since it was filed (SHA-256 differs): nothing was "
                    "disposed; run `docgen archive report fixity` and settle it first"
                )
            )
            raise IntegrityError(message.format(path=mask_ids_in_text(entry["path"])))
