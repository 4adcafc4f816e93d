"""Account requests in the browser (ISSUE 13 item 3; R2.2, R3, R4, R5.2): the 管理者
enters a request to open, change, suspend, resume or cancel an account and gets its
附件2 (and 附件3 for a new general user); the 處長或授權人員 approves it; the 管理者
records the day it was done on the platform, which changes the registry. A late
cancellation (R5.2) is flagged the moment it is entered. Each step is one call of
:mod:`docgen.services.account_requests`.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from docgen.calendar import format_roc_short, parse_date
from docgen.errors import DocgenError, InputError
from docgen.i18n import _
from docgen.records.models import Role
from docgen.services.account_requests import (
    APPROVED,
    KIND_NAMES,
    REQUESTED,
    STATES,
    AccountDetails,
    account_requests,
    approve_account_request,
    record_on_platform,
    request_account,
)
from docgen.web.app import state

bp = Blueprint("account_requests", __name__)

_FIELDS = (
    *("name", "national_id", "unit", "title", "role", "phone", "email"),
    *("purpose", "legal_basis"),
)
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _back() -> Any:
    return redirect(url_for("account_requests.requests"))


def _date(name: str) -> date | None:
    given = request.form.get(name, "").strip()[:20]
    if not given:
        return None
    try:
        return parse_date(given)
    except InputError as error:
        raise InputError(
            _("{field}: {problem}").format(field=name, problem=error.message)
        ) from None


@bp.get("/accounts/requests")
def requests() -> Any:
    return render_template(
        "account_requests.html",
        requests=account_requests(state().reader),
        kinds=KIND_NAMES,
        states=STATES,
        requested=REQUESTED,
        approved=APPROVED,
        units=[u.name for u in state().workspace.config.units],
        roles=[Role.USER.value, Role.AUDITOR.value],
        today=date.today().isoformat(),
    )


@bp.post("/accounts/requests")
def new() -> Any:
    form = request.form
    try:
        details = AccountDetails(
            **{name: form.get(name, "")[:200] for name in _FIELDS},
            leaving_on=_date("leaving_on"),
        )
        made = request_account(
            state().workspace,
            state().db,
            form.get("kind", "")[:20],
            form.get("account_id", "")[:40],
            details,
            by=str(current_user.username),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back()
    flash(_("Account request {id} entered; its forms are written.").format(id=made.id))
    if made.late and made.leaving_on is not None:
        flash(
            _(
                "Flagged: the cancellation of {account} was requested fewer than 10 working "
                "days before the holder leaves ({date}) (R5.2)."
            ).format(account=made.account_id, date=format_roc_short(made.leaving_on)),
            "problem",
        )
    return _back()


@bp.post("/accounts/requests/<int:request_id>/approve")
def approve(request_id: int) -> Any:
    try:
        approve_account_request(
            state().workspace,
            state().db,
            request_id,
            by=str(current_user.username),
            name=str(current_user.display_name),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back()
    flash(_("Account request {id} approved.").format(id=request_id))
    return _back()


@bp.post("/accounts/requests/<int:request_id>/done")
def done(request_id: int) -> Any:
    try:
        on = _date("on") or date.today()
        record_on_platform(
            state().workspace, state().db, request_id, on, by=str(current_user.username)
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back()
    flash(_("Account request {id} recorded as done on the platform.").format(id=request_id))
    return _back()


@bp.get("/accounts/requests/<int:request_id>/files/<int:number>")
def file(request_id: int, number: int) -> Any:
    found = [r for r in account_requests(state().reader) if r.id == request_id]
    if not found or not 0 <= number < len(found[0].files):
        abort(404)
    relative = found[0].files[number]
    path = state().workspace.root / relative
    if not path.is_file():
        abort(404)
    g.download = {"request": request_id, "file": relative, "format": "docx"}
    name = PurePosixPath(relative).name
    return send_file(path, mimetype=_DOCX, as_attachment=True, download_name=name)
