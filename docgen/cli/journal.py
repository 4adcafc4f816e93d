"""``docgen journal``: check and show the hash-chained journal."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import CliState, emit, format_option, output_option, pass_state
from docgen.report import Report


@click.group()
def journal() -> None:
    """The journal of everything docgen wrote (.docgen/journal.jsonl)."""


@journal.command("verify")
@click.option(
    "--expect", metavar="HASH", help="A head hash quoted earlier that must still be in the chain."
)
@pass_state
def verify(state: CliState, expect: str | None) -> None:
    """Check that no entry was edited, removed, inserted or reordered, and print the
    head hash to quote in audit records.

    \b
    Example:
      docgen journal verify
      docgen journal verify --expect 3f2a…   # the head quoted in last half-year's 附件5
    """
    result = state.journal.verify(expect_head=expect)
    click.echo(f"Journal intact: {result.entries} entries.")
    click.echo(f"Head hash: {result.head}")


@journal.command("show")
@click.option(
    "--last", type=click.IntRange(min=1), default=20, show_default=True, help="How many entries."
)
@format_option()
@output_option()
@pass_state
def show(state: CliState, last: int, fmt: str, output: Path | None) -> None:
    """List the latest journal entries: when, which command, how many files.

    \b
    Example:
      docgen journal show --last 5
    """
    entries = state.journal.entries()[-last:]
    rows = [
        {
            "seq": e.get("seq"),
            "time": e.get("time"),
            "command": e.get("command"),
            "inputs": len(e.get("inputs", [])),
            "outputs": len(e.get("outputs", [])),
            "hash": str(e.get("hash", ""))[:16],
        }
        for e in entries
    ]
    columns = {
        "seq": "序號",
        "time": "時間",
        "command": "指令",
        "inputs": "輸入檔",
        "outputs": "輸出檔",
        "hash": "雜湊",
    }
    emit(Report("docgen journal", columns, rows), fmt, output)
