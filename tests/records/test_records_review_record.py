"""``docgen accounts review`` (ISSUE 11 item 5): looking changes nothing. Only
``--record`` records the review as done on its date (R4.1a: the calendar's
最近一次帳號清查 and the next review's due date); a report saved with ``-o`` is
journaled as a saved report, not as a review."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from docgen.cli.main import cli
from docgen.config import open_workspace
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids
from docgen.records.stored import account_review_dates
from docgen.services.account_review import REPORT_COMMAND


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example") / "office"
    made = CliRunner().invoke(cli, ["init", str(root), "--example"])
    assert made.exit_code == 0, made.output
    return root


@pytest.fixture
def office(example: Path, tmp_path: Path) -> Path:
    root = tmp_path / "office"
    shutil.copytree(example, root)
    return root


def _run(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["-w", str(root), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _journal(root: Path) -> bytes:
    path = root / ".docgen" / "journal.jsonl"
    return path.read_bytes() if path.exists() else b""


def _reviews(root: Path) -> list[date]:
    return account_review_dates(open_workspace(root, environ={}))


def test_looking_records_nothing(office: Path) -> None:
    before, journal = _reviews(office), _journal(office)
    shown = _run(office, "accounts", "review", "--as-of", "2026-11-30")
    again = _run(office, "accounts", "review", "--as-of", "2026-11-30", "--format", "json")
    assert "recorded" not in shown.stderr and "recorded" not in again.stderr
    assert json.loads(again.stdout)["summary"]["Accounts"] == 25
    assert find_unmasked_ids(shown.stdout + again.stdout) == []
    assert _reviews(office) == before == []
    assert _journal(office) == journal
    calendar = _run(office, "calendar", "--year", "2026", "--format", "json").stdout
    assert json.loads(calendar)["summary"]["Last account review"].startswith("none on record")


def test_record_records_the_review_on_its_date(office: Path) -> None:
    journal = Journal(office / ".docgen" / "journal.jsonl")
    entries = len(journal.entries())
    result = _run(office, "accounts", "review", "--as-of", "115/11/30", "--record")
    assert result.stderr == "The account review of 115/11/30 (2026-11-30) is recorded.\n"
    assert _reviews(office) == [date(2026, 11, 30)]
    added = journal.entries()[entries:]
    assert [e["command"] for e in added] == ["accounts review"]
    assert added[0]["details"]["as_of"] == "2026-11-30"
    journal.verify()
    # The calendar sees it: last review 115/11/30, the next due six months on.
    calendar = json.loads(_run(office, "calendar", "--year", "2027", "--format", "json").stdout)
    assert calendar["summary"]["Last account review"] == "115/11/30"
    dues = [r["due_date"] for r in calendar["rows"] if r["key"].startswith("account_review")]
    assert dues == ["2027-05-31", "2027-11-30"]


def test_a_saved_report_is_journaled_but_not_recorded(office: Path) -> None:
    target = office / "out" / "帳號清查.xlsx"
    journal = Journal(office / ".docgen" / "journal.jsonl")
    entries = len(journal.entries())
    _run(
        office, "accounts", "review", "--as-of", "2026-11-30", "--format", "xlsx", "-o", str(target)
    )
    assert target.is_file()
    assert _reviews(office) == []
    added = journal.entries()[entries:]
    assert [e["command"] for e in added] == [REPORT_COMMAND]
    assert added[0]["outputs"][0]["path"] == "out/帳號清查.xlsx"
    assert added[0]["details"]["recorded"] is False
    # The journaled hash is the file's as saved, its record metadata embedded.
    assert added[0]["outputs"][0]["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    journal.verify()
    saved = office / "out" / "r.csv"
    _run(office, "accounts", "review", "--as-of", "2026-11-30", "--record", "--format", "csv",
         "-o", str(saved))  # fmt: skip
    last = journal.entries()[-1]
    assert last["command"] == "accounts review"
    assert [o["path"] for o in last["outputs"]] == ["out/r.csv", "out/r.csv.meta.yaml"]
    assert _reviews(office) == [date(2026, 11, 30)]
