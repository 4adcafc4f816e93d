"""The retention of a large archive by groups (R4.2, R6.2–R6.4; ISSUE 10, bench_db).

Records that share their category, period, dates and account share their retention,
so the database counts them in groups (one ``GROUP BY``) and the date maths runs once
per group; each group also brings its record IDs, so that the records of the groups
a report lists — destruction candidates, records with no period set — and the held
records are then read by their IDs: one scan of the archive, not one per group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select
from sqlalchemy.orm import Session

from docgen.archive.placement import NOT_CLASSIFIED
from docgen.archive.retention import (
    RecordRetention,
    Schedule,
    compute_retention,
    record_id_date,
    record_retentions,
)
from docgen.db.models.archive import Record
from docgen.records.models import Account
from docgen.rules.retention import Retention, RetentionRule

#: What decides a record's retention, as the database can group it: category,
#: period, trigger, review date, account, the record ID where the date is in it (a form
#: of no period), the day it was filed, and whether it is unclassified.
_KEY = (
    Record.category,
    Record.period,
    func.coalesce(cast(Record.trigger, String), ""),
    func.coalesce(cast(Record.review_date, String), ""),
    Record.subject,
    case((and_(Record.trigger.is_(None), Record.period == ""), Record.record_id), else_=""),
    func.coalesce(func.substr(cast(Record.first_filed_at, String), 1, 10), ""),
    Record.status,
)
#: Records read back per query, by their IDs (within any engine's limit of parameters).
_BATCH = 1000


@dataclass(frozen=True)
class RetentionGroup:
    """Records that share their retention: how many, and what it is."""

    key: tuple[Any, ...]
    count: int
    rule: RetentionRule
    document_date: date | None
    retention: Retention
    unclassified: bool
    #: The group's record IDs, space-separated (a record ID holds no space).
    record_ids: str


def retention_groups(
    session: Session, schedule: Schedule, accounts: Mapping[str, Account] | None, as_of: date
) -> list[RetentionGroup]:
    """Every group of records not disposed, with its retention as of ``as_of``."""
    dialect = session.get_bind().dialect.name
    members = (
        func.string_agg(Record.record_id, " ")
        if dialect == "postgresql"
        else func.group_concat(Record.record_id, " ")
    )
    query = select(*_KEY, func.count(), members).where(Record.status != "disposed")
    groups = []
    for row in session.execute(query.group_by(*_KEY)):
        *key, count, record_ids = row
        category, period, trigger, review, subject, by_id, filed, status = key
        dated = record_id_date(by_id) if by_id else ""
        facts = (category, period, trigger, review, subject, dated, filed)
        rule, document_date, retention = compute_retention(facts, schedule, accounts, as_of)
        unclassified = status in NOT_CLASSIFIED
        groups.append(
            RetentionGroup(
                tuple(key), count, rule, document_date, retention, unclassified, record_ids
            )
        )
    return groups


def records_of(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    groups: Sequence[RetentionGroup],
    record_ids: Iterable[str] = (),
    extra_holds: Mapping[str, str] | None = None,
) -> list[RecordRetention]:
    """The records of ``groups`` and those named in ``record_ids``, each once."""
    found: dict[str, RecordRetention] = {}
    named = sorted({rid for group in groups for rid in group.record_ids.split()} | set(record_ids))
    for start in range(0, len(named), _BATCH):
        only = Record.record_id.in_(named[start : start + _BATCH])
        for item in record_retentions(session, schedule, accounts, as_of, extra_holds, only):
            found[item.record_id] = item
    return list(found.values())
