"""``docgen calendar``: the obligations table, JSON, the iCalendar file, the journal,
and ``docgen calendar workdays``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import openpyxl
from click.testing import CliRunner, Result

from docgen.cli.main import cli
from docgen.config import open_workspace
from docgen.db import open_database
from docgen.errors import ExitCode
from docgen.journal import Journal
from docgen.services.accounts import record_account_review

TOML = """[office]
name = "測試辦公室"

[[units]]
name = "企劃室"
supervisor = "王○明"

[[units]]
name = "市場管理科"
"""


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "docgen.toml").write_text(TOML, encoding="utf-8")
    return tmp_path


def _empty(tmp_path: Path) -> Path:
    """A workspace with every setting at its default (no units)."""
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")
    return tmp_path


def _run(ws: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["-w", str(ws), "calendar", *args])
    assert result.exit_code == 0, result.output
    return result


def _rows(ws: Path, *args: str) -> dict[str, dict[str, Any]]:
    payload = json.loads(_run(ws, "--year", "2026", "--format", "json", *args).stdout)
    return {row["key"]: row for row in payload["rows"]}


def _journal(ws: Path) -> Journal:
    return Journal(open_workspace(ws).journal_path, ws)


def test_table_lists_obligations_with_roc_dates(tmp_path: Path) -> None:
    out = _run(_workspace(tmp_path), "--year", "2026").stdout
    assert out.startswith("ROC year 115: household-registration data duties and deadlines")
    assert "115/08/31 (Mon)" in out
    assert "115/03/10 (Tue)" in out  # 2025-H2's report, due in 2026
    assert "116/03/10" not in out
    assert "企劃室 monthly spot check of the cases of 115年10月 (附件4)" in out
    assert "市場管理科 monthly spot check of the cases of 114年12月 (附件4)" in out
    assert "the cases of 115年12月" not in out  # due in January 2027
    assert "Duties: 30" in out
    assert not (tmp_path / ".docgen" / "journal.jsonl").exists()  # nothing written


def test_json_rows(tmp_path: Path) -> None:
    rows = _rows(_workspace(tmp_path))
    assert len(rows) == 30
    h1, h2 = rows["audit_report:2026-H1"], rows["audit_report:2025-H2"]
    assert (h1["due"], h1["due_date"], h1["rule"]) == ("115/08/31 (Mon)", "2026-08-31", "R6.4")
    assert (h2["due"], h2["due_date"], h2["period"]) == (
        "115/03/10 (Tue)",
        "2026-03-10",
        "114年下半年",
    )
    # 2026-02-28 is a Saturday (and 和平紀念日): the last working day before is Thursday 2/26.
    january = rows["monthly_check:2026-01:企劃室"]
    assert (january["due"], january["last_working_day"]) == ("115/02/28 (Sat)", "115/02/26 (Thu)")
    assert rows["account_review:2026-H1"]["due_date"] == "2026-06-30"


def _review(ws: Path, as_of: date) -> None:
    workspace = open_workspace(ws)
    with open_database(workspace) as db:
        record_account_review(workspace, db, as_of, {"帳號數": 0}, findings=0)


def test_account_reviews_come_from_the_database(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _review(ws, date(2025, 11, 30))
    _review(ws, date(2026, 4, 10))
    rows = _rows(ws)
    assert rows["account_review:2026-H1"]["due_date"] == "2026-05-31"
    assert rows["account_review:2026-H2"]["due_date"] == "2026-10-10"
    table = _run(ws, "--year", "2026").stdout
    assert "Last account review: 115/04/10" in table


def test_the_journal_is_not_read_for_reviews(tmp_path: Path) -> None:
    """The journal is the trail, not the state: an entry there is no review."""
    ws = _workspace(tmp_path)
    _journal(ws).append("accounts review", details={"as_of": "115/02/30"})
    table = _run(ws, "--year", "2026").stdout
    assert "Last account review: none on record" in table


def test_ics_file_imports(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    target = ws / "out" / "calendar-2026.ics"
    result = _run(ws, "--year", "2026", "--ics", str(target), "--remind-days", "5")
    assert "Wrote" in result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    parsed = icalendar.Calendar.from_ical(raw)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 30
    by_summary = {str(e["SUMMARY"]): e for e in events}
    h2 = by_summary["【R6.4】114年下半年 audit results reported to 民政局 (colour scan)"]
    assert h2.decoded("DTSTART").isoformat() == "2026-03-10"
    assert h2.decoded("DTEND").isoformat() == "2026-03-11"
    assert "audit_report:2025-H2" in str(h2["DESCRIPTION"])
    assert "【R6.4】115年下半年 audit results reported to 民政局 (colour scan)" not in by_summary
    alarm = next(iter(h2.walk("VALARM")))
    assert alarm.decoded("TRIGGER").days == -5
    assert len({str(e["UID"]) for e in events}) == 30
    assert "測試辦公室" in str(parsed["X-WR-CALNAME"])


def test_ics_uids_are_stable_and_journaled(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    first, second = ws / "a.ics", ws / "b.ics"
    _run(ws, "--year", "2026", "--ics", str(first))
    _run(ws, "--year", "2026", "--ics", str(second))
    uids = [
        sorted(str(e["UID"]) for e in icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT"))
        for p in (first, second)
    ]
    assert uids[0] == uids[1]
    entries = _journal(ws).entries()
    assert [e["command"] for e in entries] == ["calendar", "calendar"]
    assert entries[0]["outputs"][0]["path"] == "a.ics"
    assert entries[0]["details"] == {"year": 2026, "obligations": 30}
    _journal(ws).verify()


def test_without_units_it_says_so(tmp_path: Path) -> None:
    out = _run(_empty(tmp_path), "--year", "2026").stdout
    assert "not set (docgen.toml [[units]]), so no monthly spot checks" in out
    assert "Duties: 6" in out


def test_workdays_before(tmp_path: Path) -> None:
    _empty(tmp_path)
    out = _run(tmp_path, "workdays", "115/12/04", "--before", "10").stdout
    assert (
        out == "10 working days before 115/12/04 (2026-12-04, Fri): 115/11/20 (2026-11-20, Fri)\n"
    )
    out = _run(tmp_path, "workdays", "2026-10-12", "--before", "10").stdout
    assert "115/09/23 (2026-09-23" in out


def test_workdays_after_until_and_check(tmp_path: Path) -> None:
    _empty(tmp_path)
    assert (
        "115/10/13 (2026-10-13" in _run(tmp_path, "workdays", "2026-10-08", "--after", "2").stdout
    )
    out = _run(tmp_path, "workdays", "2026-09-30", "--until", "2026-10-31").stdout
    assert out.rstrip().endswith(": 20")
    assert "is a working day" in _run(tmp_path, "workdays", "114/02/08").stdout
    assert "is not a working day" in _run(tmp_path, "workdays", "中華民國115年2月20日").stdout


def test_workdays_uses_the_office_calendar(tmp_path: Path) -> None:
    (tmp_path / "cal.csv").write_bytes(
        "西元日期,星期,是否放假,備註\n20261009,五,0,\n".encode("cp950")
    )
    (tmp_path / "docgen.toml").write_text(
        '[paths]\noffice_calendar = "cal.csv"\n', encoding="utf-8"
    )
    assert "is a working day" in _run(tmp_path, "workdays", "2026-10-09").stdout


def test_workdays_rejects_two_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "-w",
            str(tmp_path),
            "calendar",
            "workdays",
            "2026-10-01",
            "--before",
            "1",
            "--after",
            "1",
        ],
    )
    assert result.exit_code == ExitCode.USAGE
    assert "at most one of" in result.output


def test_report_file_is_journaled(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    target = ws / "期限.xlsx"
    _run(ws, "--year", "2026", "--format", "xlsx", "-o", str(target))
    entry = _journal(ws).entries()[-1]
    assert entry["command"] == "calendar"
    assert [o["path"] for o in entry["outputs"]] == ["期限.xlsx"]
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["Due", "Date (Western)", "Last working day"]
    assert sheet.max_row == 31
