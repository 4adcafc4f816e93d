"""The archive index: SQLite at ``workspace.index_path`` through SQLAlchemy 2.

Public API (RET and the CLI use these)::

    from docgen.archive.db import open_index
    index = open_index(workspace)            # creates the folder, migrates, recovers nothing
    with index.session() as session:         # a Session, committed on success
        for record in active_records(session):   # Record rows, not disposed
            ...
        held = held_record_ids(session)      # set of record IDs with an unreleased hold
        files = files_of(session, record_id) # File rows of one record
    index.close()

Tables and statuses: :mod:`docgen.archive.models`. Missing files (indexed but gone
from the folder): :func:`docgen.archive.fixity.gone_files`. Tombstones:
:func:`docgen.archive.tombstones.write_tombstone`; hold files:
:mod:`docgen.archive.holds`; disposal plans: :mod:`docgen.archive.disposal_plan`.

The connection runs SQLite in WAL mode (readers never block the watcher), with
foreign keys on, ``synchronous=NORMAL`` (a killed process loses no committed
transaction) and a 30 s busy timeout. The index must be on local disk: WAL does
not work over network file systems.

Schema migrations are explicit SQL, numbered from 1, recorded in ``schema_version``;
an index made by older code is upgraded on open, in one transaction per step. An
index made by *newer* code is refused with a clear message. Alembic was not used:
the schema is small, migrations must run unattended inside the watcher on open, and
a list of functions bundled in the wheel needs no extra configuration or files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from docgen.archive.models import File, Hold, Record
from docgen.config import Workspace
from docgen.errors import ConfigError, IntegrityError


def _v1(conn: Connection) -> None:
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
        conn.execute(text(statement))


def _v2(conn: Connection) -> None:
    """The time of each file's last fixity check, and the forms docgen issued."""
    conn.execute(text("ALTER TABLE files ADD COLUMN verified_at DATETIME"))
    conn.execute(
        text(
            """CREATE TABLE forms_issued (
            record_id TEXT PRIMARY KEY, form TEXT NOT NULL DEFAULT '',
            variant TEXT NOT NULL DEFAULT '', period TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',
            issued_at DATETIME)"""
        )
    )


def _v3(conn: Connection) -> None:
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
        conn.execute(text(statement))


#: Migrations in order: MIGRATIONS[n - 1] takes the schema from version n - 1 to n.
#: Append new steps; never edit a released one.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so
    # that DDL in a migration is inside its transaction (SQLAlchemy's SQLite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def schema_version(conn: Connection) -> int:
    """The schema version of the index behind ``conn`` (0 for a new, empty file)."""
    conn.execute(text("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
    version = conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar()
    return int(version or 0)


def migrate(conn: Connection, path: Path, upto: int = SCHEMA_VERSION) -> int:
    """Upgrade the index to version ``upto``, one committed step at a time; the new version."""
    current = schema_version(conn)
    conn.commit()
    if current > SCHEMA_VERSION:
        raise ConfigError(
            f"{path}: the archive index has schema version {current}, newer than this "
            f"docgen understands ({SCHEMA_VERSION}): upgrade docgen"
        )
    for number in range(current + 1, upto + 1):
        with conn.begin():
            MIGRATIONS[number - 1](conn)
            conn.execute(text("INSERT INTO schema_version (version) VALUES (:v)"), {"v": number})
    return max(current, upto)


class Index:
    """An open archive index: an engine and a session factory."""

    def __init__(self, path: Path, upto: int = SCHEMA_VERSION) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.engine = create_engine(f"sqlite:///{path}")
        event.listen(self.engine, "connect", _set_pragmas)
        event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        try:
            with self.engine.connect() as conn:
                self.version = migrate(conn, path, upto)
        except DatabaseError as error:
            self.engine.dispose()
            raise IntegrityError(f"{path}: not a readable archive index ({error.orig})") from error
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed when the block ends normally, rolled back otherwise."""
        with self._sessions.begin() as session:
            yield session

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``ok`` when sound)."""
        with self.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_index(workspace: Workspace) -> Index:
    """The workspace's archive index, created or upgraded to the current schema."""
    return Index(workspace.index_path)


def active_records(session: Session) -> list[Record]:
    """Every record that is not disposed, ordered by record ID."""
    query = select(Record).where(Record.status != "disposed").order_by(Record.record_id)
    return list(session.scalars(query))


def held_record_ids(session: Session) -> set[str]:
    """IDs of records with an unreleased hold."""
    query = select(Hold.record_id).where(Hold.released_at.is_(None))
    return set(session.scalars(query))


def files_of(session: Session, record_id: str) -> list[File]:
    """The files of one record (documents, duplicates and sidecars), by path."""
    query = select(File).where(File.record_id == record_id).order_by(File.path)
    return list(session.scalars(query))
