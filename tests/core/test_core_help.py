"""Every command explains itself with an example and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from docgen.cli.main import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_there_are_commands() -> None:
    assert ("journal", "verify") in _commands(cli)


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    missing = []
    for path in _commands(cli):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        if "Example" not in result.output:
            missing.append(" ".join(path))
    assert missing == []


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [" ".join(p) for p in _commands(cli) if f"docgen {' '.join(p)}" not in text]
    assert missing == []
