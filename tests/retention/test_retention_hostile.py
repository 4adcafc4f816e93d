"""ISSUE 9 items 1, 2, 4 and 5 against a real archive (real PDFs, a real SQLite index,
the CLI as a user runs it): holds that outlive the index, disposed records that stay
disposed, approvals that are official document numbers, a dry run that writes
nothing, and reports that exit non-zero when they find a problem."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from docgen.archive.approval import parse_reference
from docgen.archive.db import open_index
from docgen.archive.destruction_list import SECTION_CANDIDATE, SECTION_HELD
from docgen.db.models.archive import Disposal, DisposalPlan, File, Hold, Record
from docgen.errors import ExitCode, InputError
from docgen.privacy import find_unmasked_ids
from tests.archive.dbrows import ON_BOTH_ENGINES, archive_rows, execute
from tests.retention.trail import (
    APPROVED,
    AS_OF,
    REFERENCE,
    Outcome,
    archive_runner,
    lose_the_index,
    records_dir,
    sections,
)


@pytest.fixture
def run(office: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    return archive_runner(office, capsys)


# --- item 1: a hold survives the loss of the index -----------------------------------


@ON_BOTH_ENGINES
def test_a_hold_survives_the_loss_of_the_index(office: Any, run: Callable[..., Outcome]) -> None:
    rid = office.rid("check_2023_10")  # a destruction candidate
    reason = "A123456789 涉訟，法院調卷（北市市企字第1150001234號）"
    assert run("hold", rid, "--reason", reason, "--by", "檔管甲").exit_code == 0
    stored = json.loads((records_dir(office) / ".holds" / f"{rid}.json").read_text("utf-8"))
    assert stored["format"] == "docgen-hold/1" and stored["record_id"] == rid
    [entry] = stored["holds"]
    assert entry["placed_by"] == "檔管甲" and entry["released_at"] is None
    assert "A123456789" not in entry["reason"] and "涉訟" in entry["reason"]

    lose_the_index(office)
    rebuilt = run("rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 hold(s) from the journal, 0 from hold files only" in rebuilt.out
    with open_index(office.workspace) as index, index.session() as session:
        [hold] = session.scalars(select(Hold).where(Hold.record_id == rid))
        assert hold.released_at is None and hold.placed_by == "檔管甲"
    assert sections(office)[rid] == SECTION_HELD
    refused = run("dispose", rid, *APPROVED)
    assert refused.exit_code == ExitCode.INPUT and f"{rid}: on hold:" in refused.err
    assert office.path_of("check_2023_10").is_file()


def test_a_release_survives_the_loss_of_the_index(office: Any, run: Callable[..., Outcome]) -> None:
    rid = office.rid("check_2023_10")
    assert run("hold", rid, "--reason", "監察院調卷", "--by", "檔管甲").exit_code == 0
    assert run("release", rid, "--by", "檔管乙").exit_code == 0
    [entry] = json.loads((records_dir(office) / ".holds" / f"{rid}.json").read_text())["holds"]
    assert entry["released_by"] == "檔管乙" and entry["released_at"]
    lose_the_index(office)
    assert run("rebuild").exit_code == 0
    assert sections(office)[rid] == SECTION_CANDIDATE
    commands = [json.loads(line)["command"] for line in journal_lines(office)]
    assert commands[-3:] == ["archive hold", "archive release", "archive rebuild"]


@ON_BOTH_ENGINES
def test_a_hold_the_index_lost_still_holds(office: Any, run: Callable[..., Outcome]) -> None:
    """Killed between the hold file and the index: the file is enough to keep the
    record from disposal and in the report's held section."""
    rid = office.rid("check_2023_10")
    assert run("hold", rid, "--reason", "政風室調查中", "--by", "檔管甲").exit_code == 0
    execute(office.workspace, "DELETE FROM holds")
    assert sections(office)[rid] == SECTION_HELD
    refused = run("dispose", rid, *APPROVED)
    assert refused.exit_code == ExitCode.INPUT and "on hold: 政風室調查中" in refused.err
    again = run("hold", rid, "--reason", "再次保留")
    assert again.exit_code == ExitCode.INPUT and "already on hold" in again.err


def journal_lines(office: Any) -> list[str]:
    return office.workspace.journal_path.read_text(encoding="utf-8").splitlines()


# --- item 2: the tombstone wins --------------------------------------------------------


def test_a_forged_file_does_not_bring_a_disposed_record_back(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("old01_app")
    original = office.path_of("old01_app")
    assert run("dispose", rid, *APPROVED, "--by", "檔管甲").exit_code == 0
    forged = original.with_name("forged-copy.pdf")
    claim = dataclasses.replace(office.records["old01_app"], title="再次歸檔")  # same record ID
    office.make_pdf(forged, claim)
    lose_the_index(office)

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY
    relative = forged.relative_to(office.workspace.archive_root).as_posix()
    assert (
        f"conflict     {relative}: conflict: claims (by metadata) the record {rid}" in rebuilt.err
    )
    with open_index(office.workspace) as index, index.session() as session:
        assert session.get(Record, rid).status == "disposed"
        [disposal] = session.scalars(select(Disposal).where(Disposal.record_id == rid))
        assert (disposal.approval, disposal.approved_by) == (REFERENCE, "處長乙")
        [row] = session.scalars(select(File).where(File.path == relative))
        assert row.record_id != rid and row.status == "unclassified"
        assert f"record {rid}, disposed on" in session.get(Record, row.record_id).reason
    assert rid not in sections(office)
    assert "already disposed" in run("dispose", rid, *APPROVED).err


def test_a_file_put_back_where_a_disposed_one_was_is_not_filed(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("old01_app")
    original = office.path_of("old01_app")
    backup = original.read_bytes()
    assert run("dispose", rid, *APPROVED).exit_code == 0
    original.write_bytes(backup)  # restored from a backup after its approved disposal
    lose_the_index(office)
    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY
    relative = original.relative_to(office.workspace.archive_root).as_posix()
    assert f"{relative}: sits where a disposed file of {rid} was: not filed" in rebuilt.err
    with open_index(office.workspace) as index, index.session() as session:
        assert session.get(Record, rid).status == "disposed"
        [row] = session.scalars(select(File).where(File.path == relative))
        assert row.status == "disposed"
    fixity = run("report", "fixity")
    assert fixity.exit_code == ExitCode.INTEGRITY and relative in fixity.out


BAD_TOMBSTONES: dict[str, Any] = {
    "not JSON": "{ this is not json",
    "format is": {"format": "docgen-tombstone/9"},
    "is not a record ID": {"format": "docgen-tombstone/1", "record_id": "../../etc/passwd"},
    "is not a path under records/": {
        "format": "docgen-tombstone/1",
        "record_id": "DG-4M-201901-0BADF00D",
        "metadata": {},
        "files": [{"path": "../../../etc/passwd", "sha256": "0" * 64, "size": 1}],
        "approval": REFERENCE,
        "disposed_at": "2026-11-30T10:00:00",
    },
    "is not a time": {
        "format": "docgen-tombstone/1",
        "record_id": "DG-4M-201902-0BADF00D",
        "metadata": {},
        "files": [],
        "approval": REFERENCE,
        "disposed_at": "yesterday",
    },
}


def test_untrustworthy_tombstones_and_hold_files_are_reported_not_tracebacks(
    office: Any, run: Callable[..., Outcome], tmp_path: Path
) -> None:
    stones = records_dir(office) / ".tombstones"
    holds = records_dir(office) / ".holds"
    stones.mkdir(parents=True)
    holds.mkdir(parents=True)
    names = ["DG-4M-201801-0BADF00D", "DG-4M-201802-0BADF00D", "DG-4M-201803-0BADF00D"]
    names += ["DG-4M-201901-0BADF00D", "DG-4M-201902-0BADF00D"]
    for name, content in zip(names, BAD_TOMBSTONES.values(), strict=True):
        text = content if isinstance(content, str) else json.dumps(content)
        (stones / f"{name}.json").write_text(text, encoding="utf-8")
    (tmp_path / "outside.json").write_text("{}", encoding="utf-8")
    (stones / "DG-4M-201804-0BADF00D.json").symlink_to(tmp_path / "outside.json")
    held = office.rid("check_2023_10")
    (holds / f"{held}.json").write_text(
        json.dumps(
            {
                "format": "docgen-hold/1",
                "record_id": held,
                "holds": [{"reason": 7, "placed_at": "2026-11-01T09:00:00"}],
            }
        ),
        encoding="utf-8",
    )
    (holds / f"{office.rid('check_2023_11')}.json").write_text("[]", encoding="utf-8")
    lose_the_index(office)

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY
    problems = [line for line in rebuilt.err.splitlines() if line.startswith("problem")]
    assert len(problems) == 8, rebuilt.err
    for why in BAD_TOMBSTONES:
        assert any(why in line for line in problems), (why, problems)
    assert any("not a regular file" in line for line in problems)
    assert any("reason must be text" in line for line in problems)
    assert any("not a JSON object" in line for line in problems)
    assert rebuilt.err.splitlines()[-1].startswith("Error: the index was rebuilt, but 8 file(s)")
    # the rest of the archive is there; the record with a bad hold file stays held
    found = sections(office)
    assert found[office.rid("old01_app")] == SECTION_CANDIDATE
    assert found[held] == SECTION_HELD
    refused = run("dispose", held, *APPROVED)
    assert refused.exit_code == ExitCode.INPUT and "cannot be read" in refused.err


def test_a_file_claiming_a_record_whose_tombstone_is_unreadable_is_a_conflict(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("old01_app")
    assert run("dispose", rid, *APPROVED).exit_code == 0
    tombstone = records_dir(office) / ".tombstones" / f"{rid}.json"
    tombstone.write_text("damaged", encoding="utf-8")
    claim = dataclasses.replace(office.records["old01_app"], title="再次歸檔")
    office.make_pdf(records_dir(office) / "account_application" / "x.pdf", claim)
    rebuilt = run("rebuild")  # the old index is still readable: its disposal is kept
    assert rebuilt.exit_code == ExitCode.INTEGRITY
    assert "not a trustworthy tombstone (not JSON" in rebuilt.err
    assert f"the disposal of {rid} is taken from the journal" in rebuilt.err
    assert f"claims (by metadata) the record {rid}" in rebuilt.err
    lose_the_index(office)
    assert run("rebuild").exit_code == ExitCode.INTEGRITY  # the journal keeps it disposed
    with open_index(office.workspace) as index, index.session() as session:
        assert session.get(Record, rid).status == "disposed"
        [disposal] = session.scalars(select(Disposal).where(Disposal.record_id == rid))
        assert (disposal.approval, disposal.approved_by) == (REFERENCE, "處長乙")
        [row] = session.scalars(select(File).where(File.path.endswith("/x.pdf")))
        assert row.status == "unclassified" and row.record_id != rid


# --- item 4: the approval ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "北市市企字第1153025174號",
        "府授市企字第11530251741號",
        "院授發檔(資)字第1090022610號",
        "北市市企字第０９９００１２３４５號",
        "北市市企字第 1153025174 號",
    ],
)
def test_official_document_numbers_are_accepted(text: str) -> None:
    tidy = parse_reference(text, AS_OF)
    assert tidy.endswith("號") and " " not in tidy and "０" not in tidy


@pytest.mark.parametrize(
    "text",
    [
        "x",
        "文號1",
        "北市市企字第115302517號",  # 9 digits
        "北市市企字第115302517412號",  # 12 digits
        "北市市企第1153025174號",  # no 字
        "北市市企字第1153025174",  # no 號
        "ABC字第1153025174號",
        "字第1153025174號",
        "北市市企字第1153025174號 and more",
    ],
)
def test_anything_else_is_refused_in_one_line_with_an_example(
    office: Any, run: Callable[..., Outcome], text: str
) -> None:
    path = office.path_of("old01_app")
    result = run(
        "dispose", office.rid("old01_app"), "--approval", text, *APPROVED[2:], "--by", "檔管甲"
    )
    assert result.exit_code == ExitCode.INPUT
    [line] = result.err.splitlines()
    assert "not an official document number (發文字號)" in line and REFERENCE in line
    assert path.is_file()


def test_a_number_from_a_later_year_than_the_approval_is_refused(office: Any) -> None:
    with pytest.raises(InputError, match="ROC year 116"):
        parse_reference("北市市企字第1163025174號", AS_OF)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--approval", REFERENCE, "--approved-on", "115/11/20"), "add --approved-by NAME"),
        (("--approval", REFERENCE, "--approved-by", "處長乙"), "add --approved-on DATE"),
        (
            ("--approval", REFERENCE, "--approved-by", "檔管甲", "--approved-on", "115/11/20"),
            "two different people",
        ),
        (
            ("--approval", REFERENCE, "--approved-by", "處長乙", "--approved-on", "TOMORROW"),
            "is later than today",
        ),
    ],
)
def test_who_approved_and_when_are_required(
    office: Any, run: Callable[..., Outcome], options: tuple[str, ...], message: str
) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    given = [tomorrow if o == "TOMORROW" else o for o in options]
    result = run("dispose", office.rid("old01_app"), *given, "--by", "檔管甲")
    assert result.exit_code == ExitCode.INPUT and message in result.err
    assert len(result.err.splitlines()) == 1
    assert office.path_of("old01_app").is_file()
    assert not (records_dir(office) / ".tombstones").exists()


def test_the_approval_is_stored_in_the_plan_the_disposal_and_the_tombstone(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("old01_app")
    done = run("dispose", rid, "--approval", REFERENCE, "--approved-by", "處長 乙")
    assert done.exit_code == ExitCode.INPUT  # the date is missing
    result = run("dispose", rid, *APPROVED, "--by", "檔管甲")
    assert result.exit_code == 0, result.output
    assert f"under {REFERENCE}, approved by 處長乙 on 115/11/20" in result.out
    stone = json.loads((records_dir(office) / ".tombstones" / f"{rid}.json").read_text())
    assert (stone["approval"], stone["approved_by"], stone["approved_on"]) == (
        REFERENCE,
        "處長乙",
        "2026-11-20",
    )
    with open_index(office.workspace) as index, index.session() as session:
        [plan] = session.scalars(select(DisposalPlan))
        assert (plan.approval, plan.approved_by, plan.approved_on) == (
            REFERENCE,
            "處長乙",
            date(2026, 11, 20),
        )
        assert (plan.disposed_by, plan.state, plan.plan_id) == ("檔管甲", "done", stone["plan"])
        [disposal] = session.scalars(select(Disposal))
        assert (disposal.approved_by, disposal.approved_on) == ("處長乙", date(2026, 11, 20))


# --- item 4: --dry-run -------------------------------------------------------------------


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@ON_BOTH_ENGINES
def test_a_dry_run_lists_what_would_go_and_writes_nothing(
    office: Any, run: Callable[..., Outcome]
) -> None:
    root = office.workspace.root
    doomed = [office.rid("old01_app"), office.rid("check_2023_10")]
    paths = [office.path_of("old01_app"), office.path_of("check_2023_10")]
    before = tree_hashes(root)
    rows = archive_rows(office.workspace)
    result = run("dispose", *doomed, *APPROVED, "--by", "檔管甲", "--dry-run")
    assert result.exit_code == 0, result.output
    for rid, path in zip(doomed, paths, strict=True):
        assert f"\n{rid}\n" in result.out
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        shown = path.relative_to(office.workspace.archive_root).as_posix()
        assert f"  {shown}  SHA-256 {digest}" in result.out
    assert result.out.rstrip().endswith("2 record(s), 2 file(s).")
    assert tree_hashes(root) == before
    assert archive_rows(office.workspace) == rows
    refused = run("dispose", office.rid("check_2026_09"), *APPROVED, "--dry-run")
    assert refused.exit_code == ExitCode.INPUT and "not a destruction candidate" in refused.err
    assert tree_hashes(root) == before


# --- item 5: reports that find problems exit non-zero --------------------------------------


def test_fixity_with_a_changed_and_a_lost_file_exits_5_after_the_report(
    office: Any, run: Callable[..., Outcome]
) -> None:
    assert run("report", "fixity").exit_code == 0
    changed, lost = office.path_of("check_2023_10"), office.path_of("check_2023_11")
    changed.write_bytes(changed.read_bytes() + b"\n% edited\n")
    lost.unlink()
    result = run("report", "fixity", "--format", "json")
    assert result.exit_code == ExitCode.INTEGRITY
    rows = json.loads(result.out)["rows"]
    assert {r["problem"] for r in rows} == {"content changed", "file lost"}
    assert result.err.startswith("Error: the fixity check found 2 problem(s)")


def test_missing_records_exit_6_after_the_report_is_written(
    office: Any, run: Callable[..., Outcome], tmp_path: Path
) -> None:
    target = tmp_path / "缺漏.csv"
    result = run("report", "missing", "--as-of", "2026-11-30", "--format", "csv", "-o", str(target))
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "missing" in target.read_text(encoding="utf-8-sig")
    assert json.loads(journal_lines(office)[-1])["command"] == "archive report missing"
    assert find_unmasked_ids(result.output) == []


def test_reports_without_problems_exit_0(office: Any, run: Callable[..., Outcome]) -> None:
    assert run("report", "retention", "--as-of", "2026-11-30").exit_code == 0
    assert run("report", "unclassified").exit_code == 0
    disposals = run("report", "disposals")
    assert disposals.exit_code == 0, disposals.output


def test_hold_files_are_not_fixity_findings(office: Any, run: Callable[..., Outcome]) -> None:
    assert run("hold", office.rid("check_2023_10"), "--reason", "查核").exit_code == 0
    assert run("report", "fixity", "--full").exit_code == 0
    assert os.listdir(records_dir(office) / ".holds") == [f"{office.rid('check_2023_10')}.json"]


@pytest.mark.parametrize(
    "record", ["../../etc/passwd", "DG-4M-202310-89acc1e2", " DG-4M-202310-89ACC1E2x"]
)
def test_a_record_id_that_is_not_one_is_refused_before_any_file_is_named(
    office: Any, run: Callable[..., Outcome], record: str
) -> None:
    before = tree_hashes(office.workspace.root)
    for args in (("hold", record, "--reason", "x"), ("dispose", record, *APPROVED)):
        result = run(*args)
        assert result.exit_code == ExitCode.INPUT and "is not a record ID" in result.err
    assert tree_hashes(office.workspace.root) == before
