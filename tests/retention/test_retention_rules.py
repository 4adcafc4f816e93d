"""Retention dates against hand-computed cases (R4.2, R6.2–R6.4; 民法 Art. 120–121)."""

from __future__ import annotations

from datetime import date

import pytest

from docgen.rules.retention import (
    REGULATION_MINIMUMS,
    RecordFacts,
    RetentionRule,
    Status,
    Term,
    Trigger,
    parse_term,
    retention_of,
    rule_problems,
    undefined_rule,
)

ACCOUNT_RULE = RetentionRule("account_application", Trigger.ACCOUNT_CANCELLATION, Term(5))
AUDIT_RULE = RetentionRule("monthly_check", Trigger.REVIEW_ELSE_PERIOD_END, Term(3))


def cancelled(on: date) -> RecordFacts:
    return RecordFacts(account_known=True, account_cancelled=True, cancelled_on=on)


def test_cancellation_on_29_february_runs_five_years_to_28_february() -> None:
    # Trigger 2024-02-29 (not counted) → starts 2024-03-01 → ends 2029-02-28.
    facts = cancelled(date(2024, 2, 29))
    before = retention_of(ACCOUNT_RULE, facts, date(2029, 2, 28))
    after = retention_of(ACCOUNT_RULE, facts, date(2029, 3, 1))
    assert before.status is Status.RETAINED
    assert before.ends == date(2029, 2, 28)
    assert before.candidate_from == date(2029, 3, 1)
    assert after.status is Status.CANDIDATE
    assert after.trigger_date == date(2024, 2, 29)


def test_ordinary_cancellation_ends_on_the_corresponding_day() -> None:
    result = retention_of(ACCOUNT_RULE, cancelled(date(2021, 6, 15)), date(2026, 6, 16))
    assert (result.ends, result.status) == (date(2026, 6, 15), Status.CANDIDATE)
    on_last_day = retention_of(ACCOUNT_RULE, cancelled(date(2021, 6, 15)), date(2026, 6, 15))
    assert on_last_day.status is Status.RETAINED


def test_active_account_is_kept_while_active() -> None:
    facts = RecordFacts(account_known=True, account_cancelled=False)
    result = retention_of(ACCOUNT_RULE, facts, date(2099, 1, 1))
    assert result.status is Status.KEPT_WHILE_ACTIVE
    assert "未註銷" in result.reason


def test_unknown_account_or_missing_cancellation_date_is_not_guessed() -> None:
    unknown = retention_of(ACCOUNT_RULE, RecordFacts(), date(2099, 1, 1))
    no_date = RecordFacts(account_known=True, account_cancelled=True)
    assert unknown.status is Status.UNKNOWN and "清冊" in unknown.reason
    assert retention_of(ACCOUNT_RULE, no_date, date(2099, 1, 1)).status is Status.UNKNOWN


def test_review_date_wins_over_period_end() -> None:
    facts = RecordFacts(review_date=date(2026, 11, 20), period_end=date(2026, 10, 31))
    result = retention_of(AUDIT_RULE, facts, date(2029, 11, 20))
    assert result.trigger_date == date(2026, 11, 20)
    assert result.ends == date(2029, 11, 20)
    assert result.status is Status.RETAINED
    assert retention_of(AUDIT_RULE, facts, date(2029, 11, 21)).status is Status.CANDIDATE


def test_period_end_when_there_is_no_review() -> None:
    facts = RecordFacts(period_end=date(2026, 10, 31))
    result = retention_of(AUDIT_RULE, facts, date(2029, 11, 1))
    assert (result.ends, result.candidate_from) == (date(2029, 10, 31), date(2029, 11, 1))
    assert result.status is Status.CANDIDATE


def test_half_year_ending_30_june() -> None:
    rule = RetentionRule("half_year_audit", Trigger.REVIEW_ELSE_PERIOD_END, Term(3))
    result = retention_of(rule, RecordFacts(period_end=date(2026, 6, 30)), date(2029, 6, 30))
    assert result.ends == date(2029, 6, 30) and result.status is Status.RETAINED


def test_undefined_category_is_reported_not_guessed() -> None:
    result = retention_of(undefined_rule("external_audit"), RecordFacts(), date(2099, 1, 1))
    assert result.status is Status.UNDEFINED
    assert result.candidate_from is None


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("5年", Term(5)),
        ("5 years", Term(5)),
        ("5", Term(5)),
        ("3年6個月", Term(3, 6)),
        ("18 months", Term(1, 6)),
        ("undefined", None),
        ("未定", None),
    ],
)
def test_parse_term(text: str, term: Term | None) -> None:
    assert parse_term(text) == term


@pytest.mark.parametrize("text", ["five years", "0年", "-3 years", "3 weeks"])
def test_parse_term_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_term(text)


def test_longer_period_allowed_shorter_refused() -> None:
    longer = RetentionRule("monthly_check", Trigger.REVIEW_ELSE_PERIOD_END, Term(10))
    shorter = RetentionRule("monthly_check", Trigger.REVIEW_ELSE_PERIOD_END, Term(2, 11))
    assert rule_problems(longer) == []
    [(where, message)] = rule_problems(shorter)
    assert where == "period" and "shorter" in message and "R6.2" in message


def test_regulated_category_cannot_be_undefined_or_change_trigger() -> None:
    assert rule_problems(undefined_rule("account_application"))[0][0] == "period"
    wrong = RetentionRule("confidentiality_pledge", Trigger.DOCUMENT_DATE, Term(5))
    assert rule_problems(wrong) == [("trigger", "must be account_cancellation (R4.2)")]
    assert set(REGULATION_MINIMUMS) == {
        "account_application",
        "confidentiality_pledge",
        "monthly_check",
        "half_year_audit",
    }


def test_office_may_set_a_rule_for_an_unregulated_category() -> None:
    rule = RetentionRule("external_audit", Trigger.DOCUMENT_DATE, Term(10))
    assert rule_problems(rule) == []
    result = retention_of(rule, RecordFacts(document_date=date(2016, 3, 1)), date(2026, 3, 2))
    assert result.status is Status.CANDIDATE and result.ends == date(2026, 3, 1)
