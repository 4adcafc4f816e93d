"""``docgen audit``: sample sizes, drawing samples, reading results back, the half-year
audit record (R5.1, R6.2–R6.5)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from docgen.audit.samples import Sample
from docgen.calendar import Period, format_roc_short, parse_period
from docgen.cli.common import (
    DATE,
    CliState,
    emit,
    format_option,
    output_option,
    pass_state,
    progress,
)
from docgen.db import open_database
from docgen.errors import InputError
from docgen.fsutil import atomic_write_text
from docgen.report import Report
from docgen.rules.sampling import half_year_sample_size, monthly_sample_size
from docgen.services.audit import (
    draw_sample,
    record_results,
    record_review,
    write_audit_record,
)

F = TypeVar("F", bound=Callable[..., Any])


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


def _out_option(what: str = "the files", period: str = "<period>") -> Callable[[F], F]:
    """``-o/--out DIR``: where a command writes (default ``out/audit/<period>/``)."""
    return click.option(
        "-o",
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help=f"Folder for {what} (default out/audit/{period}/ in the workspace).",
    )


def _period_option(kind: str) -> Callable[[F], F]:
    return click.option(
        f"--{kind}",
        "period_text" if kind == "month" else "half_text",
        metavar="2026-10" if kind == "month" else "2026-H1",
        help="The month (R6.2, per unit)." if kind == "month" else "The half-year (R6.3, 全處).",
    )


def _chosen_period(month: str | None, half: str | None) -> Period:
    if (month is None) == (half is None):
        raise click.UsageError("give exactly one of --month YYYY-MM or --half YYYY-H1")
    period = parse_period(month or half or "")
    expected = "month" if month else "half"
    if period.kind != expected:
        raise InputError(f"--{expected} expects a {expected}, not {period.label}")
    return period


@audit.command("sample")
@_period_option("month")
@_period_option("half")
@click.option(
    "--queries",
    "logs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Query log(s) of the period (CSV/XLSX); more may follow as arguments. "
    "Default: data/queries/<month>.* of each month.",
)
@click.argument("more_logs", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seed", help="Use this seed instead of the one derived from the population.")
@_out_option()
@click.option("--pdf", is_flag=True, help="Also convert 附件4 to PDF (LibreOffice).")
@click.option(
    "--partial",
    is_flag=True,
    help="--half: sample even if a month of the half has no query log (a warning names "
    "the months, and the journal records them).",
)
@click.option(
    "--reason",
    default="",
    metavar="TEXT",
    help="Why a period already drawn is drawn again: the new draw supersedes the earlier "
    "one (which stays on record) and its 附件4 says so.",
)
@pass_state
def sample(
    state: CliState,
    period_text: str | None,
    half_text: str | None,
    logs: tuple[Path, ...],
    more_logs: tuple[Path, ...],
    seed: str | None,
    out_dir: Path | None,
    pdf: bool,
    partial: bool,
    reason: str,
) -> None:
    """Check every query's justification (R5.1) and draw the audit sample: per unit for a
    month (R6.2), over the whole office (全處) for a half-year (R6.3).

    Writes per unit 附件4, the supervisor's sheet (抽查表_*.xlsx) and the anomaly list
    (異常清單_*.xlsx/.csv), and stores the draw in the office database; the logs are
    taken in too. The seed, the population hash and the algorithm are on the form and
    in the journal, so anyone can draw the same sample again.

    \b
    Example:
      docgen audit sample --month 2026-10 --queries data/queries/2026-10.xlsx
      docgen audit sample --half 2026-H2 --queries data/queries/2026-0[789].csv \\
          data/queries/2026-1[012].xlsx --pdf
      docgen audit sample --month 2026-10 --seed 115-10-b --reason "sheet lost"

    A half-year sample covers every month of the half: a month with no query (no
    log) is named and refused unless --partial is given. A period already drawn is
    drawn again only with --reason.
    """
    period = _chosen_period(period_text, half_text)
    if partial and period.kind != "half":
        raise click.UsageError("--partial is for a half-year sample (--half)")
    ws = state.workspace
    with open_database(ws) as db:
        done = draw_sample(
            ws,
            db,
            period,
            [*logs, *more_logs],
            seed=seed,
            partial=partial,
            reason=reason,
            out_dir=out_dir,
            pdf=pdf,
            actor=getpass.getuser(),
            progress=lambda records: progress(records, label="queries"),
        )
    if done.missing_months:
        click.echo(
            f"Warning: no queries in {', '.join(done.missing_months)}: the {period.label} "
            "sample is drawn from the other months only (--partial).",
            err=True,
        )
    for drawn in done.draw.samples:
        click.echo(_summary(drawn))
    for unit in done.draw.empty_units:
        click.echo(f"{unit}: no queries in {period.label}, nothing to sample.")
    if done.draw.outside_period:
        click.echo(f"{done.draw.outside_period} queries outside {period.label} were not sampled.")
    click.echo(f"Files in {done.target}")


def _summary(drawn: Sample) -> str:
    anomalies = sum(1 for a in drawn.anomalies if a.anomaly)
    hints = len(drawn.anomalies) - anomalies
    redrawn = f" Draw {drawn.number}, superseding draw {drawn.replaces}." if drawn.replaces else ""
    return (
        f"{drawn.unit}: {drawn.population} queries, sample {drawn.sample_size} "
        f"(seed {drawn.seed}); {anomalies} without justification, {hints} hints.{redrawn}"
    )


@audit.command("results")
@click.argument(
    "sheets", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_out_option()
@click.option("--pdf", is_flag=True, help="Also convert the completed 附件4 to PDF.")
@pass_state
def results(state: CliState, sheets: tuple[Path, ...], out_dir: Path | None, pdf: bool) -> None:
    """Read the supervisors' filled sample sheets back (R6.2, R6.3), check them, and
    write the completed 附件4 and the referral list for 政風 (R6.5).

    Every case must be marked 是 or 否, a 否 needs a 備註, and the rows must be those
    of the drawn sample: a changed, added or removed row is an error naming the sheet
    and the row. Nothing is written unless every sheet is right.

    \b
    Example:
      docgen audit results out/audit/2026-10/抽查表_2026-10_*.xlsx
    """
    ws = state.workspace
    with open_database(ws) as db:
        done = record_results(ws, db, sheets, out_dir=out_dir, pdf=pdf, actor=getpass.getuser())
    for outcome in done:
        stored = outcome.results
        no = sum(1 for c in stored.cases if c.consistent == "否")
        click.echo(
            f"{stored.unit} {stored.period}: {len(stored.cases)} cases checked, {no} 否; "
            f"{stored.referred} referred to 政風 → {outcome.files[0]}"
        )


@audit.command("record")
@click.option("--half", "half_text", required=True, metavar="2026-H1", help="The half-year.")
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help="Date of the account facts (default the half's last day, or today if earlier).",
)
@_out_option("附件5", "<half>")
@click.option("--pdf", is_flag=True, help="Also convert 附件5 to PDF.")
@pass_state
def record(
    state: CliState, half_text: str, as_of: date | None, out_dir: Path | None, pdf: bool
) -> None:
    """Fill 附件5 稽核紀錄表 for a half-year (R6.3) with what docgen knows: user roster,
    account reviews, dormant and long-suspended accounts, papers on file, monthly checks
    and sample results, anomalies referred. The 符合/不符合 results, the findings and the
    signatures are left to the auditors.

    \b
    Example:
      docgen audit record --half 2026-H2 --as-of 2026-11-30
    """
    half = _chosen_period(None, half_text)
    ws = state.workspace
    with open_database(ws) as db:
        done = write_audit_record(ws, db, half, as_of, out_dir=out_dir, pdf=pdf)
    for item in done.data["checklist"]:
        click.echo(f"- {item['item']}: {item['note']}")
    click.echo(f"附件5 {done.record_id} → {done.files[0]}")


@audit.command("review")
@click.argument("record_id")
@click.option(
    "--on", "reviewed_on", type=DATE, required=True, help="The day the director reviewed it."
)
@click.option("--by", "reviewed_by", help="Who reviewed it (default: [office] director).")
@pass_state
def review(state: CliState, record_id: str, reviewed_on: date, reviewed_by: str | None) -> None:
    """Record the director's review of a 附件4 or 附件5 (R6.2, R6.3): who and on which
    day. Its retention counts from that day; the missing report stops listing it as
    awaiting review.

    \b
    Example:
      docgen audit review DG-4M-202610-1A2B3C4D --on 115/11/05
    """
    ws = state.workspace
    who = reviewed_by or ws.config.office.director
    with open_database(ws) as db:
        done = record_review(
            ws, db, record_id, reviewed_on, reviewed_by=who, actor=getpass.getuser()
        )
    where = "" if done.archived else " (not in the archive yet)"
    click.echo(
        f"{done.record_id}: reviewed by {done.reviewed_by} on "
        f"{format_roc_short(done.reviewed_on)}{where}"
    )
