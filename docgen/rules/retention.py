"""Retention of archived records, as pure rules (DESIGN.md, Retention; RULES.md, Decisions).

* R4.2: an account's application form (附件2) and confidentiality pledge (附件3) are
  kept at least **5 years after the account's cancellation**, and for as long as the
  account is not cancelled.
* R6.2: the monthly spot check (附件4 月抽查) with its evidence: at least **3 years**.
* R6.3–R6.4: the half-year audit (附件4 半年抽查, 附件5, evidence, colour-scan
  package): at least **3 years**.
* Audit records count from the director's review (核閱) else the period's end.
* Periods end by the Civil Code rule (民法 Art. 120–121, :func:`civil_code_period_end`);
  a record becomes a disposal **candidate** the day after the period's last day.
* The regulation's periods are minimums: a schedule may lengthen them, never shorten.
* A category the regulation gives no period (附件1, 附件6, anything else) is
  **undefined** until the office sets a rule; it is never guessed.

Pure: no I/O, no clock (``as_of`` is passed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from docgen.calendar import civil_code_period_end
from docgen.i18n import N_, _, translate

#: Every retention category (docgen.rules.record_id.CATEGORY_BY_FORM, plus ``other``).
CATEGORIES = (
    "account_application",
    "confidentiality_pledge",
    "monthly_check",
    "half_year_audit",
    "security_agreement",
    "external_audit",
    "other",
)


class Trigger(StrEnum):
    """The event a retention period counts from."""

    ACCOUNT_CANCELLATION = "account_cancellation"
    """The account's cancellation date in the registry (R4.2); kept while not cancelled."""
    REVIEW_ELSE_PERIOD_END = "review_else_period_end"
    """The director's review date in the record's metadata, else its period's end."""
    DOCUMENT_DATE = "document_date"
    """The record's own date (for a rule the office sets on an unregulated category)."""
    NONE = "none"
    """No rule: the category's retention is undefined."""


TRIGGER_LABELS = {
    Trigger.ACCOUNT_CANCELLATION: "帳號註銷日",
    Trigger.REVIEW_ELSE_PERIOD_END: "處長核閱日（無則期間末日）",
    Trigger.DOCUMENT_DATE: "文件日期",
    Trigger.NONE: "未定",
}


@dataclass(frozen=True, order=True)
class Term:
    """A retention period in years and months."""

    years: int
    months: int = 0

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def label(self) -> str:
        """As on a destruction list: ``5年``, ``3年6個月``, ``18個月``."""
        years = f"{self.years}年" if self.years else ""
        months = f"{self.months}個月" if self.months else ""
        return years + months


_TERM = re.compile(
    r"^\s*(?:(\d+)\s*(?:年|y|yr|yrs|years?))?\s*(?:(\d+)\s*(?:個月|月|m|mo|months?))?\s*$",
    re.IGNORECASE,
)
_UNDEFINED = {"undefined", "none", "null", "~", "未定", ""}


def parse_term(text: str) -> Term | None:
    """``"5 years"``, ``"5年"``, ``"5"`` (years), ``"3年6個月"``, ``"18 months"`` → a
    :class:`Term`; ``"undefined"``/``"未定"`` → None. Raises ValueError on anything else."""
    cleaned = text.strip()
    if cleaned.lower() in _UNDEFINED:
        return None
    if cleaned.isdigit():
        cleaned += "年"
    match = _TERM.match(cleaned)
    if match is None or not any(match.groups()):
        raise ValueError(
            _(
                "period {text!r} is not a period: write e.g. '5 years', '5年', '3年6個月' "
                "or 'undefined'"
            ).format(text=text)
        )
    term = Term(int(match.group(1) or 0), int(match.group(2) or 0))
    if term.total_months == 0:
        raise ValueError(
            _("period {text!r} is zero: a retention period must be positive").format(text=text)
        )
    return Term(term.total_months // 12, term.total_months % 12)


@dataclass(frozen=True)
class Minimum:
    """What the regulation itself requires of a category."""

    trigger: Trigger
    term: Term
    rule_id: str


#: The regulation's minimums; categories not listed here have no rule (undefined).
REGULATION_MINIMUMS = {
    "account_application": Minimum(Trigger.ACCOUNT_CANCELLATION, Term(5), "R4.2"),
    "confidentiality_pledge": Minimum(Trigger.ACCOUNT_CANCELLATION, Term(5), "R4.2"),
    "monthly_check": Minimum(Trigger.REVIEW_ELSE_PERIOD_END, Term(3), "R6.2"),
    "half_year_audit": Minimum(Trigger.REVIEW_ELSE_PERIOD_END, Term(3), "R6.3–R6.4"),
}


@dataclass(frozen=True)
class RetentionRule:
    """One line of the retention schedule; ``term`` None means undefined."""

    category: str
    trigger: Trigger
    term: Term | None
    rule_id: str = ""
    label_zh: str = ""
    label_en: str = ""

    @property
    def defined(self) -> bool:
        return self.term is not None and self.trigger is not Trigger.NONE

    @property
    def term_label(self) -> str:
        """保存年限 as shown to archive staff, e.g. ``帳號註銷後5年`` (R4.2) or ``未定``."""
        if self.term is None or not self.defined:
            return "未定"
        prefix = "帳號註銷後" if self.trigger is Trigger.ACCOUNT_CANCELLATION else ""
        return prefix + self.term.label


def undefined_rule(category: str) -> RetentionRule:
    """The rule of a category nobody has given a period (reported as 'undefined')."""
    return RetentionRule(category, Trigger.NONE, None)


def rule_problems(rule: RetentionRule) -> list[tuple[str, str]]:
    """What is wrong with ``rule`` against the regulation's minimums (R4.2, R6.2,
    R6.3–R6.4; lengthening is allowed, shortening never), as (field, problem) pairs
    (field ``category``, ``trigger`` or ``period``); empty when it is acceptable."""
    if rule.category not in CATEGORIES:
        known = ", ".join(CATEGORIES)
        problem = _("unknown category {category!r}: use one of {categories}")
        return [("category", problem.format(category=rule.category, categories=known))]
    if (rule.term is None) != (rule.trigger is Trigger.NONE):
        return [("period", _("trigger and period must both be given, or both be undefined"))]
    minimum = REGULATION_MINIMUMS.get(rule.category)
    if minimum is None:
        return []
    if rule.term is None:
        problem = _("the regulation requires {minimum}; it cannot be undefined")
        return [("period", problem.format(minimum=_describe(minimum)))]
    problems = []
    if rule.trigger is not minimum.trigger:
        problem = _("must be {trigger} ({rule})")
        problems.append(
            ("trigger", problem.format(trigger=minimum.trigger.value, rule=minimum.rule_id))
        )
    if rule.term < minimum.term:
        problem = _(
            "{period} is shorter than the regulation's minimum ({minimum}); "
            "periods may be lengthened, never shortened"
        )
        problems.append(
            ("period", problem.format(period=rule.term.label, minimum=_describe(minimum)))
        )
    return problems


def _describe(minimum: Minimum) -> str:
    return _("at least {period} from {trigger}, {rule}").format(
        period=minimum.term.label, trigger=minimum.trigger.value, rule=minimum.rule_id
    )


class Status(StrEnum):
    """Where a record stands on its retention as of a date (labels for archive staff)."""

    CANDIDATE = "已屆保存年限"
    RETAINED = "保存中"
    KEPT_WHILE_ACTIVE = "帳號未註銷，持續保存"
    UNDEFINED = "保存年限未定"
    UNKNOWN = "無法計算"

    @property
    def label(self) -> str:
        """The status in the current language, for reports (the value, Chinese, is
        what destruction lists print)."""
        return translate(_STATUS_LABELS[self])


_STATUS_LABELS = {
    Status.CANDIDATE: N_("retention period over"),
    Status.RETAINED: N_("retained"),
    Status.KEPT_WHILE_ACTIVE: N_("account not cancelled: kept"),
    Status.UNDEFINED: N_("retention period not set"),
    Status.UNKNOWN: N_("cannot be reckoned"),
}


@dataclass(frozen=True)
class RecordFacts:
    """What retention needs to know of one record.

    ``account_known`` says whether ``subject`` was found in the registry;
    ``cancelled_on`` is its cancellation date there (None while not cancelled).
    """

    review_date: date | None = None
    period_end: date | None = None
    document_date: date | None = None
    account_known: bool = False
    account_cancelled: bool = False
    cancelled_on: date | None = None


@dataclass(frozen=True)
class Retention:
    """A record's retention as of a date: ``ends`` is the period's last day,
    ``candidate_from`` the day after; ``reason`` explains UNKNOWN and KEPT statuses."""

    status: Status
    trigger_date: date | None = None
    ends: date | None = None
    candidate_from: date | None = None
    reason: str = ""


@lru_cache(maxsize=65536)
def candidate_from(trigger: date, term: Term) -> date:
    """The first day a record is a candidate: the day after the Civil Code period
    (民法 Art. 120–121) of ``term`` counted from ``trigger`` ends (R4.2: 5 years from
    the cancellation; R6.2–R6.4: 3 years from the review)."""
    return civil_code_period_end(trigger, years=term.years, months=term.months) + timedelta(1)


def trigger_date(rule: RetentionRule, facts: RecordFacts) -> tuple[date | None, str]:
    """The date ``rule`` counts from for ``facts``, or None with the reason it cannot:
    the account's cancellation (R4.2), the director's review else the period's end
    (R6.2–R6.4), or the document's date."""
    if rule.trigger is Trigger.ACCOUNT_CANCELLATION:
        if not facts.account_known:
            return None, "帳號不在帳號清冊中"
        if not facts.account_cancelled:
            return None, "帳號未註銷，持續保存（R4.2）"
        if facts.cancelled_on is None:
            return None, "帳號已註銷但清冊未載註銷日期"
        return facts.cancelled_on, ""
    if rule.trigger is Trigger.REVIEW_ELSE_PERIOD_END:
        found = facts.review_date or facts.period_end
        return found, "" if found else "無核閱日期，亦無所屬期間"
    found = facts.document_date
    return found, "" if found else "無文件日期"


def retention_of(rule: RetentionRule, facts: RecordFacts, as_of: date) -> Retention:
    """The retention of one record as of ``as_of`` under ``rule`` (R4.2, R6.2–R6.4)."""
    if rule.term is None or not rule.defined:
        return Retention(Status.UNDEFINED, reason="保存年限表未訂此類別之保存年限")
    start, reason = trigger_date(rule, facts)
    if start is None:
        active = rule.trigger is Trigger.ACCOUNT_CANCELLATION and facts.account_known
        active = active and not facts.account_cancelled
        return Retention(Status.KEPT_WHILE_ACTIVE if active else Status.UNKNOWN, reason=reason)
    first = candidate_from(start, rule.term)
    status = Status.CANDIDATE if as_of >= first else Status.RETAINED
    return Retention(status, start, first - timedelta(1), first)
