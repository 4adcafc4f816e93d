"""E-mail reminders of each person's own work (ISSUE 13 item 6, ``docgen remind``).

Every active web user with an e-mail address (:func:`docgen.services.users.set_email`)
whose account is not idle gets one plain-text e-mail naming what is new for them as
of the day: the duties of the office's calendar they answer for that fall due within
``[smtp] days_ahead`` days and are not done (R6.2–R6.4, R4.1a), and what waits for
them — the obligations calendar's rows that are missing, whose file is lost, that
await the director's review or were done late (R6.2–R6.5, R3.2, R3.3) — both as
their dashboard lists them (:mod:`docgen.services.duties`: their units, their
roles' rules).

A reminder is one (item, kind): a duty's key with ``due``, or a calendar row's key
(its rule, period, unit, required record and record ID as the report names them)
with its status. Each is sent to a person once, ever: the ``sent_reminders`` table
records it in its own transaction right after the server took that person's e-mail,
so a failure half-way keeps what went out, and a second run sends only what is new.
Texts are masked (R8: :func:`docgen.privacy.mask_ids_in_text`) although no row names
a person whose data was queried. The run is journalled (``remind``: as of, who got
how many reminders — no address, no text).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import select

from docgen.archive.missing import AWAITING_REVIEW, GONE, LATE, MISSING
from docgen.calendar import format_roc_short
from docgen.config import Smtp, Workspace
from docgen.db import Database
from docgen.db.models.reminders import SentReminder
from docgen.errors import ConfigError, ExternalToolError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text
from docgen.report import Report
from docgen.rules.obligations import Obligation
from docgen.services.duties import is_done, office_calendar, person_duties, waiting_for
from docgen.services.users import UserInfo, is_idle, list_users

#: The kind of reminder each status of the obligations calendar gives.
KINDS = {MISSING: "missing", GONE: "file-lost", AWAITING_REVIEW: "awaiting-review", LATE: "late"}
#: Seconds the mail server has to answer.
TIMEOUT = 30

Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class Item:
    """One thing a person is reminded of: its stable ``key`` and ``kind``, and the
    line the e-mail shows."""

    key: str
    kind: str
    line: str


@dataclass(frozen=True)
class Reminder:
    """The e-mail one person gets: their reminders, and the message."""

    user: UserInfo
    items: tuple[Item, ...]
    message: EmailMessage


def _due_item(duty: Obligation) -> Item:
    line = _("【{rule}】{title}: due {due}").format(
        rule=duty.rule, title=duty.title, due=format_roc_short(duty.due)
    )
    return Item(duty.key, "due", line)


def _waiting_item(row: Mapping[str, Any]) -> Item:
    parts = ("rule", "period", "unit", "required", "record_id")
    line = _("【{rule}】{title} ({unit}, {required}): {status}, due {due}").format(
        rule=row["rule"], title=row["obligation"], unit=row["unit"], required=row["required"],
        status=row["status"], due=row["due"],
    )  # fmt: skip
    return Item("|".join(str(row[p] or "") for p in parts), KINDS[row["kind"]], line)


def items_for(
    workspace: Workspace, db: Database, user: UserInfo, today: date, calendar: Report
) -> list[Item]:
    """What ``user`` is reminded of as of ``today`` (see the module), sent before or not."""
    ahead = today + timedelta(days=workspace.config.smtp.days_ahead)
    duties = sorted(
        (d for d in person_duties(workspace, db, user, today) if today <= d.due <= ahead),
        key=lambda d: (d.due, d.key),
    )
    found = [_due_item(d) for d in duties if not is_done(d, calendar)]
    return found + [_waiting_item(row) for row in waiting_for(user, calendar)]


def _sent(db: Database, user_id: int) -> set[tuple[str, str]]:
    query = select(SentReminder.item, SentReminder.kind).where(SentReminder.user_id == user_id)
    with db.reading() as session:
        return {(row.item, row.kind) for row in session.execute(query)}


def _message(
    workspace: Workspace, user: UserInfo, items: Sequence[Item], today: date
) -> EmailMessage:
    config = workspace.config
    office, policy = config.office.name, config.masking.policy()
    due = [i.line for i in items if i.kind == "due"]
    waiting = [i.line for i in items if i.kind != "due"]
    lines = [_("Hello {name},").format(name=user.display_name or user.username), ""]
    lines.append(_("docgen of {office} reminds you, as of {date}:").format(
        office=office, date=format_roc_short(today)
    ))  # fmt: skip
    if due:
        days = config.smtp.days_ahead
        lines += ["", _("Your duties due within {days} days:").format(days=days)]
        lines += [f"- {line}" for line in due]
    if waiting:
        lines += ["", _("What waits for you:"), *(f"- {line}" for line in waiting)]
    lines += ["", _("The dashboard of docgen shows the details. Each reminder is sent once.")]
    message = EmailMessage()
    message["Subject"] = _("{office}: docgen reminders of {date} ({count})").format(
        office=office, date=format_roc_short(today), count=len(items)
    )
    message["From"] = Address(office, addr_spec=config.smtp.sender or "docgen@localhost")
    message["To"] = Address(user.display_name, addr_spec=user.email)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("docgen")
    message.set_content(mask_ids_in_text("\n".join(lines), policy) + "\n")
    return message


def plan_reminders(
    workspace: Workspace, db: Database, today: date, *, now: datetime | None = None
) -> list[Reminder]:
    """The e-mails a run as of ``today`` sends: one per active, not idle web user with
    an e-mail address and something not yet sent to them. Read-only (``--dry-run``)."""
    when = now or datetime.now()
    people = [u for u in list_users(db) if u.active and u.email and not is_idle(u, when)]
    if not people:
        return []
    calendar = office_calendar(workspace, today)
    planned = []
    for user in people:
        done = _sent(db, user.id)
        items = [
            i
            for i in items_for(workspace, db, user, today, calendar)
            if (i.key, i.kind) not in done
        ]
        if items:
            planned.append(Reminder(user, tuple(items), _message(workspace, user, items, today)))
    return planned


def _record(db: Database, reminder: Reminder, today: date, now: datetime) -> None:
    with db.session() as session:
        session.add_all(
            SentReminder(
                user_id=reminder.user.id, item=i.key, kind=i.kind, as_of=today, sent_at=now
            )
            for i in reminder.items
        )


def smtp_password(smtp: Smtp, environ: Mapping[str, str]) -> str:
    """The mail server's password, from the environment variable ``[smtp]
    password_env`` names ("" when no username is given); a :class:`ConfigError` in one
    line when no server is configured or the variable is not set."""
    if not smtp.host:
        raise ConfigError(
            _("no mail server in docgen.toml: give [smtp] host and sender to send reminders")
        )
    password = environ.get(smtp.password_env, "") if smtp.password_env else ""
    if smtp.username and not password:
        raise ConfigError(
            _("[smtp] password_env: the environment variable {name} is not set").format(
                name=smtp.password_env
            )
        )
    return password


@contextmanager
def smtp_sender(smtp: Smtp, password: str) -> Iterator[Send]:
    """A connection to the office's mail server (``[smtp]``): SSL, STARTTLS with the
    system's certificates (:func:`ssl.create_default_context`) or neither, signed in
    when a username is given; yields the function that sends one message."""
    context = ssl.create_default_context()
    port = smtp.effective_port
    server: smtplib.SMTP = (
        smtplib.SMTP_SSL(smtp.host, port, timeout=TIMEOUT, context=context)
        if smtp.security == "ssl"
        else smtplib.SMTP(smtp.host, port, timeout=TIMEOUT)
    )
    with server:
        if smtp.security == "starttls":
            server.starttls(context=context)
        if smtp.username:
            server.login(smtp.username, password)
        yield lambda message: _send(server, message)


def _send(server: smtplib.SMTP, message: EmailMessage) -> None:
    server.send_message(message)


def send_reminders(
    workspace: Workspace,
    db: Database,
    today: date,
    *,
    actor: str,
    environ: Mapping[str, str],
    now: datetime | None = None,
) -> list[Reminder]:
    """Send the e-mails of :func:`plan_reminders` through ``[smtp]``; each person's
    reminders are recorded right after their e-mail went out, and the run is
    journalled (``remind``), also when the server fails half-way: then an
    :class:`ExternalToolError` in one line says how many went out before."""
    when = (now or datetime.now()).replace(microsecond=0)
    smtp = workspace.config.smtp
    password = smtp_password(smtp, environ)
    planned = plan_reminders(workspace, db, today, now=when)
    sent: list[Reminder] = []
    if not planned:
        _journal(workspace, today, sent, actor)
        return sent
    try:
        with smtp_sender(smtp, password) as send:
            for reminder in planned:
                send(reminder.message)
                _record(db, reminder, today, when)
                sent.append(reminder)
    except (OSError, smtplib.SMTPException) as error:
        _journal(workspace, today, sent, actor, failed=True)
        server = f"{smtp.host}:{smtp.effective_port}"
        raise ExternalToolError(
            _(
                "the mail server {server} failed after {sent} of {total} e-mail(s) (those "
                "are recorded as sent): {error}"
            ).format(
                server=server,
                sent=len(sent),
                total=len(planned),
                error=str(error) or type(error).__name__,
            )
        ) from error
    _journal(workspace, today, sent, actor)
    return sent


def _journal(
    workspace: Workspace, today: date, sent: Sequence[Reminder], actor: str, failed: bool = False
) -> None:
    details: dict[str, object] = {
        "as_of": today.isoformat(),
        "sent": {r.user.username: len(r.items) for r in sent},
        "by": actor,
    }
    if failed:
        details["failed"] = True
    Journal(workspace.journal_path, workspace.root).append("remind", details=details)
