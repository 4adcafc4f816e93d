"""The archive index: the archive's tables in the office database (ISSUE 10).

Public API (RET and the CLI use these)::

    from docgen.archive.db import open_index
    index = open_index(workspace)            # the office database, at this docgen's revision
    with index.session() as session:         # a Session, committed on success
        for record in active_records(session):   # Record rows, not disposed
            ...
        held = held_record_ids(session)      # set of record IDs with an unreleased hold
        files = files_of(session, record_id) # File rows of one record
    index.close()

Tables and statuses: :mod:`docgen.db.models.archive`. Missing files (indexed but gone
from the folder): :func:`docgen.archive.fixity.gone_files`. Tombstones:
:func:`docgen.archive.tombstones.write_tombstone`; hold files:
:mod:`docgen.archive.holds`; disposal plans: :mod:`docgen.archive.disposal_plan`.
An index of an earlier docgen (its own SQLite file) is taken over by
``docgen db upgrade`` (:mod:`docgen.db.legacy_index`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from docgen.config import Workspace
from docgen.db import Database, open_database
from docgen.db.base import Base
from docgen.db.models.archive import File, Hold, Record


class Index:
    """The archive's tables in an office database: its engine and sessions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = db.engine

    @classmethod
    def scratch(cls, path: Path) -> Index:
        """A new, separate SQLite database at ``path`` with the archive's tables (what
        ``archive rebuild`` fills before it compares or replaces)."""
        import docgen.db.models  # noqa: F401  (registers every table)

        db = Database(f"sqlite:///{path}", "scratch")
        Base.metadata.create_all(db.engine)
        return cls(db)

    @property
    def label(self) -> str:
        return self.db.label

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed when the block ends normally, rolled back otherwise."""
        with self.db.session() as session:
            yield session

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``ok`` when sound; PostgreSQL
        keeps its own pages sound and answers ``ok``)."""
        if self.db.dialect != "sqlite":
            return "ok"
        with self.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_index(workspace: Workspace) -> Index:
    """The archive's tables in the workspace's office database."""
    return Index(open_database(workspace))


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
