"""The review of ISSUE 9: ``archive rebuild`` believed forged trail files. The journal
(``.docgen/journal.jsonl``, a verified hash chain on local disk) is the authority for
holds and disposals; ``records/`` is on a share anyone may touch. Against a real
archive and the CLI as a user runs it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import filelock
import pytest
from sqlalchemy import select

from docgen.archive.db import open_index
from docgen.archive.destruction_list import SECTION_HELD
from docgen.archive.disposal import DISPOSAL_LOCK
from docgen.db.models.archive import Disposal, File, Hold, Record
from docgen.errors import ExitCode
from tests.archive.dbrows import archive_rows, execute
from tests.retention.trail import (
    APPROVED,
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


#: A made-up national ID with a valid check digit (the conftest's synthetic_id(0) kind).
NATIONAL_ID = "A123456789"


def problems(outcome: Outcome) -> list[str]:
    return [line for line in outcome.err.splitlines() if line.startswith("problem")]


def forge_tombstone(office: Any, key: str, **changes: Any) -> Path:
    """A syntactically valid tombstone for the live record ``key``, as docgen writes one."""
    path = office.path_of(key)
    relative = path.relative_to(office.workspace.archive_root).as_posix()
    rid = office.rid(key)
    payload = {
        "format": "docgen-tombstone/1",
        "record_id": rid,
        "metadata": {"category": "monthly_check", "record_ids": []},
        "files": [
            {
                "path": relative,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "size": path.stat().st_size,
                "kind": "document",
            }
        ],
        "approval": REFERENCE,
        "approved_by": "處長乙",
        "approved_on": "2026-11-20",
        "disposed_by": "檔管甲",
        "disposed_at": "2026-11-30T10:00:00",
        "plan": "DP-20261120-1A2B3C4D",
        **changes,
    }
    target = records_dir(office) / ".tombstones" / f"{rid}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return target


def status_of(office: Any, rid: str) -> tuple[str, list[str]]:
    with open_index(office.workspace) as index, index.session() as session:
        record = session.get(Record, rid)
        files = [f.status for f in session.scalars(select(File).where(File.record_id == rid))]
        return (record.status if record is not None else "", files)


# --- finding 1: forged and deleted trail files -------------------------------------------


def test_a_forged_tombstone_does_not_dispose_a_live_record(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("check_2023_10")
    document = office.path_of("check_2023_10")
    forged = forge_tombstone(office, "check_2023_10")

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY, rebuilt.output
    relative = forged.relative_to(office.workspace.archive_root).as_posix()
    [line] = problems(rebuilt)
    assert f"{relative}: not believed (no `archive dispose` in the journal" in line
    assert "conflict" not in rebuilt.err  # nobody is told to move the record's file away
    assert status_of(office, rid) == ("filed", ["filed"])
    assert document.is_file() and sections(office)[rid] != ""
    assert "0 disposal(s)" in rebuilt.out


def test_a_tombstone_of_a_disposed_record_cannot_claim_a_live_file(
    office: Any, run: Callable[..., Outcome]
) -> None:
    """A forged tombstone naming a really disposed record, but listing a live file."""
    disposed = office.rid("old01_app")
    assert run("dispose", disposed, *APPROVED, "--by", "檔管甲").exit_code == 0
    live = office.path_of("check_2023_10")
    stone = records_dir(office) / ".tombstones" / f"{disposed}.json"
    payload = json.loads(stone.read_text(encoding="utf-8"))
    relative = live.relative_to(office.workspace.archive_root).as_posix()
    digest = hashlib.sha256(live.read_bytes()).hexdigest()
    payload["files"].append({"path": relative, "sha256": digest, "size": 1, "kind": "document"})
    stone.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY
    assert f"it lists {relative}, which the journal's disposal does not" in rebuilt.err
    assert f"the disposal of {disposed} is taken from the journal" in rebuilt.err
    assert "conflict" not in rebuilt.err  # the live file is not taken for a disposed one
    assert status_of(office, office.rid("check_2023_10")) == ("filed", ["filed"])
    assert status_of(office, disposed)[0] == "disposed"


def test_deleted_trail_files_and_index_are_restored_from_the_journal(
    office: Any, run: Callable[..., Outcome]
) -> None:
    held, disposed = office.rid("check_2023_10"), office.rid("old01_app")
    assert run("hold", held, "--reason", "法院調卷", "--by", "檔管甲").exit_code == 0
    assert run("dispose", disposed, *APPROVED, "--by", "檔管甲").exit_code == 0
    stone = records_dir(office) / ".tombstones" / f"{disposed}.json"
    original = json.loads(stone.read_text(encoding="utf-8"))
    for trail in (".tombstones", ".holds"):
        for path in (records_dir(office) / trail).glob("*.json"):
            path.unlink()
    lose_the_index(office)
    claim = dataclasses.replace(office.records["old01_app"], title="再次歸檔")
    office.make_pdf(records_dir(office) / "account_application" / "x.pdf", claim)

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY, rebuilt.output
    assert "1 hold(s) from the journal" in rebuilt.out
    assert f"the disposal of {disposed} is taken from the journal, and its tombstone" in (
        rebuilt.err
    )
    assert f"claims (by metadata) the record {disposed}" in rebuilt.err  # not filed
    # the hold is back, in the index and in its file
    assert sections(office)[held] == SECTION_HELD
    with open_index(office.workspace) as index, index.session() as session:
        [hold] = session.scalars(select(Hold).where(Hold.record_id == held))
        assert (hold.reason, hold.placed_by, hold.released_at) == ("法院調卷", "檔管甲", None)
        assert session.get(Record, disposed).status == "disposed"
        [row] = session.scalars(select(File).where(File.path.endswith("/x.pdf")))
        assert row.status == "unclassified" and row.record_id != disposed
        [disposal] = session.scalars(select(Disposal).where(Disposal.record_id == disposed))
        assert (disposal.approval, disposal.approved_by, disposal.disposed_by) == (
            REFERENCE,
            "處長乙",
            "檔管甲",
        )
    assert (records_dir(office) / ".holds" / f"{held}.json").is_file()
    rewritten = json.loads(stone.read_text(encoding="utf-8"))
    for key in ("record_id", "files", "approval", "approved_by", "approved_on", "plan"):
        assert rewritten[key] == original[key], key
    assert rewritten["metadata"]["category"] == original["metadata"]["category"]
    refused = run("dispose", held, *APPROVED)
    assert refused.exit_code == ExitCode.INPUT and "on hold" in refused.err
    # the rewritten tombstone is believed by the next rebuild
    again = run("rebuild")
    assert not [line for line in problems(again) if "tombstone" in line], again.err


def test_a_hold_file_the_journal_does_not_know_still_holds_but_is_reported(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("check_2023_10")
    holds = records_dir(office) / ".holds"
    holds.mkdir(parents=True)
    entry = {"reason": "偽造", "placed_by": "x", "placed_at": "2026-11-01T09:00:00"}
    entry |= {"released_by": "x", "released_at": "2026-11-02T09:00:00"}
    hold = {"format": "docgen-hold/1", "record_id": rid, "holds": [entry]}
    (holds / f"{rid}.json").write_text(json.dumps(hold), encoding="utf-8")
    lose_the_index(office)

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY
    [line] = problems(rebuilt)
    assert "matches no `archive hold` in the journal: it still holds" in line
    assert sections(office)[rid] == SECTION_HELD  # the unjournalled release is not believed
    assert run("release", rid, "--by", "檔管甲").exit_code == 0
    released = run("rebuild")  # a release the journal has is believed
    assert released.exit_code == 0, released.output
    assert sections(office)[rid] != SECTION_HELD


def test_a_journal_that_does_not_verify_falls_back_to_the_files_with_a_warning(
    office: Any, run: Callable[..., Outcome]
) -> None:
    disposed = office.rid("old01_app")
    assert run("dispose", disposed, *APPROVED, "--by", "檔管甲").exit_code == 0
    journal = office.workspace.journal_path
    lines = journal.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["details"]["by"] = "someone else"
    journal.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    lose_the_index(office)

    rebuilt = run("rebuild")
    assert rebuilt.exit_code == ExitCode.INTEGRITY
    [line] = problems(rebuilt)
    assert "the journal does not verify" in line and "believed as they are" in line
    assert status_of(office, disposed)[0] == "disposed"  # as the tombstone says


# --- finding 2: an untrusted tombstone is not an unfinished disposal --------------------


def test_an_untrusted_tombstone_is_an_integrity_problem_not_an_unfinished_disposal(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("check_2023_10")
    forge_tombstone(office, "check_2023_10")
    disposals = run("report", "disposals")
    assert disposals.exit_code == ExitCode.INTEGRITY, disposals.output
    assert "untrusted tombstone" in disposals.out and rid in disposals.out
    assert "dispose of" not in disposals.out and "unfinished" not in disposals.err
    retention = run("report", "retention", "--as-of", "115/11/30")
    assert retention.exit_code == 0, retention.output


def test_a_disposal_left_with_only_its_tombstone_is_unfinished_for_both_reports(
    office: Any, run: Callable[..., Outcome]
) -> None:
    """A disposal interrupted before plans existed: its tombstone, and the index says
    the record is not disposed. README: both reports exit 6 while one is unfinished."""
    rid = office.rid("old01_app")
    assert run("dispose", rid, *APPROVED, "--by", "檔管甲").exit_code == 0
    for table in ("disposals", "disposal_plan_items", "disposal_plans"):
        execute(office.workspace, f"DELETE FROM {table}")
    execute(office.workspace, "UPDATE records SET status = 'filed' WHERE record_id = :r", r=rid)
    disposals = run("report", "disposals")
    assert disposals.exit_code == ExitCode.INCOMPLETE, disposals.output
    assert "tombstone only" in disposals.out
    retention = run("report", "retention", "--as-of", "115/11/30")
    assert retention.exit_code == ExitCode.INCOMPLETE, retention.output
    assert f"of {rid} (tombstone only) is unfinished" in retention.err


# --- finding 3: rebuild and dispose exclude each other ----------------------------------


def test_rebuild_is_refused_while_a_disposal_holds_the_lock(
    office: Any, run: Callable[..., Outcome]
) -> None:
    before = archive_rows(office.workspace)
    lock = filelock.FileLock(str(office.workspace.archive_root / DISPOSAL_LOCK), timeout=0)
    with lock:
        refused = run("rebuild")
    assert refused.exit_code == ExitCode.INPUT
    assert refused.err.startswith("Error: nothing was rebuilt: a `docgen archive dispose`")
    assert archive_rows(office.workspace) == before
    assert not list(office.workspace.state_dir.glob("*.before-rebuild-*"))
    assert run("rebuild").exit_code == 0


# --- finding 4: --approved-by -------------------------------------------------------------


@pytest.mark.parametrize(
    ("approver", "message"),
    [
        (f"處長乙 {NATIONAL_ID}", "holds a national ID"),
        ("處長乙\nError: forged", "holds control characters"),
        ("處長乙\x1b[31m", "holds control characters"),
        ("乙" * 61, "in at most 60"),
    ],
)
def test_an_approver_with_an_id_controls_or_too_long_is_refused(
    office: Any, run: Callable[..., Outcome], approver: str, message: str
) -> None:
    rid = office.rid("old01_app")
    options = ("--approval", REFERENCE, "--approved-by", approver, "--approved-on", "115/11/20")
    for dry_run in (("--dry-run",), ()):
        result = run("dispose", rid, *options, *dry_run, "--by", "檔管甲")
        assert result.exit_code == ExitCode.INPUT, result.output
        [line] = result.err.splitlines()
        assert message in line
        assert NATIONAL_ID not in result.output and "\x1b" not in result.output
    assert office.path_of("old01_app").is_file()
    assert not (records_dir(office) / ".tombstones").exists()


def test_an_approver_of_sixty_characters_is_accepted(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("old01_app")
    options = ("--approval", REFERENCE, "--approved-by", "乙" * 60, "--approved-on", "115/11/20")
    assert run("dispose", rid, *options, "--dry-run").exit_code == 0


# --- finding 5: what the CLI echoes is escaped ---------------------------------------------


def test_a_hold_reason_with_controls_is_echoed_escaped(
    office: Any, run: Callable[..., Outcome]
) -> None:
    rid = office.rid("check_2023_10")
    result = run("hold", rid, "--reason", "x\nError: y\x1b[31m", "--by", "檔管甲")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    [line] = result.out.splitlines()
    assert line.startswith(f"{rid} is on hold: x") and "Error: y" in line


def test_a_journal_checked_rebuild_of_an_honest_archive_changes_nothing(
    office: Any, run: Callable[..., Outcome]
) -> None:
    """Holds placed and released and a disposal, all journalled: the rebuilt index is
    the one the commands made, and nothing is reported."""
    held, disposed = office.rid("check_2023_10"), office.rid("old01_app")
    assert run("hold", held, "--reason", "政風室調查中", "--by", "檔管甲").exit_code == 0
    assert run("release", held, "--by", "檔管乙").exit_code == 0
    assert run("hold", held, "--reason", "再次調卷", "--by", "檔管甲").exit_code == 0
    assert run("dispose", disposed, *APPROVED, "--by", "檔管甲").exit_code == 0
    checked = run("rebuild", "--check")
    assert checked.exit_code == 0, checked.output
    assert "The index matches the files." in checked.out
