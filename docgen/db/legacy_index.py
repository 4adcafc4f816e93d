"""The archive index of an earlier docgen (its own SQLite file, schema versions 1–3),
taken over into the office database by ``docgen db upgrade`` (ISSUE 10 item 2).

An index older than version 3 is first brought to version 3 on a copy, with the
migrations that docgen used then (kept here unchanged), so that its rows can be read
with one set of column names; the original file is never written.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, create_engine, select

from docgen.db.base import Base
from docgen.errors import ConfigError, IntegrityError
from docgen.i18n import _


def _v1(conn: sqlite3.Connection) -> None:
    """Records, files, holds, disposals and ingest intents."""
    for statement in (
        """CREATE TABLE records (
            record_id TEXT PRIMARY KEY, category TEXT NOT NULL DEFAULT '',
            form TEXT NOT NULL DEFAULT '', variant TEXT NOT NULL DEFAULT '',
            period TEXT NOT NULL DEFAULT '', unit TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '', "trigger" DATE, review_date DATE,
            title TEXT NOT NULL DEFAULT '', record_ids TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'filed', source TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '', first_filed_at DATETIME)""",
        """CREATE TABLE files (
            id INTEGER PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(record_id),
            path TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'document',
            status TEXT NOT NULL DEFAULT 'filed', sha256 TEXT NOT NULL,
            size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
            duplicate_of INTEGER REFERENCES files(id),
            original_name TEXT NOT NULL DEFAULT '',
            first_seen_at DATETIME, filed_at DATETIME)""",
        "CREATE INDEX ix_files_record_id ON files(record_id)",
        "CREATE INDEX ix_files_sha256 ON files(sha256)",
        """CREATE TABLE holds (
            id INTEGER PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(record_id),
            reason TEXT NOT NULL, placed_by TEXT NOT NULL DEFAULT '',
            placed_at DATETIME NOT NULL, released_by TEXT NOT NULL DEFAULT '',
            released_at DATETIME)""",
        "CREATE INDEX ix_holds_record_id ON holds(record_id)",
        """CREATE TABLE disposals (
            id INTEGER PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(record_id),
            files_json TEXT NOT NULL, metadata_json TEXT NOT NULL, approval TEXT NOT NULL,
            disposed_by TEXT NOT NULL DEFAULT '', disposed_at DATETIME NOT NULL,
            tombstone_path TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX ix_disposals_record_id ON disposals(record_id)",
        """CREATE TABLE intents (
            id INTEGER PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL,
            sidecar_source TEXT NOT NULL DEFAULT '', sidecar_target TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL, plan_json TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending', created_at DATETIME NOT NULL)""",
    ):
        conn.execute(statement)


def _v2(conn: sqlite3.Connection) -> None:
    """The time of each file's last fixity check, and the forms docgen issued."""
    conn.execute("ALTER TABLE files ADD COLUMN verified_at DATETIME")
    conn.execute(
        """CREATE TABLE forms_issued (
            record_id TEXT PRIMARY KEY, form TEXT NOT NULL DEFAULT '',
            variant TEXT NOT NULL DEFAULT '', period TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',
            issued_at DATETIME)"""
    )


def _v3(conn: sqlite3.Connection) -> None:
    """Resumable disposal (ISSUE 9 item 3): a plan per ``archive dispose``, one row per
    record with the step it reached; and who approved a disposal, and when (item 4)."""
    for statement in (
        """CREATE TABLE disposal_plans (
            plan_id TEXT PRIMARY KEY, approval TEXT NOT NULL, approved_by TEXT NOT NULL,
            approved_on DATE NOT NULL, disposed_by TEXT NOT NULL, as_of DATE NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending', created_at DATETIME NOT NULL,
            finished_at DATETIME)""",
        """CREATE TABLE disposal_plan_items (
            id INTEGER PRIMARY KEY,
            plan_id TEXT NOT NULL REFERENCES disposal_plans(plan_id),
            position INTEGER NOT NULL, record_id TEXT NOT NULL REFERENCES records(record_id),
            files_json TEXT NOT NULL, metadata_json TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'planned', note TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX ix_disposal_plan_items_plan_id ON disposal_plan_items(plan_id)",
        "CREATE INDEX ix_disposal_plan_items_record_id ON disposal_plan_items(record_id)",
        "ALTER TABLE disposals ADD COLUMN approved_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE disposals ADD COLUMN approved_on DATE",
        "ALTER TABLE disposals ADD COLUMN plan_id TEXT NOT NULL DEFAULT ''",
    ):
        conn.execute(statement)


#: Migrations in order: MIGRATIONS[n - 1] takes the schema from version n - 1 to n.
#: Append new steps; never edit a released one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


#: The tables of a version-3 index, parents before children (foreign keys).
TABLES = (
    "records",
    "files",
    "holds",
    "disposals",
    "intents",
    "forms_issued",
    "disposal_plans",
    "disposal_plan_items",
)


def is_old_index(path: Path) -> bool:
    """Whether ``path`` is an archive index of an earlier docgen."""
    if not path.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise IntegrityError(
            _("{file}: not a readable archive index ({error})").format(file=path, error=error)
        ) from error
    return "schema_version" in names


def _at_version_3(path: Path, copy: Path) -> sqlite3.Connection:
    """A copy of the index at ``path`` brought to schema version 3."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(copy)
        source.backup(target)  # SQLite's online backup: consistent with a live WAL
    finally:
        source.close()
    version = target.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
    if version > SCHEMA_VERSION:
        target.close()
        raise ConfigError(
            _(
                "{file}: the archive index has schema version {version}, newer than this "
                "docgen understands ({known}): upgrade docgen"
            ).format(file=path, version=version, known=SCHEMA_VERSION)
        )
    for number in range(version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[number - 1](target)
    target.commit()
    return target


def take_over_index(conn: Connection, path: Path) -> int:
    """Copy every row of the old index at ``path`` into the office database behind
    ``conn``; the number of records taken over. Rows are read through the very tables
    they go into, so dates and times arrive as such on either engine."""
    import docgen.db.models  # noqa: F401  (registers the archive tables)
    from docgen.db.models.archive import move_id_sequences

    with tempfile.TemporaryDirectory(prefix="docgen-index-") as scratch:
        copy = Path(scratch) / "index.sqlite"
        _at_version_3(path, copy).close()
        old = create_engine(f"sqlite:///{copy}")
        try:
            with old.connect() as source:
                for name in TABLES:
                    table = Base.metadata.tables[name]
                    rows = [dict(row._mapping) for row in source.execute(select(table))]
                    if rows:
                        conn.execute(table.insert(), rows)
                move_id_sequences(conn)
                records = Base.metadata.tables["records"]
                return len(source.execute(select(records.c.record_id)).all())
        finally:
            old.dispose()
