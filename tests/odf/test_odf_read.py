"""ODS in: query logs, the account registry and form data read from OpenDocument
spreadsheets (ISSUE 11 item 10) through the normal readers — files LibreOffice wrote
from the example office, and sheets built here for the repeated rows and columns
LibreOffice writes and for damaged or hostile files (one line naming the file)."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from docgen.errors import InputError
from docgen.records import QueryLog, read_table
from docgen.records.accounts import read_registry
from docgen.records.tables import TABLE_SUFFIXES, csv_rows, table_kind
from tests.odf.odf_support import ODS, convert, needs_calc, part, q

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
    "<office:body><office:spreadsheet>"
)
TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _package(path: Path, content: str, mimetype: str = MIMETYPE) -> Path:
    """An ODS package (mimetype first and stored, as ODF asks) holding ``content``."""
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        package.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return path


def _text(value: str, repeat: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{more}><text:p>{value}</text:p></table:table-cell>'


def _sheet(rows: str, second: str = "") -> str:
    return f'{HEAD}<table:table table:name="工作表1">{rows}</table:table>{second}{TAIL}'


EMPTY_CELLS = '<table:table-cell table:number-columns-repeated="16384"/>'
EMPTY_ROWS = (
    f'<table:table-row table:number-rows-repeated="1048576">{EMPTY_CELLS}</table:table-row>'
)


def _sample(path: Path) -> Path:
    """What LibreOffice writes for a small sheet: typed cells, the empty rest of each
    row and of the sheet as repeats, a comment, a merged cell, spaces as text:s."""
    header = (
        "<table:table-header-rows><table:table-row>"
        + _text("日期")
        + _text("時間")
        + _text("筆數")
        + _text("說明")
        + _text("合併")
        + EMPTY_CELLS
        + "</table:table-row></table:table-header-rows>"
    )
    first = (
        "<table:table-row>"
        '<table:table-cell office:value-type="date" office:date-value="2026-11-27">'
        "<text:p>115/11/27</text:p></table:table-cell>"
        '<table:table-cell office:value-type="date" office:date-value="2026-11-27T09:30:05">'
        "<text:p>115/11/27 09:30:05</text:p></table:table-cell>"
        '<table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p>'
        "</table:table-cell>"
        '<table:table-cell office:value-type="string"><office:annotation><text:p>comment'
        '</text:p></office:annotation><text:p>兩<text:s text:c="2"/>空格</text:p>'
        "<text:p>第二行</text:p></table:table-cell>"
        '<table:table-cell table:number-columns-spanned="2" office:value-type="string">'
        "<text:p>merged</text:p></table:table-cell><table:covered-table-cell/>"
        f"{EMPTY_CELLS}</table:table-row>"
    )
    blank = f'<table:table-row table:number-rows-repeated="2">{EMPTY_CELLS}</table:table-row>'
    last = (
        '<table:table-row table:number-rows-repeated="2">'
        '<table:table-cell office:value-type="float" office:value="2.5"/>'
        '<table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="boolean" office:boolean-value="true">'
        "<text:p>TRUE</text:p></table:table-cell>"
        f"{EMPTY_CELLS}</table:table-row>"
    )
    other = f'<table:table table:name="second">{"<table:table-row>" + _text("x") + "</table:table-row>"}</table:table>'
    return _package(path, _sheet(header + first + blank + last + EMPTY_ROWS, other))


def test_ods_is_a_table_kind() -> None:
    assert ".ods" in TABLE_SUFFIXES and table_kind(Path("q.ods")) == "ods"


def test_rows_as_dicts_with_dates_numbers_and_text(tmp_path: Path) -> None:
    rows = list(read_table(_sample(tmp_path / "s.ods")))
    assert rows == [
        (
            2,
            {"日期": date(2026, 11, 27), "時間": datetime(2026, 11, 27, 9, 30, 5), "筆數": 3,
             "說明": "兩  空格\n第二行", "合併": "merged"},
        ),
        (5, {"日期": 2.5, "時間": "", "筆數": "", "說明": True, "合併": ""}),
        (6, {"日期": 2.5, "時間": "", "筆數": "", "說明": True, "合併": ""}),
    ]  # fmt: skip


def test_repeated_empty_rows_and_columns_are_never_spelled_out(tmp_path: Path) -> None:
    rows = "<table:table-row>" + _text("a") + EMPTY_CELLS + "</table:table-row>"
    rows += EMPTY_ROWS * 8  # eight million empty rows, 16 384 empty columns each
    path = _package(tmp_path / "big.ods", _sheet(rows))
    tracemalloc.start()
    started = time.monotonic()
    assert list(read_table(path)) == []
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 20 * 1024 * 1024


@needs_calc
def test_a_query_log_libreoffice_saved_as_ods_reads_as_the_xlsx(
    example_office: Path, tmp_path: Path
) -> None:
    xlsx = example_office / "data" / "queries" / "2026-10.xlsx"
    (ods,) = convert([xlsx], tmp_path, ODS)
    repeats = [
        row.get(q("table:number-rows-repeated"))
        for row in part(ods, "content.xml").iter(q("table:table-row"))
    ]
    from_xlsx, from_ods = list(QueryLog(xlsx)), list(QueryLog(ods))
    assert len(from_ods) == 264
    assert [
        (r.row, r.queried_at, r.account_id, r.subject_id, r.justification) for r in from_ods
    ] == [(r.row, r.queried_at, r.account_id, r.subject_id, r.justification) for r in from_xlsx]
    assert all(type(r.queried_at) is datetime for r in from_ods)
    assert repeats  # LibreOffice's own file, rows and all


@needs_calc
def test_the_registry_libreoffice_saved_as_ods_reads_as_the_csv(
    example_office: Path, tmp_path: Path
) -> None:
    registry = example_office / "data" / "accounts.csv"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for _number, cells in csv_rows(registry):
        sheet.append([str(c).lstrip("\ufeff") for c in cells])  # text cells, ROC dates as text
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"
    book.save(tmp_path / "accounts.xlsx")
    (ods,) = convert([tmp_path / "accounts.xlsx"], tmp_path / "ods", ODS)
    from_csv, from_ods = read_registry(registry), read_registry(ods)
    assert len(from_ods.accounts) == 25
    assert from_ods.accounts == from_csv.accounts
    assert from_ods.rows == from_csv.rows and from_ods.columns == from_csv.columns


@pytest.mark.parametrize(
    ("name", "build", "says"),
    [
        ("renamed.ods", lambda p: p.write_bytes(b"PK not really"), "not a readable OpenDocument"),
        ("text.ods", lambda p: p.write_text("帳號,姓名\n", encoding="utf-8"), "not a zip package"),
        ("letter.ods", lambda p: _package(p, _sheet(""), "application/vnd.oasis.opendocument.text"),
         "not a spreadsheet"),
        ("broken.ods", lambda p: _package(p, HEAD + "<table:table><table:table-row>"), "XML that does not parse"),
        ("bomb.ods", lambda p: _package(p, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                          + _sheet("")), "document type declaration"),
        ("wide.ods", lambda p: _package(p, _sheet("<table:table-row>" + _text("a")
                                                  + '<table:table-cell table:number-columns-repeated="5000"/>'
                                                  + _text("past") + "</table:table-row>")),
         "a value past column 1,000"),
        ("many.ods", lambda p: _package(p, _sheet('<table:table-row table:number-rows-repeated="1000000000">'
                                                  + _text("a") + "</table:table-row>")),
         "more rows than a sheet holds"),
        ("date.ods", lambda p: _package(p, _sheet("<table:table-row>" + _text("d") + "</table:table-row>"
                                                  '<table:table-row><table:table-cell office:value-type="date" '
                                                  'office:date-value="2026-13-45"/></table:table-row>')),
         "row 2, column 1: not a valid cell value"),
    ],
)  # fmt: skip
def test_a_bad_ods_is_one_line_naming_the_file(tmp_path: Path, name, build, says) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    build(path)
    with pytest.raises(InputError) as caught:
        list(read_table(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and says in message and "\n" not in message
