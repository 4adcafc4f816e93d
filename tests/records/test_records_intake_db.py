"""Query logs taken into the office database (ISSUE 10 items 1 and 3): the missing
report and the evidence check answer from it with the logs gone; the same file twice
changes nothing; the R5.1 anomalies are stored masked (R8); a bad file writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from docgen.archive.missing import UNTAKEN
from docgen.cli.main import cli
from docgen.config import Workspace, open_workspace
from docgen.db import open_database
from docgen.db.models.queries import QueryAnomaly, QueryCount, QueryLogFile
from docgen.errors import DocgenError, ExitCode
from docgen.example_office import EXAMPLE_QUERY_FACTS
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids
from docgen.records import QueryLog
from docgen.records.stored import month_units
from docgen.records.workspace import init_workspace
from docgen.services.queries import take_in_log, take_over_queries

AS_OF = "2026-11-30"
HEADER = (
    "查詢日期時間,查詢人員帳號,被查詢人身分證統一編號,被查詢人姓名,查詢項目,"
    "公文文號,案號,案件名稱,使用目的,法令依據,查詢人員單位"
)
#: A made-up ID with a valid check digit, and a name, of a person queried without
#: any justification (an R5.1 anomaly).
RAW_ID, RAW_NAME = "A123456789", "王小明"
UNJUSTIFIED = "2026-11-02 09:15:00,plan01,{id},{name},個人戶籍資料,,,,,,企劃室"
JUSTIFIED = "2026-11-03 10:00:00,plan01,B287654321,陳大文,個人戶籍資料,北市場企字第1號,,,,,企劃室"
EXAMPLE_UNITS = {"企劃室", "市場行政科", "攤販管理科", "秘書室"}


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-w", str(root), *args])


def _code(result: Result) -> int:
    error = result.exception
    return error.exit_code if isinstance(error, DocgenError) else result.exit_code


@pytest.fixture
def office(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example office (``docgen init --example``) on the database under test."""
    monkeypatch.setenv("DOCGEN_DATABASE_URL", database_url)
    return _example(tmp_path / "office")


def _example(root: Path) -> Path:
    """``docgen init --example`` with its registry in the office database."""
    init_workspace(root, example=True)
    imported = _run(root, "accounts", "import", str(root / "data" / "accounts.csv"))
    assert imported.exit_code == 0, imported.output
    return root


def _workspace(root: Path) -> Workspace:
    return open_workspace(root)


def _reports(root: Path) -> tuple[dict[str, object], dict[str, object]]:
    """The obligations calendar and the evidence check of 2026-10, as JSON."""
    missing = _run(
        root, "archive", "report", "missing", "--calendar", "--as-of", AS_OF, "--format", "json"
    )
    evidence = _run(
        root, "evidence", "check", "--month", "2026-10", "--as-of", AS_OF, "--format", "json"
    )
    assert _code(missing) == _code(evidence) == ExitCode.INCOMPLETE, missing.output
    return json.loads(missing.stdout), json.loads(evidence.stdout)


def _monthly_checks(report: dict[str, object]) -> set[tuple[str, str]]:
    rows = report["rows"]
    assert isinstance(rows, list)
    return {(r["period"], r["unit"]) for r in rows if r["required"] == "附件4 monthly spot check"}


def _table_counts(root: Path) -> tuple[int, int, int]:
    with open_database(_workspace(root)) as db, db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (QueryLogFile, QueryCount, QueryAnomaly)
        )


def test_the_reports_answer_from_the_database_with_the_logs_gone(office: Path) -> None:
    before_intake, _ = _reports(office)
    assert "docgen queries take-in" in str(before_intake["summary"][UNTAKEN])  # type: ignore[index]
    assert _monthly_checks(before_intake) == set()  # nothing counted before intake
    took = _run(office, "queries", "take-in")
    assert took.exit_code == 0, took.output
    assert "2026-10.xlsx: 264 rows; months 2026-10" in took.output
    assert "10 without justification (R5.1)" in took.output
    missing, evidence = _reports(office)
    assert UNTAKEN not in missing["summary"]  # type: ignore[operator]
    assert {month for month, _ in _monthly_checks(missing)} == {"2026-08", "2026-09", "2026-10"}
    assert {unit for _, unit in _monthly_checks(missing)} == EXAMPLE_UNITS
    for log in (office / "data" / "queries").iterdir():
        log.unlink()
    assert _reports(office) == (missing, evidence)


def test_taking_in_twice_changes_nothing(office: Path) -> None:
    assert _run(office, "queries", "take-in").exit_code == 0
    journal = Journal(office / ".docgen" / "journal.jsonl")
    entries = journal.entries()
    counts = _table_counts(office)
    assert counts[0] == 3 and counts[2] == sum(
        EXAMPLE_QUERY_FACTS["without_justification"].values()
    )
    again = _run(office, "queries", "take-in", str(office / "data/queries/2026-09.csv"))
    assert again.exit_code == 0
    assert "2026-09.csv: already taken in" in again.output and "nothing changed" in again.output
    assert _run(office, "queries", "take-in").output.count("already taken in") == 3
    assert _table_counts(office) == counts
    assert journal.entries() == entries
    taken = [e for e in entries if e["command"] == "queries take-in"]
    assert len(taken) == 3 and all(len(e["inputs"][0]["sha256"]) == 64 for e in taken)


def test_the_counts_are_the_logs_facts(office: Path) -> None:
    workspace = _workspace(office)
    with open_database(workspace) as db:
        intake = take_in_log(workspace, db, office / "data/queries/2026-08.csv", actor="tester")
        with db.session() as session:
            total = session.execute(select(func.sum(QueryCount.queries))).scalar_one()
            log = session.execute(select(QueryLogFile)).scalar_one()
            logged = month_units(session)
    assert intake.rows == total == EXAMPLE_QUERY_FACTS["queries"]["2026-08"]
    assert intake.months == ("2026-08",) and not intake.already
    assert (log.name, log.rows, log.bad_rows, log.taken_in_by) == ("2026-08.csv", 242, 0, "tester")
    assert log.size == (office / "data/queries/2026-08.csv").stat().st_size
    assert logged == {"2026-08": EXAMPLE_UNITS}


def _raw_people(root: Path) -> set[str]:
    """Every queried person's ID and name in the example office's logs."""
    people: set[str] = set()
    for path in (root / "data" / "queries").iterdir():
        for query in QueryLog(path):
            people |= {query.subject_id, query.subject_name}
    return people


def test_anomalies_are_stored_masked_never_the_raw_values(tmp_path: Path) -> None:
    root = _example(tmp_path / "office")
    own = root / "data" / "queries" / f"2026-11_{RAW_ID}.csv"  # an ID in the name, too
    own.write_text(f"{HEADER}\n{UNJUSTIFIED.format(id=RAW_ID, name=RAW_NAME)}\n{JUSTIFIED}\n")
    took = _run(root, "queries", "take-in")
    assert took.exit_code == 0, took.output
    with open_database(_workspace(root)) as db, db.session() as session:
        anomalies = session.scalars(select(QueryAnomaly).order_by(QueryAnomaly.id)).all()
        names = set(session.scalars(select(QueryLogFile.name)))
    assert len(anomalies) == sum(EXAMPLE_QUERY_FACTS["without_justification"].values()) + 1
    mine = anomalies[-1]
    assert (mine.subject_id, mine.subject_name) == ("A12345****", "王○明")
    assert (mine.row, mine.month, mine.unit, mine.account) == (2, "2026-11", "企劃室", "plan01")
    assert mine.kind == "no_justification"
    assert "2026-11_A12345****.csv" in names
    stored = b"".join(p.read_bytes() for p in (root / ".docgen").glob("office.sqlite*"))
    people = _raw_people(root) - {""}
    leaked = [p for p in people if p.encode() in stored and len(p) > 2]
    assert leaked == []
    assert RAW_ID.encode() not in stored and RAW_NAME.encode() not in stored
    journal = (root / ".docgen" / "journal.jsonl").read_text(encoding="utf-8")
    assert find_unmasked_ids(journal) == [] and "2026-11_A12345****.csv" in journal
    assert find_unmasked_ids(took.output) == []


def test_a_bad_log_is_one_line_and_writes_nothing(office: Path) -> None:
    bad = office / "data" / "queries" / "2026-11.csv"
    broken = "2026-11-04 09:00,ven01,A123456788X,林美,戶籍資料,,,,,,攤販管理科"
    bad.write_text(f"{HEADER}\n{JUSTIFIED}\n{broken}\n")
    journal = Journal(office / ".docgen" / "journal.jsonl")
    entries = journal.entries()
    refused = _run(office, "queries", "take-in", str(bad))
    assert _code(refused) == ExitCode.INPUT
    message = str(refused.exception)
    assert "\n" not in message
    assert f"{bad}, row 3, column 被查詢人身分證統一編號" in message
    assert "nothing was taken in" in message
    assert _table_counts(office) == (0, 0, 0)
    assert journal.entries() == entries
    skipped = _run(office, "queries", "take-in", "--skip-invalid", str(bad))
    assert skipped.exit_code == 0, skipped.output
    assert "2026-11.csv: 2 rows (1 invalid row(s) left out)" in skipped.output


def test_an_untaken_log_is_named_not_counted(office: Path) -> None:
    assert _run(office, "queries", "take-in").exit_code == 0
    late = office / "data" / "queries" / "2026-11.csv"
    late.write_text(f"{HEADER}\n{JUSTIFIED}\n")
    missing, evidence = _reports(office)
    for report in (missing, evidence):
        note = report["summary"][UNTAKEN]  # type: ignore[index]
        assert note == (
            "query log(s) not taken in, not counted: 2026-11.csv: run `docgen queries take-in`"
        )
    assert "2026-11" not in {month for month, _ in _monthly_checks(missing)}
    assert _table_counts(office)[0] == 3  # looking took nothing in


def test_db_upgrade_takes_over_every_log(office: Path) -> None:
    workspace = _workspace(office)
    with open_database(workspace) as db:
        with db.connect() as conn:
            take_over_queries(conn, workspace)
        with db.connect() as conn:
            take_over_queries(conn, workspace)  # again: nothing more
        with db.session() as session:
            logged = month_units(session)
    assert logged == dict.fromkeys(("2026-08", "2026-09", "2026-10"), EXAMPLE_UNITS)
    assert _table_counts(office)[0] == 3
    assert _run(office, "queries", "take-in").output.count("already taken in") == 3
