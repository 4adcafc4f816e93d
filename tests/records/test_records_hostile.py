"""Hostile query logs and registries (ISSUE 9 items 7–9): decompression bombs, damaged
workbooks, CSV with a NUL, a 100 MB field or a million columns, formula payloads.
Each ends in one line naming the file (and the row and column where there is one),
exit 3, no traceback, in bounded memory; a payload comes out as text."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from docgen.cells import FORMULA_TRIGGERS
from docgen.cli.main import main
from docgen.errors import InputError
from docgen.records import QueryLog, read_table
from docgen.records.tables import MAX_COLUMNS, MAX_ROW_CHARS
from tests.hostile import generate
from tests.hostile.cli import assert_one_line_error, run_docgen

#: A docgen process reading a hostile file stays under this (the interpreter and its
#: imports take about 60 MB; before ISSUE 9 a 100 MB field took over 300 MB).
PEAK_MB = 200

DAMAGED: dict[str, Callable[[Path], Path]] = {
    "bad CRC": generate.bad_crc,
    "truncated member": generate.truncated_member,
    "truncated zip": generate.truncated_zip,
    "sheet not XML": generate.member_not_xml,
    "workbook.xml not XML": lambda t: generate.member_not_xml(t, member_name="xl/workbook.xml"),
    "styles not XML": lambda t: generate.member_not_xml(t, member_name="xl/styles.xml"),
    "content types not XML": lambda t: generate.member_not_xml(
        t, member_name="[Content_Types].xml"
    ),
    "billion laughs": generate.billion_laughs,
    "quadratic blowup": generate.quadratic_blowup,
    "workbook.xml blowup": lambda t: generate.quadratic_blowup(
        t, member_name="xl/workbook.xml", references=2_000
    ),
    "external entity": generate.external_entity,
    "lying sizes": lambda t: generate.lying_bomb(t, inflated_bytes=50_000_000),
    "not a zip": lambda t: _written(t, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls"),
}


def _written(target: Path, data: bytes) -> Path:
    target.write_bytes(data)
    return target


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``docgen ARGS`` in this process through the real entry point: (exit code, stderr).
    An exception docgen does not turn into an error line fails the test."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    code = done.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


def assert_one_line(code: int, err: str, path: Path) -> None:
    lines = err.strip().splitlines()
    assert code == 3, err
    assert len(lines) == 1 and lines[0].startswith("Error: ") and path.name in lines[0], err


# --- the generator itself ------------------------------------------------------------


def test_the_generator_builds_what_it_says(tmp_path: Path) -> None:
    import zlib

    block = bytes(range(256)) * 5
    assert generate.crc32_repeated(block, 777) == zlib.crc32(block * 777)
    small = generate.xlsx_bomb(tmp_path / "small.xlsx", inflated_bytes=5_000_123)
    with zipfile.ZipFile(small) as archive:
        assert archive.testzip() is None  # sizes and CRC-32 are right
        assert archive.getinfo(generate.SHEET).file_size == 5_000_123
    bomb = generate.xlsx_bomb(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo(generate.SHEET).file_size == generate.BOMB_BYTES
    assert bomb.stat().st_size < 2_000_000
    with zipfile.ZipFile(generate.bad_crc(tmp_path / "crc.xlsx")) as archive:
        assert archive.testzip() == generate.SHEET


# --- XLSX ---------------------------------------------------------------------------


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_workbook_is_one_line(
    damage: str, tmp_path: Path, example_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = DAMAGED[damage](tmp_path / "2026-10.xlsx")
    code, err = run_main(capsys, "-w", str(example_ws), "queries", "check", str(log))
    assert_one_line(code, err, log)
    with pytest.raises(InputError, match=r"2026-10\.xlsx"):
        list(read_table(log))


@pytest.mark.parametrize("build", [generate.xlsx_bomb, generate.lying_bomb])
def test_a_decompression_bomb_is_refused_in_bounded_memory(
    build: Callable[[Path], Path], tmp_path: Path, example_ws: Path
) -> None:
    """ISSUE 9: a 1.7 MB log that inflates to 1.8 GB took `queries check` past 3 GB."""
    bomb = build(tmp_path / "2026-10.xlsx")
    assert bomb.stat().st_size < 3_000_000
    done = run_docgen(["-w", str(example_ws), "queries", "check", str(bomb)])
    assert_one_line_error(done, bomb)
    assert done.peak_mb < PEAK_MB


def test_a_worksheet_is_read_as_far_as_its_cells_go(tmp_path: Path) -> None:
    """A dimension smaller than the sheet used to cut rows and columns off; a huge one
    padded every row to 16,384 cells."""
    rows = [generate.QUERY_LOG_HEADER, generate.QUERY_LOG_ROW, generate.QUERY_LOG_ROW]
    small = generate.with_dimension(
        tmp_path / "small.xlsx", "A1:A1", generate.workbook(tmp_path / "w.xlsx", rows)
    )
    read = list(read_table(small))
    assert [n for n, _ in read] == [2, 3]
    assert read[0][1]["被查詢人姓名"] == "王小明"
    assert len(list(QueryLog(small))) == 2
    huge = generate.with_dimension(tmp_path / "huge.xlsx", "A1:XFD1048576")
    from docgen.records.tables import xlsx_rows

    assert [len(cells) for _, cells in xlsx_rows(huge)] == [10, 10]  # not 16,384


def test_values_past_the_last_column_read_are_refused_and_empty_cells_dropped(
    tmp_path: Path,
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(generate.QUERY_LOG_HEADER))
    sheet.append(list(generate.QUERY_LOG_ROW))
    sheet.cell(2, MAX_COLUMNS + 500).value = ""  # an empty cell far right: dropped
    book.save(tmp_path / "ok.xlsx")
    assert len(list(read_table(tmp_path / "ok.xlsx"))) == 1
    sheet.cell(2, MAX_COLUMNS + 5).value = "x"
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(InputError, match=rf"wide\.xlsx, row 2, column {MAX_COLUMNS + 5}: "):
        list(read_table(tmp_path / "wide.xlsx"))


# --- CSV ----------------------------------------------------------------------------


def test_a_nul_byte_names_its_row_and_column(tmp_path: Path) -> None:
    """Before ISSUE 9 a NUL went through into names (and broke the XLSX writers)."""
    log = generate.csv_with_nul(tmp_path / "2026-10.csv")
    with pytest.raises(InputError, match=r"2026-10\.csv, row 2, column 被查詢人姓名: a NUL"):
        list(QueryLog(log))
    with pytest.raises(InputError, match="row 2, column 被查詢人姓名"):
        list(read_table(log))


def test_a_huge_field_names_its_row_and_column_in_bounded_memory(
    tmp_path: Path, example_ws: Path
) -> None:
    """A 100 MB field used to be read whole (over 300 MB) and named no column."""
    log = generate.csv_huge_field(tmp_path / "2026-10.csv")
    done = run_docgen(["-w", str(example_ws), "queries", "check", str(log)])
    assert_one_line_error(done, log)
    assert "row 2, column 案件名稱: a field longer than 131,072 characters" in done.stderr
    assert done.peak_mb < PEAK_MB


def test_a_field_over_the_csv_limit_names_its_column(tmp_path: Path) -> None:
    log = generate.csv_huge_field(tmp_path / "q.csv", field_bytes=200_000, column=4)
    with pytest.raises(InputError, match=r"q\.csv, row 2, column 查詢項目: a field longer"):
        list(read_table(log))


def test_a_million_columns_are_refused_in_bounded_memory(tmp_path: Path, example_ws: Path) -> None:
    log = generate.csv_many_columns(tmp_path / "2026-10.csv", columns=1_000_000)
    done = run_docgen(["-w", str(example_ws), "queries", "check", str(log)])
    assert_one_line_error(done, log)
    assert f"row 1: longer than {MAX_ROW_CHARS:,} characters" in done.stderr
    assert done.peak_mb < PEAK_MB


def test_columns_past_the_last_read_must_be_empty(tmp_path: Path) -> None:
    wide = generate.csv_many_columns(tmp_path / "wide.csv", columns=MAX_COLUMNS + 10)
    with pytest.raises(InputError, match=rf"wide\.csv, row 1, column {MAX_COLUMNS + 1}: "):
        list(read_table(wide))
    trailing = tmp_path / "trailing.csv"  # Excel's trailing commas are not values
    header, row = ",".join(generate.QUERY_LOG_HEADER), ",".join(generate.QUERY_LOG_ROW)
    trailing.write_text(f"{header}{',' * 3000}\n{row}{',' * 3000}\n", encoding="utf-8")
    assert len(list(QueryLog(trailing))) == 1


def test_a_row_of_many_lines_is_bounded_too(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    field = '"' + "x\n" * 50_000 + '"'  # 100 KB: under the csv limit, many lines
    path.write_text("a,b\n" + ",".join([field] * 12) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"lines\.csv, row 2: longer than {MAX_ROW_CHARS:,}"):
        list(read_table(path))


def test_a_bad_byte_after_a_long_line_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"a,b\n" + (b"x" * 100_000 + b"\n") * 3 + b"1,\xff\xfe\n")
    with pytest.raises(InputError, match=r"late\.csv, row 5: not valid UTF-8"):
        list(read_table(path))


# --- formula payloads through queries check ------------------------------------------


def test_queries_check_writes_payload_accounts_as_text(
    tmp_path: Path, example_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An account ID from the log is a row key of the check's report."""
    payloads = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1", "-1", "＝1"]
    log = tmp_path / "2026-10.csv"
    with open(log, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(generate.QUERY_LOG_HEADER)
        for account in payloads:
            writer.writerow([generate.QUERY_LOG_ROW[0], account, *generate.QUERY_LOG_ROW[2:]])
    out = tmp_path / "check.xlsx"
    main(["-w", str(example_ws), "queries", "check", str(log), "--format", "xlsx", "-o", str(out)])
    with zipfile.ZipFile(out) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(out).active
    assert sheet is not None
    keys = {sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)}
    assert {"'" + p for p in payloads} <= keys
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    out_csv = tmp_path / "check.csv"
    main(
        ["-w", str(example_ws), "queries", "check", str(log), "--format", "csv", "-o", str(out_csv)]
    )
    with open(out_csv, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert {"'" + p for p in payloads} <= set(cells)
    assert not [c for c in cells if c and c[0] in FORMULA_TRIGGERS]
