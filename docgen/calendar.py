"""ROC dates, Taiwan working days, Civil Code periods and audit periods (pure).

* **Dates** are read in every form an office uses — ``2026-10-01``, ``2026/10/01``,
  ``20261001``, ``115/10/01``, ``115.10.01``, ``1151001``, ``115年10月1日``,
  ``中華民國115年10月1日`` (full-width digits and spaces tolerated) — and written back
  as ROC text (:func:`format_roc`, :func:`format_roc_short`).
* **Working days** (R5.2, RULES.md Decisions) come from the ``holidays`` package's
  Taiwan calendar — holidays, observed days (補假) and make-up working Saturdays
  (補行上班, e.g. 2025-02-08) — overridden day by day by the official
  政府行政機關辦公日曆表 (:func:`parse_office_calendar`). ``holidays`` **0.89** or
  later is required (:data:`HOLIDAYS_MINIMUM`): earlier releases lack the days off
  that the 紀念日及節日實施條例 (promulgated 民國114年5月28日) added for 2025, 9/29 (孔子誕辰
  紀念日, observed) and 10/24 (臺灣光復暨金門古寧頭大捷紀念日, observed).
* **No make-up Saturdays from 2026.** That 2025 act dropped the rule that moved a
  working day to make a long weekend and had it worked back on a Saturday (調整放假
  並補行上班); a holiday on a weekend is only observed (Saturday → the Friday before,
  Sunday → the Monday after). 2025-02-08 was the last make-up Saturday; the 115年
  (2026) calendar has none. docgen keeps no table of its own: past years'
  make-up Saturdays come from ``holidays``, and an office calendar CSV still wins.
* **Civil Code periods** (民法 Art. 120–121) for retention (R4.2, R6.2–R6.4) and the
  account review (R4.1b/c): :func:`civil_code_period_end`.
* **Audit periods** (R6.2 months, R6.3 half-years): :class:`Period`, :func:`parse_period`.

No I/O and no clock: callers pass bytes and dates in.
"""

from __future__ import annotations

import calendar as _stdcal
import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

from docgen.errors import InputError
from docgen.i18n import _, current_language

ROC_OFFSET = 1911
#: The oldest ``holidays`` release with Taiwan's 2025 observed days off (9/29, 10/24);
#: pyproject.toml requires it.
HOLIDAYS_MINIMUM = "0.89"

# ---------------------------------------------------------------- dates

_ROC_PREFIX = re.compile(r"^(中華民國|民國)")
_DATE_FORMS = (
    # (pattern, is_roc)
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"), False),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), False),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), False),
    (re.compile(r"(\d{1,3})[/.\-](\d{1,2})[/.\-](\d{1,2})"), True),
    (re.compile(r"(\d{1,3})年(\d{1,2})月(\d{1,2})日"), True),
    (re.compile(r"(\d{3})(\d{2})(\d{2})"), True),
)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
#: A midnight time after a date, as spreadsheets write dates (``2026/10/1 0:00``).
_MIDNIGHT = re.compile(r"(?:T|\s)+0?0:00(?::00)?$")


def _normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC); all spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _match_date(text: str) -> date | None:
    """The date ``text`` (already normalised) spells, or None if it is no date form.
    Raises ``ValueError`` for a well-formed but impossible date."""
    roc_marked = bool(_ROC_PREFIX.match(text))
    body = _ROC_PREFIX.sub("", text)
    for pattern, is_roc in _DATE_FORMS:
        found = pattern.fullmatch(body)
        if found is None or (roc_marked and not is_roc):
            continue
        year, month, day = (int(part) for part in found.groups())
        if is_roc:
            if year < 1:
                raise ValueError(_("ROC year must be 1 or later"))
            year += ROC_OFFSET
        return date(year, month, day)
    return None


def parse_date(text: str) -> date:
    """A date written as ISO or ROC: ``2026-10-01``, ``115/10/01``, ``115.10.01``,
    ``115年10月1日``, ``中華民國115年10月1日`` (also ``2026/10/01``, ``20261001``,
    ``1151001``). A year of 1–3 digits is an ROC year, of 4 digits a Western one. A
    trailing midnight time (``2026/10/1 0:00``, as Excel writes dates) is ignored.

    >>> parse_date("中華民國115年10月1日")
    datetime.date(2026, 10, 1)

    An unreadable or impossible date (``115/02/30``) is an :class:`InputError`
    quoting the input."""
    try:
        parsed = _match_date(
            _normalise(_MIDNIGHT.sub("", unicodedata.normalize("NFKC", text).strip()))
        )
    except ValueError as error:
        raise InputError(
            _("impossible date {text!r}: {error}").format(text=text, error=error)
        ) from error
    if parsed is None:
        raise InputError(
            _("not a date: {text!r} (write 2026-10-01, 115/10/01 or 115年10月1日)").format(
                text=text
            )
        )
    return parsed


def parse_datetime(text: str) -> datetime:
    """A date (any form :func:`parse_date` reads) followed by a time ``HH:MM[:SS]``,
    e.g. ``2026-10-01T09:30``, ``2026-10-01 09:30:15``, ``115/10/01 09:30``.
    A date alone means midnight. Errors quote the input."""
    normalised = unicodedata.normalize("NFKC", text).strip()
    found = re.search(r"[T\s]+" + _TIME.pattern + r"$", normalised)
    date_part = normalised[: found.start()] if found else normalised
    try:
        day = parse_date(date_part)
    except InputError as error:
        raise InputError(
            _("not a date and time: {text!r} ({error})").format(text=text, error=error)
        ) from error
    if found is None:
        return datetime.combine(day, time())
    hour, minute, second = (int(part) if part else 0 for part in found.groups())
    try:
        return datetime.combine(day, time(hour, minute, second))
    except ValueError as error:
        raise InputError(
            _("impossible time in {text!r}: {error}").format(text=text, error=error)
        ) from error


def roc_year(d: date) -> int:
    """The ROC (民國) year of ``d``: 2026 → 115."""
    return d.year - ROC_OFFSET


def shown_date(d: date) -> str:
    """A date as a message shows it (ISSUE 11 item 1): ROC ``115/10/01`` in Chinese,
    ISO ``2026-10-01`` in English; a ``datetime`` with its time to the minute."""
    if current_language() != "zh_TW":
        return (
            d.isoformat(sep=" ", timespec="minutes") if isinstance(d, datetime) else d.isoformat()
        )
    text = f"{roc_year(d)}/{d.month:02d}/{d.day:02d}"
    return f"{text} {d:%H:%M}" if isinstance(d, datetime) else text


def format_roc(d: date) -> str:
    """``中華民國115年10月1日``: the form for documents."""
    return f"中華民國{roc_year(d)}年{d.month}月{d.day}日"


def format_roc_short(d: date) -> str:
    """``115/10/01``: the form for tables."""
    return f"{roc_year(d)}/{d.month:02d}/{d.day:02d}"


# ---------------------------------------------------------------- working days


@lru_cache(maxsize=256)
def _holiday_flags(year: int) -> bytes:
    """One byte per day of ``year`` (1 = working day) from the Taiwan calendar of the
    ``holidays`` package (≥ :data:`HOLIDAYS_MINIMUM`): weekends and holidays (with 補假)
    off, make-up Saturdays on — up to 2025; from 2026 there are none (紀念日及節日實施
    條例, 2025)."""
    taiwan = holidays.country_holidays("TW", years=year)
    first = date(year, 1, 1)
    days = 366 if _stdcal.isleap(year) else 365
    return bytes(taiwan.is_working_day(first + timedelta(n)) for n in range(days))


class WorkingCalendar:
    """Taiwan government working days (R5.2; RULES.md Decisions).

    ``overrides`` maps a date to True (working day) or False (day off) and wins over
    the ``holidays`` package — pass the office's 辦公日曆表 from
    :func:`parse_office_calendar`. Lookups are cached per year, so a million
    :meth:`is_working_day` calls are cheap.

    Make-up Saturdays (補行上班) end with 2025: the 紀念日及節日實施條例 of 2025 no
    longer lets a working day be moved, so from 2026 every Saturday is a day off
    unless the office calendar says otherwise.

    >>> cal = WorkingCalendar()
    >>> cal.is_working_day(date(2025, 2, 8))   # 補行上班 (make-up Saturday)
    True
    >>> cal.is_working_day(date(2025, 9, 29))  # 孔子誕辰紀念日 (9/28, a Sunday), observed
    False
    >>> cal.add_working_days(date(2026, 10, 12), -10)
    datetime.date(2026, 9, 23)
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._years: dict[int, tuple[int, bytes]] = {}

    def _year(self, year: int) -> tuple[int, bytes]:
        first = date(year, 1, 1).toordinal()
        flags = bytearray(_holiday_flags(year))
        for day, working in self._overrides.items():
            if day.year == year:
                flags[day.toordinal() - first] = working
        self._years[year] = (first, bytes(flags))
        return self._years[year]

    def is_working_day(self, d: date) -> bool:
        """Whether government offices work on ``d`` (a datetime counts as its date)."""
        first, flags = self._years.get(d.year) or self._year(d.year)
        return flags[d.toordinal() - first] == 1

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``n`` < 0: before it; 0: ``d`` itself).
        ``d`` need not be a working day: 10 working days before 2026-10-12 is 2026-09-23."""
        current = date(d.year, d.month, d.day)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            current += step
            remaining -= self.is_working_day(current)
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days ``b`` lies after ``a``: the working days in (a, b];
        when ``b`` is earlier, minus those in [b, a). So for a working day ``b``,
        ``add_working_days(a, working_days_between(a, b)) == b``."""
        if b < a:
            return -self.working_days_between(b - timedelta(days=1), a - timedelta(days=1))
        start, end = date(a.year, a.month, a.day), date(b.year, b.month, b.day)
        days = (end - start).days
        return sum(self.is_working_day(start + timedelta(n)) for n in range(1, days + 1))


_CAL_DATE, _CAL_OFF = "西元日期", "是否放假"
#: The header of the official CSV (read, never translated).
_CAL_HEADER = "西元日期,星期,是否放假,備註"
_CAL_VALUES = {"0": True, "2": False}


def _decode(data: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(_("{file}: not a UTF-8 or Big5 (CP950) text file").format(file=source))


def _calendar_row(row: Mapping[str, str | None], source: str, number: int) -> tuple[date, bool]:
    raw_date = (row.get(_CAL_DATE) or "").strip()
    raw_off = (row.get(_CAL_OFF) or "").strip()
    if not re.fullmatch(r"\d{8}", raw_date):
        raise InputError(
            _("{file}, row {row}, field {field}: {value!r} is not a date YYYYMMDD").format(
                file=source, row=number, field=_CAL_DATE, value=raw_date
            )
        )
    try:
        day = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:]))
    except ValueError as error:
        raise InputError(
            _("{file}, row {row}, field {field}: impossible date {value!r}").format(
                file=source, row=number, field=_CAL_DATE, value=raw_date
            )
        ) from error
    if raw_off not in _CAL_VALUES:
        raise InputError(
            _("{file}, row {row}, field {field}: {value!r} is not 0 (work) or 2 (off)").format(
                file=source, row=number, field=_CAL_OFF, value=raw_off
            )
        )
    return day, _CAL_VALUES[raw_off]


def parse_office_calendar(data: bytes, source: str) -> dict[date, bool]:
    """The official 政府行政機關辦公日曆表 CSV (行政院人事行政總處, data.gov.tw) as
    ``{date: True if a working day}``. Header ``西元日期,星期,是否放假,備註``; dates
    ``YYYYMMDD``; 是否放假 ``0`` = working day, ``2`` = day off; UTF-8 (with or without
    BOM) or Big5/CP950. A bad row is an :class:`InputError` naming ``source``, the
    row (the header is row 1) and the field."""
    reader = csv.DictReader(io.StringIO(_decode(data, source)))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in (_CAL_DATE, _CAL_OFF) if name not in header]
    if missing:
        raise InputError(
            _(
                "{file}, row 1: missing column {columns} (expected the header {header} of "
                "data.gov.tw's file, not its Google Calendar version)"
            ).format(file=source, columns=", ".join(missing), header=_CAL_HEADER)
        )
    reader.fieldnames = header
    result: dict[date, bool] = {}
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        number = reader.line_num
        day, working = _calendar_row(row, source, number)
        if day in result:
            raise InputError(
                _("{file}, row {row}, field {field}: {day} listed twice").format(
                    file=source, row=number, field=_CAL_DATE, day=day
                )
            )
        result[day] = working
    return result


# ---------------------------------------------------------------- Civil Code periods


def _shift_months(d: date, months: int) -> date | None:
    """The day corresponding to ``d`` ``months`` later, or None if that month lacks it."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    if d.day > _stdcal.monthrange(year, month + 1)[1]:
        return None
    return date(year, month + 1, d.day)


def _last_of_month(year: int, month: int) -> date:
    return date(year, month, _stdcal.monthrange(year, month)[1])


def civil_code_period_end(trigger: date, years: int = 0, months: int = 0) -> date:
    """The last day of a period of ``years`` and ``months`` that runs from ``trigger``,
    reckoned as the ROC Civil Code does (民法 Art. 120–121; RULES.md Decisions).
    A record is a disposal candidate from the day after.

    * Art. 120 II: the day of the event is not counted, so the period starts on the
      day after the trigger.
    * Art. 121 II: a period that does not start on the first day of a month or year
      ends on the day *before* the day of the last month or year that corresponds to
      its starting day (equivalently: on the day corresponding to the trigger day);
      Art. 121 I: one starting on the 1st ends at the end of the last month or year —
      the same formula gives that.
    * Art. 121 II proviso: if the last month has no corresponding day, the period
      ends on that month's last day.

    Examples (a record is a candidate the day after each):

    * trigger 2026-03-15, 3 years → starts 2026-03-16 → ends **2029-03-15**
    * trigger 2024-02-29, 5 years → starts 2024-03-01 → ends **2029-02-28**
      (candidate 2029-03-01); 4 years → ends 2028-02-29
    * trigger 2023-02-28, 1 year → starts 2023-03-01 (a month's 1st) → ends
      **2024-02-29**, a full year — not 02-28, which a reading of "the day
      corresponding to the trigger day" would give
    * trigger 2026-04-30, 1 month → starts 2026-05-01 → ends **2026-05-31**
    * trigger 2026-01-30, 1 month → starts 2026-01-31; February has no 31st →
      ends **2026-02-28**
    """
    total = years * 12 + months
    if total <= 0:
        raise ValueError(f"a period must be positive, got {years} years {months} months")
    start = trigger + timedelta(days=1)
    corresponding = _shift_months(start, total)
    if corresponding is None:
        index = start.year * 12 + start.month - 1 + total
        return _last_of_month(index // 12, index % 12 + 1)
    return corresponding - timedelta(days=1)


# ---------------------------------------------------------------- audit periods

PeriodKind = Literal["month", "half"]


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month (R6.2 monthly spot check) or half-year (R6.3 internal audit).

    ``number`` is the month 1–12 or the half 1–2. Codes are those of record IDs:
    ``Period("month", 2026, 10).code == "202610"``, ``Period("half", 2026, 1).code ==
    "2026H1"``."""

    kind: PeriodKind
    year: int
    number: int

    def __post_init__(self) -> None:
        top = {"month": 12, "half": 2}.get(self.kind)
        if top is None or not 1 <= self.number <= top or not 1912 <= self.year <= 9999:
            raise ValueError(f"no such period: {self.kind} {self.year} {self.number}")

    @classmethod
    def containing(cls, d: date, kind: PeriodKind = "month") -> Period:
        """The month (or half-year) that ``d`` falls in."""
        return cls(kind, d.year, d.month if kind == "month" else (d.month - 1) // 6 + 1)

    @property
    def _first_month(self) -> int:
        return self.number if self.kind == "month" else 6 * self.number - 5

    @property
    def start(self) -> date:
        return date(self.year, self._first_month, 1)

    @property
    def end(self) -> date:
        last = self.number if self.kind == "month" else 6 * self.number
        return _last_of_month(self.year, last)

    @property
    def code(self) -> str:
        """``202610`` or ``2026H1``, as in record IDs."""
        return (
            f"{self.year}{self.number:02d}"
            if self.kind == "month"
            else f"{self.year}H{self.number}"
        )

    @property
    def label(self) -> str:
        """``2026-10`` or ``2026-H1``, as on the command line and in folder names."""
        return (
            f"{self.year}-{self.number:02d}"
            if self.kind == "month"
            else f"{self.year}-H{self.number}"
        )

    @property
    def roc_label(self) -> str:
        """``115年10月`` or ``115年上半年``."""
        if self.kind == "month":
            return f"{self.year - ROC_OFFSET}年{self.number}月"
        return f"{self.year - ROC_OFFSET}年{'上' if self.number == 1 else '下'}半年"

    def months(self) -> list[Period]:
        """The months of the period (a month: itself)."""
        if self.kind == "month":
            return [self]
        return [Period("month", self.year, m) for m in range(self._first_month, self.end.month + 1)]

    def __str__(self) -> str:
        return self.label


_PERIOD_FORMS: tuple[tuple[re.Pattern[str], PeriodKind, bool], ...] = (
    (re.compile(r"(\d{4})[-/](\d{1,2})"), "month", False),
    (re.compile(r"(\d{4})(\d{2})"), "month", False),
    (re.compile(r"(\d{4})-?[Hh]([12])"), "half", False),
    (re.compile(r"(\d{1,3})/(\d{1,2})"), "month", True),
    (re.compile(r"(\d{1,3})年(\d{1,2})月"), "month", True),
    (re.compile(r"(\d{1,3})年([上下])半年"), "half", True),
)


def parse_period(text: str) -> Period:
    """A month or half-year: ``2026-10``, ``2026/9``, ``202610``, ``2026-H1``, ``2026H2``, or ROC
    ``115/10``, ``115年10月``, ``115年上半年``. Errors quote the input."""
    body = _ROC_PREFIX.sub("", _normalise(text))
    for pattern, kind, is_roc in _PERIOD_FORMS:
        found = pattern.fullmatch(body)
        if found is None:
            continue
        year_text, number_text = found.groups()
        number = {"上": 1, "下": 2}.get(number_text) or int(number_text)
        year = int(year_text) + (ROC_OFFSET if is_roc else 0)
        try:
            return Period(kind, year, number)
        except ValueError as error:
            raise InputError(_("no such period: {text!r}").format(text=text)) from error
    raise InputError(
        _("not a period: {text!r} (write a month 2026-10 or a half-year 2026-H1)").format(text=text)
    )
