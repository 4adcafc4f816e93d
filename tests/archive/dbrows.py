"""The archive's rows in a workspace's office database, looked at and changed the way
a test does it — beside docgen, on either engine (ISSUE 10) — and the mark that runs
a test on both engines.

SQLite is read through a plain read-only :mod:`sqlite3` connection (it takes no lock,
so a test may look while docgen writes); PostgreSQL through the office's schema
(:class:`docgen.db.Database`).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.archive import TABLES

#: Runs a test on SQLite and on PostgreSQL: it overrides the ``engine`` fixture that the
#: workspace fixtures (``archive_ws``, ``office``) take to choose the office database.
ON_BOTH_ENGINES = pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)


def database_section(url: str) -> str:
    """The ``[database]`` section of a docgen.toml naming the office database ``url``."""
    return f"[database]\nurl = {json.dumps(url)}\n"


def engine_url(request: pytest.FixtureRequest, engine: str) -> str | None:
    """A fresh PostgreSQL database's URL when ``engine`` is ``postgresql``, else None (the
    workspace keeps its own SQLite file)."""
    if engine == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_url"))


def sqlite_file(workspace: Workspace) -> Path | None:
    """The SQLite file of the workspace's office database (None on PostgreSQL)."""
    url = make_url(workspace.database_url)
    return Path(str(url.database)) if url.get_backend_name() == "sqlite" else None


def _database(workspace: Workspace) -> Database:
    return Database(workspace.database_url, workspace.config.database.office)


def query(workspace: Workspace, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` on the office database; none when it has no tables yet."""
    path = sqlite_file(workspace)
    if path is not None:
        if not path.exists():
            return []
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
                return list(conn.execute(sql, params))
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return []
            raise
    with _database(workspace) as db:
        if db.revision() is None:
            return []
        with db.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]


def execute(workspace: Workspace, sql: str, **params: Any) -> None:
    """Run one statement on the office database, committed (SQL written with ``:name``
    parameters, as :func:`sqlalchemy.text` takes them)."""
    with _database(workspace) as db, db.connect() as conn:
        conn.execute(text(sql), params)


def archive_rows(workspace: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every archive table, in primary-key order (to see that nothing
    changed)."""
    rows = {}
    for table in TABLES:
        keys = ", ".join(column.name for column in table.primary_key.columns)
        rows[table.name] = query(workspace, f"SELECT * FROM {table.name} ORDER BY {keys}")
    return rows


def delete_archive_rows(workspace: Workspace) -> None:
    """Empty every archive table (children first): the index lost, the files kept."""
    with _database(workspace) as db, db.connect() as conn:
        for table in reversed(TABLES):
            conn.execute(table.delete())


def delete_office_database(workspace: Workspace) -> None:
    """Delete the whole SQLite office database (with its WAL): the next command makes a
    new, empty one."""
    path = sqlite_file(workspace)
    assert path is not None, "only a SQLite office database is a file"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
