"""Migrations of the office database with Alembic (ISSUE 10 item 2).

The migrations ship inside the package (``docgen/db/migrations``) and are run from
code, with no ``alembic.ini``: ``docgen db upgrade`` is :func:`upgrade`. Every other
command opens the database with :func:`open_database`, which refuses, in one line
that names the command to run, a database older or newer than this docgen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from docgen.db.database import Database
from docgen.errors import ConfigError
from docgen.i18n import _

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

    from docgen.config import Workspace

#: Every revision of :mod:`docgen.db.migrations`, oldest first (a test checks this
#: against Alembic's own history, so that opening a database needs no Alembic).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
HEAD = REVISIONS[-1]


#: Moves what an earlier docgen kept in files into a new database, on the migration's
#: connection (:func:`docgen.services.takeover.take_over`).
TakeOver = Callable[[Connection, "Workspace"], None]


def alembic_config(take_over: tuple[TakeOver, Workspace] | None = None) -> AlembicConfig:
    """An Alembic configuration built in code (no ``alembic.ini``)."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", "docgen.db:migrations")
    config.attributes["take_over"] = take_over
    return config


def _run(db: Database, take_over: tuple[TakeOver, Workspace] | None, action: Any) -> None:
    """Run an Alembic command on one connection in one transaction."""
    config = alembic_config(take_over)
    db.ensure_schema()
    with db.connect() as conn:
        if db.dialect == "postgresql":
            # Two servers or commands starting at once must not both migrate.
            from sqlalchemy import text

            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('docgen-migrate'))"))
        config.attributes["connection"] = conn
        action(config)


def upgrade(
    db: Database, take_over: tuple[TakeOver, Workspace] | None = None
) -> tuple[str | None, str]:
    """Bring ``db`` to the newest revision; ``(revision before, revision after)``.

    With ``take_over = (function, workspace)``, a new database takes over the state
    an earlier docgen kept in that workspace's files, in the same transaction as its
    tables are made."""
    from alembic import command

    before = db.revision()
    if before is not None and before not in REVISIONS:
        raise _newer(db, before)
    _run(db, take_over, lambda config: command.upgrade(config, "head"))
    return before, HEAD


def _newer(db: Database, revision: str) -> ConfigError:
    return ConfigError(
        _(
            "{database}: the office database is at revision {revision}, made by a newer "
            "docgen: upgrade docgen to use it"
        ).format(database=db.label, revision=revision)
    )


def check_revision(db: Database) -> str | None:
    """The database's revision; a :class:`ConfigError` naming the command to run when
    it is not this docgen's (``None``: a new database with no tables yet)."""
    current = db.revision()
    if current is None or current == HEAD:
        return current
    if current in REVISIONS:
        raise ConfigError(
            _(
                "{database}: the office database is at revision {revision}, older than this "
                "docgen ({head}): run `docgen db upgrade`"
            ).format(database=db.label, revision=current, head=HEAD)
        )
    raise _newer(db, current)


def open_database(workspace: Workspace) -> Database:
    """The workspace's office database, at this docgen's revision.

    A workspace with no database yet gets a new, empty one — unless an earlier docgen
    left state in files (an archive index, drawn samples), which only
    ``docgen db upgrade`` takes over: then this says so and opens nothing."""
    from docgen.db.legacy import legacy_state

    db = Database(workspace.database_url, workspace.config.database.office)
    try:
        if check_revision(db) is None:
            found = legacy_state(workspace)
            if found:
                raise ConfigError(
                    _(
                        "{workspace}: this workspace's state is still in files of an "
                        "earlier docgen ({found}): run `docgen db upgrade` to move it into "
                        "the office database"
                    ).format(workspace=workspace.root, found=found[0])
                )
            upgrade(db)
    except BaseException:
        db.close()
        raise
    return db
