"""What a query log holds, in one pass (``docgen queries check``): rows, valid and
invalid rows with their problems, the date range, queries per unit and per account,
how many record no justification at all (R5.1), and the columns it has that no field
maps (ignored) or lacks (blank on every query), each named once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from docgen.errors import RowProblem
from docgen.i18n import N_, translate
from docgen.records.queries import QueryLog

#: The unit shown for a query whose account has no unit in the log or the registry (a
#: message ID: :func:`summarise` counts it under its translation).
UNKNOWN_UNIT = N_("(unknown unit)")


@dataclass
class LogSummary:
    """The figures of one query log."""

    file: str
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    without_justification: int = 0
    by_unit: Counter[str] = field(default_factory=Counter)
    by_account: Counter[str] = field(default_factory=Counter)
    unit_of_account: dict[str, str] = field(default_factory=dict)
    #: Headers of the log no ``[columns]`` field maps: ignored (e.g. 查詢結果筆數, 來源IP).
    ignored_columns: tuple[str, ...] = ()
    #: Mapped headers the log has no column for: blank on every query (e.g. 查詢項目).
    absent_columns: tuple[str, ...] = ()


def summarise(log: QueryLog, units: Mapping[str, str] | None = None) -> LogSummary:
    """Read ``log`` once and summarise it; ``units`` (account → unit, from the
    registry) gives the unit of a query whose log has no unit column.

    Raises :class:`~docgen.errors.ValidationFailed` at the end when the log has
    invalid rows, unless it was opened with ``skip_invalid``."""
    units = units or {}
    unknown = translate(UNKNOWN_UNIT)
    summary = LogSummary(str(log.path))
    first = last = None
    for query in log:
        unit = query.unit or units.get(query.account_id, unknown)
        summary.by_unit[unit] += 1
        summary.by_account[query.account_id] += 1
        summary.unit_of_account.setdefault(query.account_id, unit)
        if not query.justification:
            summary.without_justification += 1
        at = query.queried_at
        first = at if first is None or at < first else first
        last = at if last is None or at > last else last
    summary.first, summary.last = first, last
    summary.rows, summary.invalid = log.rows, log.invalid_rows
    summary.valid = log.rows - log.invalid_rows
    summary.problems, summary.problem_count = log.problems, log.problem_count
    summary.ignored_columns, summary.absent_columns = log.ignored_columns, log.absent_columns
    return summary
