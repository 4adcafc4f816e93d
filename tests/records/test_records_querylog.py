"""QueryLog: every problem reported with file, row and column; mapping; streaming."""

from __future__ import annotations

import csv
import tracemalloc
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from docgen.config import QueryColumns
from docgen.errors import InputError, ValidationFailed
from docgen.privacy import find_unmasked_ids
from docgen.records import QueryLog

QUERY_HEADER = (
    "查詢日期時間,查詢人員帳號,被查詢人身分證統一編號,被查詢人姓名,查詢項目,"
    "公文文號,案號,案件名稱,使用目的,法令依據,查詢人員單位"
)
GOOD = "2026-10-01 09:15:00,plan01,A123456789,王小明,個人戶籍資料,北市場企字第1號,,,,,企劃室"
BAD_ROWS = [
    GOOD,
    "115/10/02 10:00,,A123456789,王小明,戶籍資料,,,,攤販管理,,企劃室",  # row 3: no account
    "2026-10-03 25:00,ven01,A123456789,王小明,戶籍資料,,,,,,攤販管理科",  # row 4: bad time
    "2026-10-04 09:00,ven01,A123456788X,王小明,戶籍資料,,,,,,攤販管理科",  # row 5: bad ID
    "115/02/30 09:00,ven02,B1234,王小明,戶籍資料,,,,,,攤販管理科",  # row 6: two problems
    GOOD,
]


def _write(path: Path, lines: list[str], header: str = QUERY_HEADER, enc: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(enc))
    return path


def test_every_bad_row_is_reported_with_file_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "2026-10.csv", BAD_ROWS)
    with pytest.raises(ValidationFailed) as caught:
        list(QueryLog(path))
    where = [(p.file, p.row, p.column) for p in caught.value.problems]
    assert where == [
        (str(path), 3, "查詢人員帳號"),
        (str(path), 4, "查詢日期時間"),
        (str(path), 5, "被查詢人身分證統一編號"),
        (str(path), 6, "查詢日期時間"),
        (str(path), 6, "被查詢人身分證統一編號"),
    ]
    message = str(caught.value)
    assert message.startswith(f"5 invalid row(s) in {path}:")
    assert "impossible date '115/02/30'" in message
    assert find_unmasked_ids(message) == []


def test_skip_invalid_yields_the_valid_rows_and_keeps_the_problems(tmp_path: Path) -> None:
    log = QueryLog(_write(tmp_path / "q.csv", BAD_ROWS), skip_invalid=True)
    rows = [q.row for q in log]
    assert rows == [2, 7]
    assert (log.rows, log.invalid_rows, log.problem_count) == (6, 4, 5)
    assert [q.row for q in log] == [2, 7]  # re-iterable: the file is read again
    log.check()


def test_check_raises_after_reading_everything(tmp_path: Path) -> None:
    log = QueryLog(_write(tmp_path / "q.csv", BAD_ROWS))
    with pytest.raises(ValidationFailed):
        log.check()
    assert log.problem_count == 5


def test_query_fields_and_justification(tmp_path: Path) -> None:
    line = " 115/10/01 09:15 , plan01 ,a123456789,王小明,戶籍資料,,115企0001,,攤販管理,,企劃室"
    (query,) = QueryLog(_write(tmp_path / "q.csv", [line]))
    assert query.queried_at == datetime(2026, 10, 1, 9, 15)
    assert (query.account_id, query.subject_id, query.unit) == ("plan01", "A123456789", "企劃室")
    assert query.justification == "115企0001；攤販管理"
    assert (query.source, query.row) == (str(tmp_path / "q.csv"), 2)


def test_a_query_without_justification_is_not_a_reading_error(tmp_path: Path) -> None:
    line = "2026-10-01 09:15,plan01,A123456789,王小明,戶籍資料,,,,,,企劃室"
    (query,) = QueryLog(_write(tmp_path / "q.csv", [line]))
    assert query.justification == ""


def test_missing_columns_name_the_file_the_header_and_the_mapping_key(tmp_path: Path) -> None:
    header = QUERY_HEADER.replace("查詢人員帳號", "使用者").replace(",案號", ",案件編號")
    path = _write(tmp_path / "q.csv", [GOOD], header=header)
    with pytest.raises(InputError) as caught:
        list(QueryLog(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: no column '查詢人員帳號' (key columns.account)")
    assert "'案號' (key columns.case_no)" in message
    assert "Expected: 查詢日期時間,查詢人員帳號," in message
    assert "found: 查詢日期時間,使用者," in message


def test_the_column_mapping_reads_other_headers_and_optional_columns(tmp_path: Path) -> None:
    header = "time,user,pid,item,doc,case,case name,purpose,basis"
    path = _write(tmp_path / "q.csv", ["2026-10-01 09:15,u1,A123456789,x,D1,,,,"], header=header)
    columns = QueryColumns(
        timestamp="time", account="user", subject_id="pid", subject_name="name", item="item",
        doc_no="doc", case_no="case", case_name="case name", purpose="purpose",
        legal_basis="basis", unit="unit",
    )  # fmt: skip
    (query,) = QueryLog(path, columns)
    assert (query.account_id, query.subject_name, query.unit, query.doc_no) == ("u1", "", "", "D1")


def test_cp950_xlsx_and_yaml_logs(tmp_path: Path) -> None:
    line = "115/09/30 16:05:09,ven01,A123456789,林美玲,戶籍資料,,,攤位使用人資格審查,,,攤販管理科"
    cp950 = _write(tmp_path / "q.csv", [line], enc="cp950")
    (from_big5,) = QueryLog(cp950)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(QUERY_HEADER.split(","))
    stamp = datetime(2026, 9, 30, 16, 5, 9)
    sheet.append([stamp, "ven01", "A123456789", "林美玲", "戶籍資料", None, None,
                  "攤位使用人資格審查", None, None, "攤販管理科"])  # fmt: skip
    book.save(tmp_path / "q.xlsx")
    (from_xlsx,) = QueryLog(tmp_path / "q.xlsx")
    yaml_text = "\n".join(
        ["- 查詢日期時間: 2026-09-30 16:05:09", "  查詢人員帳號: ven01",
         "  被查詢人身分證統一編號: A123456789", "  被查詢人姓名: 林美玲", "  查詢項目: 戶籍資料",
         "  公文文號:", "  案號:", "  案件名稱: 攤位使用人資格審查", "  使用目的:", "  法令依據:",
         "  查詢人員單位: 攤販管理科"]
    )  # fmt: skip
    (tmp_path / "q.yaml").write_text(yaml_text, "utf-8")
    (from_yaml,) = QueryLog(tmp_path / "q.yaml")
    for query in (from_big5, from_xlsx, from_yaml):
        assert query.queried_at == stamp
        assert query.justification == "攤位使用人資格審查"
        assert query.subject_name == "林美玲"
    assert from_xlsx.row == 2 and from_yaml.row == 1


def test_problems_are_bounded_but_counted(tmp_path: Path) -> None:
    lines = [f"bad{i},u,A123456789,x,x,,,,,," for i in range(50)]
    log = QueryLog(_write(tmp_path / "q.csv", lines), skip_invalid=True, max_problems=10)
    assert list(log) == []
    assert (len(log.problems), log.problem_count, log.invalid_rows) == (10, 50, 50)


def test_a_large_log_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(QUERY_HEADER.split(","))
        for i in range(50_000):
            writer.writerow([f"2026-10-01 09:{i % 60:02d}:00", f"u{i % 30}", "A123456789",
                             "王小明", "戶籍資料", f"D{i}", "", "攤位使用人資格審查" * 6,
                             "", "", "企劃室"])  # fmt: skip
    size = path.stat().st_size
    tracemalloc.start()
    count = sum(1 for _ in QueryLog(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 50_000
    assert peak < size / 4, (peak, size)  # about 1 MB for a 10 MB file


def test_every_column_layout_reads_the_same_queries(tmp_path: Path) -> None:
    """In order (sliced), without the unit column, reordered with an extra column, or with
    short and long rows: the same queries, and records() gives the same rows as tuples."""
    names = QUERY_HEADER.split(",")
    spaced = [" 2026-10-02 10:00:00 ", " ven01 ", "a123456789", " 林 ", "戶籍資料", "", "", "",
              "攤販管理", " ", "x"]  # fmt: skip
    rows = [GOOD.split(","), spaced]
    order = [3, 0, 10, 1, 2, 4, 9, 5, 6, 7, 8]
    layouts = {
        "in_order": (names, rows),
        "no_unit": (names[:10], [r[:10] for r in rows]),
        "reordered": ([names[i] for i in order] + ["備註"], [[r[i] for i in order] + ["z"] for r in rows]),
        "short_long": (names, [rows[0][:9], rows[1] + ["extra"]]),
    }  # fmt: skip
    read = {}
    for name, (header, cells) in layouts.items():
        path = tmp_path / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *cells])
        log = QueryLog(path)
        queries = [q for q in log]
        records = list(log.records())
        assert [(r[0], r[1], r[3]) for r in records] == [
            (q.row, q.queried_at, [getattr(q, f.name) for f in fields(q)][3:]) for q in queries
        ]
        read[name] = [replace(q, source="") for q in queries]
    second = read["in_order"][1]
    assert (second.account_id, second.subject_id, second.subject_name) == (
        "ven01",
        "A123456789",
        "林",
    )
    assert (second.purpose, second.legal_basis, second.unit) == ("攤販管理", "", "x")
    assert read["reordered"] == read["in_order"]
    assert read["no_unit"] == [replace(q, unit="") for q in read["in_order"]]
    assert read["short_long"][0] == replace(
        read["in_order"][0], purpose="", legal_basis="", unit=""
    )
    assert read["short_long"][1] == read["in_order"][1]
