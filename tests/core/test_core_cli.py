"""The command line: version, help, and user errors as one line with an exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from docgen import __version__
from docgen.cli.main import cli
from docgen.errors import ExitCode
from docgen.journal import Journal


def _docgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_") or k == "DOCGEN_LANG"}
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_version(tmp_path: Path) -> None:
    result = _docgen("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_help_lists_an_example() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_config_error_is_one_line_with_its_code(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("[office]\ncolour = 1\n", encoding="utf-8")
    result = _docgen("journal", "verify", cwd=tmp_path)
    assert result.returncode == ExitCode.CONFIG
    assert result.stderr.startswith("Error: invalid configuration")
    assert "office.colour: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("[office]\ncolour = 1\n", encoding="utf-8")
    result = _docgen("--debug", "journal", "verify", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_journal_verify_exit_code_on_tampering(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")
    journal = Journal(tmp_path / ".docgen" / "journal.jsonl", tmp_path)
    journal.append("one")
    journal.append("two")
    ok = _docgen("journal", "verify", cwd=tmp_path)
    assert ok.returncode == 0
    assert journal.verify().head in ok.stdout
    lines = journal.path.read_text(encoding="utf-8").splitlines()
    journal.path.write_text(lines[1] + "\n", encoding="utf-8")
    broken = _docgen("journal", "verify", cwd=tmp_path)
    assert broken.returncode == ExitCode.INTEGRITY
    assert "entry 1" in broken.stderr


def test_usage_error_exit_code(tmp_path: Path) -> None:
    result = _docgen("journal", "verify", "--nonsense", cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE


def test_commands_load_only_what_they_use(tmp_path: Path) -> None:
    code = (
        "import sys; from docgen.cli.main import main\n"
        "try:\n    main(['journal', 'verify'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'docxtpl', 'pikepdf', 'watchdog') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")
    (tmp_path / "afile").write_text("x")
    result = _docgen("journal", "show", "--format", "csv", "-o", "afile/j.csv", cwd=tmp_path)
    assert result.returncode == ExitCode.INPUT
    assert result.stderr.startswith("Error: cannot write")
    assert "Traceback" not in result.stderr


def test_an_unreadable_workspace_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")
    journal = tmp_path / ".docgen" / "journal.jsonl"
    journal.parent.mkdir()
    journal.mkdir()  # a folder where the journal file should be
    result = _docgen("journal", "verify", cwd=tmp_path)
    assert result.returncode == ExitCode.ERROR
    assert result.stderr.startswith("Error: Is a directory")
    assert "Traceback" not in result.stderr
