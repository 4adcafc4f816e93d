"""The account review (清查) as of a date: R4.1, R5.2, R3.2/R3.3 and segregation of duties.

* R4.1b — an active account unused for more than 6 months (or never used, opened
  more than 6 months ago) may be suspended or cancelled: **dormant**.
* R4.1c — an account suspended for one year or more: notify the holder to apply
  for cancellation: **long suspended** (the notification list).

  Both periods are Civil Code periods (民法 Art. 120–121), reckoned with
  :func:`docgen.calendar.civil_code_period_end` as retention reckons R4.2's five years
  (:func:`docgen.rules.retention.candidate_from`): the day of the last use or of the
  suspension is not counted, and the period ends on the day before the corresponding
  day of the last month or year (the month's last day where there is none). The text
  says 「超過 6 個月未使用」 — *more than* 6 months, so an account is dormant from the
  day **after** the 6-month period's last day (:func:`dormant_from`) — and
  「停權一年以上」 — one year *or more*, which includes the exact year, so it is listed
  **on** the one-year period's last day (:func:`long_suspended_from`): suspended
  2024-02-29 → listed from 2025-02-28; suspended 2023-02-28 → from 2024-02-29.
* R5.2 — a user applies to cancel 10 working days before leaving or changing duty:
  a departure whose cancellation was requested later than that, or not at all
  once the deadline has passed, is a **late cancellation**. The review looks at
  departures of the last 6 months and those still to come (R4.1a: the 6-monthly
  review covers who left or changed duty since the previous one).
* R3.2/R3.3 — a general user has 權限申請表 (附件2) and 保密切結書 (附件3) on record,
  an auditor 附件2: otherwise **missing papers**. Papers of an account cancelled
  more than 5 years ago are no longer due (R4.2).
* R6.1 with R3 — the auditor who checks others' use should not query data
  himself: a person holding an auditor account and a general-user account
  (same national ID) is a **dual role**.

Accounts and the working calendar are seen through the Protocols below. Pure.
"""

from __future__ import annotations

import calendar as _month_calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from docgen.calendar import civil_code_period_end, shown_date
from docgen.i18n import N_, _, translate
from docgen.rules.retention import REGULATION_MINIMUMS, candidate_from

USER = "一般使用者"
AUDITOR = "稽核人員"
ACTIVE = "啟用"
SUSPENDED = "停用"
CANCELLED = "註銷"
NOTICE_WORKING_DAYS = 10
#: R4.1b: an account unused for *more than* this many months is dormant.
DORMANT_MONTHS = 6
#: R4.1c: an account suspended for this many years *or more* is listed for notice.
LONG_SUSPENDED_YEARS = 1


class AccountRecord(Protocol):
    """The registry fields the review reads."""

    @property
    def account_id(self) -> str: ...
    @property
    def national_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def opened(self) -> date: ...
    @property
    def last_used(self) -> date | None: ...
    @property
    def suspended_on(self) -> date | None: ...
    @property
    def cancelled_on(self) -> date | None: ...
    @property
    def departure_on(self) -> date | None: ...
    @property
    def cancellation_requested_on(self) -> date | None: ...
    @property
    def application_on(self) -> date | None: ...
    @property
    def pledge_on(self) -> date | None: ...


class WorkingDays(Protocol):
    """The part of the Taiwan working calendar R5.2 needs."""

    def add_working_days(self, day: date, n: int) -> date: ...


class Category(StrEnum):
    """What the review found about an account, with its rule."""

    DORMANT = "逾6個月未使用（R4.1）"
    LONG_SUSPENDED = "停用滿1年，應通知申請註銷（R4.1）"
    LATE_CANCELLATION = "未於離職或調職10個工作日前申請註銷（R5.2）"
    MISSING_PAPERS = "未留存權限申請表或保密切結書（R3.2、R3.3）"
    DUAL_ROLE = "稽核人員兼一般使用者（職務分離）"

    @property
    def label(self) -> str:
        """The category in the current language (the value is what the journal's
        review counts are keyed by: the same in every language)."""
        return translate(_CATEGORY_LABELS[self])


_CATEGORY_LABELS = {
    Category.DORMANT: N_("unused for more than 6 months (R4.1)"),
    Category.LONG_SUSPENDED: N_(
        "suspended for a year or more: notify the holder to apply for cancellation (R4.1)"
    ),
    Category.LATE_CANCELLATION: N_(
        "cancellation not requested 10 working days before leaving or changing duty (R5.2)"
    ),
    Category.MISSING_PAPERS: N_(
        "no permission application or confidentiality pledge on record (R3.2, R3.3)"
    ),
    Category.DUAL_ROLE: N_("auditor who is also a general user (segregation of duties)"),
}


@dataclass(frozen=True)
class Finding:
    """One account in one category, with the facts that put it there (in the current
    language)."""

    category: Category
    account_id: str
    detail: str


def review_accounts(
    accounts: Iterable[AccountRecord], as_of: date, working: WorkingDays
) -> list[Finding]:
    """Every finding of the review (R4.1a) as of ``as_of``: R4.1b, R4.1c, R5.2,
    R3.2/R3.3 and the R6.1 dual role, by category, then account."""
    accounts = list(accounts)
    findings: list[Finding] = []
    for account in accounts:
        findings += _dormant(account, as_of)
        findings += _long_suspended(account, as_of)
        findings += _late_cancellation(account, as_of, working)
        findings += _missing_papers(account, as_of)
    findings += dual_roles(accounts)
    order = list(Category)
    return sorted(findings, key=lambda f: (order.index(f.category), f.account_id))


def months_before(day: date, months: int) -> date:
    """R4.1a: the start of the review's look-back window — the same day ``months``
    earlier (the month's last day where it does not exist). The review covers the
    departures since then (R5.2); the periods of R4.1b/c are Civil Code periods
    (:func:`dormant_from`, :func:`long_suspended_from`), not this window."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    last = _month_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def dormant_from(last: date) -> date:
    """R4.1b: the first day on which an account last used (or, never used, opened) on
    ``last`` has been unused for **more than** 6 months — the day after the last day
    of the 6-month Civil Code period that runs from ``last`` (民法 Art. 120–121).

    >>> dormant_from(date(2026, 5, 30))    # period 2026-05-31 … 2026-11-30
    datetime.date(2026, 12, 1)
    >>> dormant_from(date(2025, 8, 31))    # period 2025-09-01 … 2026-02-28
    datetime.date(2026, 3, 1)
    """
    return civil_code_period_end(last, months=DORMANT_MONTHS) + timedelta(days=1)


def long_suspended_from(since: date) -> date:
    """R4.1c: the first day on which an account suspended on ``since`` has been
    suspended for **one year or more** — the last day of the one-year Civil Code period
    that runs from ``since`` (民法 Art. 120–121; 以上 includes the exact year).

    >>> long_suspended_from(date(2024, 2, 29))   # period 2024-03-01 … 2025-02-28
    datetime.date(2025, 2, 28)
    >>> long_suspended_from(date(2023, 2, 28))   # period 2023-03-01 … 2024-02-29
    datetime.date(2024, 2, 29)
    """
    return civil_code_period_end(since, years=LONG_SUSPENDED_YEARS)


def _dormant(account: AccountRecord, as_of: date) -> list[Finding]:
    """R4.1b: active, and last used (or opened, if never used) over 6 months ago."""
    if account.status != ACTIVE:
        return []
    if account.last_used is not None:
        if as_of < dormant_from(account.last_used):
            return []
        detail = _("last used {date}: unused for more than 6 months").format(
            date=shown_date(account.last_used)
        )
    elif as_of >= dormant_from(account.opened):
        detail = _("never used since it was opened on {date}").format(
            date=shown_date(account.opened)
        )
    else:
        return []
    return [Finding(Category.DORMANT, account.account_id, detail)]


def _long_suspended(account: AccountRecord, as_of: date) -> list[Finding]:
    """R4.1c: suspended, for one year or more as of ``as_of``."""
    since = account.suspended_on
    if account.status != SUSPENDED or since is None or as_of < long_suspended_from(since):
        return []
    detail = _(
        "suspended on {date}, a year or more ago: notify the holder to apply for cancellation"
    ).format(date=shown_date(since))
    return [Finding(Category.LONG_SUSPENDED, account.account_id, detail)]


def _late_cancellation(account: AccountRecord, as_of: date, working: WorkingDays) -> list[Finding]:
    """R5.2: the cancellation request came after the 10-working-day deadline, or the
    deadline has passed without one."""
    if account.departure_on is None or account.departure_on < months_before(as_of, 6):
        return []
    deadline = working.add_working_days(account.departure_on, -NOTICE_WORKING_DAYS)
    requested = account.cancellation_requested_on
    if requested is not None and requested <= deadline:
        return []
    if requested is None and as_of <= deadline:
        return []
    when = (
        _("cancellation requested on {date}").format(date=shown_date(requested))
        if requested
        else _("no cancellation requested")
    )
    detail = _(
        "leaves or changes duty on {departure}: should have applied by {deadline}; {when}"
    ).format(departure=shown_date(account.departure_on), deadline=shown_date(deadline), when=when)
    if account.status == ACTIVE and account.departure_on <= as_of:
        detail = _("{detail}; the account is still active").format(detail=detail)
    return [Finding(Category.LATE_CANCELLATION, account.account_id, detail)]


def _missing_papers(account: AccountRecord, as_of: date) -> list[Finding]:
    """R3.2: a user needs 附件2 and 附件3; R3.3: an auditor needs 附件2 — while they
    must be kept: until the day retention makes them disposal candidates, 5 years
    after the cancellation (R4.2, the same Civil Code period as the archive's)."""
    cancelled = account.cancelled_on
    kept = REGULATION_MINIMUMS["account_application"].term
    if cancelled is not None and as_of >= candidate_from(cancelled, kept):
        return []
    missing = []
    if account.role in (USER, AUDITOR) and account.application_on is None:
        missing.append(_("permission application (附件2)"))
    if account.role == USER and account.pledge_on is None:
        missing.append(_("confidentiality pledge (附件3)"))
    if not missing:
        return []
    detail = _("{role}: no {papers} on record").format(
        role=account.role, papers=_(" or ").join(missing)
    )
    return [Finding(Category.MISSING_PAPERS, account.account_id, detail)]


def dual_roles(accounts: Iterable[AccountRecord]) -> list[Finding]:
    """Segregation of duties (R6.1 with R3.2/R3.3): a person (same national ID) holding both an auditor and a
    general-user account, neither cancelled. One finding per auditor account."""
    by_person: dict[str, list[AccountRecord]] = defaultdict(list)
    for account in accounts:
        if account.status != CANCELLED and account.national_id.strip():
            by_person[account.national_id.strip().upper()].append(account)
    findings = []
    for held in by_person.values():
        users = [a.account_id for a in held if a.role == USER]
        for auditor in (a for a in held if a.role == AUDITOR):
            if users:
                detail = _("the same person also holds the general-user account {accounts}").format(
                    accounts=", ".join(users)
                )
                findings.append(Finding(Category.DUAL_ROLE, auditor.account_id, detail))
    return findings
