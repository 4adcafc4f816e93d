"""The PostgreSQL test harness (tests/pgserver.py, tests/conftest.py) against a real server:
round trip of Chinese text, isolation of the per-test databases, ``database_url`` on both
backends, and nothing left behind when the server stops or the test process dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, create_engine, inspect

from tests.pgserver import PgServer, start, unique_database_name

OFFICE = "臺北市市場處"
ROOT = Path(__file__).resolve().parents[2]


def _offices(metadata: MetaData) -> Table:
    return Table(
        "offices",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", Text, nullable=False),
    )


@pytest.fixture
def engine_of() -> Iterator[list[Engine]]:
    engines: list[Engine] = []
    yield engines
    for engine in engines:
        engine.dispose()


def _engine(engines: list[Engine], url: str) -> Engine:
    engine = create_engine(url)
    engines.append(engine)
    return engine


def _round_trip(engine: Engine) -> None:
    metadata = MetaData()
    offices = _offices(metadata)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(offices.insert(), [{"name": OFFICE}])
    with engine.connect() as conn:
        assert conn.execute(offices.select()).all() == [(1, OFFICE)]


def test_postgres_round_trip_of_chinese_text(
    postgres_url: str, engine_of: list[Engine], pg_server: PgServer
) -> None:
    assert postgres_url.startswith("postgresql+psycopg://")
    engine = _engine(engine_of, postgres_url)
    assert engine.dialect.name == "postgresql"
    _round_trip(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"
        assert conn.exec_driver_sql("SHOW client_encoding").scalar() == "UTF8"
    if not pg_server.external:
        assert postgres_url.startswith(f"postgresql+psycopg://docgen@127.0.0.1:{pg_server.port}/")


def test_local_server_is_loopback_only_and_fast(pg_server: PgServer) -> None:
    if pg_server.external:
        pytest.skip("settings of the local throw-away server")
    with pg_server.connect() as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                (["listen_addresses", "fsync", "full_page_writes", "synchronous_commit"],),
            ).fetchall()
        )
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
    }


def test_databases_are_isolated(pg_server: PgServer, engine_of: list[Engine]) -> None:
    a, b = unique_database_name(), unique_database_name()
    try:
        engine_a = _engine(engine_of, pg_server.create_database(a))
        engine_b = _engine(engine_of, pg_server.create_database(b))
        _round_trip(engine_a)
        assert inspect(engine_a).has_table("offices")
        assert not inspect(engine_b).has_table("offices")
        _round_trip(engine_b)  # the same table, its own rows: id 1 again
    finally:
        for engine in engine_of:
            engine.dispose()
        pg_server.drop_database(a)
        pg_server.drop_database(b)
    with pg_server.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert a not in names and b not in names


def test_drop_terminates_open_connections(pg_server: PgServer, engine_of: list[Engine]) -> None:
    name = unique_database_name()
    engine = _engine(engine_of, pg_server.create_database(name))
    conn = engine.connect()
    conn.exec_driver_sql("SELECT 1")
    pg_server.drop_database(name)  # an open session does not block the drop
    conn.invalidate()
    conn.close()


def test_database_url_works_on_both_backends(
    database_url: str, request: pytest.FixtureRequest, engine_of: list[Engine]
) -> None:
    backend = request.node.callspec.params["database_url"]
    engine = _engine(engine_of, database_url)
    assert engine.dialect.name == backend
    _round_trip(engine)


def _gone(pid: int, base: Path, within: float = 10.0) -> bool:
    """Whether process ``pid`` has ended (or is a zombie) and ``base`` is removed."""
    deadline = time.monotonic() + within
    while _alive(pid) or base.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_stop_leaves_nothing_behind(pg_server: PgServer) -> None:
    if pg_server.external:
        pytest.skip("lifecycle of the local throw-away server")
    server = start()
    assert server.process is not None and server.base_dir is not None
    pid, base = server.process.pid, server.base_dir
    server.create_database("leftover")
    server.stop()
    assert _gone(pid, base, within=0)
    server.stop()  # twice is harmless


def test_killed_test_process_leaves_nothing_behind(pg_server: PgServer) -> None:
    if pg_server.external:
        pytest.skip("lifecycle of the local throw-away server")
    script = (
        "import time\nfrom tests.pgserver import start\n"
        "s = start()\nprint(s.process.pid, s.base_dir, flush=True)\ntime.sleep(120)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        pid_text, base_text = child.stdout.readline().split()
        pid, base = int(pid_text), Path(base_text)
        assert _alive(pid) and base.is_dir()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert _gone(pid, base), "the watchdog did not stop the server and remove its directory"
