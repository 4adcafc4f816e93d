"""The obligations of a year and their due dates (R6.2, R6.3, R6.4, R4.1a)."""

from __future__ import annotations

from datetime import date

import pytest

from docgen.calendar import Period, parse_period
from docgen.rules.obligations import (
    Obligation,
    account_review_dues,
    obligations_for_year,
    report_due,
)

UNITS = ["企劃室", "市場管理科"]


def _by_key(previous_review: date | None = None) -> dict[str, Obligation]:
    obligations = obligations_for_year(2026, UNITS, previous_review=previous_review)
    return {o.key: o for o in obligations}


def test_2026_has_every_duty_once() -> None:
    obligations = obligations_for_year(2026, UNITS)
    kinds = [o.kind for o in obligations]
    assert kinds.count("monthly_check") == 24
    assert kinds.count("half_year_audit") == 2
    assert kinds.count("audit_report") == 2
    assert kinds.count("account_review") == 2
    assert len({o.key for o in obligations}) == len(obligations)
    assert [o.due for o in obligations] == sorted(o.due for o in obligations)


def test_both_report_deadlines() -> None:
    obligations = _by_key()
    h1, h2 = obligations["audit_report:2026-H1"], obligations["audit_report:2026-H2"]
    assert (h1.due, h1.rule, h1.unit) == (date(2026, 8, 31), "R6.4", None)
    assert (h2.due, h2.rule) == (date(2027, 3, 10), "R6.4")
    assert h2.title == "115年下半年 audit results reported to 民政局 (colour scan)"
    assert obligations["half_year_audit:2026-H1"].due == date(2026, 8, 31)
    assert obligations["half_year_audit:2026-H2"].due == date(2027, 3, 10)
    assert report_due(parse_period("2025-H2")) == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("month", "due"),
    [
        ("2026-01", date(2026, 2, 28)),
        ("2026-02", date(2026, 3, 31)),
        ("2026-12", date(2027, 1, 31)),
    ],
)
def test_monthly_check_due_end_of_following_month(month: str, due: date) -> None:
    check = _by_key()[f"monthly_check:{month}:企劃室"]
    assert check.due == due
    assert check.period == parse_period(month)
    assert check.unit == "企劃室"
    assert check.rule == "R6.2"


def test_monthly_checks_only_where_there_were_queries() -> None:
    october = parse_period("2026-10")
    obligations = obligations_for_year(2026, UNITS, units_by_month={october: {"企劃室"}})
    checks = [o.key for o in obligations if o.kind == "monthly_check"]
    assert checks == ["monthly_check:2026-10:企劃室"]


def test_no_units_no_monthly_checks() -> None:
    assert not [o for o in obligations_for_year(2026) if o.kind == "monthly_check"]


def test_required_records_match_archive_metadata() -> None:
    obligations = _by_key()
    monthly = obligations["monthly_check:2026-10:企劃室"]
    found = monthly.fulfilled_by("4", "monthly", "monthly_check", "2026-10", "企劃室")
    assert found is not None and found.label == "附件4 monthly spot check"
    assert monthly.fulfilled_by("4", "monthly", "monthly_check", "2026-10", "市場管理科") is None
    assert monthly.fulfilled_by("4", "monthly", "monthly_check", "2026-09", "企劃室") is None
    audit = obligations["half_year_audit:2026-H1"]
    labels = [r.label for r in audit.records]
    assert labels == ["附件4 half-year sample", "附件5 audit record"]
    form5 = audit.fulfilled_by("5", "", "half_year_audit", "2026-H1", "全處")
    assert form5 is not None and form5.label == "附件5 audit record"
    assert audit.fulfilled_by("4", "monthly", "monthly_check", "2026-H1", "全處") is None
    package = obligations["audit_report:2026-H1"]
    assert package.fulfilled_by("", "", "half_year_audit", "2026-H1", "全處") is not None
    review = obligations["account_review:2026-H1"]
    assert review.records[0].journal_command == "accounts review"
    assert review.fulfilled_by("", "", "", "2026-H1", "") is None


def test_account_review_without_history_is_due_each_half() -> None:
    assert account_review_dues(2026) == [date(2026, 6, 30), date(2026, 12, 31)]


@pytest.mark.parametrize(
    ("reviews", "dues"),
    [
        # 6 months after the previous review, then 6 months after that.
        ([date(2025, 11, 30)], [date(2026, 5, 31), date(2026, 11, 30)]),
        ([date(2025, 8, 31)], [date(2026, 2, 28), date(2026, 8, 31)]),
        # An early review restarts the count.
        ([date(2025, 11, 30), date(2026, 4, 10)], [date(2026, 5, 31), date(2026, 10, 10)]),
        # A due date missed before the year stays outstanding and is listed first.
        ([date(2025, 3, 1)], [date(2025, 9, 1), date(2026, 3, 1), date(2026, 9, 1)]),
        ([date(2025, 3, 1), date(2026, 5, 1)], [date(2025, 9, 1), date(2026, 11, 1)]),
    ],
)
def test_account_review_chain(reviews: list[date], dues: list[date]) -> None:
    assert account_review_dues(2026, reviews) == dues


def test_previous_review_parameter() -> None:
    obligations = _by_key(previous_review=date(2025, 11, 30))
    assert obligations["account_review:2026-H1"].due == date(2026, 5, 31)
    assert obligations["account_review:2026-H2"].due == date(2026, 11, 30)
    assert obligations["account_review:2026-H2"].rule == "R4.1a"


def test_keys_are_stable_and_periods_typed() -> None:
    first = obligations_for_year(2026, UNITS)
    again = obligations_for_year(2026, list(reversed(UNITS)))
    assert first == again
    assert all(isinstance(o.period, Period) for o in first)
