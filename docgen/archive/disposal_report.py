"""``docgen archive report disposals`` (ISSUE 9 item 3): every disposal, the
unfinished first — those are a problem the report exits 6 for
(:func:`docgen.archive.reports.report_problem`). A tombstone of no disposal the
journal records is not an unfinished disposal but an untrusted file (exit 5, as for
``archive rebuild``: :func:`docgen.cli.archive_reports.report`).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from docgen.archive.db import Index
from docgen.archive.disposal_plan import DONE, KEPT, PENDING, PLANNED, REMOVED, TOMBSTONED
from docgen.archive.disposal_steps import shown_note
from docgen.archive.rebuild_trail import JournalTrail, read_journal, tombstone_mismatch
from docgen.archive.tombstones import read_tombstone, tombstone_file, tombstone_ids
from docgen.archive.untrusted import TrailFileError
from docgen.calendar import format_roc_short
from docgen.db.models.archive import Disposal, DisposalPlan, DisposalPlanItem, Record
from docgen.i18n import N_, _, translate
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text
from docgen.report import Report

DISPOSAL_COLUMNS = {
    "state": N_("Status"),
    "plan": N_("Disposal plan"),
    "record_id": N_("Record ID"),
    "step": N_("Step"),
    "approval": N_("Approval no."),
    "approved_by": N_("Approved by"),
    "approved_on": N_("Approved on"),
    "disposed_by": N_("Disposed by"),
    "disposed_at": N_("Disposed at"),
    "note": N_("Note"),
}
#: A row's state (message IDs: the ``state`` column shows them translated, the hidden
#: row key ``kind`` keeps the ID; the summary's keys are these IDs).
UNFINISHED = N_("unfinished")
DISPOSED = N_("disposed")
NOT_DISPOSED = N_("kept")
ORPHAN = N_("tombstone only")
UNTRUSTED = N_("untrusted tombstone")
UNTRUSTED_HINT = N_(
    "it matches no `archive dispose` in the journal: move it out of records/.tombstones/ "
    "(`docgen archive rebuild` lists it too)"
)
_STEP_LABELS = {
    PLANNED: N_("not begun"),
    TOMBSTONED: N_("tombstone written, files not removed"),
    REMOVED: N_("files removed, index not updated"),
    DONE: N_("done"),
    KEPT: N_("held in time, not disposed"),
}
FINISH_HINT = N_("run the same `docgen archive dispose` command again to finish it")


def _roc(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return format_roc_short(value.date() if isinstance(value, datetime) else value)


def _plan_rows(plan: DisposalPlan, items: list[DisposalPlanItem]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        unfinished = plan.state == PENDING and item.state not in (DONE, KEPT)
        state = UNFINISHED if unfinished else NOT_DISPOSED if item.state == KEPT else DISPOSED
        rows.append(
            {
                "state": state,
                "plan": plan.plan_id,
                "record_id": item.record_id,
                "step": _STEP_LABELS.get(item.state, item.state),
                "approval": plan.approval,
                "approved_by": plan.approved_by,
                "approved_on": _roc(plan.approved_on),
                "disposed_by": plan.disposed_by,
                "disposed_at": "",
                "note": translate(FINISH_HINT)
                if unfinished
                else shown_note(mask_ids_in_text(item.note)),
            }
        )
    return rows


def _untrusted(root: Path, record_id: str, trail: JournalTrail | None) -> str:
    """Why the tombstone of ``record_id`` is not that of a disposal the journal records
    ("" when it is, or when there is no journal that verifies to ask)."""
    if trail is None or not trail.verified:
        return ""
    try:
        stone = read_tombstone(tombstone_file(root, record_id), root)
    except TrailFileError as error:
        if record_id in trail.disposals:
            return ""  # a recorded disposal: unfinished, whatever its tombstone says
        return _("it cannot be read ({error}) and the journal records no disposal of it").format(
            error=error
        )
    return tombstone_mismatch(stone, trail)


def disposals_report(index: Index, root: Path, journal: Journal | None = None) -> Report:
    """Every disposal: unfinished plans first (a problem: :data:`UNFINISHED`), then
    tombstones the index does not count as disposed — a disposal interrupted before
    plans existed (:data:`ORPHAN`, unfinished) or, checked against ``journal`` when it
    verifies, a tombstone of no disposal the journal records (:data:`UNTRUSTED`, an
    integrity problem: no disposal, nothing unfinished) — then the disposals done, by
    time."""
    with index.session() as session:
        plans = list(session.scalars(select(DisposalPlan).order_by(DisposalPlan.created_at)))
        items: dict[str, list[DisposalPlanItem]] = {}
        for item in session.scalars(select(DisposalPlanItem).order_by(DisposalPlanItem.position)):
            items.setdefault(item.plan_id, []).append(item)
        done = list(session.scalars(select(Disposal).order_by(Disposal.disposed_at)))
        disposed = set(session.scalars(select(Record.record_id).where(Record.status == "disposed")))
    rows = [r for p in plans if p.state == PENDING for r in _plan_rows(p, items.get(p.plan_id, []))]
    in_plans = {r["record_id"] for r in rows}
    trail = read_journal(journal) if journal is not None else None
    for record_id in sorted(tombstone_ids(root) - disposed - in_plans):
        why = _untrusted(root, record_id, trail)
        if why:
            rows.append(
                {
                    **dict.fromkeys(DISPOSAL_COLUMNS, ""),
                    "state": UNTRUSTED,
                    "record_id": record_id,
                    "note": _(
                        "untrusted tombstone ({why}): not a disposal, and {record_id} is "
                        "not disposed; {hint}"
                    ).format(why=why, record_id=record_id, hint=translate(UNTRUSTED_HINT)),
                }
            )
            continue
        rows.append(
            {
                **dict.fromkeys(DISPOSAL_COLUMNS, ""),
                "state": ORPHAN,
                "record_id": record_id,
                "note": _(
                    "a tombstone, but the index says not disposed: dispose of {record_id} "
                    "again under its approval to finish it"
                ).format(record_id=record_id),
            }
        )
    for disposal in done:
        if disposal.record_id in in_plans:
            continue  # listed with its unfinished plan
        rows.append(
            {
                "state": DISPOSED,
                "plan": disposal.plan_id,
                "record_id": disposal.record_id,
                "step": _STEP_LABELS[DONE],
                "approval": disposal.approval,
                "approved_by": disposal.approved_by,
                "approved_on": _roc(disposal.approved_on),
                "disposed_by": disposal.disposed_by,
                "disposed_at": disposal.disposed_at.isoformat(sep=" ", timespec="seconds"),
                "note": mask_ids_in_text(disposal.tombstone_path),
            }
        )
    kept = [r for p in plans if p.state != PENDING for r in _plan_rows(p, items.get(p.plan_id, []))]
    rows += [r for r in kept if r["state"] == NOT_DISPOSED]
    unfinished = [p.plan_id for p in plans if p.state == PENDING]
    summary: dict[str, Any] = {
        UNFINISHED: sum(1 for r in rows if r["state"] == UNFINISHED),
        ORPHAN: sum(1 for r in rows if r["state"] == ORPHAN),
        UNTRUSTED: sum(1 for r in rows if r["state"] == UNTRUSTED),
        DISPOSED: sum(1 for r in rows if r["state"] == DISPOSED),
        NOT_DISPOSED: sum(1 for r in rows if r["state"] == NOT_DISPOSED),
    }
    if trail is not None and not trail.verified:
        summary[N_("Journal does not verify")] = _(
            "{why}: tombstones are not checked against it"
        ).format(why=trail.why)
    if unfinished:
        summary[N_("Unfinished plans")] = " ".join(unfinished)
        summary[N_("To do")] = translate(FINISH_HINT)
    for row in rows:
        row["kind"] = row["state"]
        row["state"] = translate(row["state"])
        row["step"] = translate(row["step"]) if row["step"] else ""
    return Report(N_("Disposals"), DISPOSAL_COLUMNS, rows, summary)
