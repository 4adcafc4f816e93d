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
from docgen.archive.rebuild_trail import JournalTrail, read_journal, tombstone_mismatch
from docgen.archive.tombstones import read_tombstone, tombstone_file, tombstone_ids
from docgen.archive.untrusted import TrailFileError
from docgen.calendar import format_roc_short
from docgen.db.models.archive import Disposal, DisposalPlan, DisposalPlanItem, Record
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text
from docgen.report import Report

DISPOSAL_COLUMNS = {
    "state": "狀態",
    "plan": "銷毀計畫 plan",
    "record_id": "記錄編號",
    "step": "進度 step",
    "approval": "核准文號",
    "approved_by": "核准人",
    "approved_on": "核准日期",
    "disposed_by": "銷毀人",
    "disposed_at": "銷毀時間",
    "note": "說明",
}
UNFINISHED = "未完成 unfinished"
DISPOSED = "已銷毀 disposed"
NOT_DISPOSED = "保留 kept"
ORPHAN = "墓碑與索引不符 tombstone only"
UNTRUSTED = "墓碑不可信 untrusted tombstone"
UNTRUSTED_HINT = (
    "it matches no `archive dispose` in the journal: move it out of records/.tombstones/ "
    "(`docgen archive rebuild` lists it too)"
)
_STEP_LABELS = {
    PLANNED: "尚未處理 not begun",
    TOMBSTONED: "墓碑已寫入，檔案未移除 tombstone written",
    REMOVED: "檔案已移除，索引未更新 files removed",
    DONE: "完成 done",
    KEPT: "保留中，未銷毀 held in time",
}
FINISH_HINT = "run the same `docgen archive dispose` command again to finish it"


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
                "note": FINISH_HINT if unfinished else mask_ids_in_text(item.note),
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
        return f"it cannot be read ({error}) and the journal records no disposal of it"
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
                    "note": f"墓碑不可信 ({why}): not a disposal, and {record_id} is not "
                    f"disposed; {UNTRUSTED_HINT}",
                }
            )
            continue
        rows.append(
            {
                **dict.fromkeys(DISPOSAL_COLUMNS, ""),
                "state": ORPHAN,
                "record_id": record_id,
                "note": "墓碑已寫入但索引仍未銷毀 (a tombstone, but the index says not "
                f"disposed): dispose of {record_id} again under its approval to finish it",
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
        summary["日誌無法驗證 journal does not verify"] = (
            f"{trail.why}: tombstones are not checked against it"
        )
    if unfinished:
        summary["未完成之銷毀計畫 unfinished plans"] = " ".join(unfinished)
        summary["處理方式 to do"] = FINISH_HINT
    return Report("銷毀紀錄 Disposals", DISPOSAL_COLUMNS, rows, summary)
