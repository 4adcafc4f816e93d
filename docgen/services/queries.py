"""Taking query logs into the office database (ISSUE 10 items 1 and 3).

A log is read once, through the ``[columns]`` mapping (:class:`~docgen.records.QueryLog`),
and only its facts are kept (:mod:`docgen.db.models.queries`): how many queries each
account of each unit made in each month — what the missing report and the evidence
check need to know which monthly checks are due (R6.2) — and every query that records
no justification (R5.1), the queried person's ID and name masked with the office's
policy (R8). The same bytes taken in again change nothing; a log with an invalid row
is refused whole, in one line naming the file, the row and the column.

Reports read these facts (:func:`month_units`) and never open a log again; a log in
``data/queries/`` that is not taken in yet is only named (:func:`untaken_logs`),
since looking changes nothing.
"""

from __future__ import annotations

import getpass
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError as DuplicateRow
from sqlalchemy.orm import Session

from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.queries import QueryAnomaly, QueryCount, QueryLogFile
from docgen.errors import InputError, ValidationFailed
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import MaskingPolicy, mask_id, mask_ids_in_text, mask_name
from docgen.records.accounts import Registry, find_registry, read_registry
from docgen.records.models import build_query
from docgen.records.queries import QueryLog
from docgen.records.stored import load_registry, query_log_files
from docgen.rules.justification import has_justification

#: ``QueryAnomaly.kind`` of a query without any justification (R5.1).
NO_JUSTIFICATION = "no_justification"
#: Where the office keeps its query logs, under the data folder.


@dataclass(frozen=True)
class Intake:
    """What taking in one log found (or, with ``already``, found the first time)."""

    name: str
    sha256: str
    rows: int
    bad_rows: int
    months: tuple[str, ...]
    units: tuple[str, ...]  # "" for queries whose unit is unknown
    anomalies: int
    already: bool = False


@dataclass
class _Facts:
    """One pass over a log: counts by (year, month, unit as logged, account), anomalies."""

    rows: int = 0
    bad_rows: int = 0
    first: datetime | None = None
    last: datetime | None = None
    counts: Counter[tuple[int, int, str, str]] = field(default_factory=Counter)
    anomalies: list[dict[str, Any]] = field(default_factory=list)


def _read(path: Path, workspace: Workspace, skip_invalid: bool) -> _Facts:
    """Stream ``path`` once: the counts and the R5.1 anomalies, masked (R8). An
    invalid row is one :class:`InputError` (file, row, column) unless ``skip_invalid``."""
    policy = workspace.config.masking.policy()
    log = QueryLog(path, workspace.config.columns, skip_invalid=skip_invalid)
    facts = _Facts()
    counts, anomalies = facts.counts, facts.anomalies
    first, last = datetime.max, datetime.min  # no test for None on each row
    try:
        for number, queried_at, _text, fields in log.records():
            counts[queried_at.year, queried_at.month, fields[9], fields[0]] += 1
            if queried_at < first:
                first = queried_at
            if queried_at > last:
                last = queried_at
            # the fast test first; the rule itself decides (R5.1)
            if not (fields[4] or fields[5] or fields[6] or fields[7] or fields[8]):
                query = build_query(str(path), number, queried_at, *fields)
                if not has_justification(query):
                    anomalies.append(_anomaly(number, queried_at, fields, policy))
    except ValidationFailed as failed:
        raise _one_line(failed, path, policy) from None
    facts.rows, facts.bad_rows = log.rows, log.invalid_rows
    if counts:
        facts.first, facts.last = first, last
    return facts


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _anomaly(
    number: int, queried_at: datetime, fields: list[str], policy: MaskingPolicy
) -> dict[str, Any]:
    return {
        "row": number,
        "queried_at": queried_at,
        "month": _month(queried_at.year, queried_at.month),
        "unit": fields[9],
        "account": fields[0],
        "kind": NO_JUSTIFICATION,
        "subject_id": mask_id(fields[1], policy),
        "subject_name": mask_name(fields[2], policy),
    }


def _one_line(failed: ValidationFailed, path: Path, policy: MaskingPolicy) -> InputError:
    """The first invalid row (file, row, column), any ID in it masked (R8)."""
    first = (
        str(failed.problems[0]) if failed.problems else _("{file}: invalid rows").format(file=path)
    )
    first = mask_ids_in_text(first, policy)
    more = failed.total - 1
    if more > 0:
        return InputError(
            _(
                "{problem} (and {count} more invalid row(s): see `docgen queries check`); "
                "nothing was taken in"
            ).format(problem=first, count=more)
        )
    return InputError(_("{problem}; nothing was taken in").format(problem=first))


def _registry_units(registry: Registry | None) -> dict[str, str]:
    return {a.account_id: a.unit for a in registry.accounts} if registry else {}


def _office_registry(workspace: Workspace, db: Database | None) -> Registry | None:
    """The office's registry for the unit of a query whose log has none (None when
    there is none, or it has errors: the log's own units only)."""
    try:
        if db is not None:
            return load_registry(workspace, db)
        return read_registry(find_registry(workspace))  # in a migration: not the database
    except InputError:
        return None


def _store(
    executor: Session | Connection,
    facts: _Facts,
    name: str,
    digest: str,
    size: int,
    units: Mapping[str, str],
    actor: str,
) -> Intake:
    """Write one log's facts (inside the caller's transaction)."""
    resolved: Counter[tuple[str, str, str]] = Counter()
    for (year, month, unit, account), count in facts.counts.items():
        resolved[_month(year, month), unit or units.get(account, ""), account] += count
    months = tuple(sorted({month for month, _, _ in resolved}))
    log_id = executor.execute(
        insert(QueryLogFile)
        .returning(QueryLogFile.id)
        .values(
            name=name,
            sha256=digest,
            size=size,
            months=" ".join(months),
            first_at=facts.first,
            last_at=facts.last,
            rows=facts.rows,
            bad_rows=facts.bad_rows,
            taken_in_at=datetime.now().replace(microsecond=0),
            taken_in_by=actor,
        )
    ).scalar_one()
    conn = executor.connection() if isinstance(executor, Session) else executor
    _insert_many(
        conn,
        QueryCount.__table__,
        [
            {"log_id": log_id, "month": m, "unit": u, "account": a, "queries": n}
            for (m, u, a), n in resolved.items()
        ],
    )
    for anomaly in facts.anomalies:
        anomaly["log_id"] = log_id
        anomaly["unit"] = anomaly["unit"] or units.get(anomaly["account"], "")
    _insert_many(conn, QueryAnomaly.__table__, facts.anomalies)
    found_units = tuple(sorted({unit for _, unit, _ in resolved}))
    return Intake(
        name, digest, facts.rows, facts.bad_rows, months, found_units, len(facts.anomalies)
    )


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``, in the connection's
    transaction: one ``COPY`` on PostgreSQL (tens of thousands of anomalies in a
    fraction of a second, where one INSERT per row keeps the server busy for
    seconds), a Core executemany elsewhere (no ORM bookkeeping per row)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    from psycopg import sql

    columns = list(rows[0])
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
        table=sql.Identifier(table.name),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def _stored(executor: Session | Connection, digest: str) -> Intake | None:
    """The intake of the log with these bytes, if it was taken in."""
    log = executor.execute(
        select(
            QueryLogFile.id,
            QueryLogFile.name,
            QueryLogFile.rows,
            QueryLogFile.bad_rows,
            QueryLogFile.months,
        ).where(QueryLogFile.sha256 == digest)
    ).first()
    if log is None:
        return None
    units = executor.execute(
        select(QueryCount.unit).where(QueryCount.log_id == log.id).distinct()
    ).scalars()
    anomalies = executor.execute(
        select(func.count()).select_from(QueryAnomaly).where(QueryAnomaly.log_id == log.id)
    ).scalar_one()
    return Intake(
        log.name,
        digest,
        log.rows,
        log.bad_rows,
        tuple(log.months.split()),
        tuple(sorted(units)),
        anomalies,
        already=True,
    )


def _hashed(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as error:
        raise InputError(
            _("{file}: cannot read the query log ({reason})").format(
                file=path, reason=error.strerror
            )
        ) from None


def take_in_log(
    workspace: Workspace,
    db: Database,
    path: Path,
    *,
    actor: str = "",
    skip_invalid: bool = False,
    month: str | None = None,
) -> Intake:
    """Take the query log ``path`` into the office database: its counts per month,
    unit and account, and its R5.1 anomalies masked (R8), in one transaction, and
    journal ``queries take-in``. The same bytes again change nothing (``already``).
    A log with an invalid row is refused whole (one line: file, row, column), unless
    ``skip_invalid`` (then those rows are counted as bad rows and left out). With
    ``month`` (``YYYY-MM``: a month's export uploaded as that month's log), a log with
    no query or a query of another month is refused before anything is stored."""
    digest = _hashed(path)
    with db.session() as session:
        found = _stored(session, digest)
    if found is not None:
        return found
    facts = _read(path, workspace, skip_invalid)
    if month is not None:
        _check_month(path, facts, month)
    name = mask_ids_in_text(path.name, workspace.config.masking.policy())
    units = _registry_units(_office_registry(workspace, db))
    who = actor or getpass.getuser()
    try:
        with db.session() as session:
            found = _stored(session, digest)  # another process may have been quicker
            if found is not None:
                return found
            intake = _store(session, facts, name, digest, path.stat().st_size, units, who)
    except DuplicateRow:
        with db.session() as session:
            found = _stored(session, digest)
        if found is None:
            raise
        return found
    _journal(workspace, path, digest, intake, who)
    return intake


def _check_month(path: Path, facts: _Facts, month: str) -> None:
    found = sorted({_month(year, number) for year, number, _unit, _account in facts.counts})
    if found != [month]:
        raise InputError(
            _("{file}: expected the queries of {month}, found queries of {found}").format(
                file=path.name, month=month, found=_(", ").join(found) or _("no month")
            )
        )


def _journal(workspace: Workspace, path: Path, digest: str, intake: Intake, actor: str) -> None:
    """Journal the intake; the log's path as shown has any ID in it masked (R8)."""
    shown = Path(mask_ids_in_text(str(path), workspace.config.masking.policy()))
    details = {
        "log": intake.name,
        "rows": intake.rows,
        "bad_rows": intake.bad_rows,
        "months": list(intake.months),
        "units": len(intake.units),
        "anomalies": intake.anomalies,
        "by": actor,
    }
    Journal(workspace.journal_path, workspace.root).append(
        "queries take-in", inputs=[shown], details=details, hashes={shown: digest}
    )


def take_in_folder(
    workspace: Workspace, db: Database, *, actor: str = "", skip_invalid: bool = False
) -> list[tuple[Path, Intake]]:
    """Take in every log of ``data/queries/`` (those taken in before say ``already``)."""
    return [
        (path, take_in_log(workspace, db, path, actor=actor, skip_invalid=skip_invalid))
        for path in query_log_files(workspace)
    ]


def take_over_queries(conn: Connection, workspace: Workspace) -> None:
    """``docgen db upgrade``: take in every log of ``data/queries/`` (invalid rows left
    out, as the reports did), so that the reports answer as before. Not journaled
    here: the upgrade is one journaled step."""
    units = _registry_units(_office_registry(workspace, None))
    policy = workspace.config.masking.policy()
    for path in query_log_files(workspace):
        digest = _hashed(path)
        if _stored(conn, digest) is not None:
            continue
        facts = _read(path, workspace, skip_invalid=True)
        name = mask_ids_in_text(path.name, policy)
        _store(conn, facts, name, digest, path.stat().st_size, units, "docgen db upgrade")
