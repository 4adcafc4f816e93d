"""The half-year internal audit in the browser (ISSUE 13 item 2; R6.3–R6.5).

``/half-year?half=`` is the half's page: the tiered sample over the whole office drawn
by the 管理者 or the 稽核人員 (``docgen audit sample --half``), its results marked by
the 稽核人員 with the 政風人員 on the sample's page (the monthly check's marking, for the
全處 draw), the 附件5 checklist prefilled from the facts — each item linked to where its
evidence is — with the auditors' 符合/不符合, the findings with their corrective actions,
owners and due dates tracked to closure, the director's review of the half's 附件4 and
附件5, and the R6.4 deadline with the day the results letter was sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from docgen.audit.record import audit_record_data
from docgen.audit.samples import list_samples
from docgen.calendar import Period, parse_date
from docgen.correspondence.stored import letter_of, letters
from docgen.errors import DocgenError
from docgen.i18n import _
from docgen.rules.obligations import WHOLE_OFFICE, audit_report
from docgen.services.audit import draw_sample
from docgen.services.half_year import (
    RESULTS,
    approve_half_year,
    close_finding,
    fill_half_year_record,
    findings_of,
    latest_record,
    record_finding,
)
from docgen.services.scan_package import returned
from docgen.services.spot_check import mark_sheet, submit_marks
from docgen.web.app import state
from docgen.web.permissions import ENDPOINTS, may_open
from docgen.web.spot_check import period_of, save_case

bp = Blueprint("half_year", __name__)

#: Where each 附件5 checklist item's evidence is (DEFAULT_CHECKLIST's order).
EVIDENCE_PAGES = (
    "pages.accounts",
    "account_review.review",
    "account_review.review",
    "reports.missing",
    "spot_check.overview",
    "casework.samples",
    "reports.evidence",
)


def _reachable(endpoints: tuple[str, ...]) -> list[str]:
    """Each endpoint this person may open, else "" (its checklist item is shown
    without a link: the 政風人員 does not open the account review)."""
    roles = current_user.roles
    return [e if may_open(roles, ENDPOINTS.get(e, "")) else "" for e in endpoints]


def _half(given: str) -> Period:
    return period_of(given, "half")


def _current_half(today: date) -> str:
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


def _actor() -> str:
    return str(current_user.username)


def _back(half: str) -> Any:
    return redirect(url_for("half_year.overview", half=half))


@bp.get("/half-year")
def overview() -> Any:
    web, today = state(), date.today()
    half = _half(request.args.get("half") or _current_half(today))
    drawn = [s for s in list_samples(web.workspace, half.label, db=web.reader)]
    sheet = mark_sheet(web.reader, half.label, WHOLE_OFFICE) if drawn else None
    checklist = audit_record_data(web.workspace, web.reader, half, min(today, half.end))[
        "checklist"
    ]
    duty = audit_report(half)
    with web.reader.reading() as session:
        stored = letters(session)
    found = (letter_of(stored, duty, required) for required in duty.records)
    sent = next((letter for letter in found if letter is not None), None)
    return render_template(
        "half_year.html",
        half=half.label,
        sheet=sheet,
        checklist=list(zip(checklist, _reachable(EVIDENCE_PAGES), strict=False)),
        results=RESULTS,
        findings=findings_of(web.reader, half.label),
        record_id=latest_record(web.workspace, half.label),
        duty=duty,
        sent=sent,
        whole_office=WHOLE_OFFICE,
        today=today.isoformat(),
        package=returned(web.workspace, web.reader, half.label, WHOLE_OFFICE),
    )


@bp.post("/half-year/draw")
def draw() -> Any:
    web = state()
    half = _half(request.form.get("half", ""))
    try:
        outcome = draw_sample(
            web.workspace,
            web.db,
            half,
            partial=request.form.get("partial") == "1",
            reason=request.form.get("reason", "")[:500],
            actor=_actor(),
        )
    except DocgenError as error:
        flash(_("Not drawn: {problem}").format(problem=error.message), "problem")
        return _back(half.label)
    for sample in outcome.draw.samples:
        flash(
            _("{unit}: draw {number}, {size} of {population} queries; seed {seed}.").format(
                unit=sample.unit,
                number=sample.number,
                size=len(sample.cases),
                population=sample.population,
                seed=sample.seed,
            )
        )
    if outcome.missing_months:
        flash(
            _("Drawn without the queries of {months}: no log of theirs yet.").format(
                months="、".join(outcome.missing_months)
            ),
            "problem",
        )
    return _back(half.label)


@bp.post("/half-year/<half>/cases/<int:no>")
def mark(half: str, no: int) -> Any:
    return save_case(_half(half).label, WHOLE_OFFICE, no)


@bp.post("/half-year/<half>/submit")
def submit(half: str) -> Any:
    web, period = state(), _half(half)
    try:
        outcome = submit_marks(web.workspace, web.db, period.label, WHOLE_OFFICE, actor=_actor())
    except DocgenError as error:
        flash(error.message, "problem")
        return redirect(url_for("casework.sample", period=period.label, unit=WHOLE_OFFICE))
    flash(
        _("Submitted: the completed 附件4 {record} and the referral list are written.").format(
            record=outcome.results.documents.get("record_id", "")
        )
    )
    return _back(period.label)


@bp.post("/half-year/<half>/record")
def record(half: str) -> Any:
    web, period = state(), _half(half)
    results = [request.form.get(f"result-{i}", "")[:5] for i in range(1, 8)]
    try:
        outcome = fill_half_year_record(
            web.workspace, web.db, period, results, today=date.today(), by=_actor()
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back(period.label)
    flash(
        _("附件5 {record} is filled: {file}.").format(
            record=outcome.record_id, file=outcome.files[0].name
        )
    )
    return _back(period.label)


@bp.post("/half-year/<half>/findings")
def finding(half: str) -> Any:
    web, period = state(), _half(half)
    form = request.form
    try:
        due_text = form.get("due", "").strip()[:20]
        due = parse_date(due_text) if due_text else None
        made = record_finding(
            web.workspace,
            web.db,
            period,
            form.get("finding", "")[:2_000],
            action=form.get("action", "")[:2_000],
            owner=form.get("owner", "")[:200],
            due=due,
            by=_actor(),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back(period.label)
    flash(_("Finding {id} recorded.").format(id=made.id))
    return _back(period.label)


@bp.post("/half-year/findings/<int:finding_id>/close")
def close(finding_id: int) -> Any:
    web = state()
    half = _half(request.form.get("half", ""))
    try:
        close_finding(
            web.workspace,
            web.db,
            finding_id,
            request.form.get("note", "")[:2_000],
            by=_actor(),
            today=date.today(),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back(half.label)
    flash(_("Finding {id} closed.").format(id=finding_id))
    return _back(half.label)


@bp.post("/half-year/<half>/approve")
def approve(half: str) -> Any:
    web, period = state(), _half(half)
    try:
        reviewed = approve_half_year(
            web.workspace,
            web.db,
            period,
            approved_by=str(current_user.display_name),
            actor=_actor(),
            today=date.today(),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back(period.label)
    flash(_("Approved: {records} reviewed today.").format(records="、".join(reviewed)))
    return _back(period.label)
