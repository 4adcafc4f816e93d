"""Signing in and out, changing a password, and a reset with a one-time token
(ISSUE 12 item 4). Each is a call of :mod:`docgen.services.users`; the forms are
Flask-WTF's (CSRF on every POST, the sign-in form too).

Beside the per-account lockout of :func:`docgen.services.users.sign_in`, sign-in is
throttled per client address (:class:`SignInThrottle`): at most
:data:`THROTTLE_AFTER` failed sign-ins from one address per :data:`THROTTLE_WINDOW`,
whatever the usernames, so that one client cannot walk through usernames — 資通系統防護基準,
識別與鑑別 › 身分驗證機制: authentication guards against automated sign-in attempts. The
address is ``request.remote_addr``: no X-Forwarded-For header is trusted unless the
server runs ``--behind-proxy`` (:attr:`docgen.web.app.WebSettings.proxies`: werkzeug's
ProxyFix for the proxy's one hop); otherwise every client behind a reverse proxy has
the proxy's address.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from docgen.errors import InputError
from docgen.i18n import _
from docgen.services import users
from docgen.web.app import Principal, record, state

bp = Blueprint("auth", __name__)

#: Failed sign-ins allowed from one client address per :data:`THROTTLE_WINDOW`, across
#: all usernames; past them, sign-in from that address is refused for the rest of the
#: window. The numbers are this project's decision (the baseline gives none). With
#: several worker processes (``docgen serve --workers N``), each counts in memory and
#: allows its share, ``THROTTLE_AFTER / N`` rounded up, so that an address gets about
#: as many tries in all. (An account's own lockout, 5 failures, is in the database.)
THROTTLE_AFTER = 10
THROTTLE_WINDOW = timedelta(minutes=5)
#: At most this many addresses are remembered (the oldest windows go first).
THROTTLE_CAPACITY = 10_000


@dataclass
class _Window:
    start: float
    failures: int = 0


class SignInThrottle:
    """Failed sign-ins per client address, in fixed windows of ``window`` seconds that
    start at an address's first failure; thread-safe, kept in this process (each
    worker process has its own: :data:`THROTTLE_AFTER`), at most ``capacity`` addresses. Times
    are ``time.monotonic()`` seconds, passed in (``now``)."""

    def __init__(
        self,
        limit: int = THROTTLE_AFTER,
        window: float = THROTTLE_WINDOW.total_seconds(),
        capacity: int = THROTTLE_CAPACITY,
    ) -> None:
        self.limit, self.window, self.capacity = limit, window, capacity
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def _current(self, address: str, now: float) -> _Window | None:
        found = self._windows.get(address)
        if found is not None and now - found.start >= self.window:
            del self._windows[address]
            return None
        return found

    def refused_for(self, address: str, now: float) -> float:
        """Seconds for which sign-in from ``address`` is refused (0: it is not)."""
        with self._lock:
            found = self._current(address, now)
            if found is None or found.failures < self.limit:
                return 0.0
            return found.start + self.window - now

    def failed(self, address: str, now: float) -> bool:
        """Count a failed sign-in from ``address``; True when it is the one that
        reaches the limit (once per window: the moment to journal)."""
        with self._lock:
            found = self._current(address, now)
            if found is None:
                if len(self._windows) >= self.capacity:
                    self._forget(now)
                found = self._windows[address] = _Window(now)
            found.failures += 1
            return found.failures == self.limit

    def _forget(self, now: float) -> None:
        """Drop the windows that are over; if that frees nothing, the oldest."""
        for address in [a for a, w in self._windows.items() if now - w.start >= self.window]:
            del self._windows[address]
        while len(self._windows) >= self.capacity:
            del self._windows[next(iter(self._windows))]


@bp.record_once
def _make_throttle(setup: BlueprintSetupState) -> None:
    processes = setup.app.extensions["docgen"].settings.processes
    setup.app.extensions["docgen_throttle"] = SignInThrottle(limit=-(-THROTTLE_AFTER // processes))


def throttle() -> SignInThrottle:
    """The running application's sign-in throttle."""
    found: SignInThrottle = current_app.extensions["docgen_throttle"]
    return found


class SignInForm(FlaskForm):
    username = StringField()
    password = PasswordField()


class ChangePasswordForm(FlaskForm):
    current = PasswordField()
    new = PasswordField()
    repeat = PasswordField()


class ResetForm(FlaskForm):
    username = StringField()
    token = PasswordField()
    new = PasswordField()
    repeat = PasswordField()


def _text(value: Any, limit: int = 200) -> str:
    """A form value as text, cut to ``limit`` (hostile input: anything may come)."""
    return str(value or "")[:limit]


def _start_session(info: users.UserInfo, must_change: bool) -> None:
    session.clear()  # a new session at sign-in (no fixation)
    login_user(Principal(info))
    session.permanent = True
    session["seen"] = time.time()
    session["must_change"] = must_change


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    form = SignInForm()
    problem = ""
    if form.validate_on_submit():
        address = request.remote_addr or ""
        wait = throttle().refused_for(address, time.monotonic())
        if wait > 0:
            end = datetime.now() + timedelta(seconds=math.ceil(wait))
            after = (end + timedelta(seconds=59)).replace(second=0, microsecond=0)  # round up
            problem = _(
                "Too many failed sign-ins from this address: try again after {time}."
            ).format(time=f"{after:%H:%M}")
            return render_template("sign_in.html", form=form, problem=problem), 429
        web = state()
        username = _text(form.username.data, 40).strip().lower()
        result = users.sign_in(
            web.workspace,
            web.db,
            username,
            _text(form.password.data, users.MAX_LENGTH + 1),
            client=address,
        )
        now = time.monotonic()
        if result.outcome != "ok" and throttle().failed(address, now):
            left = timedelta(seconds=throttle().refused_for(address, now))
            until = (datetime.now() + left).replace(microsecond=0)
            details = {"client": address, "failures": THROTTLE_AFTER, "until": until.isoformat()}
            record("web sign-in throttled", details)
        if result.outcome == "ok" and result.user is not None:
            _start_session(result.user, result.must_change)
            if result.must_change:
                flash(_("Your password must be changed before you go on."))
                return redirect(url_for("auth.change_password"))
            return redirect(url_for("pages.dashboard"))
        if result.outcome == "locked":
            problem = _(
                "This account is locked after {count} failed sign-ins: try again in "
                "{minutes} minutes, or ask the administrator."
            ).format(count=users.LOCK_AFTER, minutes=int(users.LOCK_FOR.total_seconds() // 60))
        else:
            problem = _("The username or the password is not right.")
    return render_template("sign_in.html", form=form, problem=problem)


@bp.post("/sign-out")
def sign_out() -> Any:
    record("web sign-out", {})
    users.sign_out(state().db, current_user.info.id)
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.sign_in"))


def _new_password(form: Any) -> tuple[str, str]:
    """The new password a form gives twice, and the problem ("" if none) when the
    two differ."""
    new = _text(form.new.data, users.MAX_LENGTH + 1)
    if new != _text(form.repeat.data, users.MAX_LENGTH + 1):
        return new, _("The two new passwords differ.")
    return new, ""


@bp.route("/password", methods=["GET", "POST"])
def change_password() -> Any:
    form = ChangePasswordForm()
    problem = ""
    if form.validate_on_submit():
        new, problem = _new_password(form)
        if not problem:
            web = state()
            try:
                info = users.change_password(
                    web.workspace,
                    web.db,
                    current_user.username,
                    _text(form.current.data, users.MAX_LENGTH + 1),
                    new,
                )
            except InputError as error:
                problem = str(error)
            else:
                _start_session(info, must_change=False)
                flash(_("Your password is changed."))
                return redirect(url_for("pages.dashboard"))
    return render_template(
        "password.html",
        form=form,
        problem=problem,
        forced=bool(session.get("must_change")),
        min_length=users.MIN_LENGTH,
    )


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password() -> Any:
    form = ResetForm()
    problem = ""
    if form.validate_on_submit():
        new, problem = _new_password(form)
        if not problem:
            web = state()
            try:
                users.redeem_reset_token(
                    web.workspace,
                    web.db,
                    _text(form.username.data, 40).strip().lower(),
                    _text(form.token.data, 100),
                    new,
                )
            except InputError as error:
                problem = str(error)
            else:
                flash(_("Your new password is set: sign in with it."))
                return redirect(url_for("auth.sign_in"))
    return render_template("reset.html", form=form, problem=problem, min_length=users.MIN_LENGTH)
