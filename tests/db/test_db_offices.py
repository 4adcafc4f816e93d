"""Several offices on one PostgreSQL server (ISSUE 10 item 5): each workspace's office
key gives it a schema of its own, and neither office can read or change the other's
rows — through the ORM, through plain SQL, or through the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, select, text, update

from docgen.config import Workspace, open_workspace
from docgen.db import open_database
from docgen.db.models.archive import Hold, Record


def _office(root: Path, url: str, key: str) -> Workspace:
    root.mkdir(parents=True)
    config = f'[office]\nname = "{key}"\n[database]\nurl = "{url}"\noffice = "{key}"\n'
    (root / "docgen.toml").write_text(config, encoding="utf-8")
    return open_workspace(root, environ={})


def _add_records(workspace: Workspace, *record_ids: str) -> None:
    with open_database(workspace) as db, db.session() as session:
        session.add_all(
            Record(record_id=rid, category="monthly_check", review_date=date(2026, 11, 5))
            for rid in record_ids
        )


def _record_ids(workspace: Workspace) -> list[str]:
    with open_database(workspace) as db, db.session() as session:
        return list(session.scalars(select(Record.record_id).order_by(Record.record_id)))


def test_two_offices_on_one_server_see_only_their_own_rows(
    tmp_path: Path, postgres_url: str
) -> None:
    market = _office(tmp_path / "market", postgres_url, "market")
    parks = _office(tmp_path / "parks", postgres_url, "parks")
    _add_records(market, "DG-4M-1151101-AAAA", "DG-4M-1151101-BBBB")
    _add_records(parks, "DG-4M-1151101-AAAA")  # the same record ID, another office's record

    assert _record_ids(market) == ["DG-4M-1151101-AAAA", "DG-4M-1151101-BBBB"]
    assert _record_ids(parks) == ["DG-4M-1151101-AAAA"]

    with open_database(parks) as db, db.session() as session:
        # every statement the parks office can write, unqualified, is about its own rows
        session.execute(update(Record).values(unit="parks was here"))
        session.add(
            Hold(record_id="DG-4M-1151101-AAAA", reason="parks' hold", placed_at=date.today())
        )
        assert session.scalar(select(func.count()).select_from(Record)) == 1
        assert session.get(Record, "DG-4M-1151101-BBBB") is None
        session.execute(text("DELETE FROM holds WHERE reason <> 'parks'' hold'"))
    with open_database(market) as db, db.session() as session:
        assert set(session.scalars(select(Record.unit))) == {""}
        assert session.scalar(select(func.count()).select_from(Hold)) == 0
        session.execute(delete(Record).where(Record.record_id == "DG-4M-1151101-AAAA"))
    assert _record_ids(parks) == ["DG-4M-1151101-AAAA"]
    assert _record_ids(market) == ["DG-4M-1151101-BBBB"]


def test_each_office_has_its_own_schema_and_revision(tmp_path: Path, postgres_url: str) -> None:
    market = _office(tmp_path / "market", postgres_url, "market")
    parks = _office(tmp_path / "parks", postgres_url, "parks")
    for workspace in (market, parks):
        with open_database(workspace) as db, db.connect() as conn:
            assert conn.execute(text("SELECT current_schema()")).scalar() == db.schema
            assert db.revision() is not None
    assert {market.config.database.office, parks.config.database.office} == {"market", "parks"}


def test_the_cli_of_one_office_does_not_see_the_other(tmp_path: Path, postgres_url: str) -> None:
    market = _office(tmp_path / "market", postgres_url, "market")
    parks = _office(tmp_path / "parks", postgres_url, "parks")
    _add_records(market, "DG-4M-1151101-AAAA")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_") or k == "DOCGEN_LANG"}

    def records_report(workspace: Workspace) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "docgen", "-w", str(workspace.root), "archive", "report",
             "retention", "--all", "--format", "json"],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        assert done.returncode in (0, 6), done.stderr
        return done.stdout

    assert "DG-4M-1151101-AAAA" in records_report(market)
    assert "DG-4M-1151101-AAAA" not in records_report(parks)


def test_an_office_key_must_be_a_plain_name(tmp_path: Path) -> None:
    root = tmp_path / "office"
    root.mkdir()
    (root / "docgen.toml").write_text('[database]\noffice = "x; DROP"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "-w", str(root), "db", "check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 4
    assert "database.office" in done.stderr
