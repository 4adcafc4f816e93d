"""Read-only sessions (:meth:`docgen.db.Database.reading`, :meth:`~docgen.db.Database.for_reading`):
a write in one is refused and leaves nothing behind; on SQLite readers neither wait for
the write lock nor hold it (benchmarks/bench_web.py: fifty readers of the web)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from docgen.db import Database


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, "main")
    database.ensure_schema()
    with database.session() as session:
        session.execute(text("CREATE TABLE notes (n INTEGER)"))
        session.execute(text("INSERT INTO notes VALUES (1)"))
    yield database
    database.close()


def _count(db: Database) -> int:
    with db.reading() as session:
        return int(session.execute(text("SELECT count(*) FROM notes")).scalar_one())


def test_a_reading_session_reads(db: Database) -> None:
    assert _count(db) == 1


def test_a_write_in_a_reading_session_is_refused(db: Database) -> None:
    with pytest.raises(DBAPIError, match=r"(?i)read-?only"), db.reading() as session:
        session.execute(text("INSERT INTO notes VALUES (2)"))
    assert _count(db) == 1


def test_a_session_after_a_reading_one_writes_again(db: Database) -> None:
    """The pooled connection does not keep the reading mode."""
    for number in range(3):
        assert _count(db) == number + 1
        with db.session() as session:
            session.execute(text("INSERT INTO notes VALUES (2)"))
    assert _count(db) == 4


def test_a_reading_connection_reads_and_refuses_writes(db: Database) -> None:
    """:meth:`Database.reading_connection` (every web request's user, the records
    search): the same read-only transaction as :meth:`Database.reading`, on a Core
    connection; the pooled connection writes again afterwards."""
    for view in (db, db.for_reading()):
        with view.reading_connection() as conn:
            assert conn.execute(text("SELECT count(*) FROM notes")).scalar_one() >= 1
        with pytest.raises(DBAPIError, match=r"(?i)read-?only"), view.reading_connection() as conn:
            conn.execute(text("INSERT INTO notes VALUES (2)"))
    with db.session() as session:
        session.execute(text("INSERT INTO notes VALUES (2)"))
    assert _count(db) == 2


def test_the_view_for_reading_refuses_writes_and_leaves_the_database_open(
    db: Database,
) -> None:
    view = db.for_reading()
    with view.session() as session:
        assert session.execute(text("SELECT count(*) FROM notes")).scalar_one() == 1
    with pytest.raises(DBAPIError, match=r"(?i)read-?only"), view.session() as session:
        session.execute(text("DELETE FROM notes"))
    with pytest.raises(DBAPIError, match=r"(?i)read-?only"), view.connect() as conn:
        conn.execute(text("DELETE FROM notes"))
    view.close()
    with db.session() as session:
        session.execute(text("INSERT INTO notes VALUES (3)"))
    assert _count(db) == 2


def test_two_readers_do_not_hold_up_a_writer(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'office.sqlite'}", "main")
    with db.session() as session:
        session.execute(text("CREATE TABLE notes (n INTEGER)"))
    with db.reading() as first, db.reading() as second:
        for reader in (first, second):
            assert reader.execute(text("SELECT count(*) FROM notes")).scalar_one() == 0
        started = time.monotonic()
        with db.session() as writer:  # BEGIN IMMEDIATE: would wait up to 30 s if held up
            writer.execute(text("INSERT INTO notes VALUES (1)"))
        assert time.monotonic() - started < 5
        # each reader keeps the snapshot it began with
        assert first.execute(text("SELECT count(*) FROM notes")).scalar_one() == 0
    assert _count(db) == 1
    db.close()


def test_a_writer_does_not_hold_up_readers(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'office.sqlite'}", "main")
    with db.session() as session:
        session.execute(text("CREATE TABLE notes (n INTEGER)"))
    read: list[float] = []

    def reader() -> None:
        started = time.monotonic()
        assert _count(db) == 0  # the writer has not committed yet
        read.append(time.monotonic() - started)

    with db.session() as writer:  # holds the write lock while the readers read
        writer.execute(text("INSERT INTO notes VALUES (1)"))
        threads = [threading.Thread(target=reader) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert len(read) == 4 and max(read) < 5
    assert _count(db) == 1
    db.close()


def test_eight_busy_threads_reuse_their_connections(db: Database) -> None:
    """As many threads as ``docgen serve`` runs by default, reading at once round after
    round, open each connection once: none is closed on its return to the pool and
    opened again for the next request (the default pool kept five)."""
    from sqlalchemy import event

    opened: list[object] = []
    event.listen(db.engine, "connect", lambda connection, _record: opened.append(connection))
    threads, rounds = 8, 5
    together = threading.Barrier(threads)

    def read() -> None:
        for _ in range(rounds):
            with db.reading() as session:
                together.wait(timeout=30)  # every thread holds a connection now
                session.execute(text("SELECT count(*) FROM notes")).scalar_one()

    workers = [threading.Thread(target=read) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert len(opened) <= threads
