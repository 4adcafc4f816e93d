"""``docgen accounts review`` and ``docgen accounts roster`` (R4.1, R5.2, R3.2, R7.2),
added to the ``accounts`` group of :mod:`docgen.cli.accounts`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from docgen.audit.accounts import list_metadata, review_report, roster_report
from docgen.cli.accounts import accounts
from docgen.cli.common import DATE, CliState, emit, format_option, output_option, pass_state
from docgen.db import open_database
from docgen.metadata import RecordMetadata, attach_metadata
from docgen.office_calendar import working_calendar
from docgen.services.accounts import load_registry, record_account_review


@accounts.command("review")
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help="The review date (ISO or ROC; default today).",
)
@format_option()
@output_option()
@pass_state
def review(state: CliState, as_of: date | None, fmt: str, output: Path | None) -> None:
    """The account review (清查, R4.1): dormant accounts (unused over 6 months), accounts
    suspended one year or more (to notify), late cancellations (R5.2: fewer than 10
    working days before leaving), missing 附件2/附件3 (R3.2, R3.3), and an auditor who
    is also a general user. The review is recorded in the office database and the
    journal (the calendar's 最近一次帳號清查). A file written
    with -o carries its record metadata for the archive (in an XLSX; a sidecar
    NAME.EXT.meta.yaml beside any other format).

    \b
    Example:
      docgen accounts review --as-of 115/11/30
      docgen accounts review --as-of 2026-11-30 --format xlsx -o 帳號清查.xlsx
    """
    ws = state.workspace
    day = as_of or date.today()
    with open_database(ws) as db:
        found = load_registry(ws, db).accounts
        report = review_report(found, day, working_calendar(ws), ws.config.masking.policy())
        emit(report, fmt, output)
        outputs = _with_metadata(output, list_metadata(report, day)) if output else []
        counts = {k: v for k, v in report.summary.items() if isinstance(v, int)}
        record_account_review(ws, db, day, counts, findings=len(report.rows), outputs=outputs)


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
    ws = state.workspace
    today = date.today()
    report = roster_report(load_registry(ws).accounts, today, ws.config.masking.policy())
    target = output or ws.root / "out" / "accounts" / f"使用者清冊_{today.isoformat()}.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    emit(report, fmt, target)
    outputs = _with_metadata(target, list_metadata(report, today))
    details = {"date": today.isoformat(), "accounts": len(report.rows)}
    state.journal.append("accounts roster", outputs=outputs, details=details)


def _with_metadata(path: Path, meta: RecordMetadata) -> list[Path]:
    """Give the written ``path`` its record metadata; the files written (with a sidecar)."""
    holder = attach_metadata(path, meta)
    return [path] if holder == path else [path, holder]
