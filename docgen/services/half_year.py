"""The half-year internal audit's own steps in the browser (ISSUE 13 item 2; R6.3–R6.5).

The sample (tiered, over the whole office: :func:`docgen.services.audit.draw_sample`)
and its results (:mod:`docgen.services.spot_check`: marks, evidence, submitting, for
the 全處 draw) are the monthly check's. What the half adds:

* findings (附件5 發現事項) with their corrective action, owner and due date, tracked
  until closed — :func:`record_finding`, :func:`close_finding`;
* 附件5 稽核紀錄表 filled with the facts and the auditors' judgement — one 符合/不符合
  per checklist item and the findings — :func:`fill_half_year_record`
  (:func:`docgen.services.audit.write_audit_record`);
* the director's review of the half's 附件4 半年抽查 and 附件5 — :func:`approve_half_year`
  (:func:`docgen.services.audit.record_review`): the date their 3 years count from.

Each validates, writes in one transaction and journals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from docgen.audit.samples import load_results
from docgen.audit.store import review_dates
from docgen.calendar import Period, format_roc_short
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.audit import AuditFinding
from docgen.errors import InputError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text
from docgen.rules.obligations import WHOLE_OFFICE
from docgen.services.audit import AuditRecordOutcome, record_review, write_audit_record

#: The results an auditor gives a checklist item (附件5 結果).
RESULTS = ("符合", "不符合")
OPEN, CLOSED = "open", "closed"
_TEXT = 1_000


@dataclass(frozen=True)
class FindingInfo:
    """A finding as stored."""

    id: int
    half: str
    finding: str
    action: str
    owner: str
    due: date | None
    state: str
    raised_by: str
    closed_by: str
    closed_on: date | None
    closing_note: str


def _info(row: AuditFinding) -> FindingInfo:
    return FindingInfo(
        row.id,
        row.half,
        row.finding,
        row.action,
        row.owner,
        row.due,
        row.state,
        row.raised_by,
        row.closed_by,
        row.closed_on,
        row.closing_note,
    )


def _text(value: str, label: str, required: bool = False) -> str:
    text = mask_ids_in_text(" ".join(value.split()))
    if required and not text:
        raise InputError(_("{field}: required").format(field=label))
    if len(text) > _TEXT:
        raise InputError(
            _("{field}: longer than {limit} characters").format(field=label, limit=_TEXT)
        )
    return text


def _journal(workspace: Workspace, command: str, details: dict[str, object]) -> None:
    Journal(workspace.journal_path, workspace.root).append(command, details=details)


def findings_of(db: Database, half: str) -> list[FindingInfo]:
    """The findings of ``half``, in the order they were raised."""
    with db.session() as session:
        query = select(AuditFinding).where(AuditFinding.half == half).order_by(AuditFinding.id)
        return [_info(row) for row in session.scalars(query)]


def record_finding(
    workspace: Workspace,
    db: Database,
    half: Period,
    finding: str,
    *,
    action: str,
    owner: str,
    due: date | None,
    by: str,
) -> FindingInfo:
    """Record a finding of ``half``'s audit with its corrective action, owner and due
    date (IDs in the text masked, R8)."""
    if half.kind != "half":
        raise InputError(_("{period} is not a half-year").format(period=half.label))
    row = AuditFinding(
        half=half.label,
        finding=_text(finding, "發現事項", required=True),
        action=_text(action, "改善措施"),
        owner=_text(owner, "負責單位或人員"),
        due=due,
        state=OPEN,
        raised_by=by,
        raised_at=datetime.now().replace(microsecond=0),
    )
    with db.session() as session:
        session.add(row)
        session.flush()
        info = _info(row)
    _journal(workspace, "audit finding", {"user": by, "half": half.label, "finding": info.id})
    return info


def close_finding(
    workspace: Workspace, db: Database, finding_id: int, note: str, *, by: str, today: date
) -> FindingInfo:
    """Close finding ``finding_id``: its corrective action is done, as ``note`` says."""
    with db.session() as session:
        row = session.get(AuditFinding, finding_id)
        if row is None:
            raise InputError(_("there is no finding {id}").format(id=finding_id))
        if row.state == CLOSED:
            raise InputError(
                _("finding {id} was closed on {date}").format(
                    id=finding_id, date=format_roc_short(row.closed_on or today)
                )
            )
        row.closing_note = _text(note, "改善情形", required=True)
        row.state, row.closed_by, row.closed_on = CLOSED, by, today
        info = _info(row)
    _journal(workspace, "audit finding closed", {"user": by, "finding": finding_id})
    return info


def fill_half_year_record(
    workspace: Workspace,
    db: Database,
    half: Period,
    results: Sequence[str],
    *,
    today: date,
    by: str,
) -> AuditRecordOutcome:
    """Fill 附件5 of ``half`` with the facts as of today (or the half's end), the
    auditors' ``results`` (符合 or 不符合, or empty, per checklist item) and every
    finding of the half with its action and due date."""
    if half.kind != "half":
        raise InputError(_("{period} is not a half-year").format(period=half.label))
    wrong = [r for r in results if r and r not in RESULTS]
    if wrong:
        raise InputError(_("結果: 符合 or 不符合, not {value!r}").format(value=wrong[0][:20]))
    findings = [
        {"finding": f.finding, "action": f.action, "due": f.due}
        for f in findings_of(db, half.label)
    ]
    outcome = write_audit_record(
        workspace,
        db,
        half,
        min(today, half.end),
        results=results,
        findings=findings,
        audit_date=today,
        actor=by,
    )
    return outcome


def latest_record(workspace: Workspace, half: str) -> str:
    """The record ID of the latest 附件5 filled for ``half`` ("" if none)."""
    found = ""
    for entry in Journal(workspace.journal_path, workspace.root).entries():
        details = entry.get("details") or {}
        if entry.get("command") == "audit record" and details.get("half") == half:
            found = str(details.get("record_id", ""))
    return found


def approve_half_year(
    workspace: Workspace, db: Database, half: Period, *, approved_by: str, actor: str, today: date
) -> list[str]:
    """The director's review of ``half``'s 附件4 半年抽查 (its submitted results) and
    its latest 附件5, today (R6.3): refused unless both exist. Returns their IDs."""
    results = load_results(workspace, half.label, WHOLE_OFFICE, db=db)
    sample_record = (results.documents.get("record_id", "") if results else "") or ""
    audit_record = latest_record(workspace, half.label)
    if results is not None and results.read_by == actor:
        raise InputError(
            _(
                "{half}: the results were submitted by {user}: who submits the results may "
                "not approve them (separation of duties)"
            ).format(half=half.label, user=actor)
        )
    if not sample_record or not audit_record:
        raise InputError(
            _(
                "{half}: the director reviews the half's results and its 附件5 together: "
                "submit the results and fill 附件5 first"
            ).format(half=half.label)
        )
    with db.session() as session:
        done = review_dates(session, [sample_record, audit_record])
    if done:
        raise InputError(
            _("{half}: reviewed on {date} already").format(
                half=half.label, date=format_roc_short(min(done.values()))
            )
        )
    moment = datetime.combine(today, datetime.now().time()).astimezone()
    for record_id in (sample_record, audit_record):
        record_review(
            workspace, db, record_id, today, reviewed_by=approved_by, actor=actor, now=moment
        )
    return [sample_record, audit_record]
