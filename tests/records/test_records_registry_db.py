"""The account registry in the office database (ISSUE 10 item 4): import, history,
export round trips, bad files, the take-over of an earlier docgen's registry, and
commands that read the database, not the file. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from docgen.cli.main import cli
from docgen.config import Workspace, open_workspace
from docgen.db import Database, open_database
from docgen.db.base import Base
from docgen.db.legacy import legacy_state
from docgen.db.models.accounts import AccountEvent, RegistryAccount
from docgen.errors import DocgenError, ExitCode, ValidationFailed
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids
from docgen.records import read_accounts, read_registry
from docgen.records.stored import account_review_dates, load_registry
from docgen.services.accounts import export_registry, import_registry, take_over_accounts

HEADER = (
    "帳號,姓名,身分證統一編號,單位,職稱,角色,狀態,開通日期,最後使用日期,停用日期,註銷日期,"
    "離職或調職日期,註銷申請日期,權限申請表日期,保密切結書日期,電話,電子郵件"
)
ROWS = [
    "plan01,王小明,A123456789,企劃室,科員,一般使用者,啟用,110/03/01,2026-11-20,,,,,110/02/22,,02-1,a@x",
    "ven01,林美玲,B123456780,攤販管理科,,稽核人員,啟用,2024-01-15,,,,,,2024-01-10,,+886-2-1,=b@x",
    "sec01,陳大文,C123456781,秘書室,專員,一般使用者,註銷,2019-01-02,2020-05-01,,2020-06-30,"
    "2020-06-30,2020-06-10,2019-01-01,2019-01-01,,",
]


def _write(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


def _office(root: Path, database_url: str) -> Workspace:
    root.mkdir(parents=True)
    (root / "docgen.toml").write_text(
        f'[[units]]\nname = "企劃室"\nsupervisor = "陳主任"\n\n[database]\nurl = "{database_url}"\n',
        encoding="utf-8",
    )
    return open_workspace(root, environ={})


@pytest.fixture
def office(tmp_path: Path, database_url: str) -> Workspace:
    return _office(tmp_path / "office", database_url)


def _run(workspace: Workspace, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-w", str(workspace.root), *args])


def _table(db: Database) -> list[tuple[object, ...]]:
    with db.session() as session:
        rows = session.scalars(select(RegistryAccount).order_by(RegistryAccount.account_id))
        return [tuple(getattr(r, c.key) for c in RegistryAccount.__table__.columns) for r in rows]


def _events(db: Database) -> list[tuple[str, str, dict[str, list[object]]]]:
    with db.session() as session:
        found = session.scalars(select(AccountEvent).order_by(AccountEvent.id))
        return [(e.account_id, e.kind, json.loads(e.changes_json)) for e in found]


def _commands(workspace: Workspace) -> list[str]:
    return [e["command"] for e in Journal(workspace.journal_path).entries()]


def test_importing_the_same_file_twice_changes_nothing(office: Workspace, tmp_path: Path) -> None:
    source = _write(tmp_path / "accounts.csv", ROWS)
    with open_database(office) as db:
        first = import_registry(office, db, source, actor="tester")
        assert [a.account_id for a in first.added] == ["plan01", "ven01", "sec01"]
        assert first.applied and first.sha256
        table, events = _table(db), _events(db)
        again = import_registry(office, db, source, actor="tester")
        assert not again.any and not again.applied and again.unchanged == 3
        assert _table(db) == table and _events(db) == events
        registry = load_registry(office, db)
    assert registry.accounts == read_accounts(source)  # the file's order and values
    assert _commands(office) == ["accounts import"]  # the second import journals nothing
    entry = Journal(office.journal_path).entries()[0]
    assert entry["details"]["added"] == 3 and entry["inputs"][0]["sha256"] == first.sha256
    kinds = [(account, kind) for account, kind, _ in events if account == "sec01"]
    assert kinds == [
        ("sec01", "imported"), ("sec01", "opened"), ("sec01", "cancelled"),
        ("sec01", "papers-on-file"), ("sec01", "papers-on-file"),
    ]  # fmt: skip
    assert (
        registry.cell("ven01", "unit")
        == "the registry in the office database, account 'ven01', field 單位"
    )


def test_a_changed_field_is_a_history_event(office: Workspace, tmp_path: Path) -> None:
    with open_database(office) as db:
        import_registry(office, db, _write(tmp_path / "v1.csv", ROWS))
        before = len(_events(db))
        changed = [
            ROWS[0].replace("企劃室", "秘書室").replace(",啟用,110/03/01,2026-11-20,,", ",停用,110/03/01,2026-11-20,115/11/01,"),
            ROWS[1].replace("B123456780", "B223456782").replace("2024-01-10,,", "2024-01-10,2026-11-02,"),
            ROWS[2],
        ]  # fmt: skip
        result = import_registry(office, db, _write(tmp_path / "v2.csv", changed))
        assert [c.account_id for c in result.changed] == ["plan01", "ven01"]
        assert result.changed[0].fields["unit"] == ("企劃室", "秘書室")
        new = _events(db)[before:]
    assert new == [
        ("plan01", "suspended", {"status": ["啟用", "停用"], "suspended_on": [None, "2026-11-01"]}),
        ("plan01", "changed", {"unit": ["企劃室", "秘書室"]}),
        ("ven01", "papers-on-file", {"pledge_on": [None, "2026-11-02"]}),
        ("ven01", "changed", {"national_id": ["B12345****", "B22345****"]}),
    ]
    assert find_unmasked_ids(json.dumps(new)) == []


def test_dry_run_and_accounts_not_in_the_file(office: Workspace, tmp_path: Path) -> None:
    with open_database(office) as db:
        import_registry(office, db, _write(tmp_path / "all.csv", ROWS))
        shorter = _write(tmp_path / "short.csv", ROWS[:2])
        table = _table(db)
        kept = import_registry(office, db, shorter)
        assert kept.not_in_file == ["sec01"] and not kept.any and _table(db) == table
        dry = import_registry(office, db, shorter, apply=False, remove=True)
        assert dry.removed == ["sec01"] and not dry.applied and _table(db) == table
        gone = import_registry(office, db, shorter, remove=True)
        assert gone.applied and [r[0] for r in _table(db)] == ["plan01", "ven01"]
        assert [e[:2] for e in _events(db)][-1] == ("sec01", "removed")  # history kept
        assert sum(1 for e in _events(db) if e[0] == "sec01") == 6


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(office: Workspace, tmp_path: Path, fmt: str) -> None:
    with open_database(office) as db:
        import_registry(office, db, _write(tmp_path / "accounts.csv", ROWS))
        target = tmp_path / f"export.{fmt}"
        assert export_registry(office, db, fmt, target) == 3
        table = _table(db)
        again = import_registry(office, db, target)
        assert not again.any and again.unchanged == 3 and _table(db) == table
    exported = read_registry(target)
    assert [a.phone for a in exported.accounts][1] == "+886-2-1"
    if fmt == "csv":
        cells = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
        assert cells[0] == HEADER.split(",")
        assert cells[2][15:] == ["'+886-2-1", "'=b@x"]  # neutralised, read back whole
    assert not list(tmp_path.glob(".export*"))  # written atomically
    assert _commands(office)[-1] == "accounts export"


def test_a_bad_row_is_one_line_and_nothing_is_written(office: Workspace, tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", [ROWS[0], ROWS[1].replace(",稽核人員,", ",科長,")])
    result = _run(office, "accounts", "import", str(bad))
    error = result.exception
    assert isinstance(error, ValidationFailed) and error.exit_code == ExitCode.INPUT
    assert [str(p) for p in error.problems] == [
        f"{bad}, row 3, column 角色: '科長' is not one of "
        "一般使用者 (user) / 稽核人員 (auditor) / 管理者 (admin)"
    ]
    with open_database(office) as db:
        assert _table(db) == [] and _events(db) == []
    assert _commands(office) == []


def test_the_import_command_shows_the_changes(office: Workspace, tmp_path: Path) -> None:
    source = _write(tmp_path / "accounts.csv", ROWS)
    first = _run(office, "accounts", "import", str(source), "--dry-run")
    assert first.exit_code == 0 and "would change the registry: 3 added" in first.output
    with open_database(office) as db:
        assert _table(db) == []
    assert _run(office, "accounts", "import", str(source)).exit_code == 0
    renamed = _write(tmp_path / "v2.csv", [ROWS[0].replace("A123456789", "A223456781"), *ROWS[1:]])
    shown = _run(office, "accounts", "import", str(renamed))
    assert shown.exit_code == 0, shown.output
    assert "plan01" in shown.output and "National ID A12345****→A22345****" in shown.output
    assert find_unmasked_ids(shown.output) == []
    again = _run(office, "accounts", "import", str(renamed))
    assert "no changes (3 accounts as in the office database)" in again.output


def test_take_over_of_an_earlier_registry_and_its_reviews(
    tmp_path: Path, database_url: str
) -> None:
    office = _office(tmp_path / "office", database_url)
    assert legacy_state(office) == []
    registry = _write(office.data_dir / "accounts.csv", ROWS)
    Journal(office.journal_path, office.root).append(
        "accounts review", details={"as_of": "2026-05-31", "findings": 2, "counts": {"帳號數": 3}}
    )
    assert legacy_state(office) == [], "a registry file is input, not state"
    assert registry.exists()
    import docgen.db.models  # noqa: F401

    with Database(database_url, "office") as db:
        db.ensure_schema()
        with db.connect() as conn:
            Base.metadata.create_all(conn)
            take_over_accounts(conn, office)
        assert load_registry(office, db).accounts == read_accounts(registry)
        assert account_review_dates(office, db) == [date(2026, 5, 31)]
        with db.session() as session:
            kinds = session.scalars(
                select(AccountEvent.kind).where(AccountEvent.account_id == "plan01")
            )
            assert list(kinds) == ["imported", "opened", "papers-on-file"]


def test_take_over_of_a_bad_registry_stops_with_every_row(tmp_path: Path) -> None:
    office = _office(tmp_path / "office", f"sqlite:///{tmp_path / 'db.sqlite'}")
    _write(office.data_dir / "accounts.csv", [ROWS[0], ROWS[0]])
    import docgen.db.models  # noqa: F401

    with (
        Database(office.database_url, "office") as db,
        pytest.raises(ValidationFailed) as caught,
        db.connect() as conn,
    ):
        Base.metadata.create_all(conn)
        take_over_accounts(conn, office)
    assert "row 3, column 帳號: account 'plan01' is already listed in row 2" in str(caught.value)


def test_commands_read_the_database_not_the_file(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    made = CliRunner().invoke(cli, ["init", str(root), "--example"], catch_exceptions=False)
    assert "25 accounts imported" in made.output
    workspace = open_workspace(root, environ={})
    (workspace.data_dir / "accounts.csv").unlink()
    listed = _run(workspace, "accounts", "list", "--format", "json")
    assert listed.exit_code == 0 and json.loads(listed.output)["summary"]["Accounts"] == 25
    assert find_unmasked_ids(listed.output) == []
    roster = _run(workspace, "accounts", "roster", "--format", "csv", "-o", str(tmp_path / "r.csv"))
    assert roster.exit_code == 0
    review = _run(
        workspace, "accounts", "review", "--as-of", "2026-11-30", "--record", "--format", "json"
    )
    assert review.exit_code == 0 and json.loads(review.stdout)["summary"]["Accounts"] == 25
    assert account_review_dates(workspace) == [date(2026, 11, 30)]
    assert _commands(workspace)[-1] == "accounts review"


def test_an_empty_database_says_which_file_to_import(office: Workspace) -> None:
    with open_database(office) as db:  # made before the office put its file in data/
        assert account_review_dates(office, db) == []
    _write(office.data_dir / "accounts.csv", ROWS)
    result = _run(office, "accounts", "list")
    error = result.exception
    assert isinstance(error, DocgenError) and error.exit_code == ExitCode.INPUT
    assert "no account registry in the office database" in str(error)
    assert f"docgen accounts import {office.data_dir / 'accounts.csv'}" in str(error)
