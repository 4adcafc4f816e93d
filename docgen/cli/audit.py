"""``docgen audit``: sample sizes, drawing samples, reading results back, the half-year
audit record (R5.1, R6.2–R6.5)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from docgen.audit.drawing import draw_period, refuse_redraw
from docgen.audit.forms import fill_audit_record
from docgen.audit.outputs import default_out_dir, write_sample_files
from docgen.audit.population import ALGORITHM_TEXT_EN
from docgen.audit.record import audit_record_data
from docgen.audit.results import read_back, write_results
from docgen.audit.samples import Sample
from docgen.calendar import Period, parse_period
from docgen.cli.common import (
    DATE,
    CliState,
    emit,
    format_option,
    output_option,
    pass_state,
    progress,
)
from docgen.errors import InputError
from docgen.fsutil import atomic_write_text
from docgen.report import Report
from docgen.rules.sampling import half_year_sample_size, monthly_sample_size

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


def _default_logs(state: CliState, period: Period, partial: bool) -> list[Path]:
    """``data/queries/<month>.*`` of each month of ``period``; a half-year with a month
    without its log is refused unless ``partial`` (R6.3: the sample is of the half)."""
    folder = state.workspace.data_dir / "queries"
    by_month = {
        month.label: [
            path
            for path in sorted(folder.glob(f"{month.label}.*"))
            if path.suffix.lower() in (".csv", ".xlsx", ".json", ".yaml", ".yml")
        ]
        for month in period.months()
    }
    found = [path for paths in by_month.values() for path in paths]
    if not found:
        raise InputError(f"no query log for {period.label} in {folder}: give --queries FILE")
    without = [month for month, paths in by_month.items() if not paths]
    if without and not partial:
        raise InputError(
            f"no query log for {', '.join(without)} in {folder}: a half-year sample covers "
            f"every month of {period.label}; add the logs, or pass --partial to sample the "
            "months there are"
        )
    return found


def _month_watch(seen: set[tuple[int, int]]) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """The progress bar over a log's rows (:data:`docgen.records.queries.Record`
    tuples: row, queried_at, …), noting each query's month (one set add a row)."""

    def watch(records: Iterable[Any]) -> Iterator[Any]:
        for record in progress(records, label="queries"):
            stamp = record[1]
            seen.add((stamp.year, stamp.month))
            yield record

    return watch


def _missing_months(period: Period, seen: set[tuple[int, int]], partial: bool) -> list[str]:
    """The half's months without a query in the logs: an :class:`InputError` naming
    them unless ``partial`` (then they are returned, to warn and journal)."""
    if period.kind != "half":
        return []
    missing = [m.label for m in period.months() if (m.year, m.number) not in seen]
    if missing and not partial:
        raise InputError(
            f"the query logs have no query in {', '.join(missing)}: a half-year sample "
            f"covers every month of {period.label}; give every month's log, or pass "
            "--partial to sample the months there are"
        )
    return missing


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
) -> None:
    """Check every query's justification (R5.1) and draw the audit sample: per unit for a
    month (R6.2), over the whole office (全處) for a half-year (R6.3).

    Writes per unit 附件4, the supervisor's sheet (抽查表_*.xlsx), the anomaly list
    (異常清單_*.xlsx/.csv) and the sample itself (.docgen/samples/<period>/<unit>.json).
    The seed, the population hash and the algorithm are on the form and in the journal,
    so anyone can draw the same sample again.

    \b
    Example:
      docgen audit sample --month 2026-10 --queries data/queries/2026-10.xlsx
      docgen audit sample --half 2026-H2 --queries data/queries/2026-0[789].csv \\
          data/queries/2026-1[012].xlsx --pdf

    A half-year sample covers every month of the half: a month with no query (no
    log) is named and refused unless --partial is given.
    """
    period = _chosen_period(period_text, half_text)
    if partial and period.kind != "half":
        raise click.UsageError("--partial is for a half-year sample (--half)")
    ws = state.workspace
    sources = [*logs, *more_logs] or _default_logs(state, period, partial)
    seen: set[tuple[int, int]] = set()
    draw = draw_period(ws, period, sources, seed, progress=_month_watch(seen))
    refuse_redraw(ws, draw, sources)
    missing = _missing_months(period, seen, partial)
    if missing:
        click.echo(
            f"Warning: no queries in {', '.join(missing)}: the {period.label} sample is "
            "drawn from the other months only (--partial).",
            err=True,
        )
    target = out_dir or default_out_dir(ws, period.label)
    written: list[Path] = []
    for drawn in draw.samples:
        written += write_sample_files(ws, drawn, target, pdf)
        click.echo(_summary(drawn))
    for unit in draw.empty_units:
        click.echo(f"{unit}: no queries in {period.label}, nothing to sample.")
    if draw.outside_period:
        click.echo(f"{draw.outside_period} queries outside {period.label} were not sampled.")
    details: dict[str, object] = {
        "period": period.label,
        "units": {s.unit: _journal(s) for s in draw.samples},
    }
    if missing:
        details["missing_months"] = missing
    state.journal.append("audit sample", inputs=sources, outputs=written, details=details)
    click.echo(f"Files in {target}")


def _summary(drawn: Sample) -> str:
    anomalies = sum(1 for a in drawn.anomalies if a.anomaly)
    hints = len(drawn.anomalies) - anomalies
    return (
        f"{drawn.unit}: {drawn.population} queries, sample {drawn.sample_size} "
        f"(seed {drawn.seed}); {anomalies} without justification, {hints} hints."
    )


def _journal(drawn: Sample) -> dict[str, object]:
    return {
        "population": drawn.population,
        "population_sha256": drawn.population_sha256,
        "sample_size": drawn.sample_size,
        "rule": drawn.rule,
        "seed": drawn.seed,
        "seed_given": drawn.seed_given,
        "algorithm": drawn.algorithm,
        "algorithm_text": ALGORITHM_TEXT_EN,
        "anomalies": sum(1 for a in drawn.anomalies if a.anomaly),
        "hints": sum(1 for a in drawn.anomalies if not a.anomaly),
        "cases": [c.key for c in drawn.cases],
    }


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
    checked = read_back(ws, list(sheets))
    now = datetime.now().astimezone()
    written: list[Path] = []
    summary: dict[str, object] = {}
    for done in checked:
        target = out_dir or default_out_dir(ws, done.sample.period)
        stored, files = write_results(ws, done, target, pdf, now)
        written += files
        no = sum(1 for c in stored.cases if c.consistent == "否")
        summary[f"{stored.period}/{stored.unit}"] = {"cases": len(stored.cases), "否": no}
        click.echo(
            f"{stored.unit} {stored.period}: {len(stored.cases)} cases checked, {no} 否; "
            f"{stored.referred} referred to 政風 → {files[0]}"
        )
    state.journal.append("audit results", inputs=sheets, outputs=written, details=summary)


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
    day = as_of or min(date.today(), half.end)
    data = audit_record_data(ws, half, day)
    target = out_dir or default_out_dir(ws, half.label)
    record_id, files = fill_audit_record(ws, data, target, pdf)
    for item in data["checklist"]:
        click.echo(f"- {item['item']}: {item['note']}")
    click.echo(f"附件5 {record_id} → {files[0]}")
    details = {"half": half.label, "as_of": day.isoformat(), "record_id": record_id}
    state.journal.append("audit record", outputs=files, details=details)
