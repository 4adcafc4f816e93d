"""The archive index's tables in the office database (ISSUE 10 item 1).

The schema is created and upgraded by the Alembic migrations of :mod:`docgen.db`
(an index of an earlier docgen, schema versions 1–3, is taken over by
``docgen db upgrade``). Paths are POSIX text
relative to the archive root (``records/monthly_check/115/DG-4M-….pdf``); dates are
``datetime.date``; times are naive ``datetime`` in the office's local time.

Statuses:

* ``Record.status``: ``filed`` (classified and filed), ``unclassified`` (kept under
  ``records/unclassified/``, reported), ``rejected`` (an unclassified file the
  檔管人員 said is no record, with the reason: kept where it is, counted, not listed;
  :func:`docgen.services.triage.reject_file`), ``disposed`` (removed by an approved
  disposal; a tombstone remains).
* ``File.status``: ``filed``, ``duplicate`` (identical content to ``duplicate_of``,
  kept under ``records/duplicates/``), ``unclassified``, ``disposed``.
  A file whose bytes are gone is not a status: :func:`docgen.archive.fixity.gone_files`
  computes it from the folder.
* ``File.kind``: ``document`` or ``sidecar`` (a ``NAME.meta.yaml`` filed beside it).
* ``DisposalPlan.state``: ``pending`` (begun, not finished: a rerun of the same
  ``archive dispose`` finishes it) or ``done``. ``DisposalPlanItem.state``: the step
  one record reached — ``planned``, ``tombstoned`` (tombstone written), ``removed``
  (files removed), ``done`` (index updated), or ``kept`` (put on hold before its
  disposal began, so not disposed) (ISSUE 9 item 3).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docgen.db.base import Base


class Record(Base):
    """One record: a document identified by its record ID (the same record may have
    several files: DOCX, PDF, a colour scan)."""

    __tablename__ = "records"
    #: The records browser's search (:mod:`docgen.web.records`): each combination of
    #: the filters it offers has an index with those columns first and ``record_id``
    #: last, so that a page of matches comes out of one index range in record ID order
    #: and a count stops after 10,001 — however many records the archive holds, and
    #: without statistics (SQLite's planner, which has none, prefers exactly these).
    __table_args__ = (
        Index("ix_records_category", "category", "record_id"),
        Index("ix_records_unit", "unit", "record_id"),
        Index("ix_records_status", "status", "record_id"),
        Index("ix_records_category_unit", "category", "unit", "record_id"),
        Index("ix_records_category_period", "category", "period", "record_id"),
        Index("ix_records_unit_period", "unit", "period", "record_id"),
        Index("ix_records_period", "period", "category", "unit", "record_id"),
    )

    record_id: Mapped[str] = mapped_column(String, primary_key=True)
    category: Mapped[str] = mapped_column(String, default="")
    form: Mapped[str] = mapped_column(String, default="")
    variant: Mapped[str] = mapped_column(String, default="")
    period: Mapped[str] = mapped_column(String, default="")
    unit: Mapped[str] = mapped_column(String, default="")
    subject: Mapped[str] = mapped_column(String, default="")
    trigger: Mapped[date | None] = mapped_column(default=None)
    review_date: Mapped[date | None] = mapped_column(default=None)
    title: Mapped[str] = mapped_column(String, default="")
    record_ids: Mapped[str] = mapped_column(Text, default="")  # space-separated (packages)
    status: Mapped[str] = mapped_column(String, default="filed")
    source: Mapped[str] = mapped_column(String, default="")  # metadata|qr|sidecar|path_rule|none
    reason: Mapped[str] = mapped_column(Text, default="")  # why it is unclassified
    first_filed_at: Mapped[datetime | None] = mapped_column(default=None)

    files: Mapped[list[File]] = relationship(back_populates="record", order_by="File.path")
    holds: Mapped[list[Hold]] = relationship(back_populates="record")


class File(Base):
    """One file under the archive root, with what fixity checks against."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.record_id"), index=True)
    path: Mapped[str] = mapped_column(String, unique=True)
    kind: Mapped[str] = mapped_column(String, default="document")
    status: Mapped[str] = mapped_column(String, default="filed")
    sha256: Mapped[str] = mapped_column(String, index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)  # ns since 1970: 64 bits
    inode: Mapped[int] = mapped_column(BigInteger)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("files.id"), default=None)
    original_name: Mapped[str] = mapped_column(String, default="")  # relative to inbox/
    first_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    filed_at: Mapped[datetime | None] = mapped_column(default=None)
    verified_at: Mapped[datetime | None] = mapped_column(default=None)  # schema v2

    record: Mapped[Record] = relationship(back_populates="files")


class Hold(Base):
    """A legal hold on a record: while unreleased, the record is never a candidate."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.record_id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String, default="")
    placed_at: Mapped[datetime]
    released_by: Mapped[str] = mapped_column(String, default="")
    released_at: Mapped[datetime | None] = mapped_column(default=None)

    record: Mapped[Record] = relationship(back_populates="holds")


class Disposal(Base):
    """The tombstone of a disposed record: what it was, and who approved its removal."""

    __tablename__ = "disposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.record_id"), index=True)
    files_json: Mapped[str] = mapped_column(Text)  # [{"path", "sha256", "size"}]
    metadata_json: Mapped[str] = mapped_column(Text)  # the record's fields
    approval: Mapped[str] = mapped_column(String)
    disposed_by: Mapped[str] = mapped_column(String, default="")
    disposed_at: Mapped[datetime]
    tombstone_path: Mapped[str] = mapped_column(String, default="")
    approved_by: Mapped[str] = mapped_column(String, default="")  # schema v3
    approved_on: Mapped[date | None] = mapped_column(default=None)  # schema v3
    plan_id: Mapped[str] = mapped_column(String, default="")  # schema v3


class DestructionList(Base):
    """A draft 銷毀目錄 as the web's three steps carry it (ISSUE 13 item 4; 檔案法 Art.
    12): proposed by the 檔管人員 (its candidates as of ``as_of``), approved by the
    處長或授權人員 with the approving 文號 — never the person who proposed it — and then
    disposed (``plan_id``: the disposal plan that carried it out). Who is a web
    username (``*_by``) and the name printed (``*_name``)."""

    __tablename__ = "destruction_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date]
    record_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String, default="proposed")  # proposed|approved|disposed
    proposed_by: Mapped[str] = mapped_column(String)
    proposed_name: Mapped[str] = mapped_column(String, default="")
    proposed_at: Mapped[datetime]
    approval: Mapped[str] = mapped_column(String, default="")  # 發文字號
    approved_by: Mapped[str] = mapped_column(String, default="")
    approved_name: Mapped[str] = mapped_column(String, default="")
    approved_on: Mapped[date | None] = mapped_column(default=None)
    disposed_by: Mapped[str] = mapped_column(String, default="")
    disposed_at: Mapped[datetime | None] = mapped_column(default=None)
    plan_id: Mapped[str] = mapped_column(String, default="")


class DisposalPlan(Base):
    """One ``archive dispose`` (ISSUE 9 item 3): what it disposes under which approval,
    recorded before anything is removed, so that an interrupted one can be finished."""

    __tablename__ = "disposal_plans"

    plan_id: Mapped[str] = mapped_column(String, primary_key=True)  # DP-YYYYMMDD-8 hex
    approval: Mapped[str] = mapped_column(String)  # 發文字號 of the approval
    approved_by: Mapped[str] = mapped_column(String)
    approved_on: Mapped[date]
    disposed_by: Mapped[str] = mapped_column(String)
    as_of: Mapped[date]
    state: Mapped[str] = mapped_column(String, default="pending")  # pending|done
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    items: Mapped[list[DisposalPlanItem]] = relationship(
        back_populates="plan", order_by="DisposalPlanItem.position"
    )


class DisposalPlanItem(Base):
    """One record of a disposal plan and the step it reached (see the module docstring)."""

    __tablename__ = "disposal_plan_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("disposal_plans.plan_id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.record_id"), index=True)
    files_json: Mapped[str] = mapped_column(Text)  # what is removed, as planned
    metadata_json: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String, default="planned")
    note: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[DisposalPlan] = relationship(back_populates="items")


class FormIssued(Base):
    """A document docgen generated (its record ID), whether or not it was filed yet."""

    __tablename__ = "forms_issued"

    record_id: Mapped[str] = mapped_column(String, primary_key=True)
    form: Mapped[str] = mapped_column(String, default="")
    variant: Mapped[str] = mapped_column(String, default="")
    period: Mapped[str] = mapped_column(String, default="")
    unit: Mapped[str] = mapped_column(String, default="")
    subject: Mapped[str] = mapped_column(String, default="")
    category: Mapped[str] = mapped_column(String, default="")
    title: Mapped[str] = mapped_column(String, default="")
    issued_at: Mapped[datetime | None] = mapped_column(default=None)


class Intent(Base):
    """An ingest in progress (crash safety): written before a file is linked into
    ``records/``, marked ``done`` in the same transaction that records it, deleted once
    the inbox copy is removed. :func:`docgen.archive.ingest.recover` settles leftovers."""

    __tablename__ = "intents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String)  # relative to the archive root
    target: Mapped[str] = mapped_column(String)
    sidecar_source: Mapped[str] = mapped_column(String, default="")
    sidecar_target: Mapped[str] = mapped_column(String, default="")
    sha256: Mapped[str] = mapped_column(String)
    plan_json: Mapped[str] = mapped_column(Text)  # what to record once in place
    state: Mapped[str] = mapped_column(String, default="pending")  # pending|done
    created_at: Mapped[datetime]


#: The archive's tables, parents before children (foreign keys): the order in which
#: ``archive rebuild`` inserts its rows, reversed to delete them.
TABLES: tuple[Table, ...] = tuple(
    cast(Table, model.__table__)
    for model in (
        Record,
        File,
        Hold,
        Disposal,
        DisposalPlan,
        DisposalPlanItem,
        FormIssued,
        Intent,
    )
)


def move_id_sequences(conn: Connection) -> None:
    """On PostgreSQL, move the sequence of each archive table's integer ID past the IDs
    copied in with their rows (``archive rebuild``, the take-over of an old index), so
    that the next row added gets a new ID; nothing on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        (column, *more) = table.primary_key.columns
        if more or not isinstance(column.type, Integer):
            continue
        highest = conn.execute(select(func.max(column))).scalar()
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
            {
                "table": table.name,
                "column": column.name,
                "value": highest or 1,
                "called": highest is not None,
            },
        )
