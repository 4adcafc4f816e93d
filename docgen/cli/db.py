"""``docgen db``: the office database's revision, integrity, backup and restore."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from docgen.cli.common import CliState, pass_state, say
from docgen.errors import IntegrityError


@click.group()
def db() -> None:
    """The office database: SQLite in .docgen/ unless [database] url names another
    (PostgreSQL for a city's shared server; also DOCGEN_DATABASE_URL)."""


@db.command("upgrade")
@pass_state
def upgrade(state: CliState) -> None:
    """Bring the office database to this docgen's revision. A workspace of an earlier
    docgen moves in: its archive index, registry, samples and results, holds and
    review dates are taken over in one transaction (the files stay as they were).

    \b
    Example:
      docgen db upgrade
    """
    from docgen.services.database import upgrade_database

    result = upgrade_database(state.workspace)
    if result.before == result.after:
        say(f"The office database {result.label} is up to date (revision {result.after}).")
    elif result.before is None:
        say(f"Made the office database {result.label} (revision {result.after}).")
    else:
        say(
            f"Upgraded the office database {result.label} from revision {result.before} "
            f"to {result.after}."
        )


@db.command("check")
@pass_state
def check(state: CliState) -> None:
    """Check the office database: its revision, the engine's integrity and foreign-key
    checks, and files under records/ it does not know (or knows but cannot find).
    Exits 5 when anything is wrong.

    \b
    Example:
      docgen db check
    """
    from docgen.services.database import check_database

    label, problems = check_database(state.workspace)
    for line in problems:
        say(line)
    if problems:
        raise IntegrityError(f"{label}: {len(problems)} problem(s) (listed above)")
    say(f"The office database {label} is sound.")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def backup(state: CliState, file: Path) -> None:
    """Copy the office database to FILE while it stays in use (SQLite's online
    backup; pg_dump for PostgreSQL).

    \b
    Example:
      docgen db backup backups/office-1151201.sqlite
    """
    from docgen.services.database import backup_database

    label = backup_database(state.workspace, file)
    say(f"Backed up the office database {label} to {file}")


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@pass_state
def restore(state: CliState, file: Path, yes: bool) -> None:
    """Replace the office database with the backup FILE. The current database is
    first kept as a backup in .docgen/. Stop the watcher and the web server first.

    \b
    Example:
      docgen db restore backups/office-1151201.sqlite --yes
    """
    from docgen.services.database import restore_database

    if not yes:
        click.confirm(f"Replace the office database with {file}?", abort=True)
    kept = restore_database(state.workspace, file, datetime.now())
    if kept is not None:
        say(f"The database as it was is kept as {kept}")
    say(f"Restored the office database from {file}")
