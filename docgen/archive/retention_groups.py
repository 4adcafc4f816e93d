"""The retention of a large archive by groups (R4.2, R6.2–R6.4; ISSUE 10, bench_db).

Records that share their category, period, dates and account share their retention,
so the database counts them in groups (one ``GROUP BY``) and the date maths runs once
per group. Only the records of the groups a report lists — destruction candidates,
records with no period set — and the held records are then read one by one: a
million records in an archive that mostly keeps what it holds take a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select, tuple_
from sqlalchemy.orm import Session

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
#: Where in the key the record ID of a group of one stands.
_BY_ID = 5
#: Groups matched back to their records per query (8 values each: within SQLite's
#: and PostgreSQL's limits of parameters).
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


def retention_groups(
    session: Session, schedule: Schedule, accounts: Mapping[str, Account] | None, as_of: date
) -> list[RetentionGroup]:
    """Every group of records not disposed, with its retention as of ``as_of``."""
    query = select(*_KEY, func.count()).where(Record.status != "disposed").group_by(*_KEY)
    groups = []
    for row in session.execute(query):
        *key, count = row
        category, period, trigger, review, subject, by_id, filed, status = key
        dated = record_id_date(by_id) if by_id else ""
        facts = (category, period, trigger, review, subject, dated, filed)
        rule, document_date, retention = compute_retention(facts, schedule, accounts, as_of)
        unclassified = status == "unclassified"
        groups.append(
            RetentionGroup(tuple(key), count, rule, document_date, retention, unclassified)
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
    # a group keyed by its one record ID is found by that ID (the primary key)
    by_id = {group.key[_BY_ID] for group in groups if group.key[_BY_ID]}
    keys = [group.key for group in groups if not group.key[_BY_ID]]
    named = sorted(by_id | set(record_ids))
    selections = [tuple_(*_KEY).in_(keys[i : i + _BATCH]) for i in range(0, len(keys), _BATCH)]
    selections += [Record.record_id.in_(named[i : i + 500]) for i in range(0, len(named), 500)]
    for only in selections:
        for item in record_retentions(session, schedule, accounts, as_of, extra_holds, only):
            found[item.record_id] = item
    return list(found.values())
