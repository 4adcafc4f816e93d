"""The audit's tables in the office database: draws, their cases and anomalies, the
results read back per case, and the director's review of each record (ISSUE 10 item 1;
R5.1, R6.2, R6.3, R6.5).

Every personal value stored here is masked as the sample sheet shows it (R8): the
queried person's ID and name (``subject_id``, ``subject_name``), the holder's name
(``user_name``), and free text with any ID in it masked (``item``, ``justification``).
A case is named by its keyed case key (HMAC, :func:`docgen.audit.population.case_key`),
never by a raw ID.

A draw of a (period, unit) is numbered 1, 2, … (``number``). The current draw is the
one with ``superseded_by`` NULL; a redraw (``reason`` given) marks the earlier one
superseded by it (``superseded_by``, ``superseded_at``), and the earlier one stays.
Times are naive ``datetime`` in the office's local time, as in the archive's tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docgen.db.base import Base


class Draw(Base):
    """One draw of the audit sample of a unit (or 全處) for a period."""

    __tablename__ = "draws"
    __table_args__ = (UniqueConstraint("period", "unit", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String, index=True)  # 2026-10 or 2026-H1
    kind: Mapped[str] = mapped_column(String)  # month | half
    unit: Mapped[str] = mapped_column(String)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … within (period, unit)
    seed: Mapped[str] = mapped_column(String)
    seed_given: Mapped[bool] = mapped_column(Boolean, default=False)
    population: Mapped[int] = mapped_column(Integer)
    population_sha256: Mapped[str] = mapped_column(String)
    outside_period: Mapped[int] = mapped_column(Integer, default=0)
    sample_size: Mapped[int] = mapped_column(Integer)
    algorithm: Mapped[str] = mapped_column(String)
    algorithm_text: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(Text)
    rule_en: Mapped[str] = mapped_column(Text)
    sheet_check: Mapped[str] = mapped_column(String, default="")
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # path, sha256
    documents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    drawn_by: Mapped[str] = mapped_column(String, default="")
    drawn_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")  # why this redraw was made
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("draws.id"), default=None)
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)

    cases: Mapped[list[DrawCase]] = relationship(
        back_populates="draw", order_by="DrawCase.position", cascade="all, delete-orphan"
    )
    anomalies: Mapped[list[DrawAnomaly]] = relationship(
        order_by="DrawAnomaly.position", cascade="all, delete-orphan"
    )
    reading: Mapped[ResultSheet | None] = relationship(cascade="all, delete-orphan")


class _Listed:
    """A query as the sheet and the lists show it (masked)."""

    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String)
    row: Mapped[int] = mapped_column(Integer)
    queried_at: Mapped[datetime] = mapped_column()
    account: Mapped[str] = mapped_column(String)
    user_name: Mapped[str] = mapped_column(String, default="")
    subject_id: Mapped[str] = mapped_column(String)  # masked
    subject_name: Mapped[str] = mapped_column(String, default="")  # masked
    item: Mapped[str] = mapped_column(Text, default="")
    justification: Mapped[str] = mapped_column(Text, default="")


class DrawCase(_Listed, Base):
    """One sampled case of a draw: 序號 ``position``, the ordinal in the population."""

    __tablename__ = "draw_cases"
    __table_args__ = (UniqueConstraint("draw_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    case_key: Mapped[str] = mapped_column(String)

    draw: Mapped[Draw] = relationship(back_populates="cases")
    result: Mapped[CaseResult | None] = relationship(cascade="all, delete-orphan")


class DrawAnomaly(_Listed, Base):
    """A query of the draw's unit without justification (R5.1, ``anomaly``) or a hint."""

    __tablename__ = "draw_anomalies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), index=True)
    findings: Mapped[list[str]] = mapped_column(JSON, default=list)
    anomaly: Mapped[bool] = mapped_column(Boolean)


class ResultSheet(Base):
    """The supervisor's sheet of a draw as read back (R6.2, R6.3): one per draw, the
    latest reading."""

    __tablename__ = "result_sheets"

    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), primary_key=True)
    sheet_path: Mapped[str] = mapped_column(String)
    sheet_sha256: Mapped[str] = mapped_column(String)
    documents: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    referred: Mapped[int] = mapped_column(Integer, default=0)  # on the referral list (R6.5)
    read_by: Mapped[str] = mapped_column(String, default="")
    read_at: Mapped[datetime] = mapped_column()


class CaseResult(Base):
    """The supervisor's mark of one case: 是/否 與業務相符, 備註, 佐證檔案."""

    __tablename__ = "case_results"

    draw_case_id: Mapped[int] = mapped_column(ForeignKey("draw_cases.id"), primary_key=True)
    consistent: Mapped[str] = mapped_column(String)  # 是 | 否
    remark: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")  # file names
    recorded_by: Mapped[str] = mapped_column(String, default="")
    recorded_at: Mapped[datetime] = mapped_column()


class RecordReview(Base):
    """The director's review of a record (附件4, 附件5): who and on which day — the
    date its retention counts from (R6.2, R6.3)."""

    __tablename__ = "record_reviews"

    record_id: Mapped[str] = mapped_column(String, primary_key=True)
    reviewed_by: Mapped[str] = mapped_column(String)
    reviewed_on: Mapped[date] = mapped_column()
    recorded_by: Mapped[str] = mapped_column(String, default="")
    recorded_at: Mapped[datetime] = mapped_column()


class CaseMark(Base):
    """A supervisor's mark of one case as entered in the browser (R6.2), before it is
    submitted: 是/否 與業務相符, 備註 (IDs masked, R8) and the evidence files attached
    (their names in the inbox, ``、``-separated). Submitting turns the draw's marks
    into its results (:class:`CaseResult`) the same way a filled sheet does."""

    __tablename__ = "case_marks"
    __table_args__ = (UniqueConstraint("draw_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the case's 序號
    consistent: Mapped[str] = mapped_column(String, default="")  # "" | 是 | 否
    remark: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    marked_by: Mapped[str] = mapped_column(String, default="")
    marked_at: Mapped[datetime] = mapped_column()


class AuditFinding(Base):
    """A finding of a half-year internal audit (附件5 發現事項, R6.3) with its corrective
    action, who owns it and by when, tracked until it is closed (ISSUE 13 item 2)."""

    __tablename__ = "audit_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    half: Mapped[str] = mapped_column(String, index=True)  # 2026-H2
    finding: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String, default="")
    due: Mapped[date | None] = mapped_column(default=None)
    state: Mapped[str] = mapped_column(String, default="open")  # open | closed
    raised_by: Mapped[str] = mapped_column(String, default="")
    raised_at: Mapped[datetime] = mapped_column()
    closed_by: Mapped[str] = mapped_column(String, default="")
    closed_on: Mapped[date | None] = mapped_column(default=None)
    closing_note: Mapped[str] = mapped_column(Text, default="")
