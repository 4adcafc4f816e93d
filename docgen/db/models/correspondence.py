"""The 函 and 簽 docgen drafted and what became of them (ISSUE 14 item 4).

``correspondence``: one row per document, keyed by ``doc_key`` — what it is and for
which period or account (``results-letter:2026-H1``, ``referral-memo:2026-10``,
``holder-notice:u1001``); :data:`docgen.correspondence.drafts.KINDS` names the kinds.
A draft made again replaces the row's draft fields until the document is sent;
``sent_on`` and ``sent_number`` (the 文號 it went out under) close it: the R6.4
report, the R6.5 outcome and the destruction approval count as done on that date
(:mod:`docgen.rules.obligations`). ``subject`` (主旨) and ``outcome`` hold no
personal data of queried persons: the documents carry counts, and the lists they
attach are masked (R8).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from docgen.db.base import Base


class Correspondence(Base):
    """A drafted 函 or 簽, and the day and number it went out under."""

    __tablename__ = "correspondence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_key: Mapped[str] = mapped_column(String, unique=True)
    kind: Mapped[str] = mapped_column(String, index=True)
    form: Mapped[str] = mapped_column(String)  # 函 | 簽
    period: Mapped[str] = mapped_column(String, default="")  # 2026-H1, 2026-10, ""
    subject: Mapped[str] = mapped_column(Text)
    receiver: Mapped[str] = mapped_column(String, default="")
    due: Mapped[date | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")  # R6.5 議處結果
    record_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # listed records
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # path, sha256
    drafted_by: Mapped[str] = mapped_column(String, default="")
    drafted_at: Mapped[datetime]
    sent_on: Mapped[date | None] = mapped_column(default=None)
    sent_number: Mapped[str] = mapped_column(String, default="")
    sent_by: Mapped[str] = mapped_column(String, default="")
    sent_recorded_at: Mapped[datetime | None] = mapped_column(default=None)
