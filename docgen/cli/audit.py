"""``docgen audit``: sample sizes, drawing samples, reading results back, the half-year
audit record (R5.1, R6.2–R6.5)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from docgen.cli.common import CliState, emit, format_option, output_option, pass_state
from docgen.fsutil import atomic_write_text
from docgen.report import Report
from docgen.rules.sampling import half_year_sample_size, monthly_sample_size


@click.group()
def audit() -> None:
    """Monthly and half-year audit sampling (附件4) and the audit record (附件5)."""


@audit.command("size")
@click.option("--monthly", type=click.IntRange(min=0), help="A unit's queries in a month (R6.2).")
@click.option(
    "--half", type=click.IntRange(min=0), help="The office's queries in a half-year (R6.3)."
)
@format_option()
@output_option()
@pass_state
def size(
    state: CliState, monthly: int | None, half: int | None, fmt: str, output: Path | None
) -> None:
    """The sample size for a number of queries, and the rule that gives it.

    \b
    Example:
      docgen audit size --monthly 250
      docgen audit size --half 1000 --format json
    """
    if (monthly is None) == (half is None):
        raise click.UsageError("give exactly one of --monthly N or --half N")
    rounding = state.workspace.config.sampling.rounding
    result = (
        monthly_sample_size(monthly, rounding)
        if monthly is not None
        else half_year_sample_size(half or 0, rounding)
    )
    row = {"population": result.population, "sample_size": result.sample_size}
    if fmt == "json":
        text = json.dumps({**row, "rule": result.text}, ensure_ascii=False) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            atomic_write_text(output, text)
        return
    columns = {"population": "查詢件數", "sample_size": "抽查件數", "rule": "規則"}
    emit(Report("抽查件數", columns, [{**row, "rule": result.text}]), fmt, output)
