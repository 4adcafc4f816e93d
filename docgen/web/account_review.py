"""The six-monthly account review in the browser (ISSUE 13 item 3; R4.1, R4.1a–c, R5.2,
R3.2, R3.3): ``/accounts/review`` lists each flagged account with the actions the
rule allows — request its suspension (R4.1b) or cancellation, draft the notice to the
holder of an account suspended a year or more (R4.1c) — each through its own service
(:mod:`docgen.services.account_requests`, :mod:`docgen.services.correspondence`), and
*Record the review* records it done today with its report
(:func:`docgen.services.account_review.review_accounts`, the calendar's 最近一次帳號清查).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from docgen.audit.accounts import CATEGORY_LABELS
from docgen.errors import DocgenError, InputError
from docgen.i18n import _
from docgen.office_calendar import working_calendar
from docgen.privacy import mask_id, mask_name
from docgen.records.models import STATUS_LABELS
from docgen.records.stored import load_registry
from docgen.rules.account_review import Category, review_accounts
from docgen.services import correspondence
from docgen.services.account_review import review_accounts as record_review
from docgen.web.app import state

bp = Blueprint("account_review", __name__)

#: What a finding allows (the account requests' kinds, or the holder's notice); the
#: others (a late cancellation, missing papers, a dual role) are for the record.
ACTIONS = {
    Category.DORMANT: ("suspend",),
    Category.LONG_SUSPENDED: ("notice", "cancel"),
}


@bp.get("/accounts/review")
def review() -> Any:
    web, today = state(), date.today()
    try:
        accounts = load_registry(web.workspace, web.reader).accounts
    except InputError:
        accounts = []
    by_id = {a.account_id: a for a in accounts}
    policy = web.workspace.config.masking.policy()
    rows = []
    for finding in review_accounts(accounts, today, working_calendar(web.workspace)):
        account = by_id[finding.account_id]
        rows.append(
            {
                "category": CATEGORY_LABELS[finding.category],
                "account": account.account_id,
                "holder": f"{mask_name(account.name, policy)} {mask_id(account.national_id, policy)}",
                "unit": account.unit,
                "status": STATUS_LABELS[account.status],
                "detail": finding.detail,
                "actions": ACTIONS.get(finding.category, ()),
            }
        )
    return render_template("account_review.html", rows=rows, today=today)


@bp.post("/accounts/review/notice")
def notice() -> Any:
    web = state()
    account = request.form.get("account_id", "")[:40]
    try:
        drafted = correspondence.draft(
            web.workspace,
            web.db,
            "holder-notice",
            account=account,
            actor=str(current_user.username),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return redirect(url_for("account_review.review"))
    names = "、".join(p.name for d in drafted for p in d.files[:1])
    flash(
        _("The notice to the holder of {account} is drafted: {files}.").format(
            account=account, files=names
        )
    )
    return redirect(url_for("account_review.review"))


@bp.post("/accounts/review/record")
def record() -> Any:
    web, today = state(), date.today()
    target = web.workspace.root / "out" / "accounts" / f"帳號清查_{today.isoformat()}.xlsx"
    try:
        report, _text = record_review(
            web.workspace,
            web.db,
            today,
            "xlsx",
            target,
            record=True,
            actor=str(current_user.username),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return redirect(url_for("account_review.review"))
    flash(
        _("The account review of today is recorded ({count} findings; {file}).").format(
            count=len(report.rows), file=target.name
        )
    )
    return redirect(url_for("account_review.review"))
