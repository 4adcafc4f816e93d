"""Real platform exports (ISSUE 11 item 7): ROC date-times, extra columns (查詢結果筆數,
來源IP), no 查詢項目 or 被查詢人姓名 column. A log needs only the columns the rules need
(when, who queried, whose data, a justification column); the rest is blank when absent,
and an extra column is ignored and named once."""

from __future__ import annotations

import csv
import random
import re
import shutil
import zipfile
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook

from docgen.cli.main import cli
from docgen.config import QueryColumns
from docgen.errors import DocgenError, InputError, ValidationFailed
from docgen.example_office import synthetic_id
from docgen.privacy import find_unmasked_ids, is_valid_national_id
from docgen.records import QueryLog, values
from docgen.records.summary import summarise

#: The platform's export, as an office receives it: unit second, no name, no item.
PLATFORM_HEADER = [
    "查詢日期時間", "查詢人員帳號", "查詢人員單位", "被查詢人身分證統一編號", "公文文號",
    "案號", "案件名稱", "使用目的", "法令依據", "查詢結果筆數", "來源IP",
]  # fmt: skip
EXTRAS = ("查詢結果筆數", "來源IP")
ABSENT = ("被查詢人姓名", "查詢項目")
#: Accounts of the example office (``docgen init --example``) and their units.
ACCOUNTS = {
    "plan01": "企劃室", "plan02": "企劃室", "adm01": "市場行政科",
    "adm02": "市場行政科", "ven01": "攤販管理科", "ven02": "攤販管理科",
}  # fmt: skip


def platform_rows(count: int, seed: int = 11) -> list[list[object]]:
    """``count`` synthetic platform rows of October 2026 (ROC stamps, both separators,
    every 17th without any justification), with their expected datetimes last."""
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for n in range(count):
        at = datetime(2026, 10, 1, 8, 30) + timedelta(minutes=300 * n + rng.randrange(60))
        at += timedelta(seconds=rng.randrange(60))
        sep = "/" if n % 3 else "-"
        stamp = f"{at.year - 1911}{sep}{at:%m}{sep}{at:%d} {at:%H:%M:%S}"
        account = sorted(ACCOUNTS)[n % len(ACCOUNTS)]
        subject = synthetic_id(rng)
        assert is_valid_national_id(subject)
        blank = n % 17 == 0
        doc = "" if blank else f"北市場企字第115{n:07d}號"
        purpose = "" if blank or n % 2 else "攤販管理"
        rows.append(
            [stamp, account, ACCOUNTS[account], subject, doc, "", "", purpose, "",
             str(rng.randrange(1, 4)), f"10.20.1.{n % 250}", at]
        )  # fmt: skip
    return rows


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PLATFORM_HEADER)
        writer.writerows(row[:-1] for row in rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """The workbook as the platform writes it: ROC text stamps, numbers as numbers; the
    last row's stamp a real date-time cell (as after a clerk's edit in Excel)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PLATFORM_HEADER)
    for index, row in enumerate(rows):
        cells = [c if c != "" else None for c in row[:-1]]
        cells[9] = int(str(cells[9]))
        if index == len(rows) - 1:
            cells[0] = row[-1]
        sheet.append(cells)
    book.save(path)
    return path


@pytest.mark.parametrize("kind", ["utf-8", "cp950", "xlsx"])
def test_a_platform_export_is_read_fully(tmp_path: Path, kind: str) -> None:
    rows = platform_rows(60)
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "2026-10.xlsx", rows)
    else:
        path = write_csv(tmp_path / "2026-10.csv", rows, kind)
    log = QueryLog(path)
    queries = list(log)
    assert (log.rows, log.invalid_rows, log.problem_count) == (60, 0, 0)
    assert [q.queried_at for q in queries] == [row[-1] for row in rows]
    assert [(q.account_id, q.unit, q.subject_id) for q in queries] == [
        (row[1], row[2], row[3]) for row in rows
    ]
    assert {(q.subject_name, q.item) for q in queries} == {("", "")}
    assert [q.justification for q in queries] == [
        "；".join(str(c) for c in (row[4], row[7]) if c) for row in rows
    ]
    assert sum(not q.justification for q in queries) == 4  # rows 0, 17, 34, 51
    assert log.ignored_columns == EXTRAS  # named once, in file order
    assert log.absent_columns == ABSENT
    records = list(log.records())  # the fast pass reads the very same
    assert [(r[0], r[1], r[3]) for r in records] == [
        (q.row, q.queried_at, [getattr(q, f.name) for f in fields(q)][3:]) for q in queries
    ]


def test_the_summary_names_ignored_and_absent_columns_once(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "2026-10.csv", platform_rows(40))
    summary = summarise(QueryLog(path))
    assert (summary.rows, summary.valid, summary.without_justification) == (40, 40, 3)
    assert summary.ignored_columns == EXTRAS and summary.absent_columns == ABSENT
    assert sum(summary.by_unit.values()) == 40 and set(summary.by_unit) == set(ACCOUNTS.values())


def test_a_log_with_every_column_ignores_and_lacks_nothing(tmp_path: Path) -> None:
    header = ",".join(QueryColumns().model_dump().values())
    line = "2026-10-01 09:15:00,plan01,A123456789,王小明,戶籍資料,D1,,,,,企劃室"
    path = tmp_path / "q.csv"
    path.write_text(f"{header}\n{line}\n", encoding="utf-8")
    log = QueryLog(path)
    (query,) = log
    assert (query.subject_name, query.item) == ("王小明", "戶籍資料")
    assert (log.ignored_columns, log.absent_columns) == ((), ())


def test_mapped_platform_headers_with_extras(tmp_path: Path) -> None:
    """A platform that names its columns otherwise, mapped in [columns]; the extras and a
    mapped column the file does not have are no error."""
    header = "查詢時間,使用者帳號,身分證號,查詢事由,來源IP"
    path = tmp_path / "q.csv"
    path.write_text(f"{header}\n115/10/01 09:15:32,plan01,A123456789,攤販管理,10.0.0.1\n", "utf-8")
    columns = QueryColumns(
        timestamp="查詢時間", account="使用者帳號", subject_id="身分證號", purpose="查詢事由"
    )
    log = QueryLog(path, columns)
    (query,) = log
    assert query.queried_at == datetime(2026, 10, 1, 9, 15, 32)
    assert (query.purpose, query.justification, query.item, query.unit) == (
        "攤販管理", "攤販管理", "", "",
    )  # fmt: skip
    assert log.ignored_columns == ("來源IP",)
    assert log.absent_columns == (
        "被查詢人姓名", "查詢項目", "公文文號", "案號", "案件名稱", "法令依據", "查詢人員單位",
    )  # fmt: skip


def _refusal(path: Path, columns: QueryColumns | None = None) -> str:
    with pytest.raises(InputError) as caught:
        list(QueryLog(path, columns))
    message = str(caught.value)
    assert "\n" not in message and find_unmasked_ids(message) == []
    return message


def test_a_log_without_the_account_column_is_refused_in_one_line(tmp_path: Path) -> None:
    header = [name for name in PLATFORM_HEADER if name != "查詢人員帳號"]
    path = tmp_path / "2026-10.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([c for i, c in enumerate(row[:-1]) if i != 1] for row in platform_rows(3))
    message = _refusal(path)
    assert message.startswith(
        f"{path}: no column '查詢人員帳號' (key columns.account) in the header."
    )
    assert message.endswith(
        'Rename the column in the file, or map it in docgen.toml: [columns] account = "<your header>"'
    )
    assert "found: 查詢日期時間,查詢人員單位,被查詢人身分證統一編號," in message
    assert "not found either (optional, left blank): '被查詢人姓名' (key columns.subject_name)" in (
        message
    )
    assert "'查詢項目' (key columns.item)" in message


def test_a_log_without_any_justification_column_is_refused(tmp_path: Path) -> None:
    """R5.1 names five fields of which a query records one at least: a log with none of
    their columns cannot be checked; one with some of them can."""
    path = tmp_path / "q.csv"
    path.write_text(
        "查詢日期時間,查詢人員帳號,被查詢人身分證統一編號,查詢結果筆數\n"
        "115/10/01 09:15:32,plan01,A123456789,1\n",
        encoding="utf-8",
    )
    message = _refusal(path)
    assert message.startswith(f"{path}: no column of the justification (R5.1) in the header.")
    assert "at least one of 公文文號/案號/案件名稱/使用目的/法令依據" in message
    assert message.endswith(
        'map it in docgen.toml: [columns] purpose = "<your header>" '
        "(doc_no, case_no, case_name or legal_basis instead of purpose)"
    )
    several = tmp_path / "several.csv"
    several.write_text("查詢日期時間,帳號\n115/10/01 09:15:32,plan01\n", encoding="utf-8")
    message = _refusal(several)
    assert message.startswith(
        f"{several}: no column '查詢人員帳號' (key columns.account), '被查詢人身分證統一編號' "
        "(key columns.subject_id), nor any of the justification (R5.1) in the header."
    )
    assert (
        'Rename the columns in the file, or map them in docgen.toml: [columns] account = "<your '
        'header>", subject_id = "<your header>", purpose = "<your header>"'
    ) in message


def test_a_file_without_a_header_row_shows_no_id(tmp_path: Path) -> None:
    """The first row is data: the message quotes it as the header found, ID masked."""
    path = write_csv(tmp_path / "q.csv", platform_rows(2))
    path.write_text("\n".join(path.read_text("utf-8").splitlines()[1:]) + "\n", "utf-8")
    message = _refusal(path)
    assert re.search(r"found: 115-10-01 \d\d:\d\d:\d\d,\w+,\w+,[A-Z]\d{5}\*{4},", message)
    assert "(the first row holds an ID: is the header row missing?)" in message


STAMPS = [
    "115/10/01 09:15:32", "115-10-01 09:15:32", "115/12/31 23:59:59", "115/10/01 00:00:00",
    "115/1/1 09:15:32", "115.10.01 09:15:32", "115/10/01 9:15:32", "115/10/01 09:15",
    "115/10/01  09:15:32", "2026/10/01 09:15:32", "115年10月01日 09:15:32", "113/02/29 12:00:00",
]  # fmt: skip
BAD_STAMPS = [
    "115/02/30 09:15:32",
    "115/10/01 24:00:00",
    "115/10/01 09:60:00",
    "114/02/29 08:00:00",
]


def test_roc_date_times_read_as_the_general_parser_reads_them(tmp_path: Path) -> None:
    lines = [f"{stamp},plan01,A123456789,,,,,攤販管理,," for stamp in STAMPS + BAD_STAMPS]
    header = ",".join(PLATFORM_HEADER[:2] + PLATFORM_HEADER[3:9])
    header += ",被查詢人姓名,查詢項目"
    path = tmp_path / "q.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    log = QueryLog(path, skip_invalid=True)
    assert [q.queried_at for q in log] == [values.datetime_value(s) for s in STAMPS]
    expected = []
    for stamp in BAD_STAMPS:
        with pytest.raises(ValueError) as caught:
            values.datetime_value(stamp)
        expected.append(str(caught.value))
    assert [(p.row, p.column) for p in log.problems] == [
        (len(STAMPS) + 2 + i, "查詢日期時間") for i in range(len(BAD_STAMPS))
    ]
    assert [p.problem for p in log.problems] == expected
    with pytest.raises(ValidationFailed):
        QueryLog(path).check()


# ------------------------------------------------------------ end to end, through the CLI


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _exit_code(result: Result) -> int:
    error = result.exception
    return error.exit_code if isinstance(error, DocgenError) else result.exit_code


@pytest.fixture
def platform_office(tmp_path: Path, example_ws: Path) -> Path:
    """The example office (``docgen init --example``) with October's log replaced by a
    platform export in Big5."""
    root = tmp_path / "office"
    shutil.copytree(example_ws, root)
    (root / "data" / "queries" / "2026-10.xlsx").unlink()
    write_csv(root / "data" / "queries" / "2026-10.csv", platform_rows(120), "cp950")
    return root


def test_queries_check_on_a_platform_export(platform_office: Path) -> None:
    log = platform_office / "data" / "queries" / "2026-10.csv"
    result = _run("-w", str(platform_office), "queries", "check", str(log))
    assert _exit_code(result) == 0, (result.output, result.exception)
    assert "Data rows: 120" in result.output and "Invalid rows: 0" in result.output
    assert "Without justification (R5.1): 8" in result.output
    assert "2026-10-01" in result.output and "Traceback" not in result.output
    assert find_unmasked_ids(result.output) == []


def test_monthly_sample_on_a_platform_export(platform_office: Path) -> None:
    result = _run("-w", str(platform_office), "audit", "sample", "--month", "2026-10")
    assert _exit_code(result) == 0, (result.output, result.exception)
    assert "企劃室: 40 queries" in result.output and "市場行政科: 40 queries" in result.output
    out = platform_office / "out" / "audit" / "2026-10"
    (form,) = out.glob("附件4_月抽查_2026-10_企劃室_*.docx")
    text = re.sub(r"<[^>]+>", " ", zipfile.ZipFile(form).read("word/document.xml").decode())
    assert "查詢項目" in text and "115/10/" in text and find_unmasked_ids(text) == []
    assert (out / "抽查表_2026-10_企劃室.xlsx").is_file()
