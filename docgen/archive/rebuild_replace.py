"""Putting a rebuilt archive index in place (ISSUE 10 item 1: ``docgen archive rebuild``).

The rebuild fills a scratch database (:meth:`docgen.archive.db.Index.scratch`);
:func:`replace_archive` then replaces the archive's rows in the office database with
the scratch's in ONE transaction — every archive table emptied, children first, and
filled again, parents first — so that another process sees either the old archive or
the new one, on SQLite as on PostgreSQL. The rows replaced are kept first, inside that
transaction (no other writer can slip in between):

* SQLite: an online backup (SQLite's backup API) of the whole office
  database file, ``<state>/office.sqlite.before-rebuild-YYYYMMDD-HHMMSS``;
* PostgreSQL: the archive's rows as JSON,
  ``<state>/archive.before-rebuild-YYYYMMDD-HHMMSS.json`` (the server's own backups
  keep the rest).

Rows are copied as they are (IDs included; on PostgreSQL the ID sequences are moved
past them), so the stored fields stay as masked as the rebuild wrote them (R8).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select, text, update

from docgen.archive.db import Index
from docgen.db.maintenance import backup
from docgen.db.models.archive import TABLES, Record, move_id_sequences
from docgen.db.models.audit import RecordReview
from docgen.fsutil import atomic_path
from docgen.i18n import _

#: Rows read and written at a time (an archive may hold hundreds of thousands of files).
BATCH = 2000


@dataclass(frozen=True)
class Kept:
    """Where the replaced rows are kept: ``path``, and what it is (for the output)."""

    path: Path
    what: str


def replace_archive(office: Index, scratch: Index, state_dir: Path, now: datetime) -> Kept:
    """Replace the archive's rows in ``office`` with those of ``scratch``, in one
    transaction, after keeping the replaced rows under ``state_dir``."""
    stamp = f"before-rebuild-{now:%Y%m%d-%H%M%S}"
    with office.db.connect() as conn:
        if office.db.dialect == "sqlite":
            kept = _backup_sqlite(office, state_dir, stamp)
        else:
            names = ", ".join(f'"{table.name}"' for table in TABLES)
            # Writers wait until the rebuild commits; readers go on seeing the old rows.
            conn.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
            kept = _dump_rows(conn, office.label, state_dir / f"archive.{stamp}.json")
        for table in reversed(TABLES):
            conn.execute(table.delete())
        with scratch.engine.connect() as source:
            for table in TABLES:
                _copy(source, conn, table)
        if office.db.dialect == "postgresql":
            move_id_sequences(conn)
    return kept


def apply_recorded_reviews(office: Index, scratch: Index) -> None:
    """Give the rebuilt records the director's reviews recorded in the office database
    (``audit review``) where their files carry none: the files do not know them, the
    database does (R6.2, R6.3: the day retention counts from)."""
    with office.db.connect() as conn:
        reviews = conn.execute(select(RecordReview.record_id, RecordReview.reviewed_on)).all()
    if not reviews:
        return
    with scratch.db.connect() as conn:
        for record_id, reviewed_on in reviews:
            conn.execute(
                update(Record)
                .where(Record.record_id == record_id, Record.review_date.is_(None))
                .values(review_date=reviewed_on)
            )


def _backup_sqlite(office: Index, state_dir: Path, stamp: str) -> Kept:
    """An online backup of the office database file (:func:`docgen.db.maintenance.backup`:
    the caller's transaction holds the write lock, so the copy is of the committed rows)."""
    database = Path(str(office.db.url.database))
    target = state_dir / f"{database.name}.{stamp}"
    backup(office.db, target)
    return Kept(target, _("a copy of the office database from before the rebuild"))


def _value(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _dump_rows(conn: Connection, label: str, target: Path) -> Kept:
    """The archive's rows as JSON: ``{"database", "tables": {name: [row, …]}}``."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        tables[table.name] = [{k: _value(v) for k, v in row.items()} for row in rows]
    document = {"database": label, "tables": tables}
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    return Kept(target, _("the archive's rows from before the rebuild, as JSON"))


def _copy(source: Connection, target: Connection, table: Table) -> None:
    """Every row of ``table`` from ``source`` to ``target``, in primary-key order (a
    duplicate's file row comes after the file it duplicates)."""
    query = select(table).order_by(*table.primary_key.columns)
    result = source.execution_options(yield_per=BATCH).execute(query)
    for rows in result.mappings().partitions(BATCH):
        target.execute(table.insert(), [dict(row) for row in rows])
