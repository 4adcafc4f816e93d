"""The read-only pages (ISSUE 12 item 3, first pages): each role's dashboard, the
obligations calendar with its downloads, the account registry, the journal and the
web users.

A view gathers what the CLI's commands gather, with the same library functions —
the obligations and their status are ``docgen archive report missing --calendar``'s
(:func:`docgen.archive.missing.build_missing_report`), what falls due is ``docgen
calendar``'s (:func:`docgen.rules.obligations.obligations_due_in` on the office's
working calendar), the registry is masked as ``docgen accounts list`` masks it, the
review flags are ``docgen accounts review``'s, and a download is written by
:func:`docgen.report.write_report` as the CLI writes it. No rule is decided here;
:func:`docgen.web.permissions.enforce` has already decided who may look, and at
which units (``g.units``).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, g, render_template, request, send_file
from flask_login import current_user
from markupsafe import Markup

from docgen.archive.missing import (
    AWAITING_REVIEW,
    DONE,
    GONE,
    LATE,
    MISSING,
    PENDING,
)
from docgen.audit.accounts import review_report
from docgen.errors import DocgenError
from docgen.i18n import current_language
from docgen.journal import Journal
from docgen.office_calendar import working_calendar
from docgen.privacy import mask_id, mask_name
from docgen.records.accounts import ACCOUNT_HEADERS
from docgen.records.stored import account_review_dates, load_registry
from docgen.report import Report, write_report
from docgen.rules.obligations import WHOLE_OFFICE, obligations_due_in
from docgen.rules.roles import focus
from docgen.services.users import list_users
from docgen.web import scope
from docgen.web.app import state

bp = Blueprint("pages", __name__)

#: Days ahead the dashboard lists what falls due.
AHEAD = timedelta(days=45)
#: Statuses that need someone's work, first on a dashboard.
OPEN = (MISSING, GONE, AWAITING_REVIEW, LATE)
DOWNLOADS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_LISTED = (
    *("account_id", "name", "national_id", "unit", "title", "role", "status", "opened"),
    *("last_used", "suspended_on", "cancelled_on", "application_on", "pledge_on"),
)


def _today() -> date:
    return date.today()


def _obligations(today: date) -> Report:
    """The whole obligations calendar as of ``today``, kept to the units this person
    sees (the report of ``docgen archive report missing --calendar``)."""
    units = g.units if g.get("unit") is None else frozenset({g.unit})
    return scope.missing(today, units, whole_calendar=True)


def _units_shown() -> list[str]:
    """The units this person may choose between."""
    if g.units is not None:
        return sorted(g.units)
    return [unit.name for unit in state().workspace.config.units]


def _upcoming(
    today: date, units: frozenset[str] | None, rules: frozenset[str] | None
) -> tuple[list[dict[str, Any]], float]:
    """What falls due from today up to :data:`AHEAD` (``docgen calendar``'s duties),
    and when the office's list of them was built (:meth:`docgen.web.facts.Facts.dated`)."""
    duties, built = state().facts.dated(("upcoming", today), lambda: _due_ahead(today))
    return [
        row
        for row in duties
        if (units is None or row["unit"] in units) and (rules is None or row["rule"] in rules)
    ], built


def _due_ahead(today: date) -> list[dict[str, Any]]:
    """Every duty of the office due from ``today`` up to :data:`AHEAD`."""
    workspace = state().workspace
    names = [unit.name for unit in workspace.config.units]
    reviews = account_review_dates(workspace, state().reader)
    working = working_calendar(workspace)
    duties = obligations_due_in(today.year, names, reviews=reviews)
    if (today + AHEAD).year > today.year:
        duties += obligations_due_in(today.year + 1, names, reviews=reviews)
    rows = []
    for duty in duties:
        if not today <= duty.due <= today + AHEAD:
            continue
        unit = duty.unit or WHOLE_OFFICE
        last = (
            duty.due if working.is_working_day(duty.due) else working.add_working_days(duty.due, -1)
        )
        rows.append(
            {
                "due": duty.due,
                "last_working_day": last,
                "period": duty.period.roc_label if duty.period else "",
                "rule": duty.rule,
                "unit": unit,
                "title": duty.title,
            }
        )
    return rows


@bp.get("/")
def dashboard() -> Any:
    """Each role's dashboard. What it shows of the office's facts is the same for
    every viewer with the same roles, units and language on the same day, so that
    part (``_dashboard.html``) is rendered once and kept with the facts it is made
    from (:meth:`docgen.web.facts.Facts.derived`), under a key of exactly what it
    depends on — never shared between viewers who see different units or rules. The
    page around it (who is signed in, the form's token) is each person's own."""
    today = _today()
    roles = tuple(sorted(current_user.roles))
    units, unit = g.units, g.get("unit")
    key = ("dashboard", today, current_language(), roles, units, unit)
    try:
        body = state().facts.derived(key, lambda: _dashboard_body(today, roles, units, unit))
    except DocgenError as error:  # not kept: the next request tries again
        upcoming, _built = _upcoming(today, units, focus(roles))
        body = _render_body(today, [], focus(roles), upcoming, units, str(error))
    return render_template("dashboard.html", body=body)


def _dashboard_body(
    today: date, roles: tuple[str, ...], units: frozenset[str] | None, unit: str | None
) -> tuple[Markup, float]:
    """The dashboard's part for these roles and units, and when the oldest fact it
    shows was built."""
    rules = focus(roles)
    shown = units if unit is None else frozenset({unit})
    report, built = scope.missing_dated(today, shown, whole_calendar=True)
    upcoming, due_built = _upcoming(today, units, rules)
    body = _render_body(today, list(report.rows), rules, upcoming, units, "")
    return body, min(built, due_built)


def _render_body(
    today: date,
    rows: list[Mapping[str, Any]],
    rules: frozenset[str] | None,
    upcoming: list[dict[str, Any]],
    units: frozenset[str] | None,
    problem: str,
) -> Markup:
    mine = [r for r in rows if rules is None or r["rule"] in rules]
    # "kind" is the status's message ID ("status" is the text shown, translated).
    counts = Counter(r["kind"] for r in mine)
    return Markup(
        render_template(
            "_dashboard.html",
            today=today,
            problem=problem,
            counts=[(status, counts.get(status, 0)) for status in (*OPEN, PENDING, DONE)],
            open_rows=[r for r in mine if r["kind"] in OPEN][:50],
            done_rows=[r for r in mine if r["kind"] == DONE][-10:],
            upcoming=upcoming,
            units=units,
        )
    )


@bp.get("/obligations")
def obligations() -> Any:
    today = _today()
    report = _obligations(today)
    return render_template(
        "obligations.html",
        today=today,
        report=report,
        columns=[k for k in report.columns if k not in ("path",)],
        units=_units_shown(),
        unit=g.get("unit"),
    )


@bp.get("/obligations/download")
def obligations_download() -> Any:
    fmt = request.args.get("format", "xlsx")
    if fmt not in DOWNLOADS:
        abort(404)
    today = _today()
    report = _obligations(today)
    data = written(report, fmt)
    g.download = {
        "format": fmt,
        "rows": len(report.rows),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    name = f"obligations-{today.isoformat()}.{fmt}"
    return send_file(BytesIO(data), mimetype=DOWNLOADS[fmt], as_attachment=True, download_name=name)


def written(report: Report, fmt: str) -> bytes:
    """``report`` as the CLI writes it to a file (:func:`docgen.report.write_report`)."""
    with tempfile.TemporaryDirectory(prefix="docgen-web-") as folder:
        path = Path(folder) / f"report.{fmt}"
        write_report(report, fmt, path)
        return path.read_bytes()


@bp.get("/accounts")
def accounts() -> Any:
    web = state()
    registry = load_registry(web.workspace, web.reader)
    units = g.units if g.get("unit") is None else frozenset({g.unit})
    found = [a for a in registry.accounts if units is None or a.unit in units]
    policy = web.workspace.config.masking.policy()
    rows = []
    for account in found:
        row = {field: getattr(account, field) for field in _LISTED}
        row["name"] = mask_name(account.name, policy)
        row["national_id"] = mask_id(account.national_id, policy)
        row["role"], row["status"] = account.role.value, account.status.value
        rows.append(row)
    today = _today()
    review = review_report(found, today, working_calendar(web.workspace), policy)
    return render_template(
        "accounts.html",
        rows=rows,
        headers={field: ACCOUNT_HEADERS[field] for field in _LISTED},
        review=review,
        today=today,
        units=_units_shown(),
        unit=g.get("unit"),
    )


@bp.get("/journal")
def journal() -> Any:
    workspace = state().workspace
    book = Journal(workspace.journal_path, workspace.root)
    try:
        result = book.verify()
    except DocgenError as error:
        verified, head, count, problem = False, "", 0, str(error)
    else:
        verified, head, count, problem = True, result.head, result.entries, ""
    try:
        entries = book.entries()[-100:]
    except DocgenError:
        entries = []
    shown = [_entry(e) for e in reversed(entries)]
    return render_template(
        "journal.html", verified=verified, head=head, count=count, problem=problem, entries=shown
    )


def _entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
    assert isinstance(details, dict)
    who = details.get("user") or details.get("by") or details.get("username") or ""
    return {
        "seq": entry.get("seq", ""),
        "time": str(entry.get("time", ""))[:19].replace("T", " "),
        "command": str(entry.get("command", "")),
        "who": str(who),
        "hash": str(entry.get("hash", ""))[:16],
        "outputs": len(entry.get("outputs") or []),
    }


@bp.get("/users")
def users() -> Any:
    return render_template("users.html", users=list_users(state().reader))
