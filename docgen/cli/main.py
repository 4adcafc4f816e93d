"""The ``docgen`` command: the group, its global options, and the one place where
a :class:`~docgen.errors.DocgenError` becomes ``Error: …`` and an exit code."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from docgen import __version__
from docgen.cli.common import CliState
from docgen.errors import DocgenError, ExitCode
from docgen.textsafe import escape_controls

#: Each command group: its module, and modules that add commands to it. Loaded only
#: when the command is run, so that ``docgen package build`` does not pay for LibreOffice,
#: SQLAlchemy and docxtpl imports it does not use.
COMMANDS: dict[str, tuple[str, ...]] = {
    "init": ("docgen.cli.init",),
    "accounts": ("docgen.cli.accounts", "docgen.cli.account_review"),
    "queries": ("docgen.cli.queries",),
    "calendar": ("docgen.cli.calendar",),
    "forms": ("docgen.cli.forms",),
    "audit": ("docgen.cli.audit",),
    "package": ("docgen.cli.package",),
    "archive": ("docgen.cli.archive", "docgen.cli.archive_reports"),
    "evidence": ("docgen.cli.evidence",),
    "journal": ("docgen.cli.journal",),
    "db": ("docgen.cli.db",),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        modules = COMMANDS.get(cmd_name)
        if modules is None:
            return None
        # The later modules add commands to the first one's group as they are imported.
        loaded = [importlib.import_module(name) for name in modules]
        command = getattr(loaded[0], cmd_name)
        assert isinstance(command, click.Command)
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="docgen")
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="DOCGEN_WORKSPACE",
    help="The workspace folder: it holds docgen.toml. Also DOCGEN_WORKSPACE. "
    "Default: the nearest folder from here upwards that holds one.",
)
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, debug: bool) -> None:
    """docgen: attachments 1–6, audit sampling, evidence packages and the retention
    archive for the use of household-registration data (戶役政資料).

    \b
    Example:
      docgen init office --example && cd office
      docgen audit sample --month 2026-10 --queries data/queries/2026-10.xlsx
    """
    # Commands open the workspace when they need it (CliState.workspace). These need none:
    # init (it makes one), forms list, package inspect, calendar workdays (the Taiwan
    # calendar outside a workspace), --help and --version.
    ctx.obj = CliState(workspace if workspace is not None else Path("."), debug)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors end as one line ``Error: …`` and the error's exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or bool(
        os.environ.get("DOCGEN_DEBUG")
    )
    try:
        cli.main(args=argv, prog_name="docgen", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(ExitCode.ERROR)
    except click.ClickException as error:
        error.show()
        sys.exit(ExitCode.USAGE if isinstance(error, click.UsageError) else error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except DocgenError as error:
        if debug:
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    except OSError as error:  # the machine said no: permission, disk full, a file in the way
        if debug:
            raise
        where = f": {error.filename}" if error.filename else ""
        click.echo(escape_controls(f"Error: {error.strerror or error}{where}"), err=True)
        sys.exit(ExitCode.ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
