"""Taiwan working days: holidays, observed days, make-up Saturdays, the office's
official calendar CSV (Big5 or UTF-8) overriding them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from docgen.calendar import WorkingCalendar, parse_office_calendar
from docgen.config import open_workspace
from docgen.errors import ConfigError, InputError
from docgen.office_calendar import working_calendar

CAL = WorkingCalendar()
HEADER = "西元日期,星期,是否放假,備註\r\n"


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def test_2026_lunar_new_year_is_nine_days_off() -> None:
    # 115年春節: Saturday 2/14 to Sunday 2/22 (DGPA calendar), 2/20 as 補假.
    assert CAL.is_working_day(date(2026, 2, 13))
    assert not any(CAL.is_working_day(d) for d in _days(date(2026, 2, 14), date(2026, 2, 22)))
    assert CAL.is_working_day(date(2026, 2, 23))
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_observed_day_for_a_holiday_on_saturday() -> None:
    # 228 fell on Saturday in 2026: Friday 2/27 off; National Day 10/10 too: 10/9 off.
    assert not CAL.is_working_day(date(2026, 2, 27))
    assert not CAL.is_working_day(date(2026, 10, 9))
    assert CAL.is_working_day(date(2026, 10, 8))


def test_2025_make_up_working_saturday() -> None:
    # 114年: 1/27 made a day off, worked back on Saturday 2/8 (補行上班).
    assert not CAL.is_working_day(date(2025, 1, 27))
    assert CAL.is_working_day(date(2025, 2, 8))
    assert not CAL.is_working_day(date(2025, 2, 9))
    assert not CAL.is_working_day(date(2025, 2, 15))
    assert CAL.working_days_between(date(2025, 2, 7), date(2025, 2, 10)) == 2
    assert CAL.add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)


def test_ten_working_days_before_2026_10_12() -> None:
    # Back from Mon 10/12: 10/9 observed National Day; 9/28 Teacher's Day; 9/25 Mid-Autumn.
    assert CAL.add_working_days(date(2026, 10, 12), -10) == date(2026, 9, 23)
    assert CAL.add_working_days(date(2026, 12, 4), -10) == date(2026, 11, 20)


def test_add_working_days_edges() -> None:
    saturday = date(2026, 10, 3)
    assert CAL.add_working_days(saturday, 0) == saturday
    assert CAL.add_working_days(saturday, 1) == date(2026, 10, 5)
    assert CAL.add_working_days(saturday, -1) == date(2026, 10, 2)
    assert CAL.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


@pytest.mark.parametrize("n", [-25, -10, -1, 0, 1, 7, 30])
def test_between_inverts_add(n: int) -> None:
    for start in (date(2026, 9, 23), date(2026, 10, 10), date(2026, 2, 14)):
        end = CAL.add_working_days(start, n)
        assert CAL.working_days_between(start, end) == n


def test_between_counts_a_month() -> None:
    # October 2026: 22 weekdays less 10/9 (observed) and 10/26 (光復節 observed).
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 31)) == 20
    # Backwards it counts [b, a): Wednesday 9/30 is in, Saturday 10/31 out.
    assert CAL.working_days_between(date(2026, 10, 31), date(2026, 9, 30)) == -21
    assert CAL.working_days_between(date(2026, 10, 31), date(2026, 10, 1)) == -20


def test_datetime_counts_as_its_date() -> None:
    from datetime import datetime

    assert CAL.is_working_day(datetime(2025, 2, 8, 10, 30))


def _big5_calendar() -> bytes:
    text = HEADER + "20261009,五,0,測試：改為上班\r\n20261012,一,2,颱風停止上班\r\n\r\n"
    return text.encode("cp950")


def test_big5_office_calendar_overrides() -> None:
    data = _big5_calendar()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    overrides = parse_office_calendar(data, "115年辦公日曆表.csv")
    assert overrides == {date(2026, 10, 9): True, date(2026, 10, 12): False}
    office = WorkingCalendar(overrides)
    assert office.is_working_day(date(2026, 10, 9))
    assert not office.is_working_day(date(2026, 10, 12))
    assert office.is_working_day(date(2026, 10, 13))
    assert office.add_working_days(date(2026, 10, 13), -1) == date(2026, 10, 9)
    assert CAL.is_working_day(date(2026, 10, 12))  # the default calendar is untouched


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_office_calendar(encoding: str) -> None:
    data = (HEADER + "20250208,六,0,補行上班\r\n20250209,日,2,\r\n").encode(encoding)
    assert parse_office_calendar(data, "x.csv") == {date(2025, 2, 8): True, date(2025, 2, 9): False}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026/10/09,五,0,", "x.csv, row 3, field 西元日期: '2026/10/09' is not a date YYYYMMDD"),
        ("20260230,一,2,", "x.csv, row 3, field 西元日期: impossible date '20260230'"),
        ("20261009,五,1,", "x.csv, row 3, field 是否放假: '1' is not 0 (work) or 2 (off)"),
        ("20261009,五,,", "x.csv, row 3, field 是否放假: '' is not 0 (work) or 2 (off)"),
        ("20261001,四,2,", "x.csv, row 3, field 西元日期: 2026-10-01 listed twice"),
    ],
)
def test_bad_calendar_rows_name_source_row_and_field(row: str, message: str) -> None:
    data = (HEADER + "20261001,四,0,\r\n" + row + "\r\n").encode("utf-8")
    with pytest.raises(InputError) as caught:
        parse_office_calendar(data, "x.csv")
    assert str(caught.value) == message


def test_row_numbers_count_blank_lines() -> None:
    data = (HEADER + "20261001,四,0,\r\n\r\n,,,\r\n20261002,五,7,\r\n").encode("utf-8")
    with pytest.raises(InputError, match=r"x\.csv, row 5, field 是否放假"):
        parse_office_calendar(data, "x.csv")


def test_calendar_with_wrong_header() -> None:
    with pytest.raises(InputError, match=r"x.csv, row 1: missing column 是否放假"):
        parse_office_calendar("西元日期,星期,放假\n20261001,四,0\n".encode(), "x.csv")


def test_calendar_in_another_encoding() -> None:
    with pytest.raises(InputError, match="not a UTF-8 or Big5"):
        parse_office_calendar(HEADER.encode("utf-16"), "x.csv")


def _workspace(tmp_path: Path, office_calendar: str) -> Path:
    (tmp_path / "docgen.toml").write_text(
        f'[paths]\noffice_calendar = "{office_calendar}"\n', encoding="utf-8"
    )
    return tmp_path


def test_workspace_folder_of_calendars(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "calendar"
    folder.mkdir(parents=True)
    (folder / "114.csv").write_bytes((HEADER + "20250210,一,2,\r\n").encode("utf-8-sig"))
    (folder / "115.csv").write_bytes(_big5_calendar())
    (folder / "notes.txt").write_text("not a calendar", encoding="utf-8")
    cal = working_calendar(open_workspace(_workspace(tmp_path, "data/calendar")))
    assert not cal.is_working_day(date(2025, 2, 10))
    assert cal.is_working_day(date(2026, 10, 9))
    assert not cal.is_working_day(date(2026, 10, 12))
    assert cal.is_working_day(date(2025, 2, 8))  # not in the CSVs: the holidays package


def test_workspace_single_calendar_file(tmp_path: Path) -> None:
    (tmp_path / "cal.csv").write_bytes(_big5_calendar())
    cal = working_calendar(open_workspace(_workspace(tmp_path, "cal.csv")))
    assert not cal.is_working_day(date(2026, 10, 12))


def test_workspace_without_calendar_uses_taiwan_calendar(tmp_path: Path) -> None:
    cal = working_calendar(open_workspace(tmp_path))
    assert cal.is_working_day(date(2025, 2, 8))


def test_workspace_bad_calendar_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "115.csv").write_bytes((HEADER + "20261009,五,9,\r\n").encode("cp950"))
    with pytest.raises(InputError, match=r"115\.csv, row 2, field 是否放假"):
        working_calendar(open_workspace(_workspace(tmp_path, "cal")))


def test_workspace_contradicting_calendars(tmp_path: Path) -> None:
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "a.csv").write_bytes((HEADER + "20261009,五,0,\r\n").encode())
    (folder / "b.csv").write_bytes((HEADER + "20261009,五,2,\r\n").encode())
    with pytest.raises(InputError, match=r"b\.csv: 2026-10-09 contradicts .*a\.csv"):
        working_calendar(open_workspace(_workspace(tmp_path, "cal")))


def test_workspace_missing_calendar(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"paths\.office_calendar: .*nowhere\.csv does not exist"):
        working_calendar(open_workspace(_workspace(tmp_path, "nowhere.csv")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no office calendar CSV files"):
        working_calendar(open_workspace(_workspace(tmp_path, "empty")))
