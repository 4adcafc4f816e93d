"""The 2025 holiday changes in docgen's working calendar (ISSUE 11 item 6).

The 紀念日及節日實施條例 (2025) added 9/28, 10/25 and 12/25 as days off; in 2025
the first two fell on a weekend and were observed on Monday 9/29 and Friday 10/24
(the revised 114年 辦公日曆表 of 2025-06-17). ``holidays`` before 0.89 lacks those two
days. The act also ended make-up working Saturdays (補行上班): 2026 has none.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from pathlib import Path

import holidays

from docgen.calendar import HOLIDAYS_MINIMUM, WorkingCalendar
from docgen.config import open_workspace
from docgen.office_calendar import working_calendar

ROOT = Path(__file__).resolve().parents[2]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _saturdays(year: int) -> list[date]:
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    return [first + timedelta(n) for n in range(days) if (first + timedelta(n)).weekday() == 5]


def test_2025_observed_days_off_are_days_off(tmp_path: Path) -> None:
    # docgen's working calendar as the commands build it: a workspace without an
    # office calendar CSV, so the holidays package alone decides.
    cal = working_calendar(open_workspace(tmp_path))
    assert not cal.is_working_day(date(2025, 9, 29))  # 孔子誕辰紀念日 9/28 (Sun), observed
    assert not cal.is_working_day(date(2025, 10, 24))  # 光復節 10/25 (Sat), observed
    assert not cal.is_working_day(date(2025, 12, 25))  # 行憲紀念日, a Thursday
    assert cal.is_working_day(date(2025, 9, 30)) and cal.is_working_day(date(2025, 10, 23))
    # R5.2 counts across them: 10 working days before Mon 2025-10-27.
    assert cal.add_working_days(date(2025, 10, 27), -10) == date(2025, 10, 9)


def test_no_make_up_saturdays_from_2026() -> None:
    cal = WorkingCalendar()
    assert [d for d in _saturdays(2025) if cal.is_working_day(d)] == [date(2025, 2, 8)]
    for year in (2026, 2027):
        assert [d for d in _saturdays(year) if cal.is_working_day(d)] == [], year


def test_the_pin_and_the_installed_release() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("holidays")]
    assert pins == [f"holidays>={HOLIDAYS_MINIMUM}"]
    assert _version(holidays.__version__) >= _version(HOLIDAYS_MINIMUM)
