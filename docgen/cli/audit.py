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
from docgen.calendar import Period, format_roc_short
from docgen.cli.common import (
    DATE,
    CliState,
    chosen_period,
    emit,
    format_option,
    output_option,
    pass_state,
    progress,
)
from docgen.cli.help import Group
from docgen.db import open_database
from docgen.fsutil import atomic_write_text
from docgen.i18n import N_, _, current_language, ngettext
from docgen.report import Report
from docgen.rules.sampling import half_year_sample_size, monthly_sample_size
from docgen.services.audit import (
    draw_sample,
    record_results,
    record_review,
    write_audit_record,
)

F = TypeVar("F", bound=Callable[..., Any])


@click.group(
    cls=Group,
    help=N_("Monthly and half-year audit sampling (附件4) and the audit record (附件5)."),
)
def audit() -> None:
    pass


@audit.command(
    "size",
    help=N_(
        "The sample size for a number of queries, and the rule that gives it: a unit's "
        "queries in a month (R6.2) or the whole office's in a half-year (R6.3).\n\n"
        "\b\nExample:\n"
        "  docgen audit size --month 2026-10 --count 250\n"
        "  docgen audit size --half 2026-H1 --count 1000 --format json"
    ),
)
@click.option("--month", "period_text", metavar="2026-10", help=N_("The month (R6.2, per unit)."))
@click.option("--half", "half_text", metavar="2026-H1", help=N_("The half-year (R6.3, 全處)."))
@click.option(
    "--count",
    type=click.IntRange(min=0),
    required=True,
    help=N_("The number of queries: a unit's in the month, or the office's in the half-year."),
)
@format_option()
@output_option()
@pass_state
def size(
    state: CliState,
    period_text: str | None,
    half_text: str | None,
    count: int,
    fmt: str,
    output: Path | None,
) -> None:
    period = _chosen_period(period_text, half_text)
    rounding = state.workspace.config.sampling.rounding
    sized = monthly_sample_size if period.kind == "month" else half_year_sample_size
    result = sized(count, rounding)
    row = {"period": period.label, "population": result.population}
    row |= {"sample_size": result.sample_size}
    if fmt == "json":
        text = json.dumps({**row, "rule": result.text}, ensure_ascii=False) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            atomic_write_text(output, text)
        return
    columns = {
        "period": N_("Period"),
        "population": N_("Queries"),
        "sample_size": N_("Sample size"),
        "rule": N_("Rule"),
    }
    # The rule in the language of the run (--format json above keeps both, for programs).
    rule = result.rule if current_language() == "zh_TW" else result.rule_en
    emit(Report(N_("Sample size"), columns, [{**row, "rule": rule}]), fmt, output)


def _out_option(help_text: str = "") -> Callable[[F], F]:
    """``-d/--out-dir DIR``: where a command writes (default ``out/audit/<period>/``);
    ``help_text`` a message ID (``N_``)."""
    return click.option(
        "-d",
        "--out-dir",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text
        or N_("Folder for the files (default out/audit/<period>/ in the workspace)."),
    )


def _period_option(kind: str) -> Callable[[F], F]:
    return click.option(
        f"--{kind}",
        "period_text" if kind == "month" else "half_text",
        metavar="2026-10" if kind == "month" else "2026-H1",
        help=N_("The month (R6.2, per unit).")
        if kind == "month"
        else N_("The half-year (R6.3, 全處)."),
    )


def _chosen_period(month: str | None, half: str | None) -> Period:
    period = chosen_period(month, half)
    assert period is not None
    return period


@audit.command(
    "sample",
    help=N_(
        "Check every query's justification (R5.1) and draw the audit sample: per unit for a "
        "month (R6.2), over the whole office (全處) for a half-year (R6.3).\n\n"
        "Writes per unit 附件4, the supervisor's sheet (抽查表_*.xlsx) and the anomaly list "
        "(異常清單_*.xlsx/.ods/.csv), and stores the draw in the office database; the logs are "
        "taken in too. The seed and the population hash are on the form and, with the "
        "algorithm, in the journal, so anyone can draw the same sample again.\n\n"
        "\b\nExample:\n"
        "  docgen audit sample --month 2026-10 --queries data/queries/2026-10.xlsx\n"
        "  docgen audit sample --half 2026-H2 --queries data/queries/2026-0[789].csv \\\n"
        "      data/queries/2026-1[012].xlsx --pdf\n"
        '  docgen audit sample --month 2026-10 --seed 115-10-b --reason "sheet lost"\n\n'
        "A half-year sample covers every month of the half: a month with no query (no log) "
        "is named and refused unless --partial is given. A period already drawn is drawn "
        "again only with --reason."
    ),
)
@_period_option("month")
@_period_option("half")
@click.option(
    "--queries",
    "logs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=N_(
        "Query log(s) of the period (CSV/XLSX); more may follow as arguments. "
        "Default: data/queries/<month>.* of each month."
    ),
)
@click.argument("more_logs", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seed", help=N_("Use this seed instead of the one derived from the population."))
@_out_option()
@click.option("--pdf", is_flag=True, help=N_("Also convert 附件4 to PDF (LibreOffice)."))
@click.option(
    "--partial",
    is_flag=True,
    help=N_(
        "--half: sample even if a month of the half has no query log (a warning names "
        "the months, and the journal records them)."
    ),
)
@click.option(
    "--reason",
    default="",
    metavar="TEXT",
    help=N_(
        "Why a period already drawn is drawn again: the new draw supersedes the earlier "
        "one (which stays on record) and its 附件4 says so."
    ),
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
    period = _chosen_period(period_text, half_text)
    if partial and period.kind != "half":
        raise click.UsageError(_("--partial is for a half-year sample (--half)"))
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
            progress=lambda records: progress(records, label=N_("queries")),
        )
    if done.missing_months:
        click.echo(
            _(
                "Warning: no queries in {months}: the {period} sample is drawn from the "
                "other months only (--partial)."
            ).format(months=_(", ").join(done.missing_months), period=period.label),
            err=True,
        )
    for drawn in done.draw.samples:
        click.echo(_summary(drawn))
    for unit in done.draw.empty_units:
        click.echo(
            _("{unit}: no queries in {period}, nothing to sample.").format(
                unit=unit, period=period.label
            )
        )
    if done.draw.outside_period:
        click.echo(
            ngettext(
                "{count} query outside {period} was not sampled.",
                "{count} queries outside {period} were not sampled.",
                done.draw.outside_period,
            ).format(count=done.draw.outside_period, period=period.label)
        )
    click.echo(_("Files in {folder}").format(folder=done.target))


def _summary(drawn: Sample) -> str:
    anomalies = sum(1 for a in drawn.anomalies if a.anomaly)
    hints = len(drawn.anomalies) - anomalies
    line = _(
        "{unit}: {population} queries, sample {size} (seed {seed}); {anomalies} without "
        "justification, {hints} hints."
    ).format(
        unit=drawn.unit,
        population=drawn.population,
        size=drawn.sample_size,
        seed=drawn.seed,
        anomalies=anomalies,
        hints=hints,
    )
    if drawn.replaces:
        line += " " + _("Draw {number}, superseding draw {earlier}.").format(
            number=drawn.number, earlier=drawn.replaces
        )
    return line


@audit.command(
    "results",
    help=N_(
        "Read the supervisors' filled sample sheets back (R6.2, R6.3), check them, and "
        "write the completed 附件4 and the referral list for 政風 (R6.5).\n\n"
        "Every case must be marked 是 or 否, a 否 needs a 備註, and the rows must be those "
        "of the drawn sample: a changed, added or removed row is an error naming the sheet "
        "and the row. Nothing is written unless every sheet is right.\n\n"
        "\b\nExample:\n"
        "  docgen audit results out/audit/2026-10/抽查表_2026-10_*.xlsx"
    ),
)
@click.argument(
    "sheets", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_out_option()
@click.option("--pdf", is_flag=True, help=N_("Also convert the completed 附件4 to PDF."))
@pass_state
def results(state: CliState, sheets: tuple[Path, ...], out_dir: Path | None, pdf: bool) -> None:
    ws = state.workspace
    with open_database(ws) as db:
        done = record_results(ws, db, sheets, out_dir=out_dir, pdf=pdf, actor=getpass.getuser())
    for outcome in done:
        stored = outcome.results
        no = sum(1 for c in stored.cases if c.consistent == "否")
        click.echo(
            _(
                "{unit} {period}: {cases} cases checked, {no} 否; {referred} referred to 政風 "
                "→ {file}"
            ).format(
                unit=stored.unit,
                period=stored.period,
                cases=len(stored.cases),
                no=no,
                referred=stored.referred,
                file=outcome.files[0],
            )
        )


@audit.command(
    "record",
    help=N_(
        "Fill 附件5 稽核紀錄表 for a half-year (R6.3) with what docgen knows: user roster, "
        "account reviews, dormant and long-suspended accounts, papers on file, monthly "
        "checks and sample results, anomalies referred. The 符合/不符合 results, the "
        "findings and the signatures are left to the auditors.\n\n"
        "\b\nExample:\n"
        "  docgen audit record --half 2026-H2 --as-of 2026-11-30"
    ),
)
@click.option("--half", "half_text", required=True, metavar="2026-H1", help=N_("The half-year."))
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help=N_("Date of the account facts (default the half's last day, or today if earlier)."),
)
@_out_option(N_("Folder for 附件5 (default out/audit/<half>/ in the workspace)."))
@click.option("--pdf", is_flag=True, help=N_("Also convert 附件5 to PDF."))
@pass_state
def record(
    state: CliState, half_text: str, as_of: date | None, out_dir: Path | None, pdf: bool
) -> None:
    half = _chosen_period(None, half_text)
    ws = state.workspace
    with open_database(ws) as db:
        done = write_audit_record(ws, db, half, as_of, out_dir=out_dir, pdf=pdf)
    for item in done.data["checklist"]:
        click.echo(f"- {item['item']}: {item['note']}")
    click.echo(f"附件5 {done.record_id} → {done.files[0]}")


@audit.command(
    "review",
    help=N_(
        "Record the director's review of a 附件4 or 附件5 (R6.2, R6.3): who and on which "
        "day. Its retention counts from that day; the missing report stops listing it as "
        "awaiting review.\n\n"
        "\b\nExample:\n"
        "  docgen audit review DG-4M-202610-1A2B3C4D --on 115/11/05"
    ),
)
@click.argument("record_id")
@click.option(
    "--on", "reviewed_on", type=DATE, required=True, help=N_("The day the director reviewed it.")
)
@click.option("--by", "reviewed_by", help=N_("Who reviewed it (default: [office] director)."))
@pass_state
def review(state: CliState, record_id: str, reviewed_on: date, reviewed_by: str | None) -> None:
    ws = state.workspace
    who = reviewed_by or ws.config.office.director
    with open_database(ws) as db:
        done = record_review(
            ws, db, record_id, reviewed_on, reviewed_by=who, actor=getpass.getuser()
        )
    line = _("{id}: reviewed by {who} on {date}").format(
        id=done.record_id, who=done.reviewed_by, date=format_roc_short(done.reviewed_on)
    )
    if not done.archived:
        line += " " + _("(not in the archive yet)")
    click.echo(line)
