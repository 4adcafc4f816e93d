"""The ``docgen`` command: the group, its global options, and the one place where
a :class:`~docgen.errors.DocgenError` becomes ``Error: …`` and an exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from docgen import __version__
from docgen.cli.common import CliState
from docgen.errors import DocgenError, ExitCode


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="docgen")
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    envvar="DOCGEN_WORKSPACE",
    show_default=True,
    help="The workspace folder (holds docgen.toml). Also DOCGEN_WORKSPACE.",
)
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, debug: bool) -> None:
    """docgen: attachments 1–6, audit sampling, evidence packages and the retention
    archive for the use of household-registration data (戶役政資料).

    \b
    Example:
      docgen init office --example && cd office
      docgen audit sample --month 2026-10 --queries data/queries/2026-10.xlsx
    """
    ctx.obj = CliState(workspace, debug)


# Commands, one module each (imports here, below the group they attach to).
# --- commands ---
from docgen.cli.journal import journal

cli.add_command(journal)
from docgen.cli.audit import audit

cli.add_command(audit)
from docgen.cli.calendar import calendar

cli.add_command(calendar)
from docgen.cli.archive import archive

cli.add_command(archive)
from docgen.cli import archive_reports  # noqa: F401  (adds report, hold, release, dispose)
from docgen.cli.evidence import evidence

cli.add_command(evidence)
from docgen.cli.package import package

cli.add_command(package)
from docgen.cli.init import init

cli.add_command(init)
from docgen.cli.accounts import accounts

cli.add_command(accounts)
from docgen.cli import account_review  # noqa: F401  (adds review, roster to accounts)
from docgen.cli.queries import queries

cli.add_command(queries)
from docgen.cli.forms import forms

cli.add_command(forms)
# --- end commands ---


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
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
