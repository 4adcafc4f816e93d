"""``docgen init``: lay out a new workspace, optionally with the example office."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import CliState, pass_state, say
from docgen.example_office import EXAMPLE_AS_OF
from docgen.records.workspace import init_workspace


@click.command("init")
@click.argument(
    "directory", required=False, type=click.Path(file_okay=True, path_type=Path), default=None
)
@click.option(
    "--example",
    is_flag=True,
    help="Add a synthetic example office: registry, three months of query logs, form data.",
)
@pass_state
def init(state: CliState, directory: Path | None, example: bool) -> None:
    """Lay out a new workspace in DIRECTORY (empty or new; default: the -w workspace):
    docgen.toml with every setting explained, data/, templates/attachments/,
    retention/, archive/inbox/ and archive/records/. Existing files are never
    overwritten.

    \b
    Example:
      docgen init /srv/docgen-office
      docgen init demo-office --example     # a sample office to try every command on
    """
    target = directory if directory is not None else state.root
    written = init_workspace(target, example=example)
    say(f"Laid out a new workspace in {target} ({len(written)} files).")
    if example:
        click.echo(
            "Added the example office: data/accounts.csv, data/queries/ (2026-08 to 2026-10); "
            f"review it as of {EXAMPLE_AS_OF.isoformat()}."
        )
    say(f"Next: edit {target / 'docgen.toml'} (office, units and supervisors).")
