"""read_table: every encoding and format, row numbers, decode errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from docgen.errors import InputError
from docgen.records import read_table
from docgen.records.tables import detect_encoding

TEXT = "帳號,姓名,單位\nplan01,王小明,企劃室\n\nven01,林美玲,攤販管理科\n"
EXPECTED = [
    (2, {"帳號": "plan01", "姓名": "王小明", "單位": "企劃室"}),
    (4, {"帳號": "ven01", "姓名": "林美玲", "單位": "攤販管理科"}),
]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp950", "cp950"), ("big5", "cp950")],
)
def test_csv_in_each_encoding(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(TEXT.encode(encoding))
    assert detect_encoding(path) == detected
    assert list(read_table(path)) == EXPECTED


def test_big5_decode_error_later_in_the_file_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    head = "帳號,姓名\n".encode() + b"".join(f"u{i},name\n".encode() for i in range(40000))
    path.write_bytes(head + "u,王小明\n".encode("cp950") + b"x,y\n")
    with pytest.raises(InputError) as caught:
        list(read_table(path))
    assert f"{path}, row 40002: not valid UTF-8" in str(caught.value)


def test_neither_utf8_nor_big5_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,b\n\x81\xff\xfe,\xff\n")
    with pytest.raises(InputError, match="neither UTF-8 nor Big5"):
        detect_encoding(path)


def test_xlsx_keeps_cell_types(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["帳號", "時間", "件數"])
    sheet.append(["plan01", datetime(2026, 10, 1, 9, 30), 3])
    sheet.append([None, None, None])
    sheet.append(["ven01", None, 4])
    book.save(path)
    assert list(read_table(path)) == [
        (2, {"帳號": "plan01", "時間": datetime(2026, 10, 1, 9, 30), "件數": 3}),
        (4, {"帳號": "ven01", "時間": "", "件數": 4}),
    ]


def test_yaml_list_and_json_mapping_with_one_list(tmp_path: Path) -> None:
    yaml_path = tmp_path / "table.yaml"
    yaml_path.write_text("- 帳號: plan01\n  單位: 企劃室\n- 帳號: ven01\n  單位:\n", "utf-8")
    assert list(read_table(yaml_path)) == [
        (1, {"帳號": "plan01", "單位": "企劃室"}),
        (2, {"帳號": "ven01", "單位": ""}),
    ]
    json_path = tmp_path / "table.json"
    json_path.write_text(json.dumps({"accounts": [{"帳號": "plan01"}]}), "utf-8")
    assert list(read_table(json_path)) == [(1, {"帳號": "plan01"})]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.json", '{"a": 1}', "expected a list of entries"),
        ("t.yaml", "- 1\n- 2\n", "row 1: expected a mapping"),
        ("t.yaml", "a: [b\n", "not valid YAML"),
        ("t.txt", "x", "unsupported file type .txt"),
        ("t.csv", "a,a\n1,2\n", "column 'a' appears twice"),
    ],
)
def test_bad_tables_are_input_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(InputError, match=message):
        list(read_table(path))


def test_missing_file_and_broken_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_table(tmp_path / "none.csv"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        list(read_table(broken))
