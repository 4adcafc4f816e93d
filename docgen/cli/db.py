"""``docgen db``: the office database's revision, integrity, backup and restore."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from docgen.cli.common import CliState, pass_state, say
from docgen.cli.help import Group
from docgen.errors import IntegrityError
from docgen.i18n import N_, _


@click.group(
    cls=Group,
    help=N_(
        "The office database: SQLite in .docgen/ unless [database] url names another "
        "(PostgreSQL for a city's shared server; also DOCGEN_DATABASE_URL)."
    ),
)
def db() -> None:
    pass


@db.command(
    "upgrade",
    help=N_(
        "Bring the office database to this docgen's revision. A workspace of an earlier "
        "docgen moves in: its archive index, registry, samples and results, holds and "
        "review dates are taken over in one transaction (the files stay as they were).\n\n"
        "\b\nExample:\n"
        "  docgen db upgrade"
    ),
)
@pass_state
def upgrade(state: CliState) -> None:
    from docgen.services.database import upgrade_database

    result = upgrade_database(state.workspace)
    if result.before == result.after:
        message = _("The office database {database} is up to date (revision {revision}).")
    elif result.before is None:
        message = _("Made the office database {database} (revision {revision}).")
    else:
        message = _("Upgraded the office database {database} from revision {before} to {revision}.")
    say(message.format(database=result.label, before=result.before, revision=result.after))


@db.command(
    "check",
    help=N_(
        "Check the office database: its revision, the engine's integrity and foreign-key "
        "checks, and files under records/ it does not know (or knows but cannot find). "
        "Exits 5 when anything is wrong.\n\n"
        "\b\nExample:\n"
        "  docgen db check"
    ),
)
@pass_state
def check(state: CliState) -> None:
    from docgen.services.database import check_database

    label, problems = check_database(state.workspace)
    for line in problems:
        say(line)
    if problems:
        raise IntegrityError(
            _("{database}: {count} problem(s) (listed above)").format(
                database=label, count=len(problems)
            )
        )
    say(_("The office database {database} is sound.").format(database=label))


@db.command(
    "backup",
    help=N_(
        "Copy the office database to FILE while it stays in use (SQLite's online "
        "backup; pg_dump for PostgreSQL).\n\n"
        "\b\nExample:\n"
        "  docgen db backup backups/office-1151201.sqlite"
    ),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def backup(state: CliState, file: Path) -> None:
    from docgen.services.database import backup_database

    label = backup_database(state.workspace, file)
    say(_("Backed up the office database {database} to {file}").format(database=label, file=file))


@db.command(
    "restore",
    help=N_(
        "Replace the office database with the backup FILE. The current database is "
        "first kept as a backup in .docgen/. Stop the watcher and the web server first.\n\n"
        "\b\nExample:\n"
        "  docgen db restore backups/office-1151201.sqlite --yes"
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help=N_("Do not ask before replacing the database."))
@pass_state
def restore(state: CliState, file: Path, yes: bool) -> None:
    from docgen.services.database import restore_database

    if not yes:
        click.confirm(_("Replace the office database with {file}?").format(file=file), abort=True)
    kept = restore_database(state.workspace, file, datetime.now())
    if kept is not None:
        say(_("The database as it was is kept as {file}").format(file=kept))
    say(_("Restored the office database from {file}").format(file=file))
