"""One vocabulary of exit codes (ISSUE 11 item 3), the README's table: every command
keeps to it. 0 ok, 2 a usage mistake (click's own, and docgen's UsageError alike), 3
bad input, 4 bad configuration or no workspace, 5 integrity, 6 something the
regulation requires is missing (a report that found problems)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from docgen.cli.main import cli, main
from docgen.errors import ExitCode

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def _exit(*argv: str | Path) -> tuple[int, str]:
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main([str(a) for a in argv])
        except SystemExit as done:
            code = int(done.code or 0)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("codes") / "office"
    assert CliRunner().invoke(cli, ["init", str(root), "--example"]).exit_code == 0
    return root


@pytest.fixture
def office(example: Path, tmp_path: Path) -> Path:
    root = tmp_path / "office"
    shutil.copytree(example, root)
    return root


def test_an_unknown_option_is_a_usage_mistake_for_every_command(office: Path) -> None:
    wrong = {}
    for path in _commands(cli):
        code, _ = _exit("-w", office, *path, "--no-such-option")
        if code != ExitCode.USAGE:
            wrong[" ".join(path)] = code
    assert not wrong


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "size", "--month", "2026-10"],  # --count missing
        ["audit", "size", "--month", "2026-10", "--half", "2026-H1", "--count", "5"],
        ["audit", "size", "--half", "2026-10", "--count", "5"],
        ["audit", "sample"],  # neither --month nor --half
        ["evidence", "check", "--month", "2026-10", "--half", "2026-H1"],
        ["accounts", "review", "--format", "xlsx"],  # a workbook needs -o FILE
        ["archive", "report", "missing", "--format", "ods"],
        ["package", "build", "-o", "p.pdf", "--repair-evidence", "--document", "T=x.pdf"],
        ["package", "build", "-o", "p.pdf", "--month", "2026-10", "--half", "2026-H1"],
        ["forms", "fill", "附件4", "data/forms/附件4_月抽查.yaml"],  # -d DIR missing
        ["archive", "hold", "DG-4M-202610-0A1B2C3D", "--reason", ""],
    ],
    ids=" ".join,
)
def test_a_usage_mistake_exits_2(office: Path, argv: list[str]) -> None:
    code, shown = _exit("-w", office, *argv)
    assert code == ExitCode.USAGE, shown


def test_the_other_codes(office: Path, tmp_path: Path) -> None:
    assert _exit("-w", office, "forms", "list")[0] == ExitCode.OK
    bad = tmp_path / "2026-10.csv"
    bad.write_text("查詢日期時間,查詢人員帳號\nnot a date,adm01\n", encoding="utf-8")
    assert _exit("-w", office, "queries", "check", bad)[0] == ExitCode.INPUT
    assert _exit("-w", tmp_path / "nowhere", "accounts", "list")[0] == ExitCode.CONFIG
    journal = office / ".docgen" / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[0])
    entry["command"] = "forged"
    journal.write_text("\n".join([json.dumps(entry), *lines[1:]]) + "\n", encoding="utf-8")
    assert _exit("-w", office, "journal", "verify")[0] == ExitCode.INTEGRITY


def test_a_report_that_finds_what_is_missing_exits_6(office: Path) -> None:
    code, shown = _exit("-w", office, "archive", "report", "missing", "--as-of", "2026-11-30")
    assert code == ExitCode.INCOMPLETE, shown
    assert shown.strip(), "the report is printed in full first"


def test_the_readme_lists_every_code() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Errors and exit codes") :]
    for code in ExitCode:
        assert f"\n| {code.value} |" in table, code
