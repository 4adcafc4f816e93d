"""``docgen queries``: read, validate and summarise the platform's query logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from docgen.cli.common import CliState, emit, format_option, output_option, pass_state
from docgen.config import Workspace
from docgen.errors import InputError, ValidationFailed
from docgen.records import QueryLog, read_accounts
from docgen.records.accounts import find_registry
from docgen.records.summary import LogSummary, summarise
from docgen.report import Report

_COLUMNS = {"kind": "類別", "key": "項目", "count": "筆數", "detail": "說明"}


@click.group("queries")
def queries() -> None:
    """The platform's query logs (CSV in UTF-8 or Big5, XLSX, YAML, JSON), read through
    the [columns] mapping of docgen.toml.

    \b
    Example:
      docgen queries check data/queries/2026-10.xlsx
    """


def _registry_units(workspace: Workspace) -> tuple[dict[str, str], str]:
    """Account → unit from the registry, for logs without a unit column, and a note."""
    try:
        path = find_registry(workspace)
        return {a.account_id: a.unit for a in read_accounts(path)}, str(path)
    except ValidationFailed:
        return {}, "account registry has errors (run `docgen accounts list`); units unknown"
    except InputError:
        return {}, "no account registry; units only from the log"


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
    rows exits with 3 and lists every problem, unless --skip-invalid.

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
        "單位來源": source,
    }
    emit(Report(f"查詢紀錄檢查 {file.name}", _COLUMNS, _rows(summary), figures), fmt, output)
    if output is not None:
        state.journal.append("queries check", inputs=[file], outputs=[output])
