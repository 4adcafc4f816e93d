"""``docgen journal``: check and show the hash-chained journal."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import CliState, emit, format_option, output_option, pass_state
from docgen.cli.help import Group
from docgen.i18n import N_, _
from docgen.report import Columns, Report

#: The columns of ``docgen journal show`` (the entries' data is shown as stored).
COLUMNS = Columns(
    {
        "seq": N_("No."),
        "time": N_("Time"),
        "command": N_("Command"),
        "inputs": N_("Inputs"),
        "outputs": N_("Outputs"),
        "hash": N_("Hash"),
    }
)


@click.group(cls=Group, help=N_("The journal of everything docgen wrote (.docgen/journal.jsonl)."))
def journal() -> None:
    pass


@journal.command(
    "verify",
    help=N_(
        "Check that no entry was edited, removed, inserted or reordered, and print the "
        "head hash to quote in audit records.\n\n"
        "\b\nExample:\n"
        "  docgen journal verify\n"
        "  docgen journal verify --expect 3f2a…   # the head quoted in last half-year's 附件5"
    ),
)
@click.option(
    "--expect",
    metavar="HASH",
    help=N_("A head hash quoted earlier that must still be in the chain."),
)
@pass_state
def verify(state: CliState, expect: str | None) -> None:
    result = state.journal.verify(expect_head=expect)
    click.echo(_("Journal intact: {count} entries.").format(count=result.entries))
    click.echo(_("Head hash: {hash}").format(hash=result.head))


@journal.command(
    "show",
    help=N_(
        "List the latest journal entries: when, which command, how many files.\n\n"
        "\b\nExample:\n"
        "  docgen journal show --last 5"
    ),
)
@click.option(
    "--last",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help=N_("How many entries."),
)
@format_option()
@output_option()
@pass_state
def show(state: CliState, last: int, fmt: str, output: Path | None) -> None:
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
    emit(Report(N_("docgen journal"), COLUMNS, rows), fmt, output)
