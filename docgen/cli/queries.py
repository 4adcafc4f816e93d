"""``docgen queries``: read, validate and summarise the platform's query logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from docgen.cli.common import CliState, format_option, output_option, pass_state, show_report
from docgen.config import Workspace
from docgen.db import open_database
from docgen.errors import InputError
from docgen.records import QueryLog
from docgen.records.stored import QUERIES_FOLDER, load_registry
from docgen.records.summary import UNKNOWN_UNIT, LogSummary, summarise
from docgen.report import Report
from docgen.services.queries import Intake, take_in_folder, take_in_log

_COLUMNS = {"kind": "類別", "key": "項目", "count": "筆數", "detail": "說明"}


@click.group("queries")
def queries() -> None:
    """The platform's query logs (CSV in UTF-8 or Big5, XLSX, YAML, JSON), read through
    the [columns] mapping of docgen.toml.

    \b
    Example:
      docgen queries take-in
      docgen queries check data/queries/2026-10.xlsx
    """


def _registry_units(workspace: Workspace) -> tuple[dict[str, str], str]:
    """Account → unit from the registry, for logs without a unit column, and a note."""
    try:
        registry = load_registry(workspace)
    except InputError:
        return {}, "no account registry; units only from the log"
    return {a.account_id: a.unit for a in registry.accounts}, "the office database's registry"


def _rows(summary: LogSummary) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"kind": "單位", "key": unit, "count": count}
        for unit, count in sorted(summary.by_unit.items())
    ]
    rows += [
        {"kind": "帳號", "key": account, "count": count, "detail": summary.unit_of_account[account]}
        for account, count in sorted(summary.by_account.items())
    ]
    rows += [
        {"kind": "問題", "key": f"row {p.row}, {p.column}", "detail": p.problem}
        for p in summary.problems
    ]
    more = summary.problem_count - len(summary.problems)
    if more > 0:
        rows.append({"kind": "問題", "key": "…", "count": more, "detail": f"{more} more"})
    return rows


def _period(summary: LogSummary) -> str:
    if summary.first is None or summary.last is None:
        return ""
    return f"{summary.first:%Y-%m-%d %H:%M} – {summary.last:%Y-%m-%d %H:%M}"


@queries.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Report invalid rows but carry on and summarise the valid ones (exit 0).",
)
@format_option()
@output_option()
@pass_state
def check(state: CliState, file: Path, skip_invalid: bool, fmt: str, output: Path | None) -> None:
    """Read and validate a query log, then summarise it: rows, valid and invalid rows
    (every problem with its row and column), the date range, queries per unit and per
    account, and how many record no justification at all (R5.1). A log with invalid
    rows exits with 3 and lists every problem, unless --skip-invalid. Stores nothing:
    `docgen queries take-in` takes a log into the office database.

    \b
    Example:
      docgen queries check data/queries/2026-09.csv
      docgen queries check export.xlsx --skip-invalid --format csv -o 檢查結果.csv
    """
    workspace = state.workspace
    units, source = _registry_units(workspace)
    log = QueryLog(file, workspace.config.columns, skip_invalid=skip_invalid)
    summary = summarise(log, units)
    figures = {
        "檔案": file,
        "資料列": summary.rows,
        "有效": summary.valid,
        "無效列": summary.invalid,
        "問題": summary.problem_count,
        "期間": _period(summary),
        "無查詢事由 (R5.1)": summary.without_justification,
        "未讀取欄位": "、".join(summary.ignored_columns) or "—",
        "檔案缺少欄位（留白）": "、".join(summary.absent_columns) or "—",
        "單位來源": source,
    }
    report = Report(f"查詢紀錄檢查 {file.name}", _COLUMNS, _rows(summary), figures)
    show_report(state, report, fmt, output, "queries check", inputs=[file])


def _intake_line(intake: Intake) -> str:
    if intake.already:
        return f"{intake.name}: already taken in (SHA-256 {intake.sha256[:12]}…), nothing changed"
    units = ", ".join(unit or UNKNOWN_UNIT for unit in intake.units) or "—"
    bad = f" ({intake.bad_rows} invalid row(s) left out)" if intake.bad_rows else ""
    return (
        f"{intake.name}: {intake.rows} rows{bad}; months {' '.join(intake.months) or '—'}; "
        f"units {units}; {intake.anomalies} without justification (R5.1)"
    )


@queries.command("take-in")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Take in the valid rows of a log with invalid rows (they are counted, not kept).",
)
@pass_state
def take_in(state: CliState, files: tuple[Path, ...], skip_invalid: bool) -> None:
    """Take query logs into the office database (default: every log in data/queries/):
    per month, unit and account how many queries, and every query without
    justification (R5.1) with the person's ID and name masked — what the missing
    report and the evidence check count (they open no log). Each file is journaled;
    the same file again changes nothing. A log with an invalid row is refused whole
    (exit 3), unless --skip-invalid.

    \b
    Example:
      docgen queries take-in
      docgen queries take-in export/2026-11.xlsx
    """
    workspace = state.workspace
    with open_database(workspace) as db:
        if files:
            done = [
                (path, take_in_log(workspace, db, path, skip_invalid=skip_invalid))
                for path in files
            ]
        else:
            done = take_in_folder(workspace, db, skip_invalid=skip_invalid)
    if not done:
        click.echo(f"No query log in {workspace.data_dir / QUERIES_FOLDER}.")
    for _, intake in done:
        click.echo(_intake_line(intake))
