"""Hostile YAML and JSON (ISSUE 9, review of the hardening): nesting 100,000 deep, a
timestamp that is no date, an integer of 5,000 digits, a damaged journal line, control
characters in metadata. Each is one line naming the file (exit 3; a damaged journal
exit 5, naming the line), never a traceback; the real CLI runs in a subprocess."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pikepdf
import pytest
import yaml
from docx import Document

from docgen.errors import ExitCode, IntegrityError
from docgen.journal import Journal
from docgen.metadata import (
    RecordMetadata,
    attach_metadata,
    ooxml_with_metadata,
    read_ooxml_metadata,
    read_pdf_metadata,
    write_pdf_metadata,
)
from docgen.records.workspace import init_workspace
from docgen.yamlsafe import (
    MAX_DEPTH,
    DocumentError,
    depth,
    load_json,
    load_yaml,
    read_text_capped,
)
from tests.hostile.cli import Done, assert_one_line_error, run_docgen
from tests.hostile.generate import QUERY_LOG_HEADER, QUERY_LOG_ROW

DEEP = 100_000


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parsing") / "office"
    init_workspace(root)
    return root


def _entry(**changes: object) -> dict[str, object]:
    return {**dict(zip(QUERY_LOG_HEADER, QUERY_LOG_ROW, strict=True)), **changes}


def _logs(folder: Path) -> dict[str, Path]:
    """Query logs that used to end in a traceback, by what is wrong with them."""
    folder.mkdir(exist_ok=True)
    logs = {
        "deep.yaml": "[" * DEEP + "]" * DEEP,
        "deep.json": "[" * DEEP + "]" * DEEP,
        "deep-mapping.yaml": "a: " + "{a: " * DEEP + "1" + "}" * DEEP,
        "no-such-day.yaml": yaml.safe_dump(
            [_entry(查詢日期時間="@DAY@")], allow_unicode=True
        ).replace("'@DAY@'", "2026-02-30"),
        "huge-integer.json": json.dumps([_entry()], ensure_ascii=False).replace(
            '"2026-10-01 09:00:00"', "7" * 5000
        ),
    }
    for name, text in logs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {name: folder / name for name in logs}


@pytest.mark.parametrize(
    "name", ["deep.yaml", "deep.json", "deep-mapping.yaml", "no-such-day.yaml", "huge-integer.json"]
)
def test_queries_check_on_a_hostile_log_is_one_line(
    workspace: Path, tmp_path: Path, name: str
) -> None:
    log = _logs(tmp_path)[name]
    done = run_docgen(["-w", str(workspace), "queries", "check", str(log)])
    assert_one_line_error(done, log)


def test_a_deep_package_manifest_is_one_line(workspace: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "package.yaml"
    manifest.write_text("documents: " + "[" * DEEP + "]" * DEEP, encoding="utf-8")
    out = tmp_path / "out.pdf"
    done = run_docgen(
        ["-w", str(workspace), "package", "build", "--manifest", str(manifest), "-o", str(out)]
    )
    assert_one_line_error(done, manifest)
    assert "nested more than 100 levels" in done.stderr
    assert not out.exists()


# --- the loaders themselves -----------------------------------------------------------


def test_load_yaml_refuses_nesting_past_the_limit() -> None:
    fine = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert depth(load_yaml(fine)) == MAX_DEPTH
    too_deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(yaml.YAMLError, match="nested more than 100 levels"):
        load_yaml(too_deep)
    block = "".join(f"{'  ' * level}a:\n" for level in range(MAX_DEPTH + 1)) + "  " * 101 + "b: 1"
    with pytest.raises(yaml.YAMLError, match="nested more than 100 levels"):
        load_yaml(block)


def test_load_yaml_turns_a_day_that_does_not_exist_into_a_yaml_error() -> None:
    with pytest.raises(
        yaml.YAMLError, match=r"^line 1, column \d+: '2026-02-30' is not a valid date"
    ):
        load_yaml("- 查詢日期時間: 2026-02-30")
    assert str(load_yaml("d: 2026-02-28")["d"]) == "2026-02-28"


def test_load_yaml_still_refuses_aliases() -> None:
    with pytest.raises(yaml.YAMLError, match="aliases"):
        load_yaml("a: &x [1]\nb: *x")


@pytest.mark.parametrize(
    "text, found",
    [
        ("[" * DEEP + "]" * DEEP, "nested too deeply"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested too deeply"),
        ('{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), "nested too deeply"),
        ("1" * 5000, "a value cannot be read"),
        ("{", "Expecting property name"),
    ],
)
def test_load_json_refuses_what_would_be_a_traceback(text: str, found: str) -> None:
    with pytest.raises(DocumentError, match=found) as caught:
        load_json(text)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, yaml.YAMLError)


def test_load_json_reads_ordinary_documents() -> None:
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert depth(load_json(nested)) == MAX_DEPTH
    assert load_json('{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}


def test_read_text_capped_refuses_a_file_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + b"a" * 100)
    assert read_text_capped(path, 103) == "a" * 100
    with pytest.raises(DocumentError, match="larger than"):
        read_text_capped(path, 102)


def test_a_data_file_over_64_mib_is_one_line(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "2026-10.json"
    with open(log, "wb") as out:
        out.write(b'[{"a": "')
        out.write(b"x" * (64 << 20))
        out.write(b'"}]')
    done = run_docgen(["-w", str(workspace), "queries", "check", str(log)])
    assert_one_line_error(done, log)
    assert "larger than 64 MiB" in done.stderr
    assert done.peak_mb < 250


# --- the journal ----------------------------------------------------------------------


def _journal_with(tmp_path: Path, damage: bytes) -> Path:
    root = tmp_path / "office"
    init_workspace(root)
    journal = root / ".docgen" / "journal.jsonl"
    assert journal.exists()
    with open(journal, "ab") as out:
        out.write(damage + b"\n")
    return root


DAMAGED_LINES = {
    "not UTF-8": b'{"command": "\xff"}',
    "deep": b"[" * DEEP + b"]" * DEEP,
    "deep object": b'{"a": ' * 200 + b"1" + b"}" * 200,
    "not an object": b"[1, 2]",
}


def _assert_damaged(done: Done, journal: Path, line: int) -> None:
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.code == ExitCode.INTEGRITY, (done.code, done.stderr[-3000:])
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    assert journal.name in lines[0] and f"line {line} " in lines[0], lines[0]


@pytest.mark.parametrize("damage", DAMAGED_LINES)
def test_journal_verify_names_a_damaged_line(tmp_path: Path, damage: str) -> None:
    root = _journal_with(tmp_path, DAMAGED_LINES[damage])
    journal = root / ".docgen" / "journal.jsonl"
    done = run_docgen(["-w", str(root), "journal", "verify"])
    _assert_damaged(done, journal, 2)
    with pytest.raises(IntegrityError, match="line 2 is not a journal entry"):
        Journal(journal).entries()


@pytest.mark.parametrize("damage", ["not UTF-8", "deep", "not an object"])
def test_a_journalled_command_on_a_damaged_journal_names_the_line(
    tmp_path: Path, damage: str
) -> None:
    root = _journal_with(tmp_path, DAMAGED_LINES[damage])
    journal = root / ".docgen" / "journal.jsonl"
    before = journal.read_bytes()
    data = (
        Path(__file__).parents[2] / "docgen/data/example/forms/附件1_戶政機關資料交換安全約定.yaml"
    )
    out = tmp_path / "out"
    done = run_docgen(["-w", str(root), "forms", "fill", "1", str(data), "-d", str(out)])
    _assert_damaged(done, journal, 2)
    assert journal.read_bytes() == before
    assert not out.exists() or not any(out.iterdir())


def test_appending_after_a_damaged_last_line_is_an_integrity_error(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.append("one")
    with open(journal.path, "ab") as out:
        out.write(b'{"x": "\xff"}\n')
    before = journal.path.read_bytes()
    with pytest.raises(IntegrityError, match="line 2 is not a journal entry"):
        journal.append("two")
    assert journal.path.read_bytes() == before
    with open(journal.path, "ab") as out:
        out.write(b'{"seq": "2", "hash": 5}\n')
    with pytest.raises(IntegrityError, match="line 3 is not a journal entry"):
        journal.append("three")


# --- metadata: characters XML cannot hold ---------------------------------------------

HOSTILE_UNIT = "企劃\x1b室\x00\ufffe"


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def test_ooxml_metadata_replaces_characters_xml_cannot_hold(tmp_path: Path) -> None:
    meta = RecordMetadata(record_id="DG-1", unit=HOSTILE_UNIT, title="t\x07")
    path = tmp_path / "a.docx"
    path.write_bytes(ooxml_with_metadata(_docx_bytes(), meta))
    read = read_ooxml_metadata(path)
    assert read is not None
    assert read.unit == "企劃\ufffd室\ufffd\ufffd" and read.title == "t\ufffd"
    assert read.record_id == "DG-1"
    with zipfile.ZipFile(path) as package:
        assert b"\x1b" not in package.read("docProps/custom.xml")


def test_attach_metadata_to_an_xlsx_with_a_hostile_unit(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "抽查表.xlsx"
    Workbook().save(path)
    attach_metadata(path, RecordMetadata(record_id="DG-4", unit=HOSTILE_UNIT))
    read = read_ooxml_metadata(path)
    assert read is not None and read.unit == "企劃\ufffd室\ufffd\ufffd"


def test_pdf_metadata_replaces_characters_xml_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        write_pdf_metadata(pdf, RecordMetadata(record_id="DG-2", unit=HOSTILE_UNIT, title="t\x1b"))
        pdf.save(path)
    read = read_pdf_metadata(path)
    assert read is not None and read.unit == "企劃\ufffd室\ufffd\ufffd"
