"""ISSUE 9 item 3: a disposal stopped midway keeps its trail and is finished by the
same command. Stopped for real: ``docgen archive dispose`` killed with SIGKILL in a
subprocess, and a disposal that the file system stops (a folder where a tombstone
must go) — no hook in docgen's code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from docgen.archive.context import open_archive
from docgen.archive.db import open_index
from docgen.archive.reconcile import scan
from docgen.cli.main import main
from docgen.db.models.archive import DisposalPlan, DisposalPlanItem, Record
from docgen.errors import ExitCode
from docgen.journal import Journal
from docgen.rules.record_id import make_record_id
from tests.archive.dbrows import ON_BOTH_ENGINES, query

REFERENCE = "北市市企字第1153025174號"
APPROVED = ("--approval", REFERENCE, "--approved-by", "處長乙", "--approved-on", "115/11/20")


def file_many(office: Any, count: int) -> list[str]:
    """``count`` 2020 monthly checks (past retention), filed as text with sidecars."""
    inbox = office.workspace.archive_root / "inbox"
    ids = []
    for number in range(count):
        rid = str(make_record_id(4, "monthly", "202001", "企劃室", str(number)))
        (inbox / f"{rid}.txt").write_text(f"2020-01 spot check {number}\n", encoding="utf-8")
        (inbox / f"{rid}.txt.meta.yaml").write_text(
            f"record_id: {rid}\nunit: 企劃室\nreview_date: 2020-02-10\n", encoding="utf-8"
        )
        ids.append(rid)
    with open_archive(office.workspace, use_qr=False) as ctx:
        result = scan(ctx, max_wait=0)
    assert not result.failed and len([f for f in result.filed if f.status == "filed"]) == count
    return ids


def docgen(office: Any, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env["DOCGEN_LANG"] = "en"  # the messages tests assert
    command = [sys.executable, "-m", "docgen", "-w", str(office.workspace.root), *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def steps(office: Any) -> dict[str, int]:
    """How many records of the plan reached each step (read-only, beside the writer)."""
    rows = query(office.workspace, "SELECT state, COUNT(*) FROM disposal_plan_items GROUP BY state")
    return {state: count for state, count in rows}


def entries(office: Any, plan_id: str | None = None) -> list[dict[str, Any]]:
    found = Journal(office.workspace.journal_path).entries()
    dispose = [e for e in found if e["command"] == "archive dispose"]
    return [e for e in dispose if plan_id is None or e["details"]["plan"] == plan_id]


def states(office: Any, ids: list[str]) -> dict[str, str]:
    with open_index(office.workspace) as index, index.session() as session:
        query = select(Record.record_id, Record.status).where(Record.record_id.in_(ids))
        return {rid: status for rid, status in session.execute(query)}


@ON_BOTH_ENGINES
def test_a_disposal_killed_midway_is_finished_by_the_same_command(office: Any) -> None:
    ids = file_many(office, 150)
    args = ("archive", "dispose", *APPROVED, "--by", "檔管甲", *ids)
    process = docgen(office, *args)
    deadline = time.monotonic() + 120
    while steps(office).get("done", 0) < 10:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the disposal did not start"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # The trail: the journal has the intent (before anything was removed), not the end.
    [intent] = entries(office)
    plan_id = intent["details"]["plan"]
    assert intent["details"]["step"] == "plan"
    assert [r["record_id"] for r in intent["details"]["records"]] == ids
    assert (intent["details"]["approval"], intent["details"]["approved_by"]) == (
        REFERENCE,
        "處長乙",
    )
    reached = steps(office)
    assert 10 <= reached["done"] < len(ids), reached
    root = office.workspace.archive_root
    disposed = [rid for rid, status in states(office, ids).items() if status == "disposed"]
    assert len(disposed) == reached["done"]
    for rid in disposed:
        assert (root / "records" / ".tombstones" / f"{rid}.json").is_file()

    # The report shows it; a different disposal is refused naming it.
    report = docgen(office, "archive", "report", "disposals", "--format", "json")
    out, err = report.communicate(timeout=120)
    assert report.returncode == ExitCode.INCOMPLETE, err
    rows = json.loads(out)["rows"]
    assert {r["plan"] for r in rows if r["state"] == "unfinished"} == {plan_id}
    other = docgen(office, "archive", "dispose", *APPROVED, office.rid("old01_app"))
    _, err = other.communicate(timeout=120)
    assert other.returncode == ExitCode.INPUT
    assert f"the disposal {plan_id} ({len(ids)} record(s) under {REFERENCE}" in err.decode()

    # The same command finishes it.
    again = docgen(office, *args)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    assert f"Disposal {plan_id} finished: {len(ids)} record(s)" in out.decode()
    assert set(states(office, ids).values()) == {"disposed"}
    assert not list((root / "records" / "monthly_check").rglob("*.txt"))
    assert len(list((root / "records" / ".tombstones").glob("*.json"))) == len(ids)
    intent_again, done = entries(office, plan_id)
    assert intent_again == intent and done["details"]["step"] == "done"
    assert [r["record_id"] for r in done["details"]["records"]] == ids
    assert len(done["outputs"]) == len(ids)
    Journal(office.workspace.journal_path).verify()
    report = docgen(office, "archive", "report", "disposals")
    report.communicate(timeout=120)
    assert report.returncode == 0


@pytest.fixture
def run(office: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    def invoke(*args: str) -> tuple[int, str]:
        code = 0
        try:
            main(["-w", str(office.workspace.root), "archive", *args])
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return code, captured.out + captured.err

    return invoke


def test_a_disposal_the_file_system_stops_is_reported_and_finished(
    office: Any, run: Callable[..., tuple[int, str]]
) -> None:
    ids = [office.rid("old01_app"), office.rid("check_2023_10"), office.rid("check_2023_11")]
    root = office.workspace.archive_root
    stones = root / "records" / ".tombstones"
    (stones / f"{ids[2]}.json" / "in-the-way").mkdir(parents=True)  # a folder, not a file
    args = ("dispose", *APPROVED, "--by", "檔管甲", *ids)
    code, output = run(*args)
    assert code == ExitCode.INPUT and f"cannot write {stones / ids[2]}.json" in output
    assert f"stopped at {ids[2]} (2 of 3 record(s) done)" in output
    assert states(office, ids) == {ids[0]: "disposed", ids[1]: "disposed", ids[2]: "filed"}
    assert office.path_of("check_2023_11").is_file()
    [intent] = entries(office)
    plan_id = intent["details"]["plan"]

    code, output = run("report", "disposals")
    assert code == ExitCode.INCOMPLETE and plan_id in output
    assert "not begun" in output and "1 unfinished" in output
    code, output = run("report", "retention", "--as-of", "2026-11-30")
    assert code == ExitCode.INCOMPLETE and f"the disposal {plan_id} is unfinished" in output
    code, output = run("dispose", *APPROVED, "--by", "檔管甲", ids[2])
    assert code == ExitCode.INPUT and f"the disposal {plan_id} (3 record(s)" in output
    code, output = run("dispose", *APPROVED, "--by", "檔管甲", "--dry-run", *ids)
    assert code == 0 and f"{ids[2]}\n" in output and ids[0] not in output

    (stones / f"{ids[2]}.json" / "in-the-way").rmdir()
    (stones / f"{ids[2]}.json").rmdir()
    code, output = run(*args)
    assert code == 0, output
    assert f"Disposal {plan_id} finished: 3 record(s)" in output
    assert set(states(office, ids).values()) == {"disposed"}
    assert [e["details"]["step"] for e in entries(office, plan_id)] == ["plan", "done"]
    assert run("report", "disposals")[0] == 0
    code, output = run(*args)
    assert code == ExitCode.INPUT and "already disposed" in output


def test_a_record_held_before_its_turn_is_kept(
    office: Any, run: Callable[..., tuple[int, str]]
) -> None:
    ids = [office.rid("old01_app"), office.rid("check_2023_10")]
    stones = office.workspace.archive_root / "records" / ".tombstones"
    (stones / f"{ids[1]}.json" / "x").mkdir(parents=True)
    args = ("dispose", *APPROVED, "--by", "檔管甲", *ids)
    assert run(*args)[0] == ExitCode.INPUT
    code, output = run("hold", ids[0], "--reason", "太遲")
    assert code == ExitCode.INPUT and "was disposed" in output
    assert run("hold", ids[1], "--reason", "政風室調查中")[0] == 0
    (stones / f"{ids[1]}.json" / "x").rmdir()
    (stones / f"{ids[1]}.json").rmdir()
    code, output = run(*args)
    assert code == 0, output
    assert f"{ids[1]}: kept, not disposed (on hold: 政風室調查中)" in output
    assert states(office, ids) == {ids[0]: "disposed", ids[1]: "filed"}
    assert office.path_of("check_2023_10").is_file()
    with open_index(office.workspace) as index, index.session() as session:
        assert session.scalars(select(DisposalPlan.state)).all() == ["done"]
        item = session.scalars(select(DisposalPlanItem).where(DisposalPlanItem.record_id == ids[1]))
        assert item.one().state == "kept"
    assert entries(office)[-1]["details"]["kept"][0]["record_id"] == ids[1]
