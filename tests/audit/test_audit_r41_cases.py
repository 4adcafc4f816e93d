"""R4.1b and R4.1c, case by case around month ends and 29 February (ISSUE 11 item 6).

Both are Civil Code periods (民法 Art. 120–121), as retention counts R4.2's years:
the day of the event is not counted (Art. 120 II), so the period starts the next
day; it ends the day before the corresponding day of the last month or year
(Art. 121 II), or on that month's last day where there is no corresponding day.

* R4.1b 「超過 6 個月未使用」: *more than* 6 months — dormant from the day **after**
  the 6-month period's last day.
* R4.1c 「停權一年以上」: one year *or more* (以上 includes the year itself) — listed
  **on** the one-year period's last day.

Every expected value below was computed by hand from those two rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from docgen.calendar import WorkingCalendar
from docgen.rules.account_review import (
    ACTIVE,
    SUSPENDED,
    Category,
    dormant_from,
    long_suspended_from,
    review_accounts,
)
from docgen.rules.retention import Term, candidate_from

CAL = WorkingCalendar()


@dataclass(frozen=True)
class Row:
    """A registry row with every field the review reads; papers on file."""

    account_id: str = "u1"
    national_id: str = "A123456789"
    role: str = "一般使用者"
    status: str = ACTIVE
    opened: date = date(2020, 1, 1)
    last_used: date | None = None
    suspended_on: date | None = None
    cancelled_on: date | None = None
    departure_on: date | None = None
    cancellation_requested_on: date | None = None
    application_on: date | None = date(2020, 1, 1)
    pledge_on: date | None = date(2020, 1, 1)


def _flagged(row: Row, as_of: date, category: Category) -> bool:
    return any(f.category is category for f in review_accounts([row], as_of, CAL))


D = date
# (last used, as of, dormant?) — R4.1b, more than 6 months.
UNUSED = [
    # 1/31: period 2/1 … 7/31 (the day before 8/1); exactly 6 months on 7/31 is not "more".
    (D(2026, 1, 31), D(2026, 7, 31), False),
    (D(2026, 1, 31), D(2026, 8, 1), True),
    # 3/31: period 4/1 … 9/30; dormant from 10/1.
    (D(2026, 3, 31), D(2026, 9, 30), False),
    (D(2026, 3, 31), D(2026, 10, 1), True),
    # 8/31: period 9/1 … 2/28 (the day before 3/1, 2026 no leap year); dormant from 3/1.
    (D(2025, 8, 31), D(2026, 2, 28), False),
    (D(2025, 8, 31), D(2026, 3, 1), True),
    # 8/31 before a leap February: period 9/1 … 2024-02-29; dormant from 3/1.
    (D(2023, 8, 31), D(2024, 2, 29), False),
    (D(2023, 8, 31), D(2024, 3, 1), True),
    # 8/30: period starts 8/31; February has no 31st → ends 2/28 (Art. 121 II proviso).
    (D(2025, 8, 30), D(2026, 2, 28), False),
    (D(2025, 8, 30), D(2026, 3, 1), True),
    # 8/27: period starts 8/28, corresponding day 2/28 exists → ends 2/27; dormant 2/28.
    (D(2025, 8, 27), D(2026, 2, 27), False),
    (D(2025, 8, 27), D(2026, 2, 28), True),
    # 2/29: period 3/1 … 8/31 (the day before 9/1); dormant from 9/1.
    (D(2024, 2, 29), D(2024, 8, 31), False),
    (D(2024, 2, 29), D(2024, 9, 1), True),
    # 12/31: period starts 1/1 (a month's first day) → ends 6/30; dormant from 7/1.
    (D(2025, 12, 31), D(2026, 6, 30), False),
    (D(2025, 12, 31), D(2026, 7, 1), True),
    # 5/30: period starts 5/31; November has no 31st → ends 11/30; dormant from 12/1.
    (D(2026, 5, 30), D(2026, 11, 30), False),
    (D(2026, 5, 30), D(2026, 12, 1), True),
]

# (suspended on, as of, listed?) — R4.1c, one year or more.
SUSPENDED_CASES = [
    # 2024-02-29: period 2024-03-01 … 2025-02-28 (the day before 2025-03-01): a full
    # year on 2/28. (docgen before ISSUE 11 listed it only on 3/1, a day late.)
    (D(2024, 2, 29), D(2025, 2, 27), False),
    (D(2024, 2, 29), D(2025, 2, 28), True),
    # 2023-02-28: period starts 2023-03-01 → ends 2024-02-29, a leap day: not yet a
    # year on 2/28 (docgen before ISSUE 11 listed it then, a day early).
    (D(2023, 2, 28), D(2024, 2, 28), False),
    (D(2023, 2, 28), D(2024, 2, 29), True),
    # 2024-02-28: period starts 2/29; 2025 has no 2/29 → ends 2025-02-28 (proviso).
    (D(2024, 2, 28), D(2025, 2, 27), False),
    (D(2024, 2, 28), D(2025, 2, 28), True),
    # 2027-02-28: period 2027-03-01 … 2028-02-29 (leap year).
    (D(2027, 2, 28), D(2028, 2, 28), False),
    (D(2027, 2, 28), D(2028, 2, 29), True),
    # 1/31: period 2/1 … next 1/31.
    (D(2026, 1, 31), D(2027, 1, 30), False),
    (D(2026, 1, 31), D(2027, 1, 31), True),
    # 3/31: period 4/1 … next 3/31.
    (D(2026, 3, 31), D(2027, 3, 30), False),
    (D(2026, 3, 31), D(2027, 3, 31), True),
    # 8/31: period 9/1 … next 8/31.
    (D(2025, 8, 31), D(2026, 8, 30), False),
    (D(2025, 8, 31), D(2026, 8, 31), True),
    # 12/31: period starts 1/1 → ends the next 12/31 (Art. 121 I: the year's end).
    (D(2025, 12, 31), D(2026, 12, 30), False),
    (D(2025, 12, 31), D(2026, 12, 31), True),
    # 11/30: period 12/1 … next 11/30; and later reviews still list it.
    (D(2025, 11, 30), D(2026, 11, 29), False),
    (D(2025, 11, 30), D(2026, 11, 30), True),
    (D(2025, 11, 30), D(2027, 6, 1), True),
]


@pytest.mark.parametrize(("last_used", "as_of", "dormant"), UNUSED)
def test_r41b_unused_over_six_months(last_used: date, as_of: date, dormant: bool) -> None:
    row = Row(last_used=last_used, opened=last_used - timedelta(days=400))
    assert _flagged(row, as_of, Category.DORMANT) is dormant
    assert (as_of >= dormant_from(last_used)) is dormant


@pytest.mark.parametrize(("opened", "as_of", "dormant"), UNUSED)
def test_r41b_never_used_counts_from_the_opening(opened: date, as_of: date, dormant: bool) -> None:
    assert _flagged(Row(opened=opened), as_of, Category.DORMANT) is dormant


@pytest.mark.parametrize(("since", "as_of", "listed"), SUSPENDED_CASES)
def test_r41c_suspended_one_year_or_more(since: date, as_of: date, listed: bool) -> None:
    row = Row(status=SUSPENDED, suspended_on=since, last_used=since)
    assert _flagged(row, as_of, Category.LONG_SUSPENDED) is listed
    assert (as_of >= long_suspended_from(since)) is listed


def test_neither_rule_flags_the_wrong_status() -> None:
    suspended_long_ago = Row(status=SUSPENDED, suspended_on=D(2020, 1, 1), last_used=D(2020, 1, 1))
    assert not _flagged(suspended_long_ago, D(2026, 1, 1), Category.DORMANT)
    active_unused = Row(last_used=D(2020, 1, 1), suspended_on=D(2020, 1, 1))
    assert not _flagged(active_unused, D(2026, 1, 1), Category.LONG_SUSPENDED)


def test_the_periods_are_retentions_civil_code_periods() -> None:
    # Every day of 2023–2028 (two leap Februaries): the same reckoning as retention's
    # candidate_from, not a second one.
    day = D(2023, 1, 1)
    while day < D(2029, 1, 1):
        assert dormant_from(day) == candidate_from(day, Term(0, 6))
        assert long_suspended_from(day) == candidate_from(day, Term(1)) - timedelta(days=1)
        day += timedelta(days=1)
