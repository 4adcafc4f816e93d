"""The account registry's tables in the office database (ISSUE 10 items 1 and 4).

* ``accounts``: the registry as last imported, one row per account with every field
  of :class:`docgen.records.models.Account`. Role and status are stored as the
  regulation's words (``一般使用者``, ``啟用``). The national ID is the account
  holder's (an employee, not a queried person): stored as the registry gives it,
  since 附件2/附件3 need it (R3.2, R3.3), and masked in every report. ``position``
  keeps the order of the file last imported (listings follow the office's order).
* ``account_events``: each account's history, kept when the account leaves the
  registry. ``kind`` is one of :data:`EVENT_KINDS`; ``on`` the date the registry
  gives for it (the day it was recorded when it gives none); ``changes_json`` maps
  each field to ``[old, new]`` (dates ISO, a national ID masked); ``source_sha256``
  the SHA-256 of the file it came from.
* ``account_reviews``: the six-monthly account review (清查, R4.1a): its date, when
  and by whom it was done, and the counts of accounts it flagged per category.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from docgen.db.base import Base

#: What can happen to an account: the registry's own transitions (R4.1b, R4.1c,
#: R4.2), papers on file (R3.2, R3.3), other field changes, an account first taken
#: into the database, and one removed from it (``accounts import --remove``).
EVENT_KINDS = (
    *("imported", "opened", "suspended", "resumed", "cancelled"),
    *("papers-on-file", "changed", "removed"),
)


class RegistryAccount(Base):
    """One account of the registry (the columns of ``data/accounts.csv``)."""

    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    national_id: Mapped[str] = mapped_column(String)
    unit: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(String, default="")
    role: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    opened: Mapped[date]
    last_used: Mapped[date | None] = mapped_column(default=None)
    suspended_on: Mapped[date | None] = mapped_column(default=None)
    cancelled_on: Mapped[date | None] = mapped_column(default=None)
    departure_on: Mapped[date | None] = mapped_column(default=None)
    cancellation_requested_on: Mapped[date | None] = mapped_column(default=None)
    application_on: Mapped[date | None] = mapped_column(default=None)
    pledge_on: Mapped[date | None] = mapped_column(default=None)
    phone: Mapped[str] = mapped_column(String, default="")
    email: Mapped[str] = mapped_column(String, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)  # its row in the file


class AccountEvent(Base):
    """One entry of an account's history (no foreign key: it outlives the account)."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String)
    on: Mapped[date]
    changes_json: Mapped[str] = mapped_column(Text, default="{}")
    source: Mapped[str] = mapped_column(String, default="")  # the file's name
    source_sha256: Mapped[str] = mapped_column(String, default="")
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String, default="")


class AccountReview(Base):
    """One account review (R4.1a) as of ``as_of``."""

    __tablename__ = "account_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(index=True)
    findings: Mapped[int] = mapped_column(Integer, default=0)  # rows of the review
    counts_json: Mapped[str] = mapped_column(Text, default="{}")  # 帳號數, each category
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String, default="")


class AccountRequest(Base):
    """A request to open, change, suspend, resume or cancel an account (ISSUE 13 item 3;
    R2.2, R3, R4, R5.2), as the web carries it: requested (its 附件2 of that type, and
    附件3 for a new general user, in ``files``), approved by the 處長或授權人員, then
    done on the platform on ``done_on`` by the 管理者 — which changes the registry.
    ``details_json`` holds the fields the request gives (the holder's national ID as
    附件2 needs it, like the registry). ``late`` flags a cancellation requested fewer
    than 10 working days before leaving (R5.2), flagged when it is entered."""

    __tablename__ = "account_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String)  # open|change|suspend|resume|cancel
    account_id: Mapped[str] = mapped_column(String, index=True)
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    requested_on: Mapped[date]
    requested_by: Mapped[str] = mapped_column(String)
    late: Mapped[bool] = mapped_column(default=False)
    files_json: Mapped[str] = mapped_column(Text, default="[]")  # the forms, workspace-relative
    state: Mapped[str] = mapped_column(String, default="requested")  # requested|approved|done
    approved_by: Mapped[str] = mapped_column(String, default="")
    approved_name: Mapped[str] = mapped_column(String, default="")
    approved_on: Mapped[date | None] = mapped_column(default=None)
    done_by: Mapped[str] = mapped_column(String, default="")
    done_on: Mapped[date | None] = mapped_column(default=None)
