"""Alembic's environment: run on the connection :mod:`docgen.db.migrate` passes in.

``render_as_batch`` makes table changes work on SQLite too (Alembic's batch mode);
on PostgreSQL the connection's ``search_path`` already names the office's schema.
"""

from __future__ import annotations

from alembic import context

import docgen.db.models  # noqa: F401  (registers every table)
from docgen.db.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
