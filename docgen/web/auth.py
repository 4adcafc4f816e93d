"""Signing in and out, changing a password, and a reset with a one-time token
(ISSUE 12 item 4). Each is a call of :mod:`docgen.services.users`; the forms are
Flask-WTF's (CSRF on every POST, the sign-in form too)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from docgen.errors import InputError
from docgen.i18n import _
from docgen.services import users
from docgen.web.app import Principal, record, state

bp = Blueprint("auth", __name__)


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
        web = state()
        username = _text(form.username.data, 40).strip().lower()
        result = users.sign_in(
            web.workspace,
            web.db,
            username,
            _text(form.password.data, users.MAX_LENGTH + 1),
            client=request.remote_addr or "",
        )
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
