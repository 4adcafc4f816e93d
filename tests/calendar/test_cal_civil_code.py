"""Civil Code periods (民法 Art. 120–121) as retention uses them (RULES.md Decisions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from docgen.calendar import civil_code_period_end


@pytest.mark.parametrize(
    ("trigger", "years", "months", "end"),
    [
        # Art. 120 II + 121 II: starts the day after; ends the day before the
        # corresponding day of the start, i.e. on the trigger's corresponding day.
        (date(2026, 3, 15), 3, 0, date(2029, 3, 15)),
        (date(2026, 11, 30), 3, 0, date(2029, 11, 30)),
        # 29 February: starts 1 March, so ends on the last day of February.
        (date(2024, 2, 29), 5, 0, date(2029, 2, 28)),
        (date(2024, 2, 29), 4, 0, date(2028, 2, 29)),
        (date(2024, 2, 29), 3, 0, date(2027, 2, 28)),
        # 28 February before a leap year: the period from 1 March runs to 29 February.
        (date(2023, 2, 28), 1, 0, date(2024, 2, 29)),
        (date(2023, 2, 28), 3, 0, date(2026, 2, 28)),
        # 121 I: a period starting on the 1st of a year or month ends at the end of
        # the last year or month.
        (date(2026, 12, 31), 3, 0, date(2029, 12, 31)),
        (date(2026, 4, 30), 0, 1, date(2026, 5, 31)),
        (date(2026, 1, 31), 0, 1, date(2026, 2, 28)),
        (date(2026, 6, 30), 0, 6, date(2026, 12, 31)),
        # 121 II proviso: no corresponding day in the last month → its last day.
        (date(2026, 1, 30), 0, 1, date(2026, 2, 28)),
        (date(2024, 1, 30), 0, 1, date(2024, 2, 29)),
        (date(2026, 8, 30), 0, 6, date(2027, 2, 28)),
        # Months beyond a year, and years with months.
        (date(2026, 3, 15), 0, 18, date(2027, 9, 15)),
        (date(2026, 3, 15), 1, 6, date(2027, 9, 15)),
        (date(2026, 5, 31), 0, 6, date(2026, 11, 30)),
    ],
)
def test_period_end(trigger: date, years: int, months: int, end: date) -> None:
    assert civil_code_period_end(trigger, years=years, months=months) == end


def test_candidate_is_the_day_after() -> None:
    end = civil_code_period_end(date(2024, 2, 29), years=5)
    assert end + timedelta(days=1) == date(2029, 3, 1)


def test_every_day_of_a_leap_year_gives_a_full_period() -> None:
    """Over every trigger of 2024, a 3-year period ends 3 years on, never earlier than
    the trigger's corresponding day and at most one day later (only at month ends)."""
    day = date(2024, 1, 1)
    while day.year == 2024:
        end = civil_code_period_end(day, years=3)
        assert end.year == 2027
        assert 0 <= (end - day).days - 365 * 3 <= 1
        day += timedelta(days=1)


@pytest.mark.parametrize(("years", "months"), [(0, 0), (-1, 0), (1, -12)])
def test_period_must_be_positive(years: int, months: int) -> None:
    with pytest.raises(ValueError):
        civil_code_period_end(date(2026, 1, 1), years=years, months=months)
