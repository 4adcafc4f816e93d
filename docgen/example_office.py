"""A deterministic, synthetic example office (``docgen init DIR --example``).

Meant to be reviewed **as of** :data:`EXAMPLE_AS_OF` (2026-11-30). Four units with
supervisors, 25 accounts in every state the rules care about, and three months of
query logs in the formats offices really receive:

* ``data/accounts.csv`` — the registry, UTF-8 (with BOM) with Chinese headers, ROC dates;
* ``data/queries/2026-08.csv`` — UTF-8, ISO timestamps;
* ``data/queries/2026-09.csv`` — CP950 (Big5), ROC timestamps (``115/09/01 09:15:22``);
* ``data/queries/2026-10.xlsx`` — Excel, date-time cells;
* ``data/forms/附件2_權限申請表.csv`` and ``data/forms/附件3_保密切結書.xlsx`` — the
  papers on file (R3.2, R3.3): one 附件2 per account with a 權限申請表 date in the
  registry and one 附件3 per account with a 保密切結書 date, dated by those dates and
  with the registry's account, unit, title, name and ID (cancelled accounts included;
  the administrator, appointed by 企劃室 under R3.1, files neither). They replace the
  FORMS team's small static samples of the same names.

Every national ID is synthetic with a valid check digit; every name is made up. The
facts other tests can check (which account is in which state, how many queries each
month, how many without any justification) are the documented constants below; the
generator does not read them.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from docgen.calendar import format_roc_short
from docgen.config import QueryColumns
from docgen.records.accounts import ACCOUNT_HEADERS
from docgen.records.models import Role
from docgen.records.queries import FIELD_ORDER

EXAMPLE_AS_OF = date(2026, 11, 30)

OFFICE: dict[str, Any] = {
    "name": "臺北市市場處",
    "director": "李國華",
    "administrator": "吳冠廷",
    "ethics_officer": "蔡明哲",
    "auditors": ["周怡君", "許文傑"],
    "planning_unit": "企劃室",
}
#: The example office's letterhead (synthetic contact details; 機關代碼 left blank).
CORRESPONDENCE: dict[str, Any] = {
    "agency_code": "",
    "word": "北市市企字",
    "address": "臺北市○○區○○路1號",
    "clerk": "吳冠廷",
    "phone": "(02)2345-6789",
    "fax": "(02)2345-6790",
    "email": "planning@example.gov.taipei",
}
UNITS: dict[str, str] = {  # unit → supervisor (R6.2)
    "企劃室": "陳建宏",
    "市場行政科": "林淑芬",
    "攤販管理科": "黃志明",
    "秘書室": "張雅婷",
}

# ---------------------------------------------------------------- known answers
#: Account IDs by the state the rules care about, as of EXAMPLE_AS_OF.
EXAMPLE_FACTS: dict[str, Any] = {
    "administrator": "admin01",
    "active_users": [
        *("plan01", "plan02", "plan04", "adm01", "adm02", "adm03", "adm06", "adm07"),
        *("ven01", "ven02", "ven03", "ven06", "ven07", "sec01", "sec02", "sec04"),
    ],
    "never_used": ["ven04"],  # opened 2026-03-02, never used (R4.1b)
    "unused_over_6_months": ["adm04"],  # last used 2026-04-15 (R4.1b)
    "suspended_over_a_year": ["sec03"],  # suspended 2025-09-01 (R4.1c)
    "suspended_under_a_year": ["ven05"],  # suspended 2026-06-30: not yet R4.1c
    "cancelled_past_retention": ["plan03"],  # cancelled 2020-06-30: 5 years over (R4.2)
    "cancelled_within_retention": ["adm05"],  # cancelled 2023-03-31 (R4.2)
    "leaving_requested_late": ["ven06", "sec04"],  # R5.2: < 10 working days (sec04: none)
    "leaving_requested_in_time": ["plan04"],  # R5.2
    "auditors": ["audit01", "audit02"],  # 附件2 only, no pledge needed (R3.3)
    "auditor_also_user": {"auditor": "audit02", "user": "adm06"},  # same person
    "missing_pledge": ["adm03"],  # general user without 保密切結書 (R3.2)
    "missing_application": ["ven03"],  # general user without 權限申請表 (R3.2)
}
#: Facts of the query logs (R5.1, R6.2).
EXAMPLE_QUERY_FACTS: dict[str, Any] = {
    "files": {
        "2026-08": "data/queries/2026-08.csv",
        "2026-09": "data/queries/2026-09.csv",
        "2026-10": "data/queries/2026-10.xlsx",
    },
    "queries": {"2026-08": 242, "2026-09": 287, "2026-10": 264},
    "without_justification": {"2026-08": 9, "2026-09": 11, "2026-10": 10},
    "by_suspended_or_cancelled": [
        ("sec03", datetime(2026, 8, 18, 14, 5, 12)),
        ("sec03", datetime(2026, 9, 10, 10, 20, 41)),
        ("adm05", datetime(2026, 10, 14, 11, 30, 5)),
    ],
    "by_unknown_account": [("guest01", datetime(2026, 10, 22, 15, 40, 33))],
    "on_days_off": [
        ("ven01", datetime(2026, 8, 15, 10, 12, 40)),  # a Saturday
        ("adm01", datetime(2026, 9, 28, 9, 45, 2)),  # 教師節 (Confucius' Birthday)
    ],
}

#: The papers on file in ``data/forms/`` (R3.2, R3.3): every account with a 權限申請表 /
#: 保密切結書 date in the registry except the administrator (R3.1); so everyone but
#: ``missing_application`` has a 附件2 and every general user but ``missing_pledge`` a 附件3.
EXAMPLE_FORMS_FACTS: dict[str, Any] = {
    "files": {"2": "data/forms/附件2_權限申請表.csv", "3": "data/forms/附件3_保密切結書.xlsx"},
    "applications": 23,
    "pledges": 21,
    "past_retention": ["plan03"],  # its 附件2 and 附件3 are destruction candidates (R4.2)
}

# ---------------------------------------------------------------- the registry
_D = date
#: (account, name, unit, title, role, status, opened, last used, suspended, cancelled,
#:  departure, cancellation requested, 權限申請表 date, 保密切結書 date)
_ACCOUNTS: list[tuple[Any, ...]] = [
    ("admin01", "吳冠廷", "企劃室", "管理師", "管理者", "啟用", _D(2021, 3, 1), _D(2026, 11, 27),
     None, None, None, None, _D(2021, 2, 22), _D(2021, 2, 22)),
    ("plan01", "王美玲", "企劃室", "科員", "一般使用者", "啟用", _D(2022, 1, 10), _D(2026, 11, 26),
     None, None, None, None, _D(2022, 1, 3), _D(2022, 1, 3)),
    ("plan02", "劉家豪", "企劃室", "專員", "一般使用者", "啟用", _D(2023, 5, 2), _D(2026, 11, 25),
     None, None, None, None, _D(2023, 4, 25), _D(2023, 4, 25)),
    ("plan03", "趙文華", "企劃室", "科員", "一般使用者", "註銷", _D(2017, 5, 1), _D(2020, 6, 15),
     None, _D(2020, 6, 30), _D(2020, 7, 15), _D(2020, 6, 22), _D(2017, 4, 20), _D(2017, 4, 20)),
    ("plan04", "高雅琪", "企劃室", "專員", "一般使用者", "啟用", _D(2022, 8, 1), _D(2026, 11, 27),
     None, None, _D(2026, 12, 10), _D(2026, 11, 16), _D(2022, 7, 25), _D(2022, 7, 25)),
    ("adm01", "陳怡萱", "市場行政科", "科員", "一般使用者", "啟用", _D(2021, 8, 16),
     _D(2026, 11, 27), None, None, None, None, _D(2021, 8, 9), _D(2021, 8, 9)),
    ("adm02", "楊宗翰", "市場行政科", "辦事員", "一般使用者", "啟用", _D(2024, 2, 1),
     _D(2026, 11, 20), None, None, None, None, _D(2024, 1, 25), _D(2024, 1, 25)),
    ("adm03", "林佳穎", "市場行政科", "科員", "一般使用者", "啟用", _D(2025, 7, 1),
     _D(2026, 11, 24), None, None, None, None, _D(2025, 6, 30), None),
    ("adm04", "曾國峰", "市場行政科", "技佐", "一般使用者", "啟用", _D(2022, 6, 1),
     _D(2026, 4, 15), None, None, None, None, _D(2022, 5, 25), _D(2022, 5, 25)),
    ("adm05", "何佳玲", "市場行政科", "科員", "一般使用者", "註銷", _D(2019, 2, 11),
     _D(2023, 3, 20), None, _D(2023, 3, 31), _D(2023, 4, 10), _D(2023, 3, 24), _D(2019, 2, 1),
     _D(2019, 2, 1)),
    ("adm06", "許文傑", "市場行政科", "專員", "一般使用者", "啟用", _D(2022, 3, 1),
     _D(2026, 11, 24), None, None, None, None, _D(2022, 2, 22), _D(2022, 2, 22)),
    ("adm07", "張家銘", "市場行政科", "科員", "一般使用者", "啟用", _D(2023, 9, 1),
     _D(2026, 11, 26), None, None, None, None, _D(2023, 8, 25), _D(2023, 8, 25)),
    ("ven01", "黃俊傑", "攤販管理科", "技士", "一般使用者", "啟用", _D(2020, 11, 2),
     _D(2026, 11, 27), None, None, None, None, _D(2020, 10, 26), _D(2020, 10, 26)),
    ("ven02", "鄭雅文", "攤販管理科", "科員", "一般使用者", "啟用", _D(2022, 9, 1),
     _D(2026, 11, 26), None, None, None, None, _D(2022, 8, 25), _D(2022, 8, 25)),
    ("ven03", "謝承恩", "攤販管理科", "約僱人員", "一般使用者", "啟用", _D(2025, 2, 17),
     _D(2026, 11, 23), None, None, None, None, None, _D(2025, 2, 10)),
    ("ven04", "蘇怡安", "攤販管理科", "科員", "一般使用者", "啟用", _D(2026, 3, 2), None,
     None, None, None, None, _D(2026, 2, 24), _D(2026, 2, 24)),
    ("ven05", "江佩珊", "攤販管理科", "科員", "一般使用者", "停用", _D(2023, 3, 1),
     _D(2026, 6, 29), _D(2026, 6, 30), None, None, None, _D(2023, 2, 22), _D(2023, 2, 22)),
    ("ven06", "羅志明", "攤販管理科", "技佐", "一般使用者", "啟用", _D(2021, 5, 3),
     _D(2026, 11, 27), None, None, _D(2026, 12, 7), _D(2026, 11, 27), _D(2021, 4, 26),
     _D(2021, 4, 26)),
    ("ven07", "吳淑貞", "攤販管理科", "科員", "一般使用者", "啟用", _D(2024, 6, 3),
     _D(2026, 11, 25), None, None, None, None, _D(2024, 5, 27), _D(2024, 5, 27)),
    ("sec01", "郭淑惠", "秘書室", "科員", "一般使用者", "啟用", _D(2021, 4, 12), _D(2026, 11, 19),
     None, None, None, None, _D(2021, 4, 6), _D(2021, 4, 6)),
    ("sec02", "洪志偉", "秘書室", "書記", "一般使用者", "啟用", _D(2023, 10, 2), _D(2026, 11, 18),
     None, None, None, None, _D(2023, 9, 25), _D(2023, 9, 25)),
    ("sec03", "潘志強", "秘書室", "辦事員", "一般使用者", "停用", _D(2019, 9, 2), _D(2025, 8, 20),
     _D(2025, 9, 1), None, None, None, _D(2019, 8, 26), _D(2019, 8, 26)),
    ("sec04", "蕭宇軒", "秘書室", "科員", "一般使用者", "啟用", _D(2024, 3, 4), _D(2026, 11, 27),
     None, None, _D(2026, 12, 11), None, _D(2024, 2, 26), _D(2024, 2, 26)),
    ("audit01", "周怡君", "秘書室", "專員", "稽核人員", "啟用", _D(2024, 1, 15), _D(2026, 10, 20),
     None, None, None, None, _D(2024, 1, 8), None),
    ("audit02", "許文傑", "市場行政科", "專員", "稽核人員", "啟用", _D(2024, 1, 15),
     _D(2026, 10, 21), None, None, None, None, _D(2024, 1, 8), None),
]  # fmt: skip
_SAME_PERSON = {"audit02": "adm06"}  # one person, two accounts (R6.1 segregation of duties)

_SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余盧梁趙顏柯翁魏孫戴"
_GIVEN = "家志俊建明宏文華美玲淑惠雅婷怡君佳穎宗翰承恩冠廷國峰欣瑜正雄秀英麗珍嘉慧信宏子涵品妍柏宇"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
_ITEMS = ("個人戶籍資料", "戶籍謄本資料", "遷徙紀錄", "親等關聯資料", "死亡登記資料")
_CASE_NAMES = (
    *("攤位使用人資格審查", "市場攤位承租繼承案", "攤販許可證換發", "逾期規費催繳"),
    *("市場自治會會員資格查核", "違規攤販裁處送達"),
)
_PURPOSES = ("攤販管理", "市場攤位管理", "行政處分送達", "規費催繳", "資格審查")
_BASES = (
    *("零售市場管理條例第8條", "臺北市攤販管理自治條例第6條", "行政程序法第72條"),
    *("行政執行法第11條", "臺北市零售市場管理自治條例第9條"),
)
_UNIT_CODES = {"企劃室": "企", "市場行政科": "行", "攤販管理科": "攤", "秘書室": "秘"}
#: Which justification fields a query fills (R5.1), one pattern drawn per query.
_PATTERNS = (
    ("doc_no", "purpose"),
    ("case_no", "case_name", "legal_basis"),
    ("purpose", "legal_basis"),
    ("doc_no", "case_no", "case_name", "purpose", "legal_basis"),
    ("case_name",),
    ("doc_no",),
)
#: Working days off in the months of the logs (Taiwan, 2026): Mid-Autumn, 教師節,
#: National Day (observed), Restoration Day (observed).
_DAYS_OFF = {date(2026, 9, 25), date(2026, 9, 28), date(2026, 10, 9), date(2026, 10, 26)}
#: Queries by a suspended or cancelled account, an unknown one, and on days off.
_SPECIAL_QUERIES = (
    ("sec03", datetime(2026, 8, 18, 14, 5, 12)),
    ("ven01", datetime(2026, 8, 15, 10, 12, 40)),
    ("sec03", datetime(2026, 9, 10, 10, 20, 41)),
    ("adm01", datetime(2026, 9, 28, 9, 45, 2)),
    ("adm05", datetime(2026, 10, 14, 11, 30, 5)),
    ("guest01", datetime(2026, 10, 22, 15, 40, 33)),
)
#: Month → (regular queries, how many of them carry no justification at all).
_MONTHS = {(2026, 8): (240, 9), (2026, 9): (285, 11), (2026, 10): (262, 10)}
#: The platform's Chinese headers (the ``[columns]`` defaults), unit last.
HEADERS = [QueryColumns().model_dump()[field] for field in FIELD_ORDER]


def synthetic_id(rng: random.Random) -> str:
    """A made-up national ID with a valid check digit."""
    letter = rng.choice(_LETTERS)
    body = [rng.choice("12")] + [str(rng.randrange(10)) for _ in range(7)]
    code = _LETTERS.index(letter) + 10
    digits = [code // 10, code % 10] + [int(c) for c in body]
    partial = sum(d * w for d, w in zip(digits, (1, 9, 8, 7, 6, 5, 4, 3, 2, 1), strict=True))
    return letter + "".join(body) + str((10 - partial % 10) % 10)


def synthetic_name(rng: random.Random) -> str:
    """A made-up name: a common surname and two given-name characters."""
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)


def _roc(value: date | None) -> str:
    return "" if value is None else format_roc_short(value)


def registry_rows(rng: random.Random) -> list[list[str]]:
    """The registry's rows (without header), IDs drawn from ``rng``."""
    ids: dict[str, str] = {}
    rows = []
    for account, name, unit, title, role, status, *dates in _ACCOUNTS:
        same = _SAME_PERSON.get(account)
        ids[account] = ids[same] if same in ids else synthetic_id(rng)
        phone = f"02-2720-{rng.randrange(1000, 9999)}"
        email = f"{account}@example.gov.tw"
        rows.append([account, name, ids[account], unit, title, role, status])
        rows[-1] += [_roc(d) for d in dates] + [phone, email]
    return rows


# ---------------------------------------------------------------- papers on file
#: 附件2 / 附件3 column headers (the field labels of ``docgen forms list 2`` / ``3``).
APPLICATION_HEADERS = (
    *("申請類別", "單位", "職稱", "姓名", "身分證統一編號", "帳號", "電話", "電子郵件"),
    *("角色", "使用目的", "法令依據", "申請日期", "生效日期"),
)
_APPLICANT_FIELDS = ("unit", "title", "name", "national_id", "account_id", "phone", "email", "role")
PLEDGE_HEADERS = ("姓名", "單位", "職稱", "身分證統一編號", "帳號", "切結日期")
#: Unit (or role) → (使用目的, 法令依據) stated on the unit's applications.
_PURPOSE_BY_UNIT = {
    "企劃室": ("零售市場攤位承租資格審查", "臺北市零售市場管理自治條例第9條"),
    "市場行政科": ("市場攤位管理及行政處分送達", "行政程序法第72條"),
    "攤販管理科": ("攤販許可證核發及違規攤販裁處", "臺北市攤販管理自治條例第6條"),
    "秘書室": ("規費催繳及行政執行", "行政執行法第11條"),
    "稽核人員": ("戶役政資料查詢作業之內部稽核", "個人資料保護法第18條"),
}


def _registry_records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(ACCOUNT_HEADERS, row, strict=True)) for row in rows]


def application_rows(rows: list[list[str]]) -> list[list[str]]:
    """One 附件2 (申請類別 新增) per account with a 權限申請表 date, dated by it (R3.2, R3.3)."""
    forms = []
    for a in _registry_records(rows):
        if a["application_on"] and a["role"] != Role.ADMIN:
            auditor = a["role"] == Role.AUDITOR
            purpose, basis = _PURPOSE_BY_UNIT[a["role"] if auditor else a["unit"]]
            copied = [a[field] for field in _APPLICANT_FIELDS]
            forms.append(["新增", *copied, purpose, basis, a["application_on"], a["opened"]])
    return forms


def pledge_rows(rows: list[list[str]]) -> list[list[str]]:
    """One 附件3 per account with a 保密切結書 date, dated by it (R3.2)."""
    return [
        [a["name"], a["unit"], a["title"], a["national_id"], a["account_id"], a["pledge_on"]]
        for a in _registry_records(rows)
        if a["pledge_on"] and a["role"] != Role.ADMIN
    ]


def _working_days(year: int, month: int) -> list[date]:
    day, days = date(year, month, 1), []
    while day.month == month:
        if day.weekday() < 5 and day not in _DAYS_OFF:
            days.append(day)
        day += timedelta(days=1)
    return days


def _querying(day: date) -> list[tuple[str, str]]:
    """(account, unit) of the general users and the administrator who may query on ``day``."""
    return [
        (a[0], a[2])
        for a in _ACCOUNTS
        if a[4] != "稽核人員" and a[5] == "啟用" and a[7] is not None and a[6] <= day <= a[7]
    ]


def _justification(rng: random.Random, unit: str, blank: bool) -> list[str]:
    if blank:
        return [""] * 5
    code = _UNIT_CODES.get(unit, "企")
    chosen = set(rng.choice(_PATTERNS))
    values = {
        "doc_no": f"北市場{code}字第115{rng.randrange(1000000, 9999999)}號",
        "case_no": f"115{code}{rng.randrange(1, 9999):04d}",
        "case_name": rng.choice(_CASE_NAMES),
        "purpose": rng.choice(_PURPOSES),
        "legal_basis": rng.choice(_BASES),
    }
    return [values[f] if f in chosen else "" for f in values]


def _query(rng: random.Random, subjects: list[tuple[str, str]], account: str, unit: str,
           at: datetime, blank: bool = False) -> list[Any]:  # fmt: skip
    subject_id, subject_name = rng.choice(subjects)
    item = rng.choice(_ITEMS)
    return [at, account, subject_id, subject_name, item, *_justification(rng, unit, blank), unit]


def month_queries(
    rng: random.Random, subjects: list[tuple[str, str]], year: int, month: int
) -> list[list[Any]]:
    """The month's query rows in time order: regular ones and the special cases."""
    count, blank = _MONTHS[(year, month)]
    days = _working_days(year, month)
    unjustified = set(rng.sample(range(count), blank))
    rows = []
    for number in range(count):
        day = rng.choice(days)
        account, unit = rng.choice(_querying(day))
        at = datetime.combine(day, time(8, 30)) + timedelta(seconds=rng.randrange(9 * 3600))
        rows.append(_query(rng, subjects, account, unit, at, number in unjustified))
    units = {a[0]: a[2] for a in _ACCOUNTS}
    for account, at in _SPECIAL_QUERIES:
        if (at.year, at.month) == (year, month):
            rows.append(_query(rng, subjects, account, units.get(account, ""), at))
    return sorted(rows, key=lambda row: row[0])


def _write_csv(target: Path, header: Any, rows: list[list[Any]], encoding: str) -> None:
    with open(target, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_xlsx(target: Path, header: Any, rows: list[list[Any]], title: str = "查詢紀錄") -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    book.save(target)


def write_example(data_dir: Path) -> list[Path]:
    """Write the example registry, papers on file and query logs under ``data_dir``;
    the files written."""
    rng = random.Random(20261130)
    queries = data_dir / "queries"
    queries.mkdir(parents=True, exist_ok=True)
    registry = data_dir / "accounts.csv"
    accounts = registry_rows(rng)
    _write_csv(registry, ACCOUNT_HEADERS.values(), accounts, "utf-8-sig")
    papers = _write_papers(data_dir / "forms", accounts)
    subjects = [(synthetic_id(rng), synthetic_name(rng)) for _ in range(150)]
    august, september, october = (month_queries(rng, subjects, 2026, m) for m in (8, 9, 10))
    for row in august:
        row[0] = row[0].isoformat(sep=" ")
    for row in september:
        row[0] = f"{format_roc_short(row[0].date())} {row[0].time().isoformat()}"
    written = [registry, queries / "2026-08.csv", queries / "2026-09.csv"]
    _write_csv(written[1], HEADERS, august, "utf-8")
    _write_csv(written[2], HEADERS, september, "cp950")
    written.append(queries / "2026-10.xlsx")
    _write_xlsx(written[3], HEADERS, october)
    return written + papers


def _write_papers(forms_dir: Path, accounts: list[list[str]]) -> list[Path]:
    """附件2 (UTF-8 CSV with BOM) and 附件3 (XLSX) data for every account's papers."""
    forms_dir.mkdir(parents=True, exist_ok=True)
    applications = forms_dir / "附件2_權限申請表.csv"
    pledges = forms_dir / "附件3_保密切結書.xlsx"
    _write_csv(applications, APPLICATION_HEADERS, application_rows(accounts), "utf-8-sig")
    _write_xlsx(pledges, PLEDGE_HEADERS, pledge_rows(accounts), title="保密切結書")
    return [applications, pledges]


def example_config() -> dict[str, Any]:
    """The ``[office]``, ``[[units]]`` and ``[correspondence]`` settings of the example
    office."""
    units = [{"name": name, "supervisor": boss} for name, boss in UNITS.items()]
    return {"office": dict(OFFICE), "units": units, "correspondence": dict(CORRESPONDENCE)}
