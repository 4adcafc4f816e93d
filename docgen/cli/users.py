"""``docgen users``: the people of the web application and their roles (ISSUE 12 item 2).

The first administrator is made here — there is no default account and no default
password: the password is typed twice at a hidden prompt, or read from standard input
with ``--password-stdin``. Every use case is a call of :mod:`docgen.services.users`.
"""

from __future__ import annotations

import getpass
import sys
from datetime import datetime
from pathlib import Path

import click

from docgen.calendar import format_roc_short
from docgen.cli.common import CliState, emit, format_option, output_option, pass_state, say
from docgen.cli.help import Group
from docgen.db import open_database
from docgen.i18n import N_, _, translate
from docgen.report import Report
from docgen.services.users import (
    MIN_LENGTH,
    ROLES,
    UserInfo,
    add_user,
    disable_user,
    disuse,
    enable_user,
    issue_reset_token,
    last_use,
    list_users,
    set_email,
)

COLUMNS = {
    "username": N_("Username"),
    "display_name": N_("Name"),
    "roles": N_("Roles"),
    "unit": N_("Unit"),
    "email": N_("E-mail"),
    "status": N_("Status"),
    "must_change": N_("Must change password"),
    "last_sign_in": N_("Last sign-in"),
    "unused": N_("Unused"),
    "created": N_("Created"),
}
_STATUS = {"active": N_("active"), "disabled": N_("disabled")}


def _actor() -> str:
    return getpass.getuser()


def _unused(user: UserInfo, now: datetime) -> str:
    """The list's mark of an account disabled for disuse, or that will be at its next
    sign-in attempt (:func:`docgen.services.users.disuse`)."""
    state = disuse(user, now)
    if state == "disabled" and user.disabled_at is not None:
        days = (user.disabled_at - last_use(user)).days
        return _("disabled: unused for {days} days").format(days=days)
    if state == "due":
        days = (now - last_use(user)).days
        return _("disabled at the next sign-in: unused for {days} days").format(days=days)
    return ""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    prompt = _("Password (at least {count} characters)").format(count=MIN_LENGTH)
    value: str = click.prompt(
        prompt,
        hide_input=True,
        confirmation_prompt=_("Repeat the password"),
    )
    return value


@click.group(
    "users",
    cls=Group,
    help=N_(
        "The people of the web application (docgen serve) and their roles: admin "
        "(管理者), clerk (承辦人), supervisor (科(室)主管, bound to a unit), auditor "
        "(稽核人員), ethics (政風人員), director (處長或授權人員), archivist (檔管人員). A "
        "person may hold several. The first administrator is made here.\n\n"
        "\b\nExample:\n"
        "  docgen users add chen --role admin --name 陳美玲\n"
        "  docgen users add lin --role supervisor --unit 市場行政科\n"
        "  docgen users list"
    ),
)
def users() -> None:
    pass


@users.command(
    "add",
    help=N_(
        "Add a web user with an initial password, typed twice at a hidden prompt (or "
        "one line read from standard input with --password-stdin). The password is "
        "changed at the first sign-in.\n\n"
        "\b\nExample:\n"
        "  docgen users add chen --role admin --role auditor --name 陳美玲\n"
        "  docgen users add lin --role 科(室)主管 --unit 市場行政科 --email lin@example.gov.tw"
    ),
)
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help=N_(
        "A role the person holds (repeat for several): admin, clerk, supervisor, "
        "auditor, ethics, director, archivist, or its Chinese name."
    ),
)
@click.option("--unit", default="", help=N_("The unit of docgen.toml a supervisor is bound to."))
@click.option(
    "--name", "display_name", default="", help=N_("The person's name, shown on the pages.")
)
@click.option("--email", default="", help=N_("The person's e-mail address, for docgen remind."))
@click.option(
    "--password-stdin", is_flag=True, help=N_("Read the initial password from standard input.")
)
@pass_state
def add(
    state: CliState,
    username: str,
    roles: tuple[str, ...],
    unit: str,
    display_name: str,
    email: str,
    password_stdin: bool,
) -> None:
    workspace = state.workspace
    password = _read_password(password_stdin)
    with open_database(workspace) as db:
        user = add_user(
            workspace,
            db,
            username,
            password,
            roles,
            display_name=display_name,
            unit=unit,
            email=email,
            actor=_actor(),
        )
    shown = "、".join(translate(ROLES[r]) for r in user.roles)
    say(_("Added web user {username} ({roles}).").format(username=user.username, roles=shown))


@users.command(
    "list",
    help=N_(
        "List the web users, their roles and state, and their last sign-in. An account "
        "unused for 90 days (no sign-in, no password set) is disabled at its next "
        "sign-in attempt: the list marks those that are or will be; 'docgen users "
        "enable' brings one back.\n\n"
        "\b\nExample:\n"
        "  docgen users list\n"
        "  docgen users list --format csv -o users.csv"
    ),
)
@format_option()
@output_option()
@pass_state
def list_command(state: CliState, fmt: str, output: Path | None) -> None:
    now = datetime.now()
    with open_database(state.workspace) as db:
        found = list_users(db)
    rows = [
        {
            "username": u.username,
            "display_name": u.display_name,
            "roles": "、".join(translate(ROLES[r]) for r in u.roles),
            "unit": u.unit,
            "email": u.email,
            "status": translate(_STATUS.get(u.status, u.status)),
            "must_change": _("yes") if u.must_change_password else _("no"),
            "last_sign_in": (
                format_roc_short(u.last_sign_in_at.date()) if u.last_sign_in_at else _("never")
            ),
            "unused": _unused(u, now),
            "created": format_roc_short(u.created_at.date()),
        }
        for u in found
    ]
    report = Report(N_("Web users"), COLUMNS, rows, {N_("Users"): len(rows)})
    emit(report, fmt, output)


@users.command(
    "set-email",
    help=N_(
        "Set the e-mail address a web user's reminders go to (docgen remind); an empty "
        'address ("") removes it, and the person gets no more reminders.\n\n'
        "\b\nExample:\n"
        "  docgen users set-email lin lin@example.gov.tw\n"
        '  docgen users set-email lin ""'
    ),
)
@click.argument("username")
@click.argument("email")
@pass_state
def set_email_command(state: CliState, username: str, email: str) -> None:
    with open_database(state.workspace) as db:
        user = set_email(state.workspace, db, username, email, actor=_actor())
    if user.email:
        say(
            _("Reminders for {username} go to {email}.").format(username=username, email=user.email)
        )
    else:
        say(_("{username} has no e-mail address: no reminders.").format(username=username))


@users.command(
    "disable",
    help=N_(
        "Disable a web user: no more sign-ins, and every open session of theirs ends.\n\n"
        "\b\nExample:\n"
        "  docgen users disable lin"
    ),
)
@click.argument("username")
@pass_state
def disable(state: CliState, username: str) -> None:
    with open_database(state.workspace) as db:
        disable_user(state.workspace, db, username, actor=_actor())
    say(_("Disabled web user {username}.").format(username=username))


@users.command(
    "enable",
    help=N_(
        "Enable a disabled web user again (disabled with 'docgen users disable', or "
        "for disuse) with a new initial password, typed twice at a hidden prompt (or "
        "one line read from standard input with --password-stdin). The password is "
        "changed at the first sign-in.\n\n"
        "\b\nExample:\n"
        "  docgen users enable lin"
    ),
)
@click.argument("username")
@click.option(
    "--password-stdin", is_flag=True, help=N_("Read the initial password from standard input.")
)
@pass_state
def enable(state: CliState, username: str, password_stdin: bool) -> None:
    password = _read_password(password_stdin)
    with open_database(state.workspace) as db:
        enable_user(state.workspace, db, username, password, actor=_actor())
    say(
        _("Enabled web user {username}: the new password is changed at the first sign-in.").format(
            username=username
        )
    )


@users.command(
    "reset-password",
    help=N_(
        "Make a one-time password-reset token for a web user, valid for --hours. Give "
        "it to the person (not by e-mail): on the sign-in page, under 'Reset the "
        "password with a token', they set a new password with it. It is shown once.\n\n"
        "\b\nExample:\n"
        "  docgen users reset-password lin"
    ),
)
@click.argument("username")
@click.option(
    "--hours",
    type=click.IntRange(1, 72),
    default=24,
    show_default=True,
    help=N_("How long the token stays valid."),
)
@pass_state
def reset_password(state: CliState, username: str, hours: int) -> None:
    from datetime import timedelta

    with open_database(state.workspace) as db:
        token, expires = issue_reset_token(
            state.workspace, db, username, actor=_actor(), lifetime=timedelta(hours=hours)
        )
    say(
        _("Reset token for {username} (valid until {until}, once):").format(
            username=username, until=f"{format_roc_short(expires.date())} {expires:%H:%M}"
        )
    )
    click.echo(token)
