"""What ``take_in_log`` writes is the same on SQLite and PostgreSQL, where the per-row
facts go in by ``COPY``: the anomalies' every value (text with a backslash, a tab,
quotes and a comma too), the counts per month, unit and account, the first and last
query; and a log without a valid row writes none of them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from docgen.config import open_workspace
from docgen.db import open_database
from docgen.db.models.queries import QueryAnomaly, QueryCount, QueryLogFile
from docgen.records.workspace import init_workspace
from docgen.services.queries import take_in_log

HEADER = (
    "查詢日期時間,查詢人員帳號,被查詢人身分證統一編號,被查詢人姓名,查詢項目,"
    "公文文號,案號,案件名稱,使用目的,法令依據,查詢人員單位"
)
#: A unit name that COPY's text format must escape (backslash, tab) and CSV must quote.
ODD_UNIT = 'A\\B\t"q", c'
#: The person queried, masked (R8).
ID, NAME = "A12345****", "王○明"
ROWS = [
    '2026-10-31 23:59:59,plan01,A123456789,王小明,戶籍,,,,,,"A\\B\t""q"", c"',
    "2026-11-02 09:15:00,plan01,B287654321,陳大文,戶籍,北市場企字第1號,,,,,企劃室",
    "2026-11-03 10:00:00.250000,ven01,A123456789,王小明,戶籍,,,,,,",
    "2026-09-01 08:00:00,plan01,B287654321,陳大文,戶籍,,,,攤販管理,,企劃室",
]


@pytest.fixture
def workspace(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOCGEN_DATABASE_URL", database_url)
    root = tmp_path / "office"
    init_workspace(root)
    return open_workspace(root)


def test_the_stored_facts_are_the_logs(workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "log.csv"
    log.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    with open_database(workspace) as db:
        intake = take_in_log(workspace, db, log, actor="tester")
        with db.session() as session:
            anomalies = [
                (a.row, a.queried_at, a.month, a.unit, a.account, a.subject_id, a.subject_name)
                for a in session.scalars(select(QueryAnomaly).order_by(QueryAnomaly.row))
            ]
            kinds = set(session.scalars(select(QueryAnomaly.kind)))
            counts = sorted(
                session.execute(
                    select(
                        QueryCount.month, QueryCount.unit, QueryCount.account, QueryCount.queries
                    )
                )
            )
            stored = session.execute(select(QueryLogFile)).scalar_one()
    assert kinds == {"no_justification"}
    assert (intake.rows, intake.anomalies, intake.months) == (
        4,
        2,
        ("2026-09", "2026-10", "2026-11"),
    )
    assert anomalies == [
        (2, datetime(2026, 10, 31, 23, 59, 59), "2026-10", ODD_UNIT, "plan01", ID, NAME),
        (4, datetime(2026, 11, 3, 10, 0, 0, 250000), "2026-11", "", "ven01", ID, NAME),
    ]
    assert counts == [
        ("2026-09", "企劃室", "plan01", 1),
        ("2026-10", ODD_UNIT, "plan01", 1),
        ("2026-11", "", "ven01", 1),
        ("2026-11", "企劃室", "plan01", 1),
    ]
    assert (stored.first_at, stored.last_at) == (
        datetime(2026, 9, 1, 8, 0),
        datetime(2026, 11, 3, 10, 0, 0, 250000),
    )
    assert (stored.rows, stored.bad_rows, stored.months) == (4, 0, "2026-09 2026-10 2026-11")


def test_a_log_without_a_valid_row_stores_no_fact(workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "log.csv"
    log.write_text(
        f"{HEADER}\n2026-11-02 09:15:00,,A123456789,王小明,戶籍,,,,,,\n", encoding="utf-8"
    )
    with open_database(workspace) as db:
        intake = take_in_log(workspace, db, log, skip_invalid=True)
        with db.session() as session:
            stored = session.execute(select(QueryLogFile)).scalar_one()
            assert session.scalars(select(QueryCount)).all() == []
            assert session.scalars(select(QueryAnomaly)).all() == []
    assert (intake.rows, intake.bad_rows, intake.anomalies, intake.months) == (1, 1, 0, ())
    assert (stored.first_at, stored.last_at) == (None, None)
