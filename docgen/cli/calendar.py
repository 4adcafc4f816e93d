"""``docgen calendar``: the year's obligations and deadlines, and working-day arithmetic."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from docgen.calendar import WorkingCalendar, format_roc_short
from docgen.cli.common import DATE, CliState, emit, format_option, output_option, pass_state, say
from docgen.config import CONFIG_NAME, WorkspaceNotFound
from docgen.fsutil import atomic_write_bytes
from docgen.office_calendar import obligations_ical, working_calendar
from docgen.records.stored import account_review_dates
from docgen.report import Report
from docgen.rules.obligations import WHOLE_OFFICE, Obligation, obligations_due_in

WEEKDAYS = "一二三四五六日"

COLUMNS = {
    "due": "期限",
    "due_date": "西元日期",
    "last_working_day": "最後上班日",
    "period": "期間",
    "rule": "規定",
    "unit": "單位",
    "title": "事項",
    "key": "代碼",
}

#: The columns a terminal shows (--wide, json, csv and xlsx: every one).
BRIEF = ("due", "last_working_day", "period", "rule", "unit", "title")


def _roc_weekday(d: date) -> str:
    """``115/08/31（一）``."""
    return f"{format_roc_short(d)}（{WEEKDAYS[d.weekday()]}）"


def _row(obligation: Obligation, working: WorkingCalendar) -> dict[str, object]:
    last = obligation.due
    if not working.is_working_day(last):
        last = working.add_working_days(last, -1)
    return {
        "due": _roc_weekday(obligation.due),
        "due_date": obligation.due,
        "last_working_day": _roc_weekday(last),
        "period": obligation.period.roc_label if obligation.period else "",
        "rule": obligation.rule,
        "unit": obligation.unit or WHOLE_OFFICE,
        "title": obligation.title,
        "key": obligation.key,
    }


def obligations_report(
    year: int,
    obligations: list[Obligation],
    working: WorkingCalendar,
    units: list[str],
    reviews: list[date],
) -> Report:
    """The obligations due in ``year`` as a report, due dates in ROC form with the last
    working day on or before each (the office's calendar) and each duty's period."""
    summary: dict[str, object] = {
        "年度": f"{year}（民國{year - 1911}年）",
        "單位": "、".join(units) or "未設定（docgen.toml [[units]]），故無月抽查",
        "說明": "列出期限在本年度之事項（含上年度12月月抽查及下半年稽核結果）；"
        "月抽查每單位每月一份，當月無查詢者免抽查；期限遇假日請於最後上班日前完成",
        "事項數": len(obligations),
        "最近一次帳號清查": format_roc_short(max(reviews))
        if reviews
        else "無紀錄（docgen accounts review --record）",
    }
    return Report(
        title=f"{year - 1911}年度 戶役政資料作業應辦事項與期限",
        columns=COLUMNS,
        rows=[_row(o, working) for o in obligations],
        summary=summary,
        brief=BRIEF,
    )


@click.group("calendar", invoke_without_command=True)
@click.option(
    "--year",
    type=click.IntRange(1912, 9999),
    default=None,
    help="The year whose due dates to list (default: this year).",
)
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write them as an iCalendar file for Outlook or Google Calendar.",
)
@click.option(
    "--remind-days",
    type=click.IntRange(0, 90),
    default=7,
    show_default=True,
    help="Days before each due date that the calendar reminds you.",
)
@format_option()
@output_option()
@click.pass_context
@pass_state
def calendar(
    state: CliState,
    ctx: click.Context,
    year: int | None,
    ics: Path | None,
    remind_days: int,
    fmt: str,
    output: Path | None,
) -> None:
    """List what falls due in the year, by due date, each duty's period beside it (R6.2
    monthly checks per unit, R6.3 half-year audit, R6.4 reports to 民政局, R4.1a account
    reviews): December's check of the year before (due in January) and the second
    half's report (due 10 March) are listed under the year they are due in.

    Units come from docgen.toml; account reviews from the office database. With --ics, also
    writes the obligations as all-day calendar events with a reminder. See also
    `docgen calendar workdays` for working-day arithmetic.

    \b
    Example:
      docgen calendar --year 2026
      docgen calendar --year 2026 --ics out/calendar-2026.ics
      docgen calendar --year 2026 --format xlsx -o 期限.xlsx
    """
    if ctx.invoked_subcommand is not None:
        return
    year = year or date.today().year
    workspace = state.workspace
    reviews = account_review_dates(workspace)
    units = [unit.name for unit in workspace.config.units]
    obligations = obligations_due_in(year, units, reviews=reviews)
    working = working_calendar(workspace)
    report = obligations_report(year, obligations, working, units, reviews)
    if ics is not None:
        stamp = datetime.now().astimezone()
        data = obligations_ical(obligations, workspace.config.office.name, stamp, remind_days)
        ics.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(ics, data)
        say(f"Wrote {ics} ({len(obligations)} events)", err=True)
    emit(report, fmt, output)
    written = [path for path in (ics, output) if path is not None]
    if written:
        details = {"year": year, "obligations": len(obligations)}
        state.journal.append("calendar", outputs=written, details=details)


def _workdays_calendar(state: CliState) -> WorkingCalendar:
    """The workspace's working calendar; outside any workspace (none named, none found
    upwards), Taiwan's, said on standard error: working days need no office."""
    try:
        return working_calendar(state.workspace)
    except WorkspaceNotFound as error:
        if not error.searched:
            raise
        say(f"No {CONFIG_NAME} here or above: Taiwan's government calendar.", err=True)
        return WorkingCalendar()


@calendar.command("workdays")
@click.argument("day", type=DATE)
@click.option("--before", type=click.IntRange(min=1), help="The date N working days before DAY.")
@click.option("--after", type=click.IntRange(min=1), help="The date N working days after DAY.")
@click.option("--until", type=DATE, help="Count the working days after DAY up to this date.")
@pass_state
def workdays(
    state: CliState, day: date, before: int | None, after: int | None, until: date | None
) -> None:
    """Working-day facts (Taiwan government calendar, or the office's 辦公日曆表 if
    configured): is DAY a working day, which day is N working days before or after it
    (R5.2: apply 10 working days before leaving), or how many lie between two dates.

    \b
    Example:
      docgen calendar workdays 115/12/04 --before 10
      docgen calendar workdays 2026-10-01 --until 2026-10-31
    """
    if sum(option is not None for option in (before, after, until)) > 1:
        raise click.UsageError("give at most one of --before, --after, --until")
    working = _workdays_calendar(state)
    shown = f"{format_roc_short(day)} ({day.isoformat()}, 星期{WEEKDAYS[day.weekday()]})"
    if before or after:
        n = -(before or 0) or (after or 0)
        target = working.add_working_days(day, n)
        side = "before" if n < 0 else "after"
        click.echo(
            f"{abs(n)} working days {side} {shown}: "
            f"{format_roc_short(target)} ({target.isoformat()}, 星期{WEEKDAYS[target.weekday()]})"
        )
    elif until is not None:
        count = working.working_days_between(day, until)
        click.echo(f"Working days after {shown} up to {format_roc_short(until)}: {count}")
    else:
        verdict = "a working day" if working.is_working_day(day) else "not a working day"
        click.echo(f"{shown} is {verdict}.")
