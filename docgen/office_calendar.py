"""The office's calendars: its working days, and its obligations as an iCalendar file.

Working days are Taiwan's, overridden by the official 政府行政機關辦公日曆表 when the
workspace supplies one (RULES.md Decisions; R5.2).

Configure it in ``docgen.toml``::

    [paths]
    office_calendar = "data/calendar"     # one yearly CSV, or a folder of them (*.csv)

The CSVs are those 行政院人事行政總處 publishes on data.gov.tw (header
``西元日期,星期,是否放假,備註``; Big5 or UTF-8); see
:func:`docgen.calendar.parse_office_calendar`.

:func:`obligations_ical` writes the year's duties (:mod:`docgen.rules.obligations`) as
RFC 5545 all-day events that Outlook and Google Calendar import; each event's UID is
derived from the office and the obligation's key, so importing again updates rather
than duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from docgen.calendar import WorkingCalendar, format_roc, parse_office_calendar
from docgen.config import Workspace
from docgen.errors import ConfigError, InputError
from docgen.i18n import _
from docgen.rules.obligations import Obligation, kind_title

PRODID = "-//docgen//obligations//ZH-TW"


def calendar_files(path: Path) -> list[Path]:
    """The CSV files at ``path``: the file itself, or a folder's ``*.csv`` by name."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise InputError(
                _("{folder}: no office calendar CSV files in this folder").format(folder=path)
            )
        return files
    if not path.is_file():
        raise ConfigError(_("paths.office_calendar: {path} does not exist").format(path=path))
    return [path]


def read_office_calendar(path: Path) -> dict[date, bool]:
    """Every day the CSVs at ``path`` list, True for a working day. A day listed in two
    files with different answers is an :class:`InputError` naming both."""
    days: dict[date, bool] = {}
    origin: dict[date, Path] = {}
    for file in calendar_files(path):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise InputError(
                _("{file}: cannot read the office calendar: {error}").format(file=file, error=error)
            ) from error
        for day, working in parse_office_calendar(data, str(file)).items():
            if days.get(day, working) != working:
                raise InputError(
                    _("{file}: {day} contradicts {other}").format(
                        file=file, day=day, other=origin[day]
                    )
                )
            days[day], origin[day] = working, file
    return days


def working_calendar(workspace: Workspace) -> WorkingCalendar:
    """The workspace's working calendar: Taiwan's public holidays and make-up working
    days, overridden by the office calendar of ``[paths] office_calendar`` if set."""
    path = workspace.office_calendar_path
    return WorkingCalendar(None if path is None else read_office_calendar(path))


def obligation_uid(office: str, obligation: Obligation) -> str:
    """A stable iCalendar UID for ``obligation`` of ``office``."""
    digest = hashlib.sha256(f"{office}\x1f{obligation.key}".encode()).hexdigest()[:32]
    return f"{digest}@docgen"


def _event(office: str, obligation: Obligation, stamp: datetime, remind_days: int) -> Event:
    event = Event()
    event.add("uid", obligation_uid(office, obligation))
    event.add("dtstamp", stamp)
    event.add("dtstart", obligation.due)
    event.add("dtend", obligation.due + timedelta(days=1))
    event.add("summary", f"【{obligation.rule}】{obligation.title}")
    needed = "、".join(record.label for record in obligation.records)
    event.add(
        "description",
        _("Due: {date}\nRule: {rule}\nRecords needed: {records}\nKey: {key}").format(
            date=format_roc(obligation.due),
            rule=obligation.rule,
            records=needed,
            key=obligation.key,
        ),
    )
    event.add("categories", [office, kind_title(obligation.kind)])
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add(
        "description",
        _("Due in {days} days: {title}").format(days=remind_days, title=obligation.title),
    )
    alarm.add("trigger", timedelta(days=-remind_days))
    event.add_component(alarm)
    return event


def obligations_ical(
    obligations: Iterable[Obligation], office: str, stamp: datetime, remind_days: int = 7
) -> bytes:
    """The obligations as an iCalendar file: one all-day event on each due date with a
    reminder ``remind_days`` before; ``stamp`` (timezone-aware) is the DTSTAMP."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add(
        "x-wr-calname", _("{office} household-registration audit deadlines").format(office=office)
    )
    for obligation in obligations:
        calendar.add_component(_event(office, obligation, stamp, remind_days))
    return bytes(calendar.to_ical())
