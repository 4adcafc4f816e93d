"""The duties a letter fulfils (ISSUE 14 item 4; R6.4, R6.5): done on the day it went
out, late after the deadline, missing when the deadline passed with no letter sent,
and the R6.5 outcome never late (the regulation gives it no date)."""

from __future__ import annotations

from datetime import date

from docgen.archive.missing import DONE, LATE, MISSING, PENDING, letter_rows
from docgen.calendar import parse_period
from docgen.correspondence.stored import Letter
from docgen.rules.obligations import audit_report, ethics_referral

H1 = parse_period("2026-H1")  # its results are due on 31 August 2026


def letter(key: str, sent_on: date | None, number: str = "") -> Letter:
    return Letter(key, date(2026, 8, 1), None, sent_on, number)


def status_of(rows: list[dict[str, object]], required: str) -> tuple[object, object]:
    row = next(r for r in rows if required in str(r["required"]))
    return row["status"], row["done"]


def test_results_sent_by_the_deadline_are_done_after_it_late() -> None:
    duty = [audit_report(H1)]
    on_time = letter_rows(
        duty,
        {"results-letter:2026-H1": letter("results-letter:2026-H1", date(2026, 8, 31), "甲")},
        date(2026, 12, 1),
    )
    assert status_of(on_time, "民政局") == (DONE, "115/08/31")
    late = letter_rows(
        duty,
        {"results-letter:2026-H1": letter("results-letter:2026-H1", date(2026, 9, 1), "乙")},
        date(2026, 12, 1),
    )
    assert status_of(late, "民政局") == (LATE, "115/09/01")
    assert "乙" in str(late[0]["note"])


def test_a_draft_not_sent_fulfils_nothing() -> None:
    duty = [audit_report(H1)]
    drafted = {"results-letter:2026-H1": letter("results-letter:2026-H1", None)}
    assert status_of(letter_rows(duty, drafted, date(2026, 8, 30)), "民政局")[0] == PENDING
    rows = letter_rows(duty, drafted, date(2026, 9, 1))
    assert status_of(rows, "民政局")[0] == MISSING
    assert "not recorded as sent" in str(rows[0]["note"])


def test_the_outcome_waits_on_the_ethics_unit_and_is_never_late() -> None:
    october = parse_period("2026-10")
    duty = [ethics_referral(october)]  # the referral is due with October's check: 30 Nov
    rows = letter_rows(duty, {}, date(2027, 6, 1))
    assert status_of(rows, "ethics unit") == (MISSING, "")
    assert status_of(rows, "outcome")[0] == PENDING
    sent = {"outcome-letter:2026-10": letter("outcome-letter:2026-10", date(2027, 5, 1), "丙")}
    assert status_of(letter_rows(duty, sent, date(2027, 6, 1)), "outcome") == (DONE, "116/05/01")
