"""``docgen queries``: read, validate and summarise the platform's query logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from docgen.calendar import shown_date
from docgen.cli.common import CliState, format_option, output_option, pass_state, show_report
from docgen.cli.help import Group
from docgen.config import Workspace
from docgen.db import open_database
from docgen.errors import InputError
from docgen.i18n import N_, _, translate
from docgen.records import QueryLog
from docgen.records.stored import QUERIES_FOLDER, load_registry
from docgen.records.summary import UNKNOWN_UNIT, LogSummary, summarise
from docgen.report import Report
from docgen.services.queries import Intake, take_in_folder, take_in_log

_COLUMNS = {"kind": N_("Category"), "key": N_("Item"), "count": N_("Count"), "detail": N_("Detail")}


@click.group(
    "queries",
    cls=Group,
    help=N_(
        "The platform's query logs (CSV in UTF-8 or Big5, XLSX, YAML, JSON), read through "
        "the [columns] mapping of docgen.toml.\n\n"
        "\b\nExample:\n"
        "  docgen queries take-in\n"
        "  docgen queries check data/queries/2026-10.xlsx"
    ),
)
def queries() -> None:
    pass


def _registry_units(workspace: Workspace) -> tuple[dict[str, str], str]:
    """Account → unit from the registry, for logs without a unit column, and a note."""
    try:
        registry = load_registry(workspace)
    except InputError:
        return {}, _("no account registry; units only from the log")
    return {a.account_id: a.unit for a in registry.accounts}, _("the office database's registry")


def _rows(summary: LogSummary) -> list[dict[str, Any]]:
    unit_kind, account_kind, problem_kind = _("Unit"), _("Account"), _("Problem")
    rows: list[dict[str, Any]] = [
        {"kind": unit_kind, "key": unit, "count": count}
        for unit, count in sorted(summary.by_unit.items())
    ]
    rows += [
        {
            "kind": account_kind,
            "key": account,
            "count": count,
            "detail": summary.unit_of_account[account],
        }
        for account, count in sorted(summary.by_account.items())
    ]
    where = _("row {row}, {column}")
    rows += [
        {"kind": problem_kind, "key": where.format(row=p.row, column=p.column), "detail": p.problem}
        for p in summary.problems
    ]
    more = summary.problem_count - len(summary.problems)
    if more > 0:
        detail = _("{count} more").format(count=more)
        rows.append({"kind": problem_kind, "key": "…", "count": more, "detail": detail})
    return rows


def _period(summary: LogSummary) -> str:
    if summary.first is None or summary.last is None:
        return ""
    return f"{shown_date(summary.first)} – {shown_date(summary.last)}"


@queries.command(
    "check",
    help=N_(
        "Read and validate a query log, then summarise it: rows, valid and invalid rows "
        "(every problem with its row and column), the date range, queries per unit and per "
        "account, and how many record no justification at all (R5.1). A log with invalid "
        "rows exits with 3 and lists every problem, unless --skip-invalid. Stores nothing: "
        "`docgen queries take-in` takes a log into the office database.\n\n"
        "\b\nExample:\n"
        "  docgen queries check data/queries/2026-09.csv\n"
        "  docgen queries check export.xlsx --skip-invalid --format csv -o 檢查結果.csv"
    ),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help=N_("Report invalid rows but carry on and summarise the valid ones (exit 0)."),
)
@format_option()
@output_option()
@pass_state
def check(state: CliState, file: Path, skip_invalid: bool, fmt: str, output: Path | None) -> None:
    workspace = state.workspace
    units, source = _registry_units(workspace)
    log = QueryLog(file, workspace.config.columns, skip_invalid=skip_invalid)
    summary = summarise(log, units)
    figures = {
        N_("File"): file,
        N_("Data rows"): summary.rows,
        N_("Valid"): summary.valid,
        N_("Invalid rows"): summary.invalid,
        N_("Problems"): summary.problem_count,
        N_("Period"): _period(summary),
        N_("Without justification (R5.1)"): summary.without_justification,
        N_("Columns not read"): "、".join(summary.ignored_columns) or "—",
        N_("Columns the file lacks (left blank)"): "、".join(summary.absent_columns) or "—",
        N_("Units from"): source,
    }
    title = _("Query log check {file}").format(file=file.name)
    report = Report(title, _COLUMNS, _rows(summary), figures)
    show_report(state, report, fmt, output, "queries check", inputs=[file])


def _intake_line(intake: Intake) -> str:
    if intake.already:
        return _("{file}: already taken in (SHA-256 {hash}…), nothing changed").format(
            file=intake.name, hash=intake.sha256[:12]
        )
    unknown = translate(UNKNOWN_UNIT)
    units = _(", ").join(unit or unknown for unit in intake.units) or "—"
    bad = (
        " " + _("({count} invalid row(s) left out)").format(count=intake.bad_rows)
        if intake.bad_rows
        else ""
    )
    return _(
        "{file}: {rows} rows{bad}; months {months}; units {units}; {anomalies} without "
        "justification (R5.1)"
    ).format(
        file=intake.name,
        rows=intake.rows,
        bad=bad,
        months=" ".join(intake.months) or "—",
        units=units,
        anomalies=intake.anomalies,
    )


@queries.command(
    "take-in",
    help=N_(
        "Take query logs into the office database (default: every log in data/queries/): "
        "per month, unit and account how many queries, and every query without "
        "justification (R5.1) with the person's ID and name masked — what the missing "
        "report and the evidence check count (they open no log). Each file is journaled; "
        "the same file again changes nothing. A log with an invalid row is refused whole "
        "(exit 3), unless --skip-invalid.\n\n"
        "\b\nExample:\n"
        "  docgen queries take-in\n"
        "  docgen queries take-in export/2026-11.xlsx"
    ),
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help=N_("Take in the valid rows of a log with invalid rows (they are counted, not kept)."),
)
@pass_state
def take_in(state: CliState, files: tuple[Path, ...], skip_invalid: bool) -> None:
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
        click.echo(
            _("No query log in {folder}.").format(folder=workspace.data_dir / QUERIES_FOLDER)
        )
    for _path, intake in done:
        click.echo(_intake_line(intake))
