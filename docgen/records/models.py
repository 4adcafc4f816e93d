"""Typed records of the office's data: accounts of the registry and logged queries.

Plain frozen, slotted dataclasses (not pydantic models) so that a million-row query
log validates quickly; the readers in :mod:`docgen.records` do the validation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from docgen.i18n import N_


class Role(StrEnum):
    """The roles of the regulation an account can hold (R2.2, R3.1, R6.1)."""

    USER = "一般使用者"
    AUDITOR = "稽核人員"
    ADMIN = "管理者"


class Status(StrEnum):
    """The state of an account on the platform (R4.1b, R4.1c, R4.2)."""

    ACTIVE = "啟用"
    SUSPENDED = "停用"
    CANCELLED = "註銷"


#: A role as reports show it to people; the registry file keeps the Chinese word itself
#: (the :class:`Role` value, read back by :mod:`docgen.records.accounts`) in every language.
ROLE_LABELS: dict[Role, str] = {
    Role.USER: N_("General user"),
    Role.AUDITOR: N_("Auditor"),
    Role.ADMIN: N_("Administrator"),
}
#: A state as reports show it to people (the registry file keeps the :class:`Status` word).
STATUS_LABELS: dict[Status, str] = {
    Status.ACTIVE: N_("active"),
    Status.SUSPENDED: N_("suspended"),
    Status.CANCELLED: N_("cancelled"),
}


@dataclass(frozen=True, slots=True)
class Account:
    """One row of the account registry (``data/accounts.csv``)."""

    account_id: str
    name: str
    national_id: str
    unit: str
    title: str
    role: Role
    status: Status
    opened: date
    last_used: date | None
    suspended_on: date | None
    cancelled_on: date | None
    departure_on: date | None
    cancellation_requested_on: date | None
    application_on: date | None
    pledge_on: date | None
    phone: str
    email: str


#: The justification fields of a query, in the order of R5.1.
JUSTIFICATION_FIELDS = ("doc_no", "case_no", "case_name", "purpose", "legal_basis")


@dataclass(frozen=True, slots=True)
class Query:
    """One logged query of household data; ``row`` counts as a person would (header = 1)."""

    source: str
    row: int
    queried_at: datetime
    account_id: str
    subject_id: str
    subject_name: str
    item: str
    doc_no: str
    case_no: str
    case_name: str
    purpose: str
    legal_basis: str
    unit: str

    @property
    def justification(self) -> str:
        """The non-empty ones of 公文文號/案號/案件名稱/使用目的/法令依據 joined with "；"
        ("" when the query records no justification at all, an anomaly under R5.1)."""
        parts = (self.doc_no, self.case_no, self.case_name, self.purpose, self.legal_basis)
        return "；".join(p for p in parts if p)


#: A mutable twin of :class:`Query` with the very same slots, for :func:`build_query`.
_QueryBuilder = make_dataclass(
    "_QueryBuilder", [(f.name, f.type) for f in fields(Query)], slots=True
)


def build_query(*values: Any) -> Query:
    """``Query(*values)``, about five times faster, for readers that build millions.

    A frozen dataclass sets each field through ``object.__setattr__``; this builds the
    mutable twin (same slots, same layout) and makes it a :class:`Query`, which is
    then as immutable as any other."""
    query = _QueryBuilder(*values)
    query.__class__ = Query
    return query
