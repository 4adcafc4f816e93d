"""The office database (ISSUE 10): one SQLAlchemy schema for all of a workspace's
state, SQLite by default and PostgreSQL for a city, migrated with Alembic.

Public API::

    from docgen.db import open_database
    with open_database(workspace) as db, db.session() as session:
        ...                                  # one transaction, committed at the end

:mod:`docgen.db.models` holds the tables, :mod:`docgen.db.migrate` the migrations,
:mod:`docgen.db.maintenance` checks, backups and restores.
"""

from docgen.db.database import Database
from docgen.db.migrate import open_database

__all__ = ["Database", "open_database"]
