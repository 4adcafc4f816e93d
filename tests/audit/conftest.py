"""A small synthetic office for the audit tests: two units, a registry, an October log."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from docgen.config import Workspace, open_workspace
from docgen.services.accounts import init_registry

LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
ACCOUNT_HEADER = (
    "帳號,姓名,身分證統一編號,單位,職稱,角色,狀態,開通日期,最後使用日期,停用日期,註銷日期,"
    "離職或調職日期,註銷申請日期,權限申請表日期,保密切結書日期,電話,電子郵件"
)
QUERY_HEADER = [
    "查詢日期時間", "查詢人員帳號", "被查詢人身分證統一編號", "被查詢人姓名", "查詢項目",
    "公文文號", "案號", "案件名稱", "使用目的", "法令依據",
]  # fmt: skip
UNITS = {"企劃室": "u01", "市場管理科": "u02"}
SIZES = {"u01": 250, "u02": 40}


def national_id(letter: str, body: int) -> str:
    """A synthetic national ID with a valid check digit (1 + 7 digits + check)."""
    digits8 = f"1{body % 10**7:07d}"
    code = LETTERS[letter]
    values = [code // 10, code % 10] + [int(c) for c in digits8]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    check = (10 - sum(v * w for v, w in zip(values, weights, strict=True)) % 10) % 10
    return f"{letter}{digits8}{check}"


def write_office(root: Path, database_url: str | None = None) -> Workspace:
    """The office at ``root``; its database at ``database_url`` (default SQLite)."""
    root.mkdir(parents=True, exist_ok=True)
    database = f'[database]\nurl = "{database_url}"\n' if database_url else ""
    (root / "docgen.toml").write_text(
        database + '[office]\ndirector = "吳處長"\n'
        '[[units]]\nname = "企劃室"\nsupervisor = "陳主任"\n'
        '[[units]]\nname = "市場管理科"\nsupervisor = "林科長"\n'
        '[[units]]\nname = "秘書室"\nsupervisor = "黃主任"\n',
        encoding="utf-8",
    )
    data = root / "data"
    (data / "queries").mkdir(parents=True)
    accounts = [
        f"u01,王小明,{national_id('A', 1)},企劃室,專員,一般使用者,啟用,2025-01-02,2026-10-30,,,,,"
        "2025-01-01,2025-01-01,02-1,a@x.tw",
        f"u02,李大華,{national_id('B', 2)},市場管理科,科員,一般使用者,啟用,2025-01-02,2026-10-30,,,,,"
        "2025-01-01,2025-01-01,02-2,b@x.tw",
        f"u03,張三,{national_id('C', 3)},市場管理科,科員,一般使用者,停用,2025-01-02,2026-09-01,"
        "2026-10-01,,,,2025-01-01,2025-01-01,02-3,c@x.tw",
    ]
    (data / "accounts.csv").write_text(
        "\n".join([ACCOUNT_HEADER, *accounts]) + "\n", encoding="utf-8"
    )
    write_log(data / "queries" / "2026-10.csv")
    workspace = open_workspace(root)
    init_registry(workspace)  # the office database, with the registry imported
    return workspace


def write_log(path: Path) -> None:
    rng = random.Random(7)
    rows = []
    for account, count in SIZES.items():
        for i in range(count):
            day = datetime(2026, 10, 1, 9) + timedelta(days=rng.randrange(31) * 1, minutes=i)
            subject = national_id("F", 1000 + i + 500 * int(account[-1]))
            reason = ["", f"北市管字第{i}號", "", "", ""] if i % 50 else ["", "", "", "", ""]
            rows.append([day.strftime("%Y-%m-%d %H:%M:%S"), account, subject, "林美華", "戶籍資料"])
            rows[-1] += reason
    rows.append(["2026-10-15 10:00:00", "u03", national_id("G", 5), "陳一", "戶籍資料"])
    rows[-1] += ["", "", "", "業務查核", ""]
    rows.append(["2026-10-16 10:00:00", "zz9", national_id("G", 6), "陳二", "戶籍資料"])
    rows[-1] += ["", "", "", "業務查核", ""]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(QUERY_HEADER)
        writer.writerows(rows)


@pytest.fixture
def office(tmp_path: Path) -> Workspace:
    return write_office(tmp_path / "office")


@pytest.fixture
def office_db(tmp_path: Path, database_url: str) -> Workspace:
    """The office with its database on each backend (SQLite, PostgreSQL)."""
    return write_office(tmp_path / "office", database_url)
