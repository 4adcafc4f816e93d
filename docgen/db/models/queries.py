"""The query logs taken in, in the office database (ISSUE 10 item 1).

Only the facts the reports need are kept, never the population itself: per log its
hash, size, period and row counts; per month, unit and account how many queries it
had (the missing report's and the evidence check's monthly checks, R6.2); and each
query that records no justification (the R5.1 anomalies), with the queried person's
ID and name masked (R8: :mod:`docgen.privacy`, the office's masking policy).

* ``QueryLogFile.name``: the file's name as given, with any national ID in it masked.
* ``QueryLogFile.months``: the months (``YYYY-MM``) it has queries in, space-separated.
* ``QueryCount.unit``: the log's 查詢人員單位, else the registry's unit of the account
  when the log was taken in, else ``""`` (unknown: a report looks the account up again).
* ``QueryAnomaly.kind``: ``no_justification`` (R5.1).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from docgen.db.base import Base


class QueryLogFile(Base):
    """One query-log file taken in (the same bytes are taken in once)."""

    __tablename__ = "query_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    sha256: Mapped[str] = mapped_column(String, unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    months: Mapped[str] = mapped_column(Text, default="")
    first_at: Mapped[datetime | None] = mapped_column(default=None)
    last_at: Mapped[datetime | None] = mapped_column(default=None)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    bad_rows: Mapped[int] = mapped_column(Integer, default=0)
    taken_in_at: Mapped[datetime] = mapped_column()
    taken_in_by: Mapped[str] = mapped_column(String, default="")


class QueryCount(Base):
    """How many queries an account of a unit made in a month, in one log."""

    __tablename__ = "query_counts"
    __table_args__ = (UniqueConstraint("log_id", "month", "unit", "account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("query_logs.id"), index=True)
    month: Mapped[str] = mapped_column(String, index=True)
    unit: Mapped[str] = mapped_column(String, default="")
    account: Mapped[str] = mapped_column(String)
    queries: Mapped[int] = mapped_column(Integer)


class QueryAnomaly(Base):
    """One logged query without any justification (R5.1), personal data masked (R8)."""

    __tablename__ = "query_anomalies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("query_logs.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    queried_at: Mapped[datetime] = mapped_column()
    month: Mapped[str] = mapped_column(String, index=True)
    unit: Mapped[str] = mapped_column(String, default="")
    account: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    subject_id: Mapped[str] = mapped_column(String)  # masked
    subject_name: Mapped[str] = mapped_column(String, default="")  # masked
