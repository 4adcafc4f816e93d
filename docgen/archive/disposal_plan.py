"""Disposal as a resumable plan (ISSUE 9 item 3).

A plan is named by what it disposes under which approval —
``DP-<approval date>-<8 hex>`` of the record IDs (as a set), the 發文字號, who approved
and when — so the same ``docgen archive dispose`` run again names the same plan. It
is recorded in the index (``disposal_plans``, one ``disposal_plan_items`` row per
record with the step it reached) after the journal has its intent and before anything
is removed. While a plan is unfinished only the same command is accepted; any other
is refused naming it (:func:`check_same_plan`). :func:`disposals_report` lists every
disposal, the unfinished first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from docgen.archive.approval import Approval
from docgen.archive.db import Index
from docgen.calendar import format_roc_short
from docgen.db.models.archive import DisposalPlan, DisposalPlanItem
from docgen.errors import InputError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text

PENDING, DONE = "pending", "done"
PLANNED, TOMBSTONED, REMOVED, KEPT = "planned", "tombstoned", "removed", "kept"
#: Steps in order; a record is disposed once ``done``; ``kept`` was held in time.
STEPS = (PLANNED, TOMBSTONED, REMOVED, DONE)


@dataclass(frozen=True)
class Request:
    """One ``archive dispose``, checked: unique record IDs in order, the approval."""

    record_ids: list[str]
    approval: Approval
    as_of: date
    by: str

    @property
    def plan_id(self) -> str:
        approved_on = self.approval.approved_on or date.min
        identity = {
            "records": sorted(self.record_ids),
            "approval": self.approval.reference,
            "approved_by": self.approval.approved_by,
            "approved_on": approved_on.isoformat(),
        }
        text = json.dumps(identity, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8].upper()
        return f"DP-{approved_on:%Y%m%d}-{digest}"


@dataclass(frozen=True)
class Disposed:
    """One disposed record: its tombstone file and the files removed (relative paths)."""

    record_id: str
    tombstone: Path
    files: list[str]
    disposed_at: datetime | None = None  # as its tombstone says


@dataclass
class DisposalResult:
    """What a disposal did: the plan, the records disposed, those kept (held in time)."""

    plan_id: str
    approval: Approval
    disposed: list[Disposed] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (record ID, why)
    resumed: bool = False


@dataclass(frozen=True)
class PlannedRecord:
    """What a plan removes of one record and what its tombstone keeps."""

    record_id: str
    files: list[dict[str, Any]]
    metadata: dict[str, Any]


def pending_plan(index: Index) -> DisposalPlan | None:
    """The unfinished plan, if any (there is at most one)."""
    with index.session() as session:
        query = select(DisposalPlan).where(DisposalPlan.state == PENDING)
        return session.scalars(query.order_by(DisposalPlan.created_at)).first()


def describe(plan: DisposalPlan, count: int) -> str:
    return _(
        "the disposal {plan} ({count} record(s) under {approval}, begun {date} by {by})"
    ).format(
        plan=plan.plan_id,
        count=count,
        approval=plan.approval,
        date=format_roc_short(plan.created_at.date()),
        by=plan.disposed_by,
    )


def plan_size(index: Index, plan_id: str) -> int:
    with index.session() as session:
        query = select(DisposalPlanItem.id).where(DisposalPlanItem.plan_id == plan_id)
        return len(list(session.scalars(query)))


def check_same_plan(index: Index, plan: DisposalPlan, request: Request) -> None:
    """Refuse ``request`` unless it is the command that began ``plan``."""
    if plan.plan_id == request.plan_id:
        return
    raise InputError(
        _(
            "nothing was disposed: {disposal} is unfinished: run that same command again "
            "to finish it first (`docgen archive report disposals` shows it)"
        ).format(disposal=describe(plan, plan_size(index, plan.plan_id)))
    )


def record_plan(
    index: Index, request: Request, planned: Sequence[PlannedRecord], now: datetime
) -> str:
    """The plan and its records in the index, in one transaction; its ID."""
    approval = request.approval
    assert approval.approved_on is not None
    with index.session() as session:
        session.add(
            DisposalPlan(
                plan_id=request.plan_id,
                approval=approval.reference,
                approved_by=approval.approved_by,
                approved_on=approval.approved_on,
                disposed_by=request.by,
                as_of=request.as_of,
                state=PENDING,
                created_at=now,
            )
        )
        for position, item in enumerate(planned, 1):
            session.add(
                DisposalPlanItem(
                    plan_id=request.plan_id,
                    position=position,
                    record_id=item.record_id,
                    files_json=json.dumps(item.files, ensure_ascii=False),
                    metadata_json=json.dumps(item.metadata, ensure_ascii=False),
                    state=PLANNED,
                    note="",
                )
            )
    return request.plan_id


def plan_items(index: Index, plan_id: str) -> list[DisposalPlanItem]:
    with index.session() as session:
        query = select(DisposalPlanItem).where(DisposalPlanItem.plan_id == plan_id)
        return list(session.scalars(query.order_by(DisposalPlanItem.position)))


def set_step(index: Index, item: DisposalPlanItem, state: str, note: str = "") -> None:
    """Record that ``item`` reached ``state`` (its own transaction)."""
    with index.session() as session:
        row = session.get(DisposalPlanItem, item.id)
        assert row is not None
        row.state, row.note = state, note
    item.state, item.note = state, note


def finish_plan(index: Index, plan_id: str, now: datetime) -> None:
    with index.session() as session:
        plan = session.get(DisposalPlan, plan_id)
        assert plan is not None
        plan.state, plan.finished_at = DONE, now


def intent_details(request: Request, planned: Sequence[PlannedRecord]) -> dict[str, Any]:
    """Step 1: the journal entry written before anything is removed."""
    return {
        "step": "plan",
        "plan": request.plan_id,
        **request.approval.details(),
        "by": request.by,
        "as_of": request.as_of.isoformat(),
        "records": [
            {
                "record_id": p.record_id,
                "files": [
                    {
                        "path": mask_ids_in_text(f["path"]),
                        "sha256": f["sha256"],
                        "size": f.get("size", 0),
                        "kind": f.get("kind", "document"),
                    }
                    for f in p.files
                ],
                # what the tombstone says, so that a rebuild can write it again
                # from the journal if it goes missing (ISSUE 9 review)
                "metadata": _masked(p.metadata),
            }
            for p in planned
        ],
    }


def _masked(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: mask_ids_in_text(v) if isinstance(v, str) else v for k, v in metadata.items()}


def completion_details(result: DisposalResult, by: str) -> dict[str, Any]:
    """Step 4: the journal entry once every record of the plan is disposed or kept."""
    return {
        "step": "done",
        "plan": result.plan_id,
        **result.approval.details(),
        "by": by,
        "resumed": result.resumed,
        "records": [
            {
                "record_id": d.record_id,
                "files": [mask_ids_in_text(p) for p in d.files],
                "disposed_at": d.disposed_at.isoformat() if d.disposed_at else "",
            }
            for d in result.disposed
        ],
        "kept": [{"record_id": rid, "why": mask_ids_in_text(why)} for rid, why in result.kept],
    }


def completion_journalled(journal: Journal, plan_id: str) -> bool:
    """Whether a run killed after step 4's journal entry already wrote it."""
    for entry in reversed(journal.entries()):
        details = entry.get("details") or {}
        if entry.get("command") == "archive dispose" and details.get("plan") == plan_id:
            return bool(details.get("step") == "done")
    return False
