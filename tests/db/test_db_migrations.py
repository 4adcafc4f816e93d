"""The office database's migrations (ISSUE 10 item 2): one head, the revision list the
code opens databases with, upgrade from empty, and one clear line for a database
older or newer than the code."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

import docgen.db.models  # noqa: F401
from docgen.config import open_workspace
from docgen.db import Database
from docgen.db.base import Base
from docgen.db.migrate import HEAD, REVISIONS, alembic_config, check_revision, open_database
from docgen.errors import ConfigError


def _workspace(root: Path, url: str):
    root.mkdir(parents=True, exist_ok=True)
    return open_workspace(root, environ={"DOCGEN_DATABASE_URL": url})


def test_the_code_knows_every_revision_in_order() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [HEAD]
    history = [s.revision for s in scripts.walk_revisions()]
    assert tuple(reversed(history)) == REVISIONS


def test_a_new_database_matches_the_models(tmp_path: Path, database_url: str) -> None:
    workspace = _workspace(tmp_path / "office", database_url)
    with open_database(workspace) as db:
        assert db.revision() == HEAD
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []


def test_an_older_database_names_the_command_to_run(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = _workspace(tmp_path / "office", database_url)
    open_database(workspace).close()
    # as a docgen with one more revision than this one would see it
    monkeypatch.setattr("docgen.db.migrate.REVISIONS", (*REVISIONS, "9999_next"))
    monkeypatch.setattr("docgen.db.migrate.HEAD", "9999_next")
    with pytest.raises(ConfigError) as caught:
        open_database(workspace)
    assert str(caught.value).endswith(
        f"the office database is at revision {HEAD}, older than this docgen (9999_next): "
        "run `docgen db upgrade`"
    )


def test_a_newer_database_is_refused_in_one_line(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path / "office", f"sqlite:///{tmp_path / 'office.sqlite'}")
    open_database(workspace).close()
    with Database(workspace.database_url, "office") as db, db.connect() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with Database(workspace.database_url, "office") as db, pytest.raises(ConfigError) as caught:
        check_revision(db)
    assert "\n" not in str(caught.value)
    assert "revision 9999_future, made by a newer docgen" in str(caught.value)


def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path: Path) -> None:
    bogus = tmp_path / "office.sqlite"
    bogus.write_bytes(b"not a database at all" * 100)
    workspace = _workspace(tmp_path / "office", f"sqlite:///{bogus}")
    with pytest.raises(Exception, match="not a readable office database") as caught:
        open_database(workspace)
    assert "\n" not in str(caught.value)


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://docgen:secret@127.0.0.1:1/docgen"
    workspace = _workspace(tmp_path / "office", url)
    with pytest.raises(ConfigError) as caught:
        open_database(workspace)
    message = str(caught.value)
    assert "cannot open the office database" in message and "secret" not in message
