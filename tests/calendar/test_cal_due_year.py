"""``docgen calendar --year Y`` lists what falls due in Y (ISSUE 11 item 5), each duty's
period beside it: December 2025's monthly check (due 2026-01-31) and 2025-H2's report
(due 2026-03-10) are 2026's; December 2026's check (due 2027-01-31) is not."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner

from docgen.cli.main import cli
from docgen.rules.obligations import obligations_due_in, obligations_for_year

UNITS = ["企劃室", "市場管理科"]


def _keys(year: int, **kw: Any) -> list[str]:
    return [o.key for o in obligations_due_in(year, UNITS, **kw)]


def test_what_falls_due_in_2026() -> None:
    duties = obligations_due_in(2026, UNITS)
    assert {o.due.year for o in duties} == {2026}
    by_key = {o.key: o for o in duties}
    assert by_key["monthly_check:2025-12:企劃室"].due == date(2026, 1, 31)
    assert by_key["half_year_audit:2025-H2"].due == date(2026, 3, 10)
    assert by_key["audit_report:2025-H2"].due == date(2026, 3, 10)
    assert by_key["monthly_check:2026-11:市場管理科"].due == date(2026, 12, 31)
    assert by_key["audit_report:2026-H1"].due == date(2026, 8, 31)
    assert by_key["account_review:2026-H2"].due == date(2026, 12, 31)
    assert "monthly_check:2026-12:企劃室" not in by_key  # due 2027-01-31
    assert "audit_report:2026-H2" not in by_key  # due 2027-03-10
    assert len(duties) == 12 * 2 + 4 + 2
    assert duties[0].key == "monthly_check:2025-12:企劃室"
    assert [o.due for o in duties] == sorted(o.due for o in duties)
    # Each duty keeps its own period: December 2025's check is due in 2026.
    assert by_key["monthly_check:2025-12:企劃室"].period.label == "2025-12"  # type: ignore[union-attr]


def test_each_duty_falls_due_in_exactly_one_year() -> None:
    of_2026 = {o.key for o in obligations_for_year(2026, UNITS) if o.kind != "account_review"}
    shown = [k for year in (2026, 2027) for k in _keys(year) if not k.startswith("account_review")]
    assert len(shown) == len(set(shown))  # no duty listed in two years
    assert of_2026 <= set(shown)
    assert of_2026 & set(_keys(2026)) == of_2026 - {
        "monthly_check:2026-12:企劃室",
        "monthly_check:2026-12:市場管理科",
        "half_year_audit:2026-H2",
        "audit_report:2026-H2",
    }


def test_account_reviews_by_due_date() -> None:
    reviews = [date(2025, 11, 30), date(2026, 4, 10)]
    dues = [o.due for o in obligations_due_in(2026, reviews=reviews) if o.kind == "account_review"]
    assert dues == [date(2026, 5, 31), date(2026, 10, 10)]
    # A review overdue from before the year (none since 2025-03-01) is listed first.
    late = [o for o in obligations_due_in(2026, reviews=[date(2025, 3, 1)])]
    assert late[0].kind == "account_review" and late[0].due.year == 2025


TOML = '[[units]]\nname = "企劃室"\n\n[[units]]\nname = "市場管理科"\n'


@pytest.fixture
def office(tmp_path: Path) -> Path:
    (tmp_path / "docgen.toml").write_text(TOML, encoding="utf-8")
    return tmp_path


def test_cli_lists_by_due_year_with_the_period(office: Path) -> None:
    ics = office / "2026.ics"
    result = CliRunner().invoke(
        cli,
        ["-w", str(office), "calendar", "--year", "2026", "--format", "json", "--ics", str(ics)],
    )
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in json.loads(result.stdout)["rows"]}
    december = rows["monthly_check:2025-12:企劃室"]
    assert (december["due"], december["due_date"], december["period"]) == (
        "115/01/31 (Sat)",
        "2026-01-31",
        "114年12月",
    )
    assert december["last_working_day"] == "115/01/30 (Fri)"
    report = rows["audit_report:2025-H2"]
    assert (report["due_date"], report["period"]) == ("2026-03-10", "114年下半年")
    assert "monthly_check:2026-12:企劃室" not in rows
    assert {row["due_date"][:4] for row in rows.values()} == {"2026"}
    # --ics holds the same duties on the same days.
    events = list(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    on_days = {
        str(e["DESCRIPTION"]).rsplit("Key: ", 1)[1]: e.decoded("DTSTART").isoformat()
        for e in events
    }
    assert on_days == {key: row["due_date"] for key, row in rows.items()}


def test_cli_table_shows_the_period_column(office: Path) -> None:
    result = CliRunner().invoke(
        cli, ["-w", str(office), "calendar", "--year", "2027"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    header = re.split(r"\s{2,}", result.stdout.splitlines()[2].strip())
    assert header[:3] == ["Due", "Last working day", "Period"]
    assert "the cases of 115年12月" in result.stdout  # December 2026's check, due 2027-01-31
    assert "115年下半年 audit results reported to 民政局" in result.stdout
