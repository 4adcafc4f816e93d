"""The retention of a large archive by groups (R4.2, R6.2–R6.4; ISSUE 10, bench_db).

Records that share their category, period, dates and account share their retention,
so one scan of the archive's index sorts them into groups and the date maths runs
once per group. A group of records a report lists — destruction candidates, records
with no period set — also keeps its record IDs, so that those records, and the held
ones, are then read by their IDs; the others are only counted.

The scan groups in Python, not with a ``GROUP BY``: SQLite answers a ``GROUP BY`` of
these eight values over a million records by sorting them, through an index and a
look-up of the table per record, in several times the time of reading them once
(benchmarks/bench_db.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
    scan_raw,
)
from docgen.db.models.archive import Record
from docgen.records.models import Account
from docgen.rules.retention import Retention, RetentionRule

#: What decides a record's retention, as text on either engine: category, period,
#: trigger, review date, account, the record ID where the date is in it (a form of no
#: period), the day it was filed, and the status (unclassified or not); then the
#: record's ID.
_SCAN = select(
    Record.category,
    Record.period,
    func.coalesce(cast(Record.trigger, String), ""),
    func.coalesce(cast(Record.review_date, String), ""),
    Record.subject,
    case((and_(Record.trigger.is_(None), Record.period == ""), Record.record_id), else_=""),
    func.coalesce(func.substr(cast(Record.first_filed_at, String), 1, 10), ""),
    Record.status,
    Record.record_id,
).where(Record.status != "disposed")
#: Records read back per query, by their IDs (within any engine's limit of parameters).
_BATCH = 1000


@dataclass
class RetentionGroup:
    """Records that share their retention: how many, what it is, and — for a group
    the caller lists — their record IDs."""

    key: tuple[Any, ...]
    rule: RetentionRule
    document_date: date | None
    retention: Retention
    unclassified: bool
    count: int = 0
    #: The group's record IDs, or None when the caller did not ask for them.
    record_ids: list[str] | None = field(default=None)


def retention_groups(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    listed: Callable[[RetentionGroup], bool],
) -> list[RetentionGroup]:
    """Every group of records not disposed, with its retention as of ``as_of``; a group
    for which ``listed`` is true keeps its record IDs."""
    groups: dict[tuple[Any, ...], RetentionGroup] = {}
    for row in scan_raw(session, _SCAN):
        key = row[:-1]
        group = groups.get(key)
        if group is None:
            group = groups[key] = _group(key, schedule, accounts, as_of)
            if listed(group):
                group.record_ids = []
        group.count += 1
        if group.record_ids is not None:
            group.record_ids.append(row[-1])
    return list(groups.values())


def _group(
    key: tuple[Any, ...],
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
) -> RetentionGroup:
    category, period, trigger, review, subject, by_id, filed, status = key
    dated = record_id_date(by_id) if by_id else ""
    facts = (category, period, trigger, review, subject, dated, filed)
    rule, document_date, retention = compute_retention(facts, schedule, accounts, as_of)
    return RetentionGroup(key, rule, document_date, retention, status in NOT_CLASSIFIED)


def records_of(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    groups: Sequence[RetentionGroup],
    record_ids: Iterable[str] = (),
    extra_holds: Mapping[str, str] | None = None,
) -> list[RecordRetention]:
    """The records of ``groups`` (those that kept their IDs) and those named in
    ``record_ids``, each once."""
    found: dict[str, RecordRetention] = {}
    named = sorted({rid for group in groups for rid in group.record_ids or ()} | set(record_ids))
    for start in range(0, len(named), _BATCH):
        only = Record.record_id.in_(named[start : start + _BATCH])
        for item in record_retentions(session, schedule, accounts, as_of, extra_holds, only):
            found[item.record_id] = item
    return list(found.values())
