"""An open office database: one engine, one session factory, one office (ISSUE 10).

SQLite (the default, one file per workspace on local disk) runs in WAL mode with
foreign keys on, ``synchronous=NORMAL`` and a 30 s busy timeout, and every write
transaction begins ``IMMEDIATE``, so that concurrent writers (the watcher, a
command, the web server) wait for each other instead of failing on a lock upgrade.
A read-only transaction (:meth:`Database.reading`, the web's pages) begins deferred
with writes refused (``PRAGMA query_only``): in WAL mode readers neither wait for
the write lock nor hold it, so fifty readers do not queue behind one another or
behind a writer. On PostgreSQL it is a ``READ ONLY`` transaction.

PostgreSQL (a city's shared server) keeps each office in a schema of its own,
``office_<key>``. This is the one place where an office is kept to its own rows
(ISSUE 10 item 5): every connection the engine makes has its ``search_path`` set to
the office's schema and nothing else, so every table name — in the ORM, in Alembic's
migrations and in any SQL — means this office's table. Each office's schema also
has its own migration state (``alembic_version``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from docgen.errors import ConfigError, IntegrityError
from docgen.i18n import _

#: SQLite waits this long for another writer before giving up.
BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so
    # that DDL in a migration is inside its transaction (SQLAlchemy's SQLite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: The execution option that marks the engine of :meth:`Database.reading` (SQLite).
_READING = "docgen_reading"


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock at once: a deferred transaction that reads and
    # then writes can fail with "database is locked" without waiting (SQLITE_BUSY).
    # A reading transaction takes no lock (WAL) and may not write. query_only is set
    # at every BEGIN, either way, so a pooled connection never keeps the other mode.
    if conn.get_execution_options().get(_READING):
        conn.exec_driver_sql("PRAGMA query_only=ON")
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("PRAGMA query_only=OFF")
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def schema_name(office: str) -> str:
    """The PostgreSQL schema that holds the office ``office`` (a validated key)."""
    return f"office_{office}"


#: Connections each engine keeps open for reuse (see :class:`Database`).
POOL_SIZE = 16


class Database:
    """The office database at ``url``, seen as the office ``office``."""

    def __init__(self, url: str, office: str) -> None:
        try:
            self.url: URL = make_url(url)
        except ArgumentError as error:
            raise ConfigError(
                _("[database] url: not a database URL: {url!r}").format(url=url)
            ) from error
        self.office = office
        self.dialect = self.url.get_backend_name()
        self.schema: str | None = None
        # Connections kept open between uses: as many as ``docgen serve``'s default
        # threads use at once, and more (never more than its 64 threads) made when
        # needed. With SQLAlchemy's default of 5, the sixth to eighth of eight busy
        # threads opened and closed a connection for every request (a new server
        # process per request on PostgreSQL).
        pooled = {"pool_size": POOL_SIZE, "max_overflow": 64 - POOL_SIZE}
        engine_options: dict[str, Any] = {}
        if self.dialect == "sqlite":
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
                engine_options.update(pooled)  # (one connection per thread in memory)
        elif self.dialect == "postgresql":
            engine_options.update(pooled)
            self.schema = schema_name(office)
            engine_options["connect_args"] = {"options": f"-csearch_path={self.schema}"}
            engine_options["pool_pre_ping"] = True
        else:
            raise ConfigError(
                _(
                    "[database] url: {dialect} is not supported: use sqlite:/// or "
                    "postgresql+psycopg://"
                ).format(dialect=self.dialect)
            )
        try:
            self.engine: Engine = create_engine(self.url, **engine_options)
        except (NoSuchModuleError, ModuleNotFoundError) as error:
            raise ConfigError(
                _("[database] url: no driver for {database} ({error})").format(
                    database=self.label, error=error
                )
            ) from error
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
            reader = self.engine.execution_options(**{_READING: True})
        else:  # psycopg's read_only, put back when the connection returns to the pool
            reader = self.engine.execution_options(postgresql_readonly=True)
        self._reader: Engine = reader
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(reader, expire_on_commit=False)

    @property
    def label(self) -> str:
        """Where the database is, for messages (never its password)."""
        if self.dialect == "sqlite":
            return str(self.url.database)
        return _("{url} (schema {schema})").format(
            url=self.url.render_as_string(hide_password=True), schema=self.schema
        )

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed when the block ends normally, rolled back otherwise."""
        with self._sessions.begin() as session:
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session in a read-only transaction, for a page or a report that only
        reads: it waits for no writer and holds up none (see the module). A write in
        it fails (SQLite: "attempt to write a readonly database"; PostgreSQL: "cannot
        execute … in a read-only transaction") and nothing is written."""
        with self._readers.begin() as session:
            yield session

    @contextlib.contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """A Core connection in a read-only transaction (as :meth:`reading`), for the
        paths the web takes most (``get_user`` on every request, the records search):
        rows, with no ORM session to set up and take down."""
        with self._reader.connect() as conn, conn.begin():
            yield conn

    def for_reading(self) -> Database:
        """This database seen for reading only, to hand to a library function that
        takes a :class:`Database` and only reads (``get_user``, ``load_registry`` …):
        the same engine and pool, but every ``session()`` and ``connect()`` of the view
        is a :meth:`reading` transaction. Closing the view leaves this one open."""
        return _ReadingView(self)

    @contextlib.contextmanager
    def connect(self) -> Iterator[Any]:
        """A connection in one transaction, for migrations and checks."""
        with self._connection() as conn, conn.begin():
            yield conn

    def _connection(self) -> Connection:
        """A new connection; one clear line when the database cannot be opened."""
        try:
            return self.engine.connect()
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            if isinstance(error, OperationalError):
                message = _("{database}: cannot open the office database ({reason})")
                raise ConfigError(message.format(database=self.label, reason=reason)) from error
            message = _("{database}: not a readable office database ({reason})").format(
                database=self.label, reason=reason
            )
            raise IntegrityError(message) from error

    def ensure_schema(self) -> None:
        """Create the office's PostgreSQL schema if it does not exist (nothing on SQLite)."""
        if self.schema is None:
            return
        with self.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))

    def revision(self) -> str | None:
        """The Alembic revision the database is at (``None`` when it has no tables yet)."""
        conn = self._connection()
        try:
            with conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as error:
            raise IntegrityError(
                _("{database}: not a readable office database ({reason})").format(
                    database=self.label, reason=error.orig
                )
            ) from error

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class _ReadingView(Database):
    """:meth:`Database.for_reading`: the database's engine and sessions, read-only."""

    def __init__(self, base: Database) -> None:  # shares the base's engine: no new one
        vars(self).update(vars(base))
        self.engine = base._reader
        self._sessions = base._readers

    def close(self) -> None:
        """Nothing: the database viewed owns the engine."""
