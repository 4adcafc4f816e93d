"""ROC and ISO dates both ways, impossible dates, date-times and audit periods."""

from __future__ import annotations

import doctest
from datetime import date, datetime

import pytest

import docgen.calendar
from docgen.calendar import (
    Period,
    format_roc,
    format_roc_short,
    parse_date,
    parse_datetime,
    parse_period,
    roc_year,
)
from docgen.errors import InputError

OCT_1 = date(2026, 10, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-01",
        "2026/10/01",
        "2026.10.1",
        "20261001",
        "2026年10月1日",
        "115/10/01",
        "115/10/1",
        "115.10.01",
        "115-10-01",
        "1151001",
        "115年10月1日",
        "115年10月01日",
        "中華民國115年10月1日",
        "民國115年10月1日",
        "中華民國 115 年 10 月 1 日",
        "１１５／１０／０１",
        "１１５年１０月１日",
        "  115/10/01\u3000",
        "2026/10/1 0:00",
        "2026-10-01T00:00:00",
        "115/10/01 00:00",
    ],
)
def test_every_form_reads_as_the_same_day(text: str) -> None:
    assert parse_date(text) == OCT_1


def test_formats_back() -> None:
    assert format_roc(OCT_1) == "中華民國115年10月1日"
    assert format_roc_short(OCT_1) == "115/10/01"
    assert roc_year(OCT_1) == 115
    assert format_roc_short(date(2010, 1, 5)) == "99/01/05"


@pytest.mark.parametrize(
    "day", [date(2026, 10, 1), date(2024, 2, 29), date(1912, 1, 1), date(2011, 12, 31)]
)
def test_round_trip(day: date) -> None:
    assert parse_date(format_roc(day)) == day
    assert parse_date(format_roc_short(day)) == day
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize(
    "text",
    ["115/02/30", "115年2月29日", "2026-02-29", "115/13/01", "115/00/10", "0/01/01", "2025-04-31"],
)
def test_impossible_dates_are_errors_quoting_the_input(text: str) -> None:
    with pytest.raises(InputError, match="impossible date") as caught:
        parse_date(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["", "tomorrow", "115/10", "中華民國2026-10-01", "115年10月", "1/2/3/4", "2026/10/1 9:00"],
)
def test_non_dates_are_errors_quoting_the_input(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(text)
    assert repr(text) in str(caught.value)


def test_leap_day_in_roc_form() -> None:
    assert parse_date("113/02/29") == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01T09:30", datetime(2026, 10, 1, 9, 30)),
        ("2026-10-01 09:30:15", datetime(2026, 10, 1, 9, 30, 15)),
        ("115/10/01 9:05", datetime(2026, 10, 1, 9, 5)),
        ("中華民國115年10月1日 14:00:00", datetime(2026, 10, 1, 14, 0)),
        ("115/10/01", datetime(2026, 10, 1)),
        ("１１５/１０/０１　０９:３０", datetime(2026, 10, 1, 9, 30)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["115/10/01 25:00", "115/02/30 09:00", "2026-10-01 9:61", "noon"])
def test_bad_datetimes_quote_the_input(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_datetime(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    ("text", "kind", "year", "number"),
    [
        ("2026-10", "month", 2026, 10),
        ("202610", "month", 2026, 10),
        ("2026/10", "month", 2026, 10),
        ("2026-9", "month", 2026, 9),
        ("115/10", "month", 2026, 10),
        ("115年10月", "month", 2026, 10),
        ("2026-H1", "half", 2026, 1),
        ("2026H2", "half", 2026, 2),
        ("2026-h2", "half", 2026, 2),
        ("115年上半年", "half", 2026, 1),
        ("中華民國115年下半年", "half", 2026, 2),
    ],
)
def test_parse_period(text: str, kind: str, year: int, number: int) -> None:
    assert parse_period(text) == Period(kind, year, number)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-H3", "115/13", "115-10", "2026", "October", ""]
)
def test_bad_periods_quote_the_input(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_period(text)
    assert repr(text) in str(caught.value)


def test_month_period() -> None:
    feb = parse_period("2024-02")
    assert (feb.start, feb.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (feb.code, feb.label, feb.roc_label) == ("202402", "2024-02", "113年2月")
    assert feb.months() == [feb]
    assert str(feb) == "2024-02"


def test_half_year_periods() -> None:
    h1, h2 = parse_period("2026-H1"), parse_period("2026-H2")
    assert (h1.start, h1.end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert (h2.start, h2.end) == (date(2026, 7, 1), date(2026, 12, 31))
    assert (h1.code, h1.label, h1.roc_label) == ("2026H1", "2026-H1", "115年上半年")
    assert h2.roc_label == "115年下半年"
    assert [m.label for m in h2.months()] == [f"2026-{m:02d}" for m in range(7, 13)]
    assert h1 < h2


def test_period_containing() -> None:
    assert Period.containing(date(2026, 6, 30), "half") == parse_period("2026-H1")
    assert Period.containing(date(2026, 7, 1), "half") == parse_period("2026-H2")
    assert Period.containing(date(2026, 7, 1)) == parse_period("2026-07")


def test_invalid_period_values() -> None:
    with pytest.raises(ValueError):
        Period("month", 2026, 13)
    with pytest.raises(ValueError):
        Period("quarter", 2026, 1)  # type: ignore[arg-type]


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(docgen.calendar)
    assert result.attempted >= 3
    assert result.failed == 0
