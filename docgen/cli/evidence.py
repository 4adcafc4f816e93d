"""``docgen evidence check``: is the evidence of a month or half-year complete (R6.2–R6.5, R7.2)?"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from docgen.archive.evidence import evidence_report
from docgen.calendar import parse_period
from docgen.cli.common import (
    DATE,
    CliState,
    format_option,
    output_option,
    pass_state,
    show_report,
)
from docgen.errors import IncompleteError, InputError


@click.group()
def evidence() -> None:
    """Evidence for auditors: results, evidence files, referrals, required documents."""


@evidence.command("check")
@click.option("--month", default=None, help="The month to check, e.g. 2026-10 or 115/10.")
@click.option("--half", default=None, help="The half-year to check, e.g. 2026-H1.")
@click.option(
    "--as-of", type=DATE, default=None, help="Judge deadlines as of this date (default: today)."
)
@format_option()
@output_option()
@pass_state
def check(
    state: CliState,
    month: str | None,
    half: str | None,
    as_of: date | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Check that every sampled case has a result (是/否) and its evidence file
    (佐證檔案) in the archive, that every 否 and every anomaly is on the referral list
    for 政風 (R6.5), and that every document the period requires is filed. Lists
    what is missing and exits with code 6 if anything is.

    \b
    Example:
      docgen evidence check --month 2026-10
      docgen evidence check --half 2026-H1 --format xlsx -o 佐證檢查_115上半年.xlsx
    """
    if (month is None) == (half is None):
        raise InputError("give one of --month YYYY-MM or --half YYYY-Hn")
    period = parse_period(month or half or "")
    wanted = "month" if month else "half"
    if period.kind != wanted:
        raise InputError(f"--{wanted} {month or half!r} is not a {wanted}: e.g. 2026-10 or 2026-H1")
    report = evidence_report(state.workspace, period, as_of or date.today())
    details = {"period": period.label, "problems": len(report.rows)}
    show_report(state, report, fmt, output, "evidence check", details=details)
    if report.rows:
        raise IncompleteError(
            f"the evidence of {period.label} is incomplete: {len(report.rows)} item(s) missing "
            "(listed above)"
        )
