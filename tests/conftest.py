"""Fixtures for every test: a throw-away PostgreSQL server (tests/pgserver.py), a fresh
database per test on it, and ``database_url`` that runs a test on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.pgserver import PgServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-postgres",
        action="store_true",
        help="fail, not skip, PostgreSQL tests when no server can run (make test sets it)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist's workers export COLUMNS=80, which would make every printed table
    # wrap as on an 80-column terminal; tests that want a width set it themselves.
    os.environ.pop("COLUMNS", None)
    # Tests assert docgen's English message IDs unless they are about the language:
    # those (tests/core/test_core_language.py) unset DOCGEN_LANG and see zh_TW, the
    # default. Subprocesses inherit it.
    os.environ["DOCGEN_LANG"] = "en"
    config.addinivalue_line(
        "markers", "postgres: needs a PostgreSQL server (tests/pgserver.py; skipped without one)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"pg_server", "postgres_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def _english() -> None:
    """Each test starts in English, whatever language the test before it ran in."""
    from docgen.i18n import use_language

    use_language("en")


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> PgServer:
    """The session's PostgreSQL server, started on first use (skips when none can run here,
    fails instead when CI is set)."""
    from tests.pgserver import ServerUnavailable, start

    try:
        server = start()
    except ServerUnavailable as exc:
        reason = str(exc)
    else:
        request.addfinalizer(server.stop)
        return server
    if _ci() or request.config.getoption("--require-postgres"):
        pytest.fail(f"PostgreSQL tests may not be skipped here: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture
def postgres_url(pg_server: PgServer) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty database, dropped after the test."""
    from tests.pgserver import unique_database_name

    name = unique_database_name()
    yield pg_server.create_database(name)
    pg_server.drop_database(name)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgresql"],
)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on each backend: a SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        tmp_path: Path = request.getfixturevalue("tmp_path")
        return f"sqlite:///{tmp_path / 'office.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
