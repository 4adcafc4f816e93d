"""Each person's own duties as a calendar subscription (ISSUE 13 item 6).

``/calendar`` (signed in) lets a person make a secret subscription address, replace
it (the old one stops working) or revoke it (:mod:`docgen.services.calendar_feeds`);
the address is shown once, on the page that answers the POST — never in a redirect's
address, a cookie or the journal. ``/calendar/<token>.ics`` is what a calendar program
(Outlook, Google Calendar) polls without a session: it is public in the permission
table (:data:`docgen.web.permissions.PUBLIC`) and authenticates by its token alone. A
token that is not live, or whose person is disabled, is a plain 404.

The feed holds the duties of the office's calendar (:func:`docgen.rules.obligations.
obligations_due_in`, this year's and next year's) that the person's dashboard lists:
kept to the units they see there (a unit supervisor only their unit's) and to the
rules their roles put first (:func:`docgen.web.permissions.focus`), written as all-day
events with a reminder by :func:`docgen.office_calendar.obligations_ical` — the same
file as ``docgen calendar --ics``. Every fetch is journalled (``web calendar feed``:
whose, how many events, the client's address).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from docgen.errors import DocgenError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.office_calendar import obligations_ical
from docgen.records.stored import account_review_dates
from docgen.rules.obligations import WHOLE_OFFICE, Obligation, obligations_due_in
from docgen.services.calendar_feeds import feed_made_at, feed_user, make_feed, revoke_feed
from docgen.services.users import UserInfo
from docgen.web.app import state
from docgen.web.permissions import PAGES, focus, visible_units

bp = Blueprint("calendar_feeds", __name__)

#: Days before each due date that the subscribed calendar reminds.
REMIND_DAYS = 7
#: The dashboard's row: the feed holds what the person's dashboard lists.
_DASHBOARD = PAGES["dashboard"]


def _today() -> date:
    return date.today()


def _page(url: str | None = None) -> Any:
    made = feed_made_at(state().reader, current_user.info.id)
    return render_template("calendar_feeds.html", made=made, url=url, remind_days=REMIND_DAYS)


@bp.get("/calendar")
def page() -> Any:
    return _page()


@bp.post("/calendar/make")
def make() -> Any:
    try:
        token = make_feed(
            state().workspace, state().db, current_user.info.id, actor=str(current_user.username)
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return redirect(url_for("calendar_feeds.page"))
    # Shown on this answer only (no-store): not flashed into the session cookie.
    return _page(url_for("calendar_feeds.feed", token=token, _external=True))


@bp.post("/calendar/revoke")
def revoke() -> Any:
    try:
        revoke_feed(
            state().workspace, state().db, current_user.info.id, actor=str(current_user.username)
        )
    except DocgenError as error:
        flash(error.message, "problem")
    else:
        flash(_("Your calendar subscription is revoked: its address no longer works."))
    return redirect(url_for("calendar_feeds.page"))


def duties(user: UserInfo, today: date) -> list[Obligation]:
    """The duties due this year and next that ``user``'s dashboard lists: of the units
    they see there, of the rules their roles put first."""
    workspace = state().workspace
    names = [unit.name for unit in workspace.config.units]
    reviews = account_review_dates(workspace, state().reader)
    units = visible_units(user.roles, user.unit, _DASHBOARD)
    rules = focus(user.roles)
    found: dict[str, Obligation] = {}
    for year in (today.year, today.year + 1):
        for duty in obligations_due_in(year, names, reviews=reviews):
            if units is not None and (duty.unit or WHOLE_OFFICE) not in units:
                continue
            if rules is not None and duty.rule not in rules:
                continue
            found.setdefault(duty.key, duty)  # an outstanding review is listed in both years
    return list(found.values())


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Any:
    user = feed_user(state().reader, token)
    if user is None:
        abort(404)
    workspace = state().workspace
    shown = duties(user, _today())
    stamp = datetime.now().astimezone()
    data = obligations_ical(shown, workspace.config.office.name, stamp, REMIND_DAYS)
    details = {"user": user.username, "events": len(shown), "client": request.remote_addr or ""}
    Journal(workspace.journal_path, workspace.root).append("web calendar feed", details=details)
    response = Response(data, status=200)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="docgen.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response
