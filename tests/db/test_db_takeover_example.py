"""An example office made by the docgen before the office database (commit d93a961:
``init --example`` and the demo's steps, frozen in tests/fixtures/legacy_office/)
moves in with ``docgen db upgrade``, and every report gives the answer the earlier
docgen gave (ISSUE 10, "Done when"). Then the logs go: the reports still answer."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from docgen.archive.missing import PENDING
from docgen.i18n import translations
from docgen.rules.obligations import OUTCOME_LETTER, REFERRAL_MEMO, RESULTS_LETTER

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "legacy_office"
EXPECTED = json.loads((FIXTURE / "expected" / "index.json").read_text(encoding="utf-8"))
REPORTS = sorted(k for k in EXPECTED if k not in ("root", "commit", "journal_verify"))
#: What is meant to read differently now: the registry is no longer a file.
RETITLED = {"accounts_list": ("帳號清冊 accounts.csv", "帳號清冊")}
#: Labels the earlier docgen wrote in two languages, or in English, that are now in the
#: office's language alone (ISSUE 11 item 1): the answers are the same.
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
RELABELLED = {
    "銷毀紀錄 Disposals": "銷毀紀錄",
    "已銷毀 disposed": "已銷毀",
    "完成 done": "完成",
    "run `docgen audit results`": "請執行 `docgen audit results`",
    "Fixity 檔案完整性": "檔案完整性",
    "full": "全部重新讀取",
    "Unclassified 未分類檔案": "未分類檔案",
    "add NAME.meta.yaml beside the file and put both in archive/inbox/ again": (
        "請在檔案旁加上 NAME.meta.yaml，再將兩者一併放回 archive/inbox/"
    ),
}


def docgen(
    root: Path, *args: str, url: str = "", language: str = "zh_TW"
) -> subprocess.CompletedProcess[str]:
    """docgen, by default in the office's language, Traditional Chinese: the earlier
    docgen's reports were in it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env["DOCGEN_LANG"] = language
    if url:
        env["DOCGEN_DATABASE_URL"] = url
    command = [sys.executable, "-m", "docgen", "-w", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def _unpacked(tmp_path: Path) -> Path:
    root = tmp_path / "office"
    root.mkdir()
    with tarfile.open(FIXTURE / "office.tar.gz") as archive:
        archive.extractall(root, filter="data")
    return root


def _expected(name: str, root: Path) -> Any:
    text = (FIXTURE / "expected" / EXPECTED[name]["output"]).read_text(encoding="utf-8")
    report = json.loads(text.replace(EXPECTED["root"], str(root)))
    if name in RETITLED:
        assert report["title"] == RETITLED[name][0]
        report["title"] = RETITLED[name][1]
    return _relabelled(report)


def _relabelled(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _relabelled(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_relabelled(v, key) for v in value]
    if not isinstance(value, str):
        return value
    if key == "detail":  # a date in a Chinese message is ROC now (ISSUE 11 item 1)
        value = ISO_DATE.sub(lambda m: f"{int(m[1]) - 1911}/{m[2]}/{m[3]}", value)
    return RELABELLED.get(value, value)


def _answers(report: dict[str, Any], *, leave_out: str = "") -> dict[str, Any]:
    """A JSON report's answers: its summary's labels are message IDs for programs now
    (ISSUE 11 item 1), so the summary compares by its values, in order."""
    summary = [v for k, v in report["summary"].items() if k != leave_out]
    return {**report, "summary": summary}


@pytest.fixture
def upgraded(tmp_path: Path, database_url: str) -> tuple[Path, str]:
    """The frozen office, refused until upgraded, then upgraded (on either engine)."""
    root = _unpacked(tmp_path)
    url = "" if database_url.startswith("sqlite") else database_url
    refused = docgen(root, "archive", "report", "missing", url=url, language="en")
    assert refused.returncode == 4, refused.stderr
    assert "run `docgen db upgrade`" in refused.stderr and refused.stderr.count("\n") == 1
    done = docgen(root, "db", "upgrade", url=url, language="en")
    assert done.returncode == 0, done.stderr
    assert "Made the office database" in done.stdout
    return root, url


def _same_calendar(found: dict[str, Any], before: dict[str, Any]) -> None:
    """``calendar --year 2026`` now lists what falls due in 2026 (ISSUE 11 item 5), not
    the duties of 2026's periods: each duty due in 2026 reads as before, with its period
    beside it; the others due in 2026 are 2025's (December's checks, 2025-H2's audit and
    report); the summary (the account review taken over above all) is as before, but for
    its 說明 (Note). The 已發文 column (ISSUE 14) is new, and empty: nothing was sent."""
    assert found["title"] == before["title"]
    assert (
        _answers(found, leave_out="Note")["summary"]
        == _answers(before, leave_out="說明")["summary"]
    )
    assert all(r["sent"] == "" for r in found["rows"])
    new = ("period", "sent")
    rows = {r["key"]: {k: v for k, v in r.items() if k not in new} for r in found["rows"]}
    due_in_2026 = {r["key"]: r for r in before["rows"] if r["due_date"].startswith("2026")}
    assert {key: rows.get(key) for key in due_in_2026} == due_in_2026
    assert all(":2025-" in key for key in set(rows) - set(due_in_2026))


def _same_missing(found: dict[str, Any], before: dict[str, Any]) -> None:
    """The missing report answers as before but for the duties of the letters ISSUE 14
    added (the R6.4 results letter, the R6.5 referral and outcome), none drafted in the
    earlier office and none due yet on its date: they count as 未到期, and no row shows
    them (the report lists problems only). All else is the same report."""
    chinese = translations("zh_TW").gettext
    letters = {chinese(r.name) for r in (RESULTS_LETTER, REFERRAL_MEMO, OUTCOME_LETTER)}
    added = [r for r in found["rows"] if r["required"] in letters]
    assert all(r["status"] == chinese(PENDING) for r in added)  # listed with --calendar
    found = {**found, "rows": [r for r in found["rows"] if r not in added]}
    earlier = before["summary"][chinese(PENDING)]  # the earlier docgen's labels: Chinese
    assert found["summary"][PENDING] > earlier
    found = {**found, "summary": {**found["summary"], PENDING: earlier}}
    assert _answers(found) == _answers(before)


def _as_earlier_retention(report: dict[str, Any]) -> dict[str, Any]:
    """The retention report's rows as the earlier docgen wrote them: 檔號 in one column
    (年度號/分類號/案次號; ISSUE 14 shows its five parts), no 核准文號 column."""
    parts = ("year_no", "class_no", "case_no", "volume_no", "item_no", "approval_no")
    rows = []
    for row in report["rows"]:
        assert (row["volume_no"], row["item_no"], row["approval_no"]) == ("", "", "")
        joined = "/".join((row["year_no"], row["class_no"], row["case_no"]))
        rows.append({**{k: v for k, v in row.items() if k not in parts}, "file_no": joined})
    return {**report, "rows": rows}


def test_every_report_answers_as_the_earlier_docgen_did(upgraded: tuple[Path, str]) -> None:
    root, url = upgraded
    for name in REPORTS:
        done = docgen(root, *EXPECTED[name]["args"], url=url)
        assert done.returncode == EXPECTED[name]["exit_code"], f"{name}: {done.stderr}"
        if name == "calendar_2026":
            _same_calendar(json.loads(done.stdout), _expected(name, root))
            continue
        if name in ("missing", "missing_calendar"):
            _same_missing(json.loads(done.stdout), _expected(name, root))
            continue
        found = json.loads(done.stdout)
        if name.startswith("retention"):
            found = _as_earlier_retention(found)
        assert _answers(found) == _answers(_expected(name, root)), name
    head = (FIXTURE / "expected" / "journal_verify.txt").read_text().split("Head hash: ")[1]
    verified = docgen(root, "journal", "verify", "--expect", head.strip(), url=url)
    assert verified.returncode == 0, verified.stderr
    assert docgen(root, "db", "check", url=url).returncode == 0

    # the reports need no query log once upgraded
    shutil.rmtree(root / "data" / "queries")
    for name in ("missing", "evidence_2026-10", "evidence_2026-H2"):
        done = docgen(root, *EXPECTED[name]["args"], url=url)
        assert done.returncode == EXPECTED[name]["exit_code"], f"{name}: {done.stderr}"
        if name == "missing":
            _same_missing(json.loads(done.stdout), _expected(name, root))
            continue
        assert _answers(json.loads(done.stdout)) == _answers(_expected(name, root)), name


def test_an_upgrade_that_fails_takes_nothing_over(tmp_path: Path) -> None:
    root = _unpacked(tmp_path)
    registry = root / "data" / "accounts.csv"
    lines = registry.read_text(encoding="utf-8-sig").splitlines()
    registry.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # a duplicate
    done = docgen(root, "db", "upgrade")
    assert done.returncode == 3
    assert "accounts.csv" in done.stderr and "Traceback" not in done.stderr
    with __import__("sqlite3").connect(root / ".docgen" / "office.sqlite") as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [], "the failed upgrade left tables behind"
