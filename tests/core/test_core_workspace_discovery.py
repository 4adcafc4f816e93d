"""Finding the workspace (ISSUE 11 item 4): the folder ``-w`` or DOCGEN_WORKSPACE names
must hold a docgen.toml; without either, the nearest folder from here upwards that
holds one, as git finds its repository. Outside any workspace, every command that
needs one says so in one line (exit 4) and writes nothing; the few that need none
(init, forms list, package inspect, calendar workdays, --help, --version) run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from docgen.cli.main import cli
from docgen.config import WorkspaceNotFound, find_workspace, find_workspace_root
from docgen.errors import ExitCode

TOML = '[[units]]\nname = "企劃室"\n\n[sampling]\nrounding = "half_up"\n'


def _clean_env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_") or k == "DOCGEN_LANG"
    }


def _docgen(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args],
        cwd=cwd,
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
    )


def _invoke(cwd: Path, *args: str, **env: str) -> Result:
    """The CLI in-process, run in ``cwd`` with no DOCGEN_* variable but ``env``."""
    unset: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith("DOCGEN_") and k != "DOCGEN_LANG"
    }
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), env={**unset, **env})
    finally:
        os.chdir(here)


def _office(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "docgen.toml").write_text(TOML, encoding="utf-8")
    return root


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_outside_a_workspace_a_command_says_so_in_one_line(tmp_path: Path) -> None:
    here = tmp_path / "x" / "y"
    here.mkdir(parents=True)
    result = _docgen("journal", "verify", cwd=here)
    assert result.returncode == ExitCode.CONFIG
    assert result.stderr == (
        f"Error: no docgen.toml in {here.resolve()} or any folder above it: name a "
        "workspace with -w DIR, or make one with docgen init DIR\n"
    )
    assert result.stdout == ""
    assert _tree(tmp_path) == ["x", "x/y"]  # nothing made: no .docgen, no database


def test_the_nearest_workspace_above_is_found(tmp_path: Path) -> None:
    office = _office(tmp_path / "office")
    below = office / "data" / "queries"
    below.mkdir(parents=True)
    result = _invoke(below, "calendar", "--year", "2026", "--format", "json", "--ics", "c.ics")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["Units"] == "企劃室"  # office's docgen.toml
    assert (office / ".docgen" / "journal.jsonl").is_file()
    assert not (below / ".docgen").exists()
    assert find_workspace_root(below) == office.resolve()
    assert find_workspace(below, search=True).root == office.resolve()


def test_a_named_folder_must_hold_a_docgen_toml(tmp_path: Path) -> None:
    office = _office(tmp_path / "office")
    bare = office / "data"  # inside a workspace, but named: no search upwards
    bare.mkdir()
    for result in (
        _docgen("-w", str(bare), "journal", "verify", cwd=tmp_path),
        _docgen("journal", "verify", cwd=tmp_path, DOCGEN_WORKSPACE=str(bare)),
    ):
        assert result.returncode == ExitCode.CONFIG
        assert result.stderr.startswith(f"Error: no docgen.toml in {bare.resolve()} (the ")
        assert f"docgen init {bare.resolve()}" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert _tree(bare) == []
    with pytest.raises(WorkspaceNotFound):
        find_workspace(bare, search=False)


def test_a_named_workspace_wins_over_the_one_around(tmp_path: Path) -> None:
    around = _office(tmp_path / "around")
    other = tmp_path / "other"
    other.mkdir()
    (other / "docgen.toml").write_text("", encoding="utf-8")
    result = _invoke(around, "-w", str(other), "calendar", "--year", "2026", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["Units"].startswith("not set")


# Every command that needs a workspace, with arguments that parse.
NEEDS_A_WORKSPACE = [
    ["accounts", "export", "-o", "a.csv"],
    ["accounts", "import", "file.csv"],
    ["accounts", "list"],
    ["accounts", "review", "--record"],
    ["accounts", "roster"],
    ["queries", "check", "file.csv"],
    ["queries", "take-in"],
    ["calendar", "--year", "2026"],
    ["forms", "check", "附件1", "file.csv"],
    ["forms", "fill", "附件1", "file.csv", "-d", "out"],
    ["audit", "size", "--month", "2026-10", "--count", "250"],
    ["audit", "sample", "--month", "2026-10"],
    ["audit", "results", "file.csv"],
    ["audit", "record", "--half", "2026-H2"],
    ["audit", "review", "R1", "--on", "2026-12-01"],
    ["package", "build", "-o", "p.pdf", "--document", "T=file.csv"],
    ["archive", "dispose", "R1"],
    ["archive", "hold", "R1", "--reason", "case"],
    ["archive", "release", "R1"],
    ["archive", "rebuild"],
    ["archive", "report", "missing"],
    ["archive", "scan"],
    ["archive", "watch"],
    ["evidence", "check", "--month", "2026-10"],
    ["journal", "show"],
    ["journal", "verify"],
    ["db", "backup", "b.sqlite"],
    ["db", "check"],
    ["db", "restore", "file.csv", "--yes"],
    ["db", "upgrade"],
]


@pytest.mark.parametrize("args", NEEDS_A_WORKSPACE, ids=" ".join)
def test_no_command_runs_on_defaults_outside_a_workspace(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "file.csv").write_text("a\n", encoding="utf-8")
    before = _tree(tmp_path)
    result = _invoke(tmp_path, *args)
    assert isinstance(result.exception, WorkspaceNotFound), result.output
    assert result.exception.exit_code == ExitCode.CONFIG
    assert len(str(result.exception).splitlines()) == 1
    assert _tree(tmp_path) == before


def test_commands_that_need_no_workspace_run_outside_one(tmp_path: Path) -> None:
    assert _docgen("--version", cwd=tmp_path).returncode == 0
    assert _docgen("--help", cwd=tmp_path).returncode == 0
    assert _docgen("accounts", "review", "--help", cwd=tmp_path).returncode == 0
    listed = _invoke(tmp_path, "forms", "list", "--format", "json")
    assert listed.exit_code == 0 and json.loads(listed.stdout)["rows"]
    days = _invoke(tmp_path, "calendar", "workdays", "2026-10-08", "--after", "2")
    assert days.exit_code == 0, days.output
    assert "115/10/13 (2026-10-13" in days.stdout
    assert "Taiwan's government calendar" in days.stderr
    assert _tree(tmp_path) == []
    made = _invoke(tmp_path, "init", "office")
    assert made.exit_code == 0, made.output
    assert (tmp_path / "office" / "docgen.toml").is_file()


def test_workdays_with_a_named_folder_without_docgen_toml_is_an_error(tmp_path: Path) -> None:
    result = _invoke(tmp_path, "-w", str(tmp_path), "calendar", "workdays", "2026-10-08")
    assert isinstance(result.exception, WorkspaceNotFound)


def test_workdays_in_a_workspace_use_its_office_calendar(tmp_path: Path) -> None:
    office = _office(tmp_path / "office")
    (office / "cal.csv").write_bytes(
        "西元日期,星期,是否放假,備註\n20261009,五,0,\n".encode("cp950")
    )
    (office / "docgen.toml").write_text('[paths]\noffice_calendar = "cal.csv"\n', "utf-8")
    result = _invoke(office, "calendar", "workdays", "2026-10-09")
    assert "is a working day" in result.stdout and result.stderr == ""


def test_audit_size_follows_the_workspace_rounding(tmp_path: Path) -> None:
    """Why audit size needs a workspace: the office decides the rounding (RULES.md)."""
    office = _office(tmp_path / "office")
    result = _invoke(
        office, "audit", "size", "--half", "2026-H1", "--count", "2012", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sample_size"] == 80  # half up; rounded up: 81
