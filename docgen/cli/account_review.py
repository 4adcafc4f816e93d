"""``docgen accounts review`` and ``docgen accounts roster`` (R4.1, R5.2, R3.2, R7.2),
added to the ``accounts`` group of :mod:`docgen.cli.accounts`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from docgen.calendar import format_roc_short
from docgen.cli.accounts import accounts
from docgen.cli.common import DATE, CliState, format_option, output_option, pass_state, say
from docgen.db import open_database
from docgen.i18n import N_, _


@accounts.command(
    "review",
    help=N_(
        "The account review (清查, R4.1): dormant accounts (unused over 6 months), accounts "
        "suspended one year or more (to notify), late cancellations (R5.2: fewer than 10 "
        "working days before leaving), missing 附件2/附件3 (R3.2, R3.3), and an auditor who "
        "is also a general user.\n\n"
        "Looking changes nothing: with --record the review is recorded as done on its date "
        "in the office database and the journal (the calendar's 最近一次帳號清查 and the "
        "next review's due date, R4.1a). A file written with -o is journaled, and carries "
        "its record metadata for the archive (in an XLSX; a sidecar NAME.EXT.meta.yaml "
        "beside any other format).\n\n"
        "\b\nExample:\n"
        "  docgen accounts review --as-of 115/11/30\n"
        "  docgen accounts review --as-of 2026-11-30 --record --format xlsx -o 帳號清查.xlsx"
    ),
)
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help=N_("The review date (ISO or ROC; default today)."),
)
@click.option(
    "--record",
    is_flag=True,
    help=N_("Record the review as done on its date (R4.1a: at most six months apart)."),
)
@format_option()
@output_option()
@pass_state
def review(
    state: CliState, as_of: date | None, record: bool, fmt: str, output: Path | None
) -> None:
    from docgen.services.account_review import review_accounts

    day = as_of or date.today()
    with open_database(state.workspace) as db:
        _report, text = review_accounts(state.workspace, db, day, fmt, output, record=record)
    if text is not None:
        click.echo(text, nl=False)
    else:
        say(_("Wrote {file}").format(file=output), err=True)
    if record:
        say(
            _("The account review of {date} ({iso}) is recorded.").format(
                date=format_roc_short(day), iso=day
            ),
            err=True,
        )


@accounts.command(
    "roster",
    help=N_(
        "Write the user roster (使用者清冊) that 民政局's audit asks for (R7.2), with names "
        "and IDs masked. It carries its record metadata for the archive (in the XLSX; a "
        "sidecar NAME.csv.meta.yaml beside a CSV).\n\n"
        "\b\nExample:\n"
        "  docgen accounts roster -o 使用者清冊.xlsx\n"
        "  docgen accounts roster --format csv"
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("The roster file (default out/accounts/使用者清冊_<date>.xlsx or .csv)."),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help=N_("xlsx or csv (UTF-8 with a BOM)."),
)
@pass_state
def roster(state: CliState, output: Path | None, fmt: str) -> None:
    from docgen.services.account_review import write_roster

    with open_database(state.workspace) as db:
        target = write_roster(state.workspace, db, fmt, output, date.today())
    say(_("Wrote {file}").format(file=target), err=True)
