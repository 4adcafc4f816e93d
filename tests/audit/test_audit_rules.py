"""Pure rules: justification (R5.1) with hints, and the account review (R4.1, R5.2, R3.2,
R3.3, segregation of duties), with fakes instead of the readers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from docgen.calendar import WorkingCalendar
from docgen.rules.account_review import Category, months_before, review_accounts
from docgen.rules.justification import Finding, check_query, has_justification


@dataclass(frozen=True)
class FakeQuery:
    queried_at: datetime = datetime(2026, 10, 7, 10, 0)  # a Wednesday
    account_id: str = "u1"
    doc_no: str = ""
    case_no: str = ""
    case_name: str = ""
    purpose: str = ""
    legal_basis: str = ""


@dataclass(frozen=True)
class FakeAccount:
    account_id: str = "u1"
    national_id: str = "A123456789"
    role: str = "一般使用者"
    status: str = "啟用"
    opened: date = date(2024, 1, 1)
    last_used: date | None = date(2026, 11, 1)
    suspended_on: date | None = None
    cancelled_on: date | None = None
    departure_on: date | None = None
    cancellation_requested_on: date | None = None
    application_on: date | None = date(2023, 12, 20)
    pledge_on: date | None = date(2023, 12, 20)


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_any_one_justification_field_is_enough() -> None:
    assert not has_justification(FakeQuery())
    assert not has_justification(FakeQuery(purpose="   "))
    for field in ("doc_no", "case_no", "case_name", "purpose", "legal_basis"):
        assert has_justification(replace(FakeQuery(), **{field: "x"}))


def test_findings_anomaly_and_hints() -> None:
    ok = FakeQuery(doc_no="北市管字第1號")
    assert check_query(ok, FakeAccount(), weekdays) == []
    assert check_query(FakeQuery(), FakeAccount(), weekdays) == [Finding.NO_JUSTIFICATION]
    assert Finding.NO_JUSTIFICATION.is_anomaly and not Finding.NON_WORKING_DAY.is_anomaly
    saturday = replace(ok, queried_at=datetime(2026, 10, 10, 9))
    assert check_query(saturday, FakeAccount(), weekdays) == [Finding.NON_WORKING_DAY]
    assert check_query(ok, None, weekdays) == [Finding.UNKNOWN_ACCOUNT]
    suspended = FakeAccount(status="停用", suspended_on=date(2026, 10, 7))
    assert check_query(ok, suspended, weekdays) == [Finding.SUSPENDED_ACCOUNT]
    later = FakeAccount(status="停用", suspended_on=date(2026, 10, 8))
    assert check_query(ok, later, weekdays) == []
    cancelled = FakeAccount(status="註銷", cancelled_on=date(2026, 9, 30))
    assert check_query(ok, cancelled, weekdays) == [Finding.CANCELLED_ACCOUNT]


AS_OF = date(2026, 11, 30)
CAL = WorkingCalendar()


def _categories(*accounts: FakeAccount) -> dict[Category, list[str]]:
    found: dict[Category, list[str]] = {}
    for finding in review_accounts(accounts, AS_OF, CAL):
        found.setdefault(finding.category, []).append(finding.account_id)
    return found


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(AS_OF, 6) == date(2026, 5, 30)
    assert months_before(AS_OF, 12) == date(2025, 11, 30)


def test_dormant_boundary_is_more_than_six_months() -> None:
    exactly = FakeAccount("a", last_used=date(2026, 5, 30))
    over = FakeAccount("b", last_used=date(2026, 5, 29))
    never_new = FakeAccount("c", last_used=None, opened=date(2026, 5, 30))
    never_old = FakeAccount("d", last_used=None, opened=date(2026, 5, 29))
    suspended = FakeAccount("e", status="停用", last_used=date(2025, 1, 1))
    found = _categories(exactly, over, never_new, never_old, suspended)
    assert found[Category.DORMANT] == ["b", "d"]


def test_long_suspended_is_one_year_or_more() -> None:
    year = FakeAccount("a", status="停用", suspended_on=date(2025, 11, 30))
    short = FakeAccount("b", status="停用", suspended_on=date(2025, 12, 1))
    assert _categories(year, short)[Category.LONG_SUSPENDED] == ["a"]


def test_late_cancellation_counts_working_days() -> None:
    departure = date(2026, 12, 11)  # a Friday; 10 working days before: 2026-11-27
    assert CAL.add_working_days(departure, -10) == date(2026, 11, 27)
    in_time = FakeAccount("a", departure_on=departure, cancellation_requested_on=date(2026, 11, 27))
    late = FakeAccount("b", departure_on=departure, cancellation_requested_on=date(2026, 11, 30))
    missing = FakeAccount("c", departure_on=departure)
    future = FakeAccount("d", departure_on=date(2027, 3, 1))
    old = FakeAccount("e", departure_on=date(2023, 4, 10), status="註銷")
    assert _categories(in_time, late, missing, future, old)[Category.LATE_CANCELLATION] == [
        "b",
        "c",
    ]


def test_missing_papers_by_role_and_retention() -> None:
    user = FakeAccount("a", pledge_on=None)
    auditor = FakeAccount("b", role="稽核人員", pledge_on=None)
    auditor_without = FakeAccount("c", role="稽核人員", application_on=None)
    admin = FakeAccount("d", role="管理者", application_on=None, pledge_on=None)
    gone = FakeAccount("e", status="註銷", cancelled_on=AS_OF - timedelta(days=6 * 366))
    gone = replace(gone, pledge_on=None)
    found = _categories(user, auditor, auditor_without, admin, gone)
    assert found[Category.MISSING_PAPERS] == ["a", "c"]


def test_auditor_who_is_also_a_user() -> None:
    auditor = FakeAccount("aud", role="稽核人員", national_id="A123456789")
    same = FakeAccount("usr", national_id="A123456789")
    other = FakeAccount("x", national_id="B123456780")
    cancelled = FakeAccount("old", national_id="B123456780", role="稽核人員", status="註銷")
    found = _categories(auditor, same, other, cancelled)
    assert found[Category.DUAL_ROLE] == ["aud"]
