"""Holds and approved disposal: refusals, the tombstone, the file gone, the journal."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from docgen.archive.approval import Approval
from docgen.archive.context import open_archive
from docgen.archive.db import Index, open_index
from docgen.archive.disposal import dispose
from docgen.archive.rebuild import compare, rebuild_into
from docgen.archive.reports import build_report
from docgen.cli.main import main
from docgen.config import open_workspace
from docgen.db.models.archive import Disposal, DisposalPlan, File, Hold, Record
from docgen.errors import ConfigError, ExitCode, InputError
from docgen.fsutil import sha256_file
from docgen.privacy import mask_ids_in_text
from docgen.services.database import upgrade_database
from tests.archive.dbrows import ON_BOTH_ENGINES
from tests.archive.legacy_index import old_index

AS_OF = "2026-11-30"  # reports; disposal happens today (the real clock, today or later)

#: The service's other arguments for a disposal done on 2026-11-30 itself.
ON_30_NOV = (date(2026, 11, 30), "檔管甲", datetime(2026, 11, 30, 10, 0))
#: The approval of the destruction list (ISSUE 9 item 4): 文號, who, when.
REFERENCE = "北市市企字第1150012345號"
APPROVAL = Approval(REFERENCE, "處長乙", date(2026, 11, 20))
APPROVED = ("--approved-by", "處長乙", "--approved-on", "115/11/20")


@dataclass
class Outcome:
    exit_code: int
    output: str


@pytest.fixture
def run(office: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """``docgen -w OFFICE archive …`` as a user runs it: errors become ``Error: …``
    and an exit code in :func:`docgen.cli.main.main`."""

    def invoke(*args: str) -> Outcome:
        code = 0
        try:
            main(["-w", str(office.workspace.root), "archive", *args])
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out + captured.err)

    return invoke


def journal(office: Any) -> list[dict[str, Any]]:
    lines = office.workspace.journal_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_dispose_without_approval_is_refused(office: Any, run: Callable[..., Outcome]) -> None:
    path = office.path_of("old01_app")
    result = run("dispose", office.rid("old01_app"))
    assert result.exit_code == ExitCode.INPUT
    assert "Error: a disposal needs the approval reference (文號)" in result.output
    assert path.is_file()


@ON_BOTH_ENGINES
def test_dispose_of_a_held_record_is_refused(office: Any, run: Callable[..., Outcome]) -> None:
    rid = office.rid("check_2023_10")
    assert run("hold", rid, "--reason", "監察院調卷", "--by", "檔管甲").exit_code == 0
    result = run("dispose", rid, "--approval", "北市市企字第1150099999號", *APPROVED)
    assert result.exit_code == ExitCode.INPUT
    assert f"{rid}: on hold: 監察院調卷" in result.output
    assert office.path_of("check_2023_10").is_file()
    assert run("release", rid).exit_code == 0
    report = build_report(office.workspace, "retention", _date(AS_OF))
    assert rid in {
        row["record_id"] for row in report.rows if row["section"] == "destruction candidate"
    }


def test_a_hold_reason_is_stored_masked(office: Any, run: Callable[..., Outcome]) -> None:
    rid = office.rid("check_2023_10")
    reason = "A123456789 涉訟，法院調卷"
    assert run("hold", rid, "--reason", reason, "--by", "檔管甲").exit_code == 0
    with open_index(office.workspace) as index, index.session() as session:
        stored = session.scalars(select(Hold.reason).where(Hold.record_id == rid)).one()
    assert stored == f"{mask_ids_in_text('A123456789')} 涉訟，法院調卷"
    assert "A123456789" not in stored


def test_hold_refusals(office: Any, run: Callable[..., Outcome]) -> None:
    rid = office.rid("check_2023_11")
    assert run("hold", rid, "--reason", "  ").exit_code == ExitCode.USAGE
    assert run("release", rid).output.strip() == f"Error: record {rid} is not on hold"
    assert run("hold", rid, "--reason", "查核").exit_code == 0
    again = run("hold", rid, "--reason", "查核")
    assert again.exit_code == ExitCode.INPUT and "already on hold" in again.output
    unknown = run("hold", "DG-4M-202001-00000000", "--reason", "x")
    assert "not in the archive index" in unknown.output
    assert [e["command"] for e in journal(office)][-1] == "archive hold"


def test_nothing_is_disposed_when_one_record_is_not_a_candidate(
    office: Any, run: Callable[..., Outcome]
) -> None:
    keep = office.rid("check_2026_09")  # reviewed 2026-11-05: kept until 2029-11-05
    result = run("dispose", office.rid("old01_app"), keep, "--approval", REFERENCE, *APPROVED)
    assert result.exit_code == ExitCode.INPUT
    assert "nothing was disposed" in result.output
    assert f"\n  {keep}: not a destruction candidate as of" in result.output  # a line each
    assert "kept until 118/11/05" in result.output
    assert office.path_of("old01_app").is_file()
    undefined = run("dispose", office.rid("agreement"), "--approval", REFERENCE, *APPROVED)
    assert "retention period not set" in undefined.output


def test_a_record_on_its_last_day_is_not_disposed(office: Any) -> None:
    keep = office.rid("check_2023_11")  # candidate only from 2026-12-01
    with pytest.raises(InputError) as refused:
        dispose(office.workspace, [office.rid("old01_app"), keep], APPROVAL, *ON_30_NOV)
    assert f"{keep}: not a destruction candidate as of 115/11/30: kept until 115/11/30" in str(
        refused.value
    )
    assert office.path_of("old01_app").is_file()


def test_dispose_as_of_a_future_date_is_refused(office: Any) -> None:
    """檔案法: a record a few days from its end is still kept; disposing "as of"
    the day it becomes a candidate, before that day, would destroy it early."""
    early = office.rid("check_2023_11")  # a candidate from 2026-12-01
    now = datetime(2026, 11, 27, 9, 30)
    with pytest.raises(InputError) as refused:
        dispose(office.workspace, [early], APPROVAL, date(2026, 12, 1), "檔管甲", now)
    assert str(refused.value).startswith(
        "nothing was disposed: --as-of 115/12/01 is later than today (115/11/27)"
    )
    assert office.path_of("check_2023_11").is_file()
    assert not (office.workspace.archive_root / "records" / ".tombstones").exists()


def test_the_cli_disposes_as_of_today_and_refuses_tomorrow(
    office: Any, run: Callable[..., Outcome]
) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    path = office.path_of("old01_app")
    result = run(
        "dispose", office.rid("old01_app"), "--approval", REFERENCE, *APPROVED, "--as-of", tomorrow
    )
    assert result.exit_code == ExitCode.INPUT
    assert "is later than today" in result.output and "nothing was disposed" in result.output
    assert path.is_file()
    assert "archive dispose" not in [e["command"] for e in journal(office)]


@ON_BOTH_ENGINES
def test_dispose_keeps_a_tombstone_and_journals_it(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("old01_app")
    path = office.path_of("old01_app")
    relative = path.relative_to(office.workspace.archive_root).as_posix()
    digest = sha256_file(path)
    result = run("dispose", rid, "--approval", REFERENCE, *APPROVED, "--by", "檔管甲")
    assert result.exit_code == 0, result.output
    assert not path.exists()
    tombstone = office.workspace.archive_root / "records" / ".tombstones" / f"{rid}.json"
    stone = json.loads(tombstone.read_text(encoding="utf-8"))
    assert stone["approval"] == REFERENCE
    assert (stone["approved_by"], stone["approved_on"]) == ("處長乙", "2026-11-20")
    assert stone["disposed_by"] == "檔管甲"
    assert stone["plan"].startswith("DP-20261120-")
    assert stone["files"] == [
        {"path": relative, "sha256": digest, "size": stone["files"][0]["size"], "kind": "document"}
    ]
    assert stone["metadata"]["category"] == "account_application"
    assert stone["metadata"]["subject"] == "old01"
    with open_index(office.workspace) as index, index.session() as session:
        assert session.get(Record, rid).status == "disposed"
        disposal = session.scalars(select(Disposal).where(Disposal.record_id == rid)).one()
        assert disposal.approval == REFERENCE
        assert (disposal.approved_by, disposal.approved_on) == ("處長乙", date(2026, 11, 20))
        assert disposal.plan_id == stone["plan"]
        assert session.scalars(select(File.status).where(File.record_id == rid)).all() == [
            "disposed"
        ]
    entry = journal(office)[-1]
    assert entry["command"] == "archive dispose"
    assert entry["details"]["approval"] == REFERENCE
    assert entry["details"]["step"] == "done"
    assert entry["outputs"][0]["path"].endswith(f"{rid}.json")
    report = build_report(office.workspace, "retention", _date(AS_OF), list_all=True)
    assert rid not in {row["record_id"] for row in report.rows}
    again = run("dispose", rid, "--approval", REFERENCE, *APPROVED)
    assert "already disposed" in again.output


def _date(text: str) -> date:
    return date.fromisoformat(text)


@ON_BOTH_ENGINES
def test_a_rebuilt_index_keeps_the_disposal(
    office: Any, run: Callable[..., Outcome], tmp_path: Any
) -> None:
    rid = office.rid("old01_app")
    assert run("dispose", rid, "--approval", REFERENCE, *APPROVED).exit_code == 0
    with open_archive(office.workspace, use_qr=False) as ctx:
        rebuild_into(ctx, tmp_path / "rebuilt.sqlite")
        with Index.scratch(tmp_path / "rebuilt.sqlite") as rebuilt:
            assert [d for d in compare(ctx.index, rebuilt) if rid in d] == []
            with rebuilt.session() as session:
                assert session.get(Record, rid).status == "disposed"


def test_a_file_changed_since_filing_is_not_disposed(
    office: Any, run: Callable[..., Outcome]
) -> None:
    changed = office.path_of("check_2023_10")
    changed.write_bytes(changed.read_bytes() + b"\n% edited\n")
    keep = office.path_of("old01_app")
    result = run(
        "dispose",
        office.rid("old01_app"),
        office.rid("check_2023_10"),
        "--approval",
        REFERENCE,
        *APPROVED,
    )
    assert result.exit_code == ExitCode.INTEGRITY
    assert "changed since it was filed" in result.output and "nothing was disposed" in result.output
    assert keep.is_file() and changed.is_file()
    assert not (office.workspace.archive_root / "records" / ".tombstones").exists()


def test_an_index_at_version_2_is_taken_over_with_its_disposals(
    tmp_path: Any, database_url: str
) -> None:
    """ISSUE 10 item 2 (and ISSUE 9 item 3): an earlier docgen's index at schema v2 is
    refused until ``docgen db upgrade`` takes it over; its disposals arrive with the
    columns of v3 (the approval's who and when unknown, no plan), and a disposal plan
    can be recorded after it."""
    root = tmp_path / "office"
    root.mkdir()
    (root / "docgen.toml").write_text(f"[database]\nurl = {json.dumps(database_url)}\n", "utf-8")
    workspace = open_workspace(root, environ={})
    rid = "DG-1-20200101-00000000"
    old_index(
        workspace.index_path,
        2,
        f"INSERT INTO records (record_id, status) VALUES ('{rid}', 'disposed')",
        "INSERT INTO disposals (record_id, files_json, metadata_json, approval, disposed_at) "
        f"VALUES ('{rid}', '[]', '{{}}', '文號', '2025-01-01 10:00:00')",
    )
    with pytest.raises(ConfigError, match="run `docgen db upgrade`"):
        open_index(workspace)
    upgrade_database(workspace)
    with open_index(workspace) as index, index.session() as session:
        [old] = session.scalars(select(Disposal))
        assert (old.record_id, old.approval, old.approved_by, old.approved_on, old.plan_id) == (
            rid,
            "文號",
            "",
            None,
            "",
        )
        assert old.disposed_at == datetime(2025, 1, 1, 10, 0)
        assert session.get(Record, rid).status == "disposed"
        assert list(session.scalars(select(DisposalPlan))) == []
        session.add(
            DisposalPlan(
                plan_id="DP-20261130-0000abcd",
                approval=REFERENCE,
                approved_by="處長乙",
                approved_on=date(2026, 11, 20),
                disposed_by="檔管甲",
                as_of=date(2026, 11, 30),
                created_at=datetime(2026, 11, 30, 10, 0),
            )
        )
