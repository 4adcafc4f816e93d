"""The ``docgen`` command: the group, its global options, and the one place where
a :class:`~docgen.errors.DocgenError` becomes ``Error: …`` and an exit code."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from docgen import __version__
from docgen.cli.common import CliState
from docgen.cli.help import Group, route_click_messages
from docgen.cli.language import choose_language
from docgen.errors import DocgenError, ExitCode
from docgen.i18n import N_, _, language_code, use_language
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
    "users": ("docgen.cli.users",),
    "serve": ("docgen.cli.serve",),
    "correspondence": ("docgen.cli.correspondence",),
    "remind": ("docgen.cli.remind",),
}


class LazyGroup(Group):
    """A group whose subcommands are imported on first use (click's lazy-loading
    pattern), and which chooses the run's language before it parses anything."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        use_language(choose_language(args))
        route_click_messages()
        return super().parse_args(ctx, args)

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


class LanguageParam(click.ParamType):
    """``zh_TW`` or ``en`` (also written ``zh-TW``, ``zh``, ``en_US``)."""

    name = "zh_TW|en"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        code = language_code(str(value))
        if code is None:
            message = _(
                "{value!r} is not a language docgen speaks (--lang, DOCGEN_LANG): zh_TW or en"
            )
            self.fail(message.format(value=value))
        return code


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help=N_(
        "docgen: attachments 1–6, audit sampling, evidence packages and the retention "
        "archive for the use of household-registration data (戶役政資料).\n\n"
        "\b\nExample:\n"
        "  docgen init office --example && cd office\n"
        "  docgen audit sample --month 2026-10 --queries data/queries/2026-10.xlsx"
    ),
)
@click.version_option(__version__, prog_name="docgen")
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="DOCGEN_WORKSPACE",
    help=N_(
        "The workspace folder: it holds docgen.toml. Also DOCGEN_WORKSPACE. "
        "Default: the nearest folder from here upwards that holds one."
    ),
)
@click.option(
    "--lang",
    type=LanguageParam(),
    envvar="DOCGEN_LANG",
    expose_value=False,
    help=N_(
        "The language of messages and reports: zh_TW (the default) or en. Also "
        "DOCGEN_LANG, or language in docgen.toml."
    ),
)
@click.option("--debug", is_flag=True, help=N_("Show the full traceback of an error."))
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, debug: bool) -> None:
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
        click.echo(_("Aborted."), err=True)
        sys.exit(ExitCode.ERROR)
    except click.ClickException as error:
        error.show()
        sys.exit(ExitCode.USAGE if isinstance(error, click.UsageError) else error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except DocgenError as error:
        if debug:
            raise
        click.echo(_("Error: {message}").format(message=error), err=True)
        sys.exit(error.exit_code)
    except OSError as error:  # the machine said no: permission, disk full, a file in the way
        if debug:
            raise
        where = f": {error.filename}" if error.filename else ""
        message = f"{error.strerror or error}{where}"
        click.echo(escape_controls(_("Error: {message}").format(message=message)), err=True)
        sys.exit(ExitCode.ERROR)
    except KeyboardInterrupt:
        click.echo(_("Interrupted."), err=True)
        sys.exit(130)
