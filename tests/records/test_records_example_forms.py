"""The example office's papers on file (附件2, 附件3) agree with its registry (R3.2,
R3.3, R4.2), and its old monthly check is past retention (R6.2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from docgen.calendar import civil_code_period_end, parse_date
from docgen.example_office import EXAMPLE_AS_OF, EXAMPLE_FACTS, EXAMPLE_FORMS_FACTS
from docgen.forms.data import load_rows, validate_rows
from docgen.forms.registry import FORMS
from docgen.privacy import DEFAULT_POLICY
from docgen.records import Account, Role, Status, read_accounts, read_table

#: Form → (registry date it is dated by, the form's date column, how many).
PAPERS = {
    "2": ("application_on", "申請日期", EXAMPLE_FORMS_FACTS["applications"]),
    "3": ("pledge_on", "切結日期", EXAMPLE_FORMS_FACTS["pledges"]),
}


def _registry(example_ws: Path) -> dict[str, Account]:
    return {a.account_id: a for a in read_accounts(example_ws / "data" / "accounts.csv")}


def _rows(example_ws: Path, form: str) -> list[dict[str, object]]:
    return [row for _, row in read_table(example_ws / EXAMPLE_FORMS_FACTS["files"][form])]


@pytest.mark.parametrize("form", ["2", "3"])
def test_papers_are_valid_forms(example_ws: Path, form: str) -> None:
    path = example_ws / EXAMPLE_FORMS_FACTS["files"][form]
    records, problems = validate_rows(FORMS[form], "", load_rows(path), path.name, DEFAULT_POLICY)
    assert problems == []
    assert len(records) == PAPERS[form][2]


@pytest.mark.parametrize("form", ["2", "3"])
def test_papers_match_the_registry(example_ws: Path, form: str) -> None:
    registry = _registry(example_ws)
    field, date_column, count = PAPERS[form]
    rows = _rows(example_ws, form)
    assert len(rows) == count
    for row in rows:
        account = registry[str(row["帳號"])]
        assert row["身分證統一編號"] == account.national_id
        assert (row["姓名"], row["單位"], row["職稱"]) == (
            account.name, account.unit, account.title,
        )  # fmt: skip
        assert parse_date(str(row[date_column])) == getattr(account, field)
    expected = {a.account_id for a in registry.values()
                if getattr(a, field) and a.role is not Role.ADMIN}  # fmt: skip
    assert sorted(str(r["帳號"]) for r in rows) == sorted(expected)


def test_papers_leave_exactly_the_designed_gaps(example_ws: Path) -> None:
    registry = _registry(example_ws)
    applied = {str(r["帳號"]) for r in _rows(example_ws, "2")}
    pledged = {str(r["帳號"]) for r in _rows(example_ws, "3")}
    users = {a.account_id for a in registry.values() if a.role is Role.USER}
    auditors = {a.account_id for a in registry.values() if a.role is Role.AUDITOR}
    assert users - applied == set(EXAMPLE_FACTS["missing_application"])
    assert users - pledged == set(EXAMPLE_FACTS["missing_pledge"])
    assert auditors <= applied and not auditors & pledged  # R3.3: 附件2 only
    cancelled = {a.account_id for a in registry.values() if a.status is Status.CANCELLED}
    assert cancelled <= applied & pledged  # their papers are what R4.2 keeps
    for account_id in EXAMPLE_FORMS_FACTS["past_retention"]:
        cancelled_on = registry[account_id].cancelled_on
        assert cancelled_on and civil_code_period_end(cancelled_on, years=5) < EXAMPLE_AS_OF


def test_application_rows_state_a_purpose_by_unit(example_ws: Path) -> None:
    rows = _rows(example_ws, "2")
    assert {r["申請類別"] for r in rows} == {"新增"}
    auditors = [r for r in rows if r["角色"] == "稽核人員"]
    assert sorted(str(r["帳號"]) for r in auditors) == sorted(EXAMPLE_FACTS["auditors"])
    assert len({r["使用目的"] for r in auditors}) == 1
    by_unit = {(r["單位"], r["使用目的"]) for r in rows if r["角色"] == "一般使用者"}
    assert len(by_unit) == 4


def test_old_monthly_check_is_past_retention(example_ws: Path) -> None:
    path = example_ws / "data" / "forms" / "附件4_月抽查_2023-05.yaml"
    records, problems = validate_rows(
        FORMS["4"], "monthly", load_rows(path), path.name, DEFAULT_POLICY
    )
    assert problems == [] and len(records) == 1
    data = records[0].data
    assert str(data.period) == "2023-05"  # type: ignore[attr-defined]
    review: date = data.review_date  # type: ignore[attr-defined]
    assert civil_code_period_end(review, years=3) < EXAMPLE_AS_OF  # R6.2: a candidate
