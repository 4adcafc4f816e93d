"""``docgen archive rebuild`` on the office database (ISSUE 10 item 1): the archive's
rows replaced in one transaction, the previous ones kept first (SQLite: a copy of the
database file; PostgreSQL: the rows as JSON), ``-o`` leaving the office database
alone, and holds and disposals brought back from the journal, the hold files and the
tombstones when the rows, or the whole database, are gone (ISSUE 9 items 1 and 2)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
from sqlalchemy import select

from docgen.archive.db import open_index
from docgen.archive.destruction_list import SECTION_CANDIDATE, SECTION_HELD
from docgen.db.models.archive import Disposal, Hold, Record
from docgen.errors import ExitCode
from docgen.journal import Journal
from tests.archive.dbrows import (
    ON_BOTH_ENGINES,
    archive_rows,
    delete_archive_rows,
    delete_office_database,
    query,
    sqlite_file,
)
from tests.retention.trail import APPROVED, Outcome, archive_runner, sections


@pytest.fixture
def run(office: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    return archive_runner(office, capsys)


def _hold_and_dispose(office: Any, run: Callable[..., Outcome]) -> tuple[str, str]:
    held, disposed = office.rid("check_2023_10"), office.rid("old01_app")
    assert run("hold", held, "--reason", "法院調卷", "--by", "檔管甲").exit_code == 0
    assert run("dispose", disposed, *APPROVED, "--by", "檔管甲").exit_code == 0
    return held, disposed


def _kept_path(outcome: Outcome) -> str:
    [line] = [line for line in outcome.out.splitlines() if line.startswith("Kept ")]
    return line.rsplit(": ", 1)[1]


def _trail(office: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    holds = query(office.workspace, "SELECT record_id, reason, placed_by FROM holds")
    disposals = query(office.workspace, "SELECT record_id, approval, approved_by FROM disposals")
    return holds, disposals


@ON_BOTH_ENGINES
def test_rebuild_replaces_the_rows_and_keeps_the_previous_ones(
    office: Any, run: Callable[..., Outcome]
) -> None:
    held, disposed = _hold_and_dispose(office, run)
    before = archive_rows(office.workspace)
    trail = _trail(office)

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "The archive index in " in rebuilt.out and " was replaced" in rebuilt.out
    kept = office.workspace.state_dir / _kept_path(rebuilt).rsplit("/", 1)[1]
    assert str(kept) == _kept_path(rebuilt)
    if sqlite_file(office.workspace) is not None:
        assert kept.name.startswith("office.sqlite.before-rebuild-")
        assert "a copy of the office database" in rebuilt.out
        with closing(sqlite3.connect(f"file:{kept}?mode=ro", uri=True)) as copy:
            assert copy.execute("SELECT COUNT(*) FROM records").fetchone() == (
                len(before["records"]),
            )
            assert copy.execute("SELECT record_id FROM holds").fetchall() == [(held,)]
    else:
        assert kept.name.startswith("archive.before-rebuild-") and kept.suffix == ".json"
        assert "as JSON" in rebuilt.out
        document = json.loads(kept.read_text(encoding="utf-8"))
        assert {name: len(rows) for name, rows in document["tables"].items()} == {
            name: len(rows) for name, rows in before.items()
        }
        assert [h["record_id"] for h in document["tables"]["holds"]] == [held]
    assert not list(office.workspace.state_dir.glob("archive-rebuild.sqlite*"))

    assert _trail(office) == trail
    assert len(archive_rows(office.workspace)["files"]) == len(before["files"])
    assert run("rebuild", "--check").out.startswith("The index matches the files.")
    assert sections(office)[held] == SECTION_HELD and disposed not in sections(office)
    # new rows after the rebuild get new IDs (PostgreSQL: the sequences moved on)
    assert run("release", held, "--by", "檔管乙").exit_code == 0
    assert run("hold", held, "--reason", "再次調卷", "--by", "檔管甲").exit_code == 0
    with open_index(office.workspace) as index, index.session() as session:
        holds = list(session.scalars(select(Hold).where(Hold.record_id == held)))
        assert sorted(h.reason for h in holds) == ["再次調卷", "法院調卷"]
    [entry] = [
        e
        for e in Journal(office.workspace.journal_path).entries()
        if e["command"] == "archive rebuild"
    ][:1]
    assert entry["outputs"][0]["path"].endswith(kept.name)
    assert entry["details"]["disposals"] == 1


@ON_BOTH_ENGINES
def test_holds_and_disposals_come_back_after_the_archive_rows_are_deleted(
    office: Any, run: Callable[..., Outcome]
) -> None:
    held, disposed = _hold_and_dispose(office, run)
    trail = _trail(office)
    delete_archive_rows(office.workspace)
    assert sections(office) == {}

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 hold(s) from the journal" in rebuilt.out
    assert _trail(office) == trail
    assert sections(office)[held] == SECTION_HELD and disposed not in sections(office)
    assert "already disposed" in run("dispose", disposed, *APPROVED).err


def test_holds_and_disposals_come_back_after_the_office_database_is_deleted(
    office: Any, run: Callable[..., Outcome]
) -> None:
    held, disposed = _hold_and_dispose(office, run)
    assert run("release", held, "--by", "檔管乙").exit_code == 0
    trail = _trail(office)
    delete_office_database(office.workspace)

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 hold(s) from the journal" in rebuilt.out  # placed and released
    assert _trail(office) == trail
    with open_index(office.workspace) as index, index.session() as session:
        assert session.get(Record, disposed).status == "disposed"
        [hold] = session.scalars(select(Hold).where(Hold.record_id == held))
        assert hold.released_by == "檔管乙" and hold.released_at is not None
        [disposal] = session.scalars(select(Disposal))
        assert (disposal.record_id, disposal.approved_by) == (disposed, "處長乙")
    assert sections(office)[held] == SECTION_CANDIDATE
    refused = run("dispose", disposed, *APPROVED)
    assert refused.exit_code == ExitCode.INPUT and "already disposed" in refused.err


def test_rebuild_to_a_file_leaves_the_office_database_alone(
    office: Any, run: Callable[..., Outcome], tmp_path: Any
) -> None:
    held, _ = _hold_and_dispose(office, run)
    before = archive_rows(office.workspace)
    target = tmp_path / "rebuilt.sqlite"
    rebuilt = run("rebuild", "-o", str(target))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"Wrote the new index to {target}; the office database was not changed" in rebuilt.out
    assert archive_rows(office.workspace) == before
    assert not list(office.workspace.state_dir.glob("*.before-rebuild-*"))
    with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as copy:
        assert copy.execute("SELECT record_id FROM holds").fetchall() == [(held,)]
        assert copy.execute("SELECT COUNT(*) FROM records").fetchone() == (len(before["records"]),)
