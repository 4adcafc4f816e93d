"""``docgen correspondence``: the 函 and 簽 drafted from the facts, and what went out
(ISSUE 14). Each command makes one call to :mod:`docgen.services.correspondence`."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import click

from docgen.calendar import format_roc_short
from docgen.cli.common import (
    DATE,
    CliState,
    chosen_period,
    emit,
    format_option,
    output_option,
    pass_state,
    say,
)
from docgen.cli.help import Group
from docgen.correspondence.drafts import KINDS
from docgen.db import open_database
from docgen.i18n import N_, _
from docgen.services.correspondence import correspondence_report, draft, record_sent


@click.group(
    "correspondence",
    cls=Group,
    help=N_(
        "The 函 and 簽 the regulation calls for, drafted from the office database in the "
        "layout of 文書處理手冊 (DOCX, ODT, PDF) and as a DI file for the office's "
        "document system (104-version DTD); docgen sends nothing itself. Record with "
        "`sent` the day and 文號 each went out under: the R6.4 report and the R6.5 "
        "referral count as done on that day."
    ),
)
def correspondence() -> None:
    pass


@correspondence.command(
    "draft",
    help=N_(
        "Draft a document of KIND: results-letter (R6.4, --half: the 函 to 民政局 with the "
        "colour-scan package), referral-memo (R6.5, --month or --half: the 簽 to the ethics "
        "unit), outcome-letter (R6.5, --month or --half with --outcome: the 函 to 政風處 "
        "and the database authority), holder-notice (R4.1c: one 書函 per account suspended "
        "a year or more, --as-of), review-memo (R4.1a, --as-of) or destruction-memo (the "
        "簽 with the draft 銷毀目錄, --as-of). Each goes to a folder of its own under -d "
        "(default out/correspondence/): DOCX, ODT, PDF, the DI file and its attachments.\n\n"
        "\b\nExample:\n"
        "  docgen correspondence draft results-letter --half 2026-H1\n"
        "  docgen correspondence draft referral-memo --month 2026-10\n"
        "  docgen correspondence draft outcome-letter --month 2026-10 --outcome '核予申誡1次'"
    ),
)
@click.argument("kind", type=click.Choice(list(KINDS)), metavar="KIND")
@click.option("--month", help=N_("The month (YYYY-MM) of a referral or outcome."))
@click.option("--half", help=N_("The half-year (YYYY-H1 or YYYY-H2)."))
@click.option(
    "--as-of", "as_of", type=DATE, help=N_("The day the facts are taken on (default: today).")
)
@click.option("--account", help=N_("Only this account's notice (holder-notice)."))
@click.option("--outcome", default="", help=N_("What the ethics unit decided (outcome-letter)."))
@click.option(
    "-d",
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=N_("The folder the documents go to (default: out/correspondence/)."),
)
@pass_state
def draft_command(
    state: CliState,
    kind: str,
    month: str | None,
    half: str | None,
    as_of: date | None,
    account: str | None,
    outcome: str,
    out_dir: Path | None,
) -> None:
    ws = state.workspace
    period = chosen_period(month, half, required=False)
    with open_database(ws) as db:
        done = draft(
            ws,
            db,
            kind,
            period=period,
            as_of=as_of,
            account=account,
            outcome=outcome,
            out_dir=out_dir,
            actor=getpass.getuser(),
        )
    for document in done:
        folder = document.files[0].parent if document.files else None
        say(_("Drafted {key}: {folder}").format(key=document.doc_key, folder=folder))
        if document.warning:
            say(_("Warning: {warning}").format(warning=document.warning), err=True)


@correspondence.command(
    "sent",
    help=N_(
        "Record that the document DOC (its key, e.g. results-letter:2026-H1, or one of its "
        "files) went out on --date under the 文號 --number. The duty it fulfils then counts "
        "as done on that day (late after its deadline) in the missing report and the "
        "calendar.\n\n"
        "\b\nExample:\n"
        "  docgen correspondence sent results-letter:2026-H1 --number 北市市企字第1153000123號 "
        "--date 115/08/20"
    ),
)
@click.argument("doc", metavar="DOC")
@click.option("--number", required=True, help=N_("The 文號 it went out under."))
@click.option("--date", "sent_on", type=DATE, required=True, help=N_("The day it went out."))
@pass_state
def sent_command(state: CliState, doc: str, number: str, sent_on: date) -> None:
    ws = state.workspace
    with open_database(ws) as db:
        sent = record_sent(ws, db, doc, number=number, sent_on=sent_on, actor=getpass.getuser())
    line = _("{key}: sent on {date} as {number}").format(
        key=sent.doc_key, date=format_roc_short(sent_on), number=sent.number
    )
    if sent.late and sent.due is not None:
        line += " " + _("(late: due {due})").format(due=format_roc_short(sent.due))
    say(line)


@correspondence.command(
    "list",
    help=N_(
        "Every document drafted: its key, what it is, when it is due, and the day and 文號 "
        "it went out under.\n\n"
        "\b\nExample:\n"
        "  docgen correspondence list\n"
        "  docgen correspondence list --format xlsx -o 公文.xlsx"
    ),
)
@format_option()
@output_option()
@pass_state
def list_command(state: CliState, fmt: str, output: Path | None) -> None:
    ws = state.workspace
    with open_database(ws) as db:
        report = correspondence_report(db, date.today())
    emit(report, fmt, output)
