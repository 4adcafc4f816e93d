"""Each person's own duties as a calendar subscription (ISSUE 13 item 6).

``/calendar`` (signed in) lets a person make a secret subscription address, replace
it (the old one stops working) or revoke it (:mod:`docgen.services.calendar_feeds`);
the address is shown once, on the page that answers the POST — never in a redirect's
address, a cookie or the journal. ``/calendar/<token>.ics`` is what a calendar program
(Outlook, Google Calendar) polls without a session: it is public in the permission
table (:data:`docgen.web.permissions.PUBLIC`) and authenticates by its token alone. A
token that is not live, or whose person is disabled, is a plain 404. The same page
lets a person set the e-mail address their reminders go to (``docgen remind``,
:func:`docgen.services.users.set_email`; ``/calendar/email``).

The feed holds the duties of the office's calendar (:func:`docgen.rules.obligations.
obligations_due_in`, this year's and next year's) that the person's dashboard lists:
kept to the units they see there (a unit supervisor only their unit's) and to the
rules their roles put first (:func:`docgen.services.duties.person_duties`), written as all-day
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
from docgen.services.calendar_feeds import feed_made_at, feed_user, make_feed, revoke_feed
from docgen.services.duties import person_duties
from docgen.services.users import set_email
from docgen.web.app import state

bp = Blueprint("calendar_feeds", __name__)

#: Days before each due date that the subscribed calendar reminds.
REMIND_DAYS = 7


def _today() -> date:
    return date.today()


def _page(url: str | None = None) -> Any:
    made = feed_made_at(state().reader, current_user.info.id)
    smtp = state().workspace.config.smtp
    return render_template(
        "calendar_feeds.html",
        made=made,
        url=url,
        remind_days=REMIND_DAYS,
        email=current_user.info.email,
        mail_days=smtp.days_ahead if smtp.host else None,
    )


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


@bp.post("/calendar/email")
def email() -> Any:
    address = request.form.get("email", "")
    try:
        user = set_email(
            state().workspace, state().db, str(current_user.username), address,
            actor=str(current_user.username),
        )  # fmt: skip
    except DocgenError as error:
        flash(error.message, "problem")
    else:
        if user.email:
            flash(_("Your e-mail reminders go to {email}.").format(email=user.email))
        else:
            flash(_("Your e-mail address is removed: you get no e-mail reminders."))
    return redirect(url_for("calendar_feeds.page"))


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Any:
    user = feed_user(state().reader, token)
    if user is None:
        abort(404)
    workspace = state().workspace
    shown = person_duties(workspace, state().reader, user, _today())
    stamp = datetime.now().astimezone()
    data = obligations_ical(shown, workspace.config.office.name, stamp, REMIND_DAYS)
    details = {"user": user.username, "events": len(shown), "client": request.remote_addr or ""}
    Journal(workspace.journal_path, workspace.root).append("web calendar feed", details=details)
    response = Response(data, status=200)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="docgen.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response
