"""``docgen db check | backup | restore`` (ISSUE 10 item 2), on SQLite and PostgreSQL:
a backup restored gives back exactly the rows it was taken with; the check finds
orphan and missing files and broken foreign keys."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import docgen.db.models
from docgen.config import Workspace, open_workspace
from docgen.db import open_database
from docgen.db.base import Base
from docgen.db.models.archive import File, Record


def _workspace(root: Path, url: str) -> Workspace:
    root.mkdir(parents=True)
    (root / "docgen.toml").write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return open_workspace(root, environ={})


def docgen(workspace: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "docgen", "-w", str(workspace.root), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_") or k == "DOCGEN_LANG"}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def _file_record(workspace: Workspace, record_id: str, content: bytes) -> None:
    """One filed record with one file, in the folder and in the database."""
    relative = f"records/monthly_check/115/{record_id}.pdf"
    path = workspace.archive_root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    st = path.stat()
    with open_database(workspace) as db, db.session() as session:
        record = Record(
            record_id=record_id,
            category="monthly_check",
            period="2026-10",
            unit="企劃室",
            review_date=date(2026, 11, 5),
            first_filed_at=datetime(2026, 11, 6, 9, 30),
        )
        record.files.append(
            File(path=relative, sha256="0" * 64, size=st.st_size, mtime_ns=st.st_mtime_ns, inode=0)
        )
        session.add(record)


def _snapshot(workspace: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    with open_database(workspace) as db, db.connect() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(select(table)))
            for name, table in Base.metadata.tables.items()
        }


def test_restore_gives_back_the_rows_of_the_backup(tmp_path: Path, database_url: str) -> None:
    workspace = _workspace(tmp_path / "office", database_url)
    _file_record(workspace, "DG-4M-1151101-AAAA", b"%PDF-1.7 first")
    at_backup = _snapshot(workspace)
    assert at_backup["records"] and at_backup["files"]

    backup = tmp_path / "backups" / "office.backup"
    done = docgen(workspace, "db", "backup", str(backup))
    assert done.returncode == 0, done.stderr
    _file_record(workspace, "DG-4M-1151101-BBBB", b"%PDF-1.7 second")
    with open_database(workspace) as db, db.session() as session:
        session.get(Record, "DG-4M-1151101-AAAA").unit = "changed"  # type: ignore[union-attr]
    assert _snapshot(workspace) != at_backup

    done = docgen(workspace, "db", "restore", str(backup), "--yes")
    assert done.returncode == 0, done.stderr
    assert _snapshot(workspace) == at_backup
    kept = [p for p in workspace.state_dir.iterdir() if p.name.startswith("office.before-restore")]
    assert len(kept) == 1, "the database as it was before the restore is kept"
    journal = workspace.journal_path.read_text(encoding="utf-8")
    assert '"command": "db backup"' in journal and '"command": "db restore"' in journal


def test_restore_refuses_a_file_that_is_no_backup(tmp_path: Path, database_url: str) -> None:
    workspace = _workspace(tmp_path / "office", database_url)
    _file_record(workspace, "DG-4M-1151101-AAAA", b"%PDF-1.7 first")
    before = _snapshot(workspace)
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"PK\x03\x04 not a backup")
    done = docgen(workspace, "db", "restore", str(bogus), "--yes")
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "bogus.backup: not a" in done.stderr
    assert _snapshot(workspace) == before


def test_check_finds_orphan_and_missing_files(tmp_path: Path, database_url: str) -> None:
    workspace = _workspace(tmp_path / "office", database_url)
    _file_record(workspace, "DG-4M-1151101-AAAA", b"%PDF-1.7 first")
    _file_record(workspace, "DG-4M-1151101-BBBB", b"%PDF-1.7 second")
    assert docgen(workspace, "db", "check").returncode == 0

    (workspace.archive_root / "records/monthly_check/115/DG-4M-1151101-BBBB.pdf").unlink()
    stray = workspace.archive_root / "records/monthly_check/115/stray.pdf"
    stray.write_bytes(b"%PDF-1.7 nobody knows me")
    done = docgen(workspace, "db", "check")
    assert done.returncode == 5
    assert "orphan file: records/monthly_check/115/stray.pdf" in done.stdout
    assert "missing file: records/monthly_check/115/DG-4M-1151101-BBBB.pdf" in done.stdout
    assert done.stderr.startswith("Error: ") and "2 problem(s)" in done.stderr


def test_check_finds_a_broken_foreign_key_on_sqlite(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path / "office", f"sqlite:///{tmp_path / 'office.sqlite'}")
    _file_record(workspace, "DG-4M-1151101-AAAA", b"%PDF-1.7 first")
    with sqlite3.connect(tmp_path / "office.sqlite") as conn:  # as a careless tool would
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DELETE FROM records")
    done = docgen(workspace, "db", "check")
    assert done.returncode == 5
    assert "foreign key: files row 1 refers to a missing records row" in done.stdout


@pytest.mark.parametrize("args", [["db", "check"], ["db", "backup", "x.sqlite"]])
def test_a_workspace_left_by_an_earlier_docgen_is_sent_to_db_upgrade(
    tmp_path: Path, args: list[str]
) -> None:
    from docgen.db.legacy_index import MIGRATIONS

    workspace = _workspace(tmp_path / "office", f"sqlite:///{tmp_path / 'office.sqlite'}")
    workspace.state_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(workspace.index_path) as old:
        old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for number, step in enumerate(MIGRATIONS, 1):
            step(old)
            old.execute("INSERT INTO schema_version VALUES (?)", (number,))
    done = docgen(workspace, *args)
    assert done.returncode == 4 if args[1] == "backup" else 5
    assert "run `docgen db upgrade`" in done.stderr + done.stdout
