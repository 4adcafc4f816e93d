"""Reports come out in all four formats, readable by people, programs and Excel."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docgen.errors import UsageError
from docgen.report import Report, display_width, render_table, write_report

REPORT = Report(
    title="測試報表",
    columns={"record": "紀錄編號", "unit": "單位", "due": "期限", "late": "逾期"},
    rows=[
        {
            "record": "DG-4M-202610-0A1B2C3D",
            "unit": "企劃室",
            "due": date(2026, 11, 30),
            "late": True,
        },
        {"record": "DG-2-20261127-00000001", "unit": "管理科", "due": None, "late": False},
    ],
    summary={"合計": 2},
)


def test_table_aligns_wide_characters() -> None:
    text = render_table(REPORT)
    lines = text.splitlines()
    assert lines[0] == "測試報表"
    header, rule = lines[2], lines[3]
    assert display_width(header.split("  ")[0]) <= len(rule.split("  ")[0])
    assert "企劃室" in text and "2026-11-30" in text and "yes" in text
    assert "合計: 2" in text


def test_json_is_machine_readable() -> None:
    payload = json.loads(write_report(REPORT, "json") or "")
    assert payload["rows"][0] == {
        "record": "DG-4M-202610-0A1B2C3D",
        "unit": "企劃室",
        "due": "2026-11-30",
        "late": True,
    }
    assert payload["summary"] == {"合計": 2}


def test_csv_file_has_bom_for_excel(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    write_report(REPORT, "csv", target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == "紀錄編號,單位,期限,逾期"


def test_xlsx_opens_with_headers_and_dates(tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    write_report(REPORT, "xlsx", target)
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["紀錄編號", "單位", "期限", "逾期"]
    assert sheet["B2"].value == "企劃室"
    assert sheet["C2"].value.date() == date(2026, 11, 30)
    assert sheet["D2"].value == "yes"


def test_xlsx_needs_a_file() -> None:
    """A usage mistake (ISSUE 11 item 3: exit 2), not bad input."""
    with pytest.raises(UsageError, match="-o"):
        write_report(REPORT, "xlsx")


def test_empty_report_says_none() -> None:
    assert "(none)" in render_table(Report("空", {"a": "A"}, []))
