"""Destruction lists in the browser (ISSUE 13 item 4; 檔案法 Art. 12): the 檔管人員
proposes the draft 銷毀目錄 of a day, the 處長或授權人員 approves it with the 文號 —
never the person who proposed it (:mod:`docgen.services.destruction` refuses) — and
the 檔管人員 disposes of it. ``/destruction`` lists every list with the step each
person may take; each step is one service call, a refusal one line on the page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from docgen.calendar import parse_date
from docgen.errors import DocgenError, InputError
from docgen.i18n import _
from docgen.services.destruction import (
    APPROVED,
    DISPOSED,
    PROPOSED,
    STATES,
    Person,
    approve_destruction,
    destruction_lists,
    disposal_record,
    dispose_destruction,
    propose_destruction,
    withdraw_destruction,
)
from docgen.web.app import state
from docgen.web.permissions import DIRECTOR
from docgen.web.reports import report_download

bp = Blueprint("destruction", __name__)


def _person() -> Person:
    return Person(str(current_user.username), str(current_user.display_name))


def _back() -> Any:
    return redirect(url_for("destruction.lists"))


@bp.get("/destruction")
def lists() -> Any:
    return render_template(
        "destruction.html",
        lists=destruction_lists(state().reader),
        states=STATES,
        proposed=PROPOSED,
        approved=APPROVED,
        disposed=DISPOSED,
        today=date.today().isoformat(),
    )


@bp.post("/destruction/propose")
def propose() -> Any:
    given = request.form.get("as_of", "").strip()[:20]
    try:
        as_of = parse_date(given) if given else date.today()
    except InputError:
        abort(400)
    try:
        made = propose_destruction(state().workspace, state().db, as_of, by=_person())
    except DocgenError as error:
        flash(error.message, "problem")
        return _back()
    flash(
        _("Destruction list {id} proposed: {count} records.").format(
            id=made.id, count=len(made.record_ids)
        )
    )
    return _back()


@bp.post("/destruction/<int:list_id>/approve")
def approve(list_id: int) -> Any:
    reference = request.form.get("approval", "")[:60]
    try:
        approve_destruction(state().workspace, state().db, list_id, reference, by=_person())
    except DocgenError as error:
        flash(error.message, "problem")
        return _back()
    flash(_("Destruction list {id} approved.").format(id=list_id))
    return _back()


@bp.post("/destruction/<int:list_id>/withdraw")
def withdraw(list_id: int) -> Any:
    director = DIRECTOR in current_user.roles
    try:
        withdraw_destruction(
            state().workspace, state().db, list_id, by=_person(), director=director
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back()
    flash(_("Destruction list {id} withdrawn.").format(id=list_id))
    return _back()


@bp.post("/destruction/<int:list_id>/dispose")
def dispose(list_id: int) -> Any:
    try:
        result = dispose_destruction(state().workspace, state().db, list_id, by=_person())
    except DocgenError as error:
        flash(error.message, "problem")
        return _back()
    flash(
        _("Destruction list {id} disposed of: {count} records, plan {plan}.").format(
            id=list_id, count=len(result.disposed), plan=result.plan_id
        )
    )
    return _back()


@bp.get("/destruction/<int:list_id>/record")
def record(list_id: int) -> Any:
    """The disposal record of a disposed list, to print or keep (XLSX or CSV, as the
    reports are downloaded; :func:`docgen.services.destruction.disposal_record`)."""
    try:
        report = disposal_record(state().workspace, state().reader, list_id)
    except InputError as error:
        flash(error.message, "problem")
        return _back()
    details = {"report": "disposal record", "destruction_list": list_id}
    return report_download(report, f"disposal-record-{list_id}", details)
