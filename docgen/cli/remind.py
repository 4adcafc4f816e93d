"""``docgen remind``: e-mail each web user what is new for them (ISSUE 13 item 6).

One call of :mod:`docgen.services.reminders`: with ``--dry-run`` the e-mails are
printed and nothing is sent or recorded; else they go out through ``[smtp]``.
"""

from __future__ import annotations

import getpass
import os
from datetime import date

import click

from docgen.cli.common import DATE, CliState, pass_state, say
from docgen.cli.help import Command
from docgen.db import open_database
from docgen.i18n import N_, _
from docgen.services.reminders import Reminder, plan_reminders, send_reminders


def _show(reminder: Reminder) -> None:
    message = reminder.message
    say(_("To: {to}").format(to=message["To"]))
    say(_("Subject: {subject}").format(subject=message["Subject"]))
    click.echo("")
    click.echo(message.get_content())


@click.command(
    "remind",
    cls=Command,
    help=N_(
        "E-mail each active web user with an e-mail address (docgen users set-email) "
        "their duties due within [smtp] days_ahead days that are not done, and what "
        "waits for them (missing, awaiting review, done late), as their dashboard lists "
        "them: one e-mail per person, each reminder once. Run it daily (a systemd timer, "
        "see the README).\n\n"
        "\b\nExample:\n"
        "  docgen remind --dry-run\n"
        "  docgen remind\n"
        "  docgen remind --date 115/12/01"
    ),
)
@click.option(
    "--dry-run", is_flag=True, help=N_("Print the e-mails instead of sending; record nothing.")
)
@click.option(
    "--date", "as_of", type=DATE, default=None, help=N_("Remind as of this day (default: today).")
)
@pass_state
def remind(state: CliState, dry_run: bool, as_of: date | None) -> None:
    workspace = state.workspace
    today = as_of or date.today()
    with open_database(workspace) as db:
        if dry_run:
            planned = plan_reminders(workspace, db, today)
            for reminder in planned:
                _show(reminder)
        else:
            planned = send_reminders(
                workspace, db, today, actor=getpass.getuser(), environ=os.environ
            )
            for reminder in planned:
                say(
                    _("Sent {count} reminder(s) to {username}.").format(
                        count=len(reminder.items), username=reminder.user.username
                    )
                )
    if not planned:
        say(_("Nothing new to remind anyone of."))
