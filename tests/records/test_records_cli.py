"""The CLI: accounts list and queries check, exit codes, masking in every output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from docgen.cli.main import cli
from docgen.errors import DocgenError, ExitCode
from docgen.example_office import EXAMPLE_QUERY_FACTS
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _exit_code(result: Result) -> int:
    """The code docgen.cli.main.main exits with (CliRunner leaves our errors raised)."""
    error = result.exception
    return error.exit_code if isinstance(error, DocgenError) else result.exit_code


def _no_ids(result: Result) -> None:
    assert find_unmasked_ids(result.output) == []


def test_init_command_and_refusal(tmp_path: Path) -> None:
    first = _run("init", str(tmp_path / "ws"), "--example")
    assert first.exit_code == 0, first.output
    assert "Laid out a new workspace" in first.output and "2026-11-30" in first.output
    assert (tmp_path / "ws" / "data" / "queries" / "2026-10.xlsx").is_file()
    again = CliRunner().invoke(cli, ["init", str(tmp_path / "ws")])
    assert _exit_code(again) == ExitCode.INPUT
    assert "never overwrites files" in str(again.exception)


def test_accounts_list_masks_names_and_ids(example_ws: Path) -> None:
    result = _run("-w", str(example_ws), "accounts", "list", "--format", "json")
    assert result.exit_code == 0
    _no_ids(result)
    payload = json.loads(result.output)
    assert len(payload["rows"]) == payload["summary"]["Accounts"] == 25
    row = payload["rows"][0]
    assert row["account_id"] == "admin01" and row["name"] == "吳○廷"
    assert row["national_id"].endswith("****")
    assert "吳冠廷" not in result.output
    table = _run("-w", str(example_ws), "accounts", "list")
    assert "Account registry" in table.output and "吳○廷" in table.output
    _no_ids(table)


def test_accounts_list_to_a_file_is_journaled(tmp_path: Path, example_ws: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(example_ws, workspace)
    target = tmp_path / "roster.csv"
    result = _run("-w", str(workspace), "accounts", "list", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0
    assert find_unmasked_ids(target.read_text(encoding="utf-8-sig")) == []
    last = Journal(workspace / ".docgen" / "journal.jsonl").entries()[-1]
    assert last["command"] == "accounts list" and last["outputs"][0]["path"].endswith("roster.csv")


def test_accounts_list_with_a_bad_registry(tmp_path: Path) -> None:
    registry = tmp_path / "accounts.csv"
    registry.write_text(
        "帳號,姓名,身分證統一編號,單位,角色,狀態,開通日期\n"
        "a1,王小明,A123456788,企劃室,一般使用者,啟用,2026-01-01\n"
        "a2,李小華,A123456789,企劃室,主任,啟用,2026-01-01\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["accounts", "list", "--registry", str(registry)])
    assert _exit_code(result) == ExitCode.INPUT
    message = str(result.exception)
    assert "row 2, column 身分證統一編號" in message and "row 3, column 角色" in message
    assert find_unmasked_ids(message) == []


@pytest.mark.parametrize("month", ["2026-08", "2026-09", "2026-10"])
def test_queries_check_summarises_a_log(example_ws: Path, month: str) -> None:
    log = example_ws / EXAMPLE_QUERY_FACTS["files"][month]
    result = _run("-w", str(example_ws), "queries", "check", str(log), "--format", "json")
    assert result.exit_code == 0
    _no_ids(result)
    summary = json.loads(result.output)["summary"]
    assert summary["Data rows"] == summary["Valid"] == EXAMPLE_QUERY_FACTS["queries"][month]
    assert (
        summary["Without justification (R5.1)"]
        == EXAMPLE_QUERY_FACTS["without_justification"][month]
    )
    assert summary["Period"].startswith(month)
    rows = json.loads(result.output)["rows"]
    assert sum(r["count"] for r in rows if r["kind"] == "Unit") == summary["Data rows"]


def _bad_log(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(
        "查詢日期時間,查詢人員帳號,被查詢人身分證統一編號,被查詢人姓名,查詢項目,公文文號,案號,"
        "案件名稱,使用目的,法令依據\n"
        "2026-10-01 09:00,plan01,A123456789,王小明,戶籍資料,D1,,,,\n"
        "2026-13-01 09:00,plan01,A123456789,王小明,戶籍資料,D1,,,,\n"
        "2026-10-02 09:00,,A123456780,王小明,戶籍資料,,,,,\n",
        encoding="utf-8",
    )
    return path


def test_queries_check_fails_with_every_problem(tmp_path: Path, example_ws: Path) -> None:
    bad = _bad_log(tmp_path)
    result = CliRunner().invoke(cli, ["-w", str(example_ws), "queries", "check", str(bad)])
    assert _exit_code(result) == ExitCode.INPUT
    message = str(result.exception)
    assert message.startswith("2 invalid row(s)")
    assert f"{bad}, row 3, column 查詢日期時間" in message
    assert f"{bad}, row 4, column 查詢人員帳號" in message
    assert find_unmasked_ids(message) == []


def test_queries_check_skip_invalid_reports_and_carries_on(
    tmp_path: Path, example_ws: Path
) -> None:
    bad = _bad_log(tmp_path)
    result = _run("-w", str(example_ws), "queries", "check", str(bad), "--skip-invalid")
    assert result.exit_code == 0
    _no_ids(result)
    assert "Invalid rows: 2" in result.output and "Valid: 1" in result.output
    assert "row 3, 查詢日期時間" in result.output and "企劃室" in result.output


def test_queries_check_via_the_real_entry_point(tmp_path: Path, example_ws: Path) -> None:
    import subprocess
    import sys

    bad = _bad_log(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "-w", str(example_ws), "queries", "check", str(bad)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.startswith("Error: 2 invalid row(s)") and "Traceback" not in done.stderr
    assert find_unmasked_ids(done.stderr + done.stdout) == []
