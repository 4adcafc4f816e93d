"""``docgen init``: lay out a new workspace, optionally with the example office."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import CliState, pass_state, say
from docgen.cli.help import Command
from docgen.config import open_workspace
from docgen.example_office import EXAMPLE_AS_OF
from docgen.i18n import N_, _
from docgen.records.workspace import init_workspace
from docgen.services.accounts import init_registry


@click.command(
    "init",
    cls=Command,
    help=N_(
        "Lay out a new workspace in DIRECTORY (empty or new; default: the -w workspace): "
        "docgen.toml with every setting explained, data/, templates/attachments/, "
        "retention/, archive/inbox/ and archive/records/, and the office database. With "
        "--example, the example registry (data/accounts.csv) is imported into it. "
        "Existing files are never overwritten.\n\n"
        "\b\nExample:\n"
        "  docgen init /srv/docgen-office\n"
        "  docgen init demo-office --example     # a sample office to try every command on"
    ),
)
@click.argument(
    "directory", required=False, type=click.Path(file_okay=True, path_type=Path), default=None
)
@click.option(
    "--example",
    is_flag=True,
    help=N_("Add a synthetic example office: registry, three months of query logs, form data."),
)
@pass_state
def init(state: CliState, directory: Path | None, example: bool) -> None:
    # an absolute path: laying out replaces an empty current folder with a new one
    target = (directory if directory is not None else state.root).absolute()
    written = init_workspace(target, example=example)
    imported = init_registry(open_workspace(target))
    say(
        _("Laid out a new workspace in {folder} ({count} files).").format(
            folder=target, count=len(written)
        )
    )
    if example:
        accounts = len(imported.added) if imported else 0
        click.echo(
            _(
                "Added the example office: data/accounts.csv ({count} accounts imported into "
                "the office database), data/queries/ (2026-08 to 2026-10); "
                "review it as of {date}."
            ).format(count=accounts, date=EXAMPLE_AS_OF.isoformat())
        )
    say(_("Next: edit {file} (office, units and supervisors).").format(file=target / "docgen.toml"))
