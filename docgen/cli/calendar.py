"""``docgen calendar``: the year's obligations and deadlines, and working-day arithmetic."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import click

from docgen.calendar import WorkingCalendar, format_roc_short
from docgen.cli.common import DATE, CliState, emit, format_option, output_option, pass_state, say
from docgen.cli.help import Group
from docgen.config import CONFIG_NAME, WorkspaceNotFound
from docgen.correspondence.stored import Letter, letter_of, sent_letters
from docgen.fsutil import atomic_write_bytes
from docgen.i18n import N_, _, translate
from docgen.office_calendar import obligations_ical, working_calendar
from docgen.records.stored import account_review_dates
from docgen.report import Columns, Report
from docgen.rules.obligations import WHOLE_OFFICE, Obligation, obligations_due_in

#: Monday to Sunday, short (一 … 日 in Chinese).
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))

#: The columns a terminal shows (--wide, json, csv and xlsx: every one).
BRIEF = ("due", "last_working_day", "period", "rule", "unit", "title", "sent")

COLUMNS = Columns(
    {
        "due": N_("Due"),
        "due_date": N_("Date (Western)"),
        "last_working_day": N_("Last working day"),
        "period": N_("Period"),
        "rule": N_("Rule"),
        "unit": N_("Unit"),
        "title": N_("Duty"),
        "sent": N_("Sent"),
        "key": N_("Key"),
    },
    brief=BRIEF,
)


def _weekday(d: date) -> str:
    """The weekday of ``d`` in the current language: ``一``, ``Mon``."""
    return translate(WEEKDAYS[d.weekday()])


def _roc_weekday(d: date) -> str:
    """``115/08/31（一）``."""
    return _("{date} ({weekday})").format(date=format_roc_short(d), weekday=_weekday(d))


def _day(d: date) -> str:
    """``115/12/04（2026-12-04，星期五）``."""
    return _("{date} ({iso}, {weekday})").format(
        date=format_roc_short(d), iso=d.isoformat(), weekday=_weekday(d)
    )


def _sent(obligation: Obligation, letters: Mapping[str, Letter]) -> str:
    """The day and 文號 the document a duty needs went out under (ISSUE 14 item 4),
    late ones marked: ``115/08/20 北市市企字第1153000123號``."""
    shown = []
    for required in obligation.records:
        letter = letter_of(letters, obligation, required)
        if letter is None or letter.sent_on is None:
            continue
        text = f"{format_roc_short(letter.sent_on)} {letter.number}"
        shown.append(
            _("{sent} (late)").format(sent=text) if letter.sent_on > obligation.due else text
        )
    return _("; ").join(shown)


def _row(
    obligation: Obligation, working: WorkingCalendar, letters: Mapping[str, Letter]
) -> dict[str, object]:
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
        "sent": _sent(obligation, letters),
        "key": obligation.key,
    }


def obligations_report(
    year: int,
    obligations: list[Obligation],
    working: WorkingCalendar,
    units: list[str],
    reviews: list[date],
    letters: Mapping[str, Letter],
) -> Report:
    """The obligations due in ``year`` as a report, due dates in ROC form with the last
    working day on or before each (the office's calendar) and each duty's period."""
    summary: dict[str, object] = {
        N_("Year"): _("{year} (ROC year {roc_year})").format(year=year, roc_year=year - 1911),
        N_("Units"): _(", ").join(units)
        or _("not set (docgen.toml [[units]]), so no monthly spot checks"),
        N_("Note"): _(
            "Lists the duties due in this year (the previous year's December spot checks "
            "and second-half audit results included); one monthly spot check per unit and "
            "month, none for a month without queries; when a deadline falls on a day off, "
            "finish by the last working day before it"
        ),
        N_("Duties"): len(obligations),
        N_("Last account review"): format_roc_short(max(reviews))
        if reviews
        else _("none on record (docgen accounts review --record)"),
    }
    return Report(
        title=_("ROC year {roc_year}: household-registration data duties and deadlines").format(
            roc_year=year - 1911
        ),
        columns=COLUMNS,
        rows=[_row(o, working, letters) for o in obligations],
        summary=summary,
    )


@click.group(
    "calendar",
    cls=Group,
    invoke_without_command=True,
    help=N_(
        "List what falls due in the year, by due date, each duty's period beside it (R6.2 "
        "monthly checks per unit, R6.3 half-year audit, R6.4 reports to 民政局, R4.1a "
        "account reviews): December's check of the year before (due in January) and the "
        "second half's report (due 10 March) are listed under the year they are due in.\n\n"
        "Units come from docgen.toml; account reviews from the office database. With "
        "--ics, also writes the obligations as all-day calendar events with a reminder. "
        "See also `docgen calendar workdays` for working-day arithmetic.\n\n"
        "\b\nExample:\n"
        "  docgen calendar --year 2026\n"
        "  docgen calendar --year 2026 --ics out/calendar-2026.ics\n"
        "  docgen calendar --year 2026 --format xlsx -o 期限.xlsx"
    ),
)
@click.option(
    "--year",
    type=click.IntRange(1912, 9999),
    default=None,
    help=N_("The year whose due dates to list (default: this year)."),
)
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Also write them as an iCalendar file for Outlook or Google Calendar."),
)
@click.option(
    "--remind-days",
    type=click.IntRange(0, 90),
    default=7,
    show_default=True,
    help=N_("Days before each due date that the calendar reminds you."),
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
    if ctx.invoked_subcommand is not None:
        return
    year = year or date.today().year
    workspace = state.workspace
    reviews = account_review_dates(workspace)
    units = [unit.name for unit in workspace.config.units]
    obligations = obligations_due_in(year, units, reviews=reviews)
    working = working_calendar(workspace)
    report = obligations_report(year, obligations, working, units, reviews, sent_letters(workspace))
    if ics is not None:
        stamp = datetime.now().astimezone()
        data = obligations_ical(obligations, workspace.config.office.name, stamp, remind_days)
        ics.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(ics, data)
        say(_("Wrote {file} ({count} events)").format(file=ics, count=len(obligations)), err=True)
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
        say(
            _("No {config} here or above: Taiwan's government calendar.").format(
                config=CONFIG_NAME
            ),
            err=True,
        )
        return WorkingCalendar()


@calendar.command(
    "workdays",
    help=N_(
        "Working-day facts (Taiwan government calendar, or the office's 辦公日曆表 if "
        "configured): is DAY a working day, which day is N working days before or after it "
        "(R5.2: apply 10 working days before leaving), or how many lie between two dates.\n\n"
        "\b\nExample:\n"
        "  docgen calendar workdays 115/12/04 --before 10\n"
        "  docgen calendar workdays 2026-10-01 --until 2026-10-31"
    ),
)
@click.argument("day", type=DATE)
@click.option(
    "--before", type=click.IntRange(min=1), help=N_("The date N working days before DAY.")
)
@click.option("--after", type=click.IntRange(min=1), help=N_("The date N working days after DAY."))
@click.option("--until", type=DATE, help=N_("Count the working days after DAY up to this date."))
@pass_state
def workdays(
    state: CliState, day: date, before: int | None, after: int | None, until: date | None
) -> None:
    if sum(option is not None for option in (before, after, until)) > 1:
        raise click.UsageError(_("give at most one of --before, --after, --until"))
    working = _workdays_calendar(state)
    if before or after:
        n = -(before or 0) or (after or 0)
        target = working.add_working_days(day, n)
        message = (
            _("{count} working days before {day}: {target}")
            if n < 0
            else _("{count} working days after {day}: {target}")
        )
        click.echo(message.format(count=abs(n), day=_day(day), target=_day(target)))
    elif until is not None:
        count = working.working_days_between(day, until)
        click.echo(
            _("Working days after {day} up to {until}: {count}").format(
                day=_day(day), until=format_roc_short(until), count=count
            )
        )
    elif working.is_working_day(day):
        click.echo(_("{day} is a working day.").format(day=_day(day)))
    else:
        click.echo(_("{day} is not a working day.").format(day=_day(day)))
