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


@accounts.command("review")
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help="The review date (ISO or ROC; default today).",
)
@click.option(
    "--record",
    is_flag=True,
    help="Record the review as done on its date (R4.1a: at most six months apart).",
)
@format_option()
@output_option()
@pass_state
def review(
    state: CliState, as_of: date | None, record: bool, fmt: str, output: Path | None
) -> None:
    """The account review (清查, R4.1): dormant accounts (unused over 6 months), accounts
    suspended one year or more (to notify), late cancellations (R5.2: fewer than 10
    working days before leaving), missing 附件2/附件3 (R3.2, R3.3), and an auditor who
    is also a general user.

    Looking changes nothing: with --record the review is recorded as done on its date
    in the office database and the journal (the calendar's 最近一次帳號清查 and the
    next review's due date, R4.1a). A file written with -o is journaled, and carries
    its record metadata for the archive (in an XLSX; a sidecar NAME.EXT.meta.yaml
    beside any other format).

    \b
    Example:
      docgen accounts review --as-of 115/11/30
      docgen accounts review --as-of 2026-11-30 --record --format xlsx -o 帳號清查.xlsx
    """
    from docgen.services.account_review import review_accounts

    day = as_of or date.today()
    with open_database(state.workspace) as db:
        _report, text = review_accounts(state.workspace, db, day, fmt, output, record=record)
    if text is not None:
        click.echo(text, nl=False)
    else:
        say(f"Wrote {output}", err=True)
    if record:
        say(f"The account review of {format_roc_short(day)} ({day}) is recorded.", err=True)


@accounts.command("roster")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The roster file (default out/accounts/使用者清冊_<date>.xlsx or .csv).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True
)
@pass_state
def roster(state: CliState, output: Path | None, fmt: str) -> None:
    """Write the user roster (使用者清冊) that 民政局's audit asks for (R7.2), with names
    and IDs masked. It carries its record metadata for the archive (in the XLSX; a
    sidecar NAME.csv.meta.yaml beside a CSV).

    \b
    Example:
      docgen accounts roster -o 使用者清冊.xlsx
      docgen accounts roster --format csv
    """
    from docgen.services.account_review import write_roster

    with open_database(state.workspace) as db:
        target = write_roster(state.workspace, db, fmt, output, date.today())
    say(f"Wrote {target}", err=True)
