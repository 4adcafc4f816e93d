"""One pass over a period's query logs: the justification check (R5.1, hints for 政風)
and the populations to sample (R6.2 per unit, R6.3 the whole office).

Queries are streamed; each is written once to a temporary *spool* file as its
canonical line (see :mod:`docgen.audit.population`) and forgotten. A population
keeps 32 bytes per case and the spool offset (8 bytes); only the drawn cases and
the listed anomalies are read back. A million-row log stays well under 100 MB.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO, Protocol

from docgen.audit.population import Population, canonical_fields
from docgen.rules.justification import Finding, QueryFacts

WHOLE_OFFICE = "全處"
UNKNOWN_UNIT = "未知單位"


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
    """A query read back from the spool: where it came from and its canonical fields."""

    source: str
    row: int
    queried_at: datetime
    account_id: str
    subject_id: str
    subject_name: str
    item: str
    justification_fields: tuple[str, ...]
    unit: str

    @property
    def justification(self) -> str:
        """The non-empty justification fields joined with "；" (as on 附件4)."""
        return "；".join(v for v in self.justification_fields if v)


@dataclass(frozen=True)
class Listed:
    """A query on the anomaly list: its unit, spool offset and findings."""

    unit: str
    offset: int
    findings: tuple[Finding, ...]

    @property
    def is_anomaly(self) -> bool:
        return any(f.is_anomaly for f in self.findings)


class Intake:
    """Collects the populations and the anomaly list of one period."""

    def __init__(
        self,
        start: date,
        end: date,
        unit_of: Callable[[LoggedQuery], str],
        check: Callable[[LoggedQuery], list[Finding]],
        spool: BinaryIO,
    ) -> None:
        self.start, self.end = start, end
        self._unit_of, self._check, self._spool = unit_of, check, spool
        self._position = 0
        self.populations: dict[str, Population] = {}
        self._offsets: dict[str, array[int]] = {}
        self.listed: list[Listed] = []
        self.outside = 0

    def add(self, query: LoggedQuery) -> None:
        """Take the next query of the log (queries outside the period are only counted)."""
        if not self.start <= query.queried_at.date() <= self.end:
            self.outside += 1
            return
        unit = self._unit_of(query)
        line = canonical_fields(
            query.queried_at,
            query.account_id,
            query.subject_id,
            query.subject_name,
            query.item,
            (query.doc_no, query.case_no, query.case_name, query.purpose, query.legal_basis),
            query.unit,
        )
        offset = self._write(f"{query.source}\t{query.row}\t".encode() + line)
        if unit not in self.populations:
            self.populations[unit] = Population(unit)
            self._offsets[unit] = array("Q")
        self.populations[unit].add(line)
        self._offsets[unit].append(offset)
        findings = self._check(query)
        if findings:
            self.listed.append(Listed(unit, offset, tuple(findings)))

    def _write(self, record: bytes) -> int:
        offset = self._position
        self._spool.write(record)
        self._position += len(record)
        return offset

    def case(self, unit: str, ordinal: int) -> SpooledQuery:
        """Case ``ordinal`` (1-based) of ``unit``'s population, read back."""
        return self.read(self._offsets[unit][ordinal - 1])

    def read(self, offset: int) -> SpooledQuery:
        """The spooled query at ``offset``."""
        self._spool.flush()
        self._spool.seek(offset)
        record = self._spool.readline()
        self._spool.seek(0, 2)
        source, row, line = record.decode("utf-8").split("\t", 2)
        fields = json.loads(line)
        return SpooledQuery(
            source=source,
            row=int(row),
            queried_at=datetime.fromisoformat(fields[0]),
            account_id=fields[1],
            subject_id=fields[2],
            subject_name=fields[3],
            item=fields[4],
            justification_fields=tuple(fields[5:10]),
            unit=fields[10],
        )
