"""Query justification (R5.1) and hints for the ethics officer (R6.5).

R5.1: every query records its justification — 公文文號, 案號, 案件名稱, 使用目的 or
法令依據. A query with none of them is an **anomaly** and goes on the list for 政風
(R6.5). Besides that, some queries are worth a look without being wrong in
themselves; they are **hints**, not verdicts: a query by an account that was
suspended or cancelled at the time (R4.1), by an account the registry does not
know, or on a day that was not a working day.

The rule needs only a few fields of a query and of an account, named by the
Protocols below, so it does not depend on how they are read. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from docgen.i18n import N_, translate

SUSPENDED = "停用"
CANCELLED = "註銷"


class QueryFacts(Protocol):
    """What R5.1 looks at in one logged query."""

    @property
    def queried_at(self) -> datetime: ...
    @property
    def account_id(self) -> str: ...
    @property
    def doc_no(self) -> str: ...
    @property
    def case_no(self) -> str: ...
    @property
    def case_name(self) -> str: ...
    @property
    def purpose(self) -> str: ...
    @property
    def legal_basis(self) -> str: ...


class AccountFacts(Protocol):
    """What the hints look at in the account that made a query."""

    @property
    def status(self) -> str: ...
    @property
    def suspended_on(self) -> date | None: ...
    @property
    def cancelled_on(self) -> date | None: ...


class Finding(StrEnum):
    """Why a query is listed; ``is_anomaly`` separates R5.1 anomalies from hints."""

    NO_JUSTIFICATION = "無查詢事由或依據（R5.1）"
    SUSPENDED_ACCOUNT = "查詢時帳號已停用（提示）"
    CANCELLED_ACCOUNT = "查詢時帳號已註銷（提示）"
    UNKNOWN_ACCOUNT = "帳號不在使用者清冊（提示）"
    NON_WORKING_DAY = "非上班日查詢（提示）"

    @property
    def is_anomaly(self) -> bool:
        """R5.1: only a query without justification is an anomaly (listed for 政風,
        R6.5); the other findings are hints for the supervisor."""
        return self is Finding.NO_JUSTIFICATION

    @property
    def label(self) -> str:
        """The finding in the current language (the value, Chinese, is what samples
        store and 附件4 prints)."""
        return translate(_FINDING_LABELS[self])


_FINDING_LABELS = {
    Finding.NO_JUSTIFICATION: N_("no reason or basis for the query (R5.1)"),
    Finding.SUSPENDED_ACCOUNT: N_("account suspended at the time of the query (hint)"),
    Finding.CANCELLED_ACCOUNT: N_("account cancelled at the time of the query (hint)"),
    Finding.UNKNOWN_ACCOUNT: N_("account not in the user registry (hint)"),
    Finding.NON_WORKING_DAY: N_("query on a non-working day (hint)"),
}


def has_justification(query: QueryFacts) -> bool:
    """R5.1: at least one of 公文文號, 案號, 案件名稱, 使用目的, 法令依據 is filled in."""
    return bool(
        query.doc_no.strip()
        or query.case_no.strip()
        or query.case_name.strip()
        or query.purpose.strip()
        or query.legal_basis.strip()
    )


def check_query(
    query: QueryFacts,
    account: AccountFacts | None,
    is_working_day: Callable[[date], bool],
) -> list[Finding]:
    """Every finding for one query, the R5.1 anomaly first; empty when all is well.

    ``account`` is the registry's account of ``query.account_id`` (None if unknown);
    ``is_working_day`` is the Taiwan working calendar's test.
    """
    findings = [] if has_justification(query) else [Finding.NO_JUSTIFICATION]
    findings += account_hints(query.queried_at.date(), account)
    if not is_working_day(query.queried_at.date()):
        findings.append(Finding.NON_WORKING_DAY)
    return findings


def account_hints(day: date, account: AccountFacts | None) -> list[Finding]:
    """Hints about the account on ``day``: unknown, cancelled, or suspended (R4.1).

    A suspension counts while the account is still not active (the registry keeps
    no date of re-activation); a cancellation counts from its date on.
    """
    if account is None:
        return [Finding.UNKNOWN_ACCOUNT]
    if account.cancelled_on is not None and account.cancelled_on <= day:
        return [Finding.CANCELLED_ACCOUNT]
    suspended = account.status in (SUSPENDED, CANCELLED)
    if suspended and account.suspended_on is not None and account.suspended_on <= day:
        return [Finding.SUSPENDED_ACCOUNT]
    return []
