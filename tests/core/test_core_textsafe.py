"""One line stays one line: controls in shown values are escaped (ISSUE 9 item 13)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from docgen.errors import InputError, RowProblem, ValidationFailed
from docgen.textsafe import EscapingFormatter, escape_controls


def test_controls_bidi_and_surrogates_are_escaped_readably() -> None:
    text = "掃描\n.pdf\r\x1b[31m\u202etxt.exe\udcff"
    assert escape_controls(text) == "掃描\\n.pdf\\r\\x1b[31m\\u202etxt.exe\\udcff"
    assert escape_controls("王○明 A12345**** 115/10/01") == "王○明 A12345**** 115/10/01"


@given(st.text())
def test_escaped_text_is_one_printable_line(text: str) -> None:
    shown = escape_controls(text)
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in shown)
    shown.encode("utf-8")  # printable to any UTF-8 terminal or log file


def test_an_error_naming_a_forged_file_name_stays_one_line() -> None:
    error = InputError("inbox/x\nError: all records filed: cannot be read")
    assert str(error).count("\n") == 0
    assert "x\\nError" in str(error)


def test_details_are_indented_lines_with_their_values_escaped() -> None:
    problems = [RowProblem("log\n.csv", 2, "案號", "empty"), RowProblem("log.csv", 3, None, "x")]
    lines = str(ValidationFailed(problems)).split("\n")
    assert len(lines) == 3
    assert lines[1] == "  log\\n.csv, row 2, column 案號: empty"


def test_log_records_are_one_line_each() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EscapingFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger("docgen.test.textsafe")
    log.addHandler(handler)
    log.propagate = False
    log.warning("filed %s", "a\nINFO filed b.pdf")
    assert stream.getvalue() == "WARNING filed a\\nINFO filed b.pdf\n"


def test_cli_lines_with_a_forged_file_name_stay_one_line(tmp_path: Path) -> None:
    """The lines commands print about files (Wrote …, Note: …) escape them too."""
    from click.testing import CliRunner

    from docgen.cli.main import cli

    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")
    out = tmp_path / "x\nError: forged.csv"
    result = CliRunner().invoke(
        cli, ["-w", str(tmp_path), "forms", "list", "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "x\\nError: forged.csv" in result.output
    assert not any(line.startswith("Error:") for line in result.output.splitlines())
