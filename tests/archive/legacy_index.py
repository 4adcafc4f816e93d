"""An archive index as an earlier docgen left it (its own SQLite file, schema version 1–3,
made with the very migrations it used: :data:`docgen.db.legacy_index.MIGRATIONS`), for
the take-over tests (ISSUE 10 item 2)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from docgen.db.legacy_index import MIGRATIONS


def old_index(path: Path, version: int, *statements: str) -> None:
    """An old index at ``path``, at schema ``version``, with ``statements`` run on it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # as the earlier docgen ran it
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for number in range(1, version + 1):
            MIGRATIONS[number - 1](conn)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
