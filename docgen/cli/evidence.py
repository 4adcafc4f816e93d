"""``docgen evidence check``: is the evidence of a month or half-year complete (R6.2–R6.5, R7.2)?"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from docgen.archive.evidence import evidence_report
from docgen.cli.common import (
    DATE,
    CliState,
    chosen_period,
    format_option,
    output_option,
    pass_state,
    show_report,
)
from docgen.cli.help import Group
from docgen.errors import IncompleteError
from docgen.i18n import N_, _


@click.group(
    cls=Group,
    help=N_("Evidence for auditors: results, evidence files, referrals, required documents."),
)
def evidence() -> None:
    pass


@evidence.command(
    "check",
    help=N_(
        "Check that every sampled case has a result (是/否) and its evidence file "
        "(佐證檔案) in the archive, that every 否 and every anomaly is on the referral list "
        "for 政風 (R6.5), and that every document the period requires is filed. Lists "
        "what is missing and exits with code 6 if anything is.\n\n"
        "\b\nExample:\n"
        "  docgen evidence check --month 2026-10\n"
        "  docgen evidence check --half 2026-H1 --format xlsx -o 佐證檢查_115上半年.xlsx"
    ),
)
@click.option("--month", default=None, help=N_("The month to check, e.g. 2026-10 or 115/10."))
@click.option("--half", default=None, help=N_("The half-year to check, e.g. 2026-H1."))
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help=N_("Judge deadlines as of this date (default: today)."),
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
    period = chosen_period(month, half)
    assert period is not None
    report = evidence_report(state.workspace, period, as_of or date.today())
    details = {"period": period.label, "problems": len(report.rows)}
    show_report(state, report, fmt, output, "evidence check", details=details)
    if report.rows:
        raise IncompleteError(
            _(
                "the evidence of {period} is incomplete: {count} item(s) missing (listed above)"
            ).format(period=period.label, count=len(report.rows))
        )
