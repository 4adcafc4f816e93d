"""read_accounts: Chinese or English headers, every problem of every row at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from docgen.errors import InputError, ValidationFailed
from docgen.privacy import find_unmasked_ids
from docgen.records import Role, Status, read_accounts

HEADER = (
    "帳號,姓名,身分證統一編號,單位,職稱,角色,狀態,開通日期,最後使用日期,停用日期,註銷日期,"
    "離職或調職日期,註銷申請日期,權限申請表日期,保密切結書日期,電話,電子郵件"
)
GOOD = "plan01,王小明,A123456789,企劃室,科員,一般使用者,啟用,110/03/01,2026-11-20,,,,,110/02/22,,02-1,a@x"


def _write(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8-sig")
    return path


def test_a_good_row_becomes_an_account(tmp_path: Path) -> None:
    (account,) = read_accounts(_write(tmp_path / "accounts.csv", [GOOD]))
    assert account.account_id == "plan01" and account.national_id == "A123456789"
    assert account.role is Role.USER and account.status is Status.ACTIVE
    assert account.opened == date(2021, 3, 1) and account.last_used == date(2026, 11, 20)
    assert account.application_on == date(2021, 2, 22) and account.pledge_on is None
    assert (account.phone, account.email, account.suspended_on) == ("02-1", "a@x", None)


def test_english_headers_and_words(tmp_path: Path) -> None:
    header = "account_id,name,national_id,unit,role,status,opened,suspended_on"
    line = "ven01,林美玲,B123456780,攤販管理科,auditor,suspended,2024-01-15,115年6月30日"
    (account,) = read_accounts(_write(tmp_path / "a.csv", [line], header))
    assert account.role is Role.AUDITOR and account.status is Status.SUSPENDED
    assert account.suspended_on == date(2026, 6, 30) and account.title == ""


def test_every_problem_of_every_row_is_reported(tmp_path: Path) -> None:
    lines = [
        GOOD,
        "ven01,,A123456780,攤販管理科,,一般使用者,啟用,2024-01-01,,,,,,,,,",  # 3: name, ID
        "ven02,林美玲,B123456780,攤販管理科,,科長,停用,115/02/30,,,,,,,,,",  # 4: role, date, 停用日期
        "plan01,王小華,C123456781,企劃室,,管理者,註銷,2020-01-01,2019-12-31,,,,,,,,",  # 5
    ]
    with pytest.raises(ValidationFailed) as caught:
        read_accounts(_write(tmp_path / "accounts.csv", lines))
    where = [(p.row, p.column) for p in caught.value.problems]
    assert where == [
        (3, "姓名"),
        (3, "身分證統一編號"),
        (4, "角色"),
        (4, "開通日期"),
        (4, "停用日期"),
        (5, "註銷日期"),
        (5, "最後使用日期"),
        (5, "帳號"),
    ]
    message = str(caught.value)
    assert "'A12345****' has a wrong check digit" in message
    assert "account 'plan01' is already listed in row 2" in message
    assert "impossible date '115/02/30'" in message
    assert find_unmasked_ids(message) == []
    assert "林美玲" not in message


def test_missing_required_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", ["plan01,王小明"], header="帳號,姓名")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert str(caught.value).startswith(f"{path}: the account registry lacks the column(s) ")
    assert "身分證統一編號 (national_id)" in str(caught.value)
    assert "its header should be: 帳號,姓名,身分證統一編號" in str(caught.value)


def test_an_empty_registry_needs_its_header(tmp_path: Path) -> None:
    assert read_accounts(_write(tmp_path / "a.csv", [])) == []
    with pytest.raises(InputError, match="lacks the column"):
        read_accounts(_write(tmp_path / "b.csv", [], header="帳號,姓名"))
