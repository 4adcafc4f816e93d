"""Integrity, backup and restore of the office database (ISSUE 10 item 2).

SQLite is copied with its online backup API, which gives a consistent copy while
the watcher or the web server keeps writing. PostgreSQL is copied with ``pg_dump``
(custom format, the office's schema only) and restored with ``pg_restore`` in one
transaction. Every copy is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text

from docgen.db.database import Database
from docgen.db.migrate import REVISIONS
from docgen.errors import ExternalToolError, InputError
from docgen.i18n import _

#: The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: The first bytes of a ``pg_dump --format=custom`` archive.
PGDUMP_MAGIC = b"PGDMP"


def integrity_problems(db: Database) -> list[str]:
    """What the engine itself finds wrong: SQLite's integrity and foreign-key checks
    (PostgreSQL enforces both as it writes)."""
    if db.dialect != "sqlite":
        with db.connect() as conn:
            conn.execute(text("SELECT 1"))
        return []
    problems = []
    with db.connect() as conn:
        for (line,) in conn.execute(text("PRAGMA integrity_check")):
            if line != "ok":
                problems.append(_("integrity: {problem}").format(problem=line))
        for table, rowid, parent, _fk in conn.execute(text("PRAGMA foreign_key_check")):
            problems.append(
                _("foreign key: {table} row {row} refers to a missing {parent} row").format(
                    table=table, row=rowid, parent=parent
                )
            )
    return problems


def _libpq_url(db: Database) -> str:
    """The URL as ``pg_dump`` takes it (no SQLAlchemy driver suffix)."""
    return db.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise ExternalToolError(
            _("{action}: {program} is not installed (Debian: postgresql-client)").format(
                action=what, program=command[0]
            )
        )
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [_("no message")])[-1]
        raise ExternalToolError(
            _("{action}: {program} failed: {message}").format(
                action=what, program=command[0], message=last
            )
        )


def _temporary_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(name)


def backup(db: Database, target: Path) -> None:
    """Copy the office database to ``target`` (replaced whole, never half-written)."""
    partial = _temporary_beside(target)
    try:
        if db.dialect == "sqlite":
            raw = db.engine.raw_connection()
            try:
                copy = sqlite3.connect(partial)
                try:
                    raw.driver_connection.backup(copy)  # type: ignore[union-attr]
                finally:
                    copy.close()
            finally:
                raw.close()
        else:
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--schema={db.schema}",
                    "--no-owner",
                    f"--file={partial}",
                    _libpq_url(db),
                ],
                _("backup to {file}").format(file=target),
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def check_backup(db: Database, source: Path) -> None:
    """Refuse ``source`` unless it is a backup this docgen can restore to ``db``."""
    try:
        with open(source, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise InputError(
            _("{file}: cannot read the backup ({error})").format(file=source, error=error.strerror)
        ) from error
    if db.dialect == "sqlite":
        if head != SQLITE_MAGIC:
            raise InputError(
                _("{file}: not a backup of an SQLite office database").format(file=source)
            )
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise InputError(
                _("{file}: not an office database ({error})").format(file=source, error=error)
            ) from error
        if row is None or row[0] not in REVISIONS:
            raise InputError(
                _(
                    "{file}: an office database at revision {revision}, which this "
                    "docgen does not know"
                ).format(file=source, revision=row and row[0])
            )
    elif not head.startswith(PGDUMP_MAGIC):
        raise InputError(
            _("{file}: not a pg_dump backup (docgen db backup on PostgreSQL)").format(file=source)
        )


def restore(db: Database, source: Path) -> None:
    """Replace the office database's contents with the backup at ``source``."""
    check_backup(db, source)
    if db.dialect == "sqlite":
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        raw = db.engine.raw_connection()
        try:
            copy.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            raw.close()
            copy.close()
        db.engine.dispose()
        return
    db.engine.dispose()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            f"--dbname={_libpq_url(db)}",
            str(source),
        ],
        _("restore from {file}").format(file=source),
    )
