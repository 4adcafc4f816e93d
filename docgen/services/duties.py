"""What is a person's work today, as their dashboard lists it (ISSUE 13 item 6): the
duties of the office's calendar they answer for, and what waits for them.

Both are kept to the units the person sees on the dashboard (a unit supervisor only
their own unit's, :func:`docgen.rules.roles.visible_units`) and to the rules their
roles put first (:func:`docgen.rules.roles.focus`). The calendar subscription
(:mod:`docgen.web.calendar_feeds`) and the e-mail reminders
(:mod:`docgen.services.reminders`) both ask here. Read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from docgen.archive.missing import DONE, LATE, PENDING, build_missing_report
from docgen.config import Workspace
from docgen.db import Database
from docgen.records.stored import account_review_dates
from docgen.report import Report
from docgen.rules.obligations import WHOLE_OFFICE, Obligation, obligations_due_in
from docgen.rules.roles import DASHBOARD, focus, visible_units
from docgen.services.users import UserInfo


def _mine(user: UserInfo, unit: str, rule: str) -> bool:
    units = visible_units(user.roles, user.unit, DASHBOARD)
    rules = focus(user.roles)
    return (units is None or unit in units) and (rules is None or rule in rules)


def person_duties(
    workspace: Workspace, db: Database, user: UserInfo, today: date
) -> list[Obligation]:
    """The duties due this year and next that ``user``'s dashboard lists: of the units
    they see there, of the rules their roles put first (R6.2–R6.4, R4.1a)."""
    names = [unit.name for unit in workspace.config.units]
    reviews = account_review_dates(workspace, db)
    found: dict[str, Obligation] = {}
    for year in (today.year, today.year + 1):
        for duty in obligations_due_in(year, names, reviews=reviews):
            if _mine(user, duty.unit or WHOLE_OFFICE, duty.rule):
                found.setdefault(duty.key, duty)  # an outstanding review is in both years
    return list(found.values())


def office_calendar(workspace: Workspace, today: date) -> Report:
    """The whole office's obligations calendar as of ``today`` (``docgen archive report
    missing --calendar``): every required record's outcome."""
    return build_missing_report(workspace, today, calendar=True)


def is_done(duty: Obligation, calendar: Report) -> bool:
    """Whether the calendar has every record ``duty`` requires as done (on time or
    late); a duty it does not list (no queries that month) is not done."""
    period = duty.period.label if duty.period else ""
    rows = [
        r
        for r in calendar.rows
        if (r["rule"], r["period"], r.get("unit_key"))
        == (duty.rule, period, duty.unit or WHOLE_OFFICE)
    ]
    return bool(rows) and all(r["kind"] in (DONE, LATE) for r in rows)


def waiting_for(user: UserInfo, calendar: Report) -> list[Mapping[str, Any]]:
    """The calendar's rows that the dashboard lists as waiting for ``user``: missing,
    a file lost, awaiting the director's review, or done late (neither done nor not
    yet due), of their units and rules."""
    return [
        row
        for row in calendar.rows
        if row["kind"] not in (DONE, PENDING)
        and _mine(user, str(row.get("unit_key") or ""), str(row["rule"]))
    ]
