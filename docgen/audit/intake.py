"""One pass over a period's query logs: the justification check (R5.1, hints for 政風)
and the populations to sample (R6.2 per unit, R6.3 the whole office).

The logs are streamed as plain records (:meth:`~docgen.records.QueryLog.records`:
every row validated, no :class:`~docgen.records.Query` objects). Each query of the
period becomes its canonical line (:mod:`docgen.audit.population`); a unit's lines go,
a batch at a time, into its population hash and to a temporary *spool* file, and are
forgotten. Per case a unit keeps the line's spool offset and the row number (16
bytes); only the drawn cases and the listed queries are read back. A million-row log
stays well under 100 MB.

A query with a justification gets the findings of its account on its day (the
hints of :func:`~docgen.rules.justification.check_query` depend on nothing else), so
they are worked out once per account and day; a query without one is checked in full.

A unit's name decides file names (the sample, the sheet, the lists): for a month,
each unit met — the log's 查詢人員單位 or the registry's 單位 of the account — must
be one of :func:`docgen.audit.samples.audit_units` (``refuse_unit``), checked the first
time it is met; any other is one line naming the file, the row and the column. An
account the registry does not know (and no unit logged) is :data:`UNKNOWN_UNIT`.
"""

from __future__ import annotations

import gc
import json
import os
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from operator import itemgetter
from typing import Any, BinaryIO, Protocol

from docgen.audit.population import (
    Population,
    canonical_line,
    is_plain,
    iso_seconds,
)
from docgen.audit.samples import UNKNOWN_UNIT, WHOLE_OFFICE, shown_value
from docgen.errors import InputError
from docgen.i18n import _
from docgen.records.models import build_query
from docgen.records.queries import QueryLog, Record
from docgen.rules.justification import Finding, QueryFacts

#: Canonical lines held per unit before they go to the hash and the spool.
BATCH = 1024
_ROW, _FIELDS = itemgetter(0), itemgetter(3)

Progress = Callable[[Iterable[Any]], Iterator[Any]]


class LoggedQuery(QueryFacts, Protocol):
    """A logged query as the readers give it (docgen.records.Query)."""

    @property
    def source(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def subject_id(self) -> str: ...
    @property
    def subject_name(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def unit(self) -> str: ...


@dataclass(frozen=True)
class SpooledQuery:
    """A query read back from the spool: where it came from, its canonical fields and
    its canonical line."""

    source: str
    row: int
    queried_at: datetime
    account_id: str
    subject_id: str
    subject_name: str
    item: str
    justification_fields: tuple[str, ...]
    unit: str
    line: bytes

    @property
    def justification(self) -> str:
        """The non-empty justification fields joined with "；" (as on 附件4)."""
        return "；".join(v for v in self.justification_fields if v)


@dataclass(frozen=True)
class Listed:
    """A query on the anomaly list: its unit, its case number there and its findings."""

    unit: str
    ordinal: int
    findings: tuple[Finding, ...]

    @property
    def is_anomaly(self) -> bool:
        return any(f.is_anomaly for f in self.findings)


@dataclass
class _Cases:
    """One unit's population, its cases' spool offsets and rows, and the queries not
    yet written."""

    population: Population
    offsets: array[int] = field(default_factory=lambda: array("Q"))
    rows: array[int] = field(default_factory=lambda: array("Q"))
    pending: list[Record] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.offsets) + len(self.pending)


class Intake:
    """Collects the populations and the anomaly list of one period.

    ``units`` gives the registry's unit of an account (for logs without a unit
    column); ``whole_office`` puts every query in :data:`WHOLE_OFFICE`.
    ``refuse_unit`` says why a unit may not be sampled ("" when it may; None: any
    may); ``unit_cell`` says where the registry gives an account's unit (file, row,
    column), for the message."""

    def __init__(
        self,
        start: date,
        end: date,
        check: Callable[[LoggedQuery], list[Finding]],
        spool: BinaryIO,
        units: Mapping[str, str],
        whole_office: bool = False,
        refuse_unit: Callable[[str], str] | None = None,
        unit_cell: Callable[[str], str] | None = None,
    ) -> None:
        self.start, self.end = start, end
        self._check, self._spool, self._units = check, spool, units
        self._whole_office = whole_office
        self._refusal, self._unit_cell = refuse_unit, unit_cell
        self._position = 0
        self._cases: dict[str, _Cases] = {}
        self._hints: dict[date, dict[str, tuple[Finding, ...]]] = {}  # day → account →
        self._sources: list[str] = []
        self._source_starts: list[int] = []
        self.listed: list[Listed] = []
        self.outside = 0

    @property
    def populations(self) -> dict[str, Population]:
        """The population of each unit that had queries in the period."""
        return {unit: cases.population for unit, cases in self._cases.items() if cases.count}

    def add_log(self, log: QueryLog, progress: Progress | None = None) -> None:
        """Take every query of ``log`` (queries outside the period are only counted)."""
        self._flush_all()
        self._sources.append(str(log.path))
        self._source_starts.append(self._position)
        records: Iterable[Record] = log.records()
        low = datetime.combine(self.start, time())
        high = datetime.combine(self.end + timedelta(days=1), time())
        units, check, one_day = self._units, self._check_record, timedelta(days=1)
        by_unit = self._cases
        whole = self._unit_cases(WHOLE_OFFICE) if self._whole_office else None
        day_start = day_end = low
        day_hints: dict[str, tuple[Finding, ...]] = {}
        with _collector_paused():
            for record in progress(records) if progress else records:
                queried_at, fields = record[1], record[3]
                if not low <= queried_at < high:
                    self.outside += 1
                    continue
                if whole is None:
                    unit = fields[9] or units.get(fields[0], UNKNOWN_UNIT)
                    cases = by_unit.get(unit) or self._new_unit(log, record, unit)
                else:
                    cases = whole
                pending = cases.pending
                pending.append(record)
                if not day_start <= queried_at < day_end:  # not the previous row's day
                    day = queried_at.date()
                    day_start = datetime.combine(day, time())
                    day_end = day_start + one_day
                    day_hints = self._hints.setdefault(day, {})
                # A justified query's findings are the hints about its account on its day.
                if fields[4] or fields[5] or fields[6] or fields[7] or fields[8]:
                    findings = day_hints.get(fields[0])
                    if findings is None:
                        findings = day_hints[fields[0]] = check(record)
                else:
                    findings = check(record)
                if findings:
                    self.listed.append(Listed(cases.population.unit, cases.count, findings))
                if len(pending) >= BATCH:
                    self._flush(cases)
        self._flush_all()

    def _new_unit(self, log: QueryLog, record: Record, unit: str) -> _Cases:
        """The cases of a unit met for the first time, if it is an allowed one; else
        :class:`InputError` naming where the unit came from (file, row, column)."""
        refusal = self._refusal(unit) if self._refusal is not None else ""
        if refusal:
            fields = record[3]
            if fields[9]:
                where = _("{file}, row {row}, column {column}").format(
                    file=log.path, row=record[0], column=log.columns.unit
                )
            elif self._unit_cell is not None:
                where = _("{cell} (account of {file}, row {row})").format(
                    cell=self._unit_cell(fields[0]), file=log.path, row=record[0]
                )
            else:
                where = _("{file}, row {row}, account {account}").format(
                    file=log.path, row=record[0], account=shown_value(fields[0])
                )
            raise InputError(f"{where}: {refusal}")
        return self._unit_cases(unit)

    def _unit_cases(self, unit: str) -> _Cases:
        cases = self._cases.get(unit)
        if cases is None:
            cases = self._cases[unit] = _Cases(Population(unit))
        return cases

    def _check_record(self, record: Record) -> tuple[Finding, ...]:
        return tuple(self._check(self._query(record)))

    def _query(self, record: Record) -> LoggedQuery:
        number, queried_at, _text, fields = record
        return build_query(self._sources[-1], number, queried_at, *fields)

    def _flush(self, cases: _Cases) -> None:
        """Write a unit's pending queries to its hash and the spool as canonical lines,
        made plainly and checked a batch at a time (the rare batch with a line that
        needs JSON escapes is made again line by line)."""
        pending = cases.pending
        if not pending:
            return
        separator = '","'
        lines = [
            f'["{stamp}","{separator.join(fields)}"]\n'.encode()  # plain_line, inlined
            for _row, queried_at, text, fields in pending
            for stamp in [  # iso_seconds, its common case inlined
                text.replace(" ", "T")
                if len(text) == 19 and text[4::3] == "-- ::"
                else iso_seconds(queried_at, text)
            ]
        ]
        chunk = b"".join(lines)
        if not is_plain(chunk, len(lines)):
            stamps = (line[2:21].decode() for line in lines)  # the 19 characters after '["'
            lines = list(map(canonical_line, stamps, map(_FIELDS, pending)))
            chunk = b"".join(lines)
        cases.population.extend(chunk, len(lines))
        cases.offsets.extend(accumulate(map(len, lines[:-1]), initial=self._position))
        cases.rows.extend(map(_ROW, pending))
        self._spool.write(chunk)
        self._position += len(chunk)
        cases.pending = []

    def _flush_all(self) -> None:
        for cases in self._cases.values():
            self._flush(cases)
        self._spool.flush()

    def case(self, unit: str, ordinal: int) -> SpooledQuery:
        """Case ``ordinal`` (1-based) of ``unit``'s population, read back."""
        cases = self._cases[unit]
        offset = cases.offsets[ordinal - 1]
        line = self._line_at(offset)
        source = self._sources[bisect_right(self._source_starts, offset) - 1]
        fields = json.loads(line)
        return SpooledQuery(
            source=source,
            row=cases.rows[ordinal - 1],
            queried_at=datetime.fromisoformat(fields[0]),
            account_id=fields[1],
            subject_id=fields[2],
            subject_name=fields[3],
            item=fields[4],
            justification_fields=tuple(fields[5:10]),
            unit=fields[10],
            line=line,
        )

    def _line_at(self, offset: int) -> bytes:
        """The spooled line at ``offset`` (read without moving the file's position)."""
        line = b""
        while not line.endswith(b"\n"):
            more = os.pread(self._spool.fileno(), 2048, offset + len(line))
            line += more[: more.find(b"\n") + 1 or None]
            if not more:
                raise AssertionError(f"spool ends inside the line at {offset}")
        return line


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: a pass makes millions of short-lived
    containers but no reference cycles (refcounting frees them), and collecting them
    over and over costs about a sixth of the pass."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
