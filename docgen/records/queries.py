"""The platform's query logs, streamed: a million-row log is never held in memory.

The columns are found through the workspace's ``[columns]`` mapping
(:class:`~docgen.config.QueryColumns`; defaults are the platform's Chinese headers).
A log needs only the columns the rules need (:data:`REQUIRED_FIELDS`: when, who
queried, whose data; and one column of R5.1's justification at least); any other
field it has no column for is blank on every query (and on the forms), and a column
no field maps is ignored: both are named once, in ``absent_columns`` and
``ignored_columns`` (ISSUE 11 item 7; a platform export has 查詢結果筆數 and 來源IP
but no 查詢項目 or 被查詢人姓名).
Each row becomes a :class:`~docgen.records.models.Query`; a row that cannot (no
timestamp, no account, a malformed ID of the person queried) becomes a
:class:`~docgen.errors.RowProblem` instead. Nothing downstream runs on a file with
errors unless the user asks to skip them: iterating a :class:`QueryLog` to its end
raises :class:`~docgen.errors.ValidationFailed` listing the problems, unless it was
opened with ``skip_invalid=True``. A query without any justification is *not* a
reading error: it is the anomaly R5.1 asks the audit to find.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from operator import itemgetter
from pathlib import Path
from typing import Any

from docgen.config import QueryColumns
from docgen.errors import InputError, RowProblem, ValidationFailed
from docgen.i18n import _, ngettext
from docgen.privacy import mask_ids_in_text
from docgen.records import values
from docgen.records.models import JUSTIFICATION_FIELDS, Query, build_query
from docgen.records.tables import (
    clean_header,
    document_rows,
    grid_rows,
    is_blank,
    table_kind,
)

#: Fields every log must have a column for: when, who queried and whose data (R5.1,
#: R6.2). Of :data:`~docgen.records.models.JUSTIFICATION_FIELDS` a log must have one
#: column at least (R5.1 asks for any of them; without one no query can be checked);
#: every other field may be absent, and is then blank on every query.
REQUIRED_FIELDS = ("timestamp", "account", "subject_id")
#: The ``[columns]`` key a message suggests for a log without any justification column.
_JUSTIFICATION_KEY = "purpose"
#: Header names shown in a message about the header, at most.
_NAMES_SHOWN = 40
#: The fields in the order :class:`Query` takes them after ``source``, ``row``.
FIELD_ORDER = (
    *("timestamp", "account", "subject_id", "subject_name", "item", "doc_no"),
    *("case_no", "case_name", "purpose", "legal_basis", "unit"),
)
#: Problems kept in memory; beyond this only their number is counted.
MAX_PROBLEMS = 1000
#: A valid row without the :class:`Query` object: row number, ``queried_at``, the
#: timestamp cell as written when it is ISO 8601 text (else ""), and the fields of
#: :data:`FIELD_ORDER` after the timestamp as stripped text (the ID upper-cased).
Record = tuple[int, datetime, str, list[str]]
_ID_FORMAT = values.ID_FORMAT.fullmatch
#: How many well-formed IDs of queried people a pass remembers (a few MB at most).
_VALID_IDS_KEPT = 100_000
_FROM_ISO = datetime.fromisoformat
#: The date of an ROC date and time as the platform writes it: ``115/10/01 09:15:32``
#: (or ``115-10-01 09:15:32``); the time is read by ``time.fromisoformat``.
_ROC_DAY = re.compile(r"[0-9]{3}([-/])[0-9]{2}\1[0-9]{2}")
_TIME = time.fromisoformat
_COMBINE = datetime.combine
#: The days of the ROC stamps read so far, by their date text (a log has a few hundred).
_ROC_DAYS: dict[str, date] = {}
_ROC_DAYS_KEPT = 4096


class QueryLog:
    """A query-log file read through a column mapping; iterate it for :class:`Query`
    objects (re-iterable: each iteration reads the file again).

    After a full iteration, ``problems`` holds the first :data:`MAX_PROBLEMS` problems,
    ``problem_count`` all of them, ``rows`` the data rows read and ``invalid_rows`` how
    many of them were rejected; from its start, ``ignored_columns`` names the columns no
    field maps and ``absent_columns`` the (optional) mapped columns the file lacks."""

    def __init__(
        self,
        path: Path,
        columns: QueryColumns | None = None,
        skip_invalid: bool = False,
        max_problems: int = MAX_PROBLEMS,
    ) -> None:
        self.path = Path(path)
        self.columns = columns or QueryColumns()
        self.skip_invalid = skip_invalid
        self.max_problems = max_problems
        #: Headers of the file no field maps, in file order: ignored (set once the
        #: header is read, i.e. when iteration starts).
        self.ignored_columns: tuple[str, ...] = ()
        #: The mapped headers of the fields the file has no column for (their values are
        #: blank on every query), in :data:`FIELD_ORDER`.
        self.absent_columns: tuple[str, ...] = ()
        self._reset()

    def _reset(self) -> None:
        self.problems: list[RowProblem] = []
        self.problem_count = 0
        self.rows = 0
        self.invalid_rows = 0

    def _problem(self, row: int | None, column: str | None, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < self.max_problems:
            masked = mask_ids_in_text(problem)
            self.problems.append(RowProblem(str(self.path), row, column, masked))

    def __iter__(self) -> Iterator[Query]:
        self._reset()
        return self._validated(records=False)

    def records(self) -> Iterator[Record]:
        """The valid rows as plain :data:`Record` tuples, without building
        :class:`Query` objects (for passes over millions of rows). The same validation,
        problems and counts as iterating the log."""
        self._reset()
        return self._validated(records=True)

    def check(self) -> None:
        """Read the whole log; raise :class:`ValidationFailed` if any row is invalid
        (unless the log was opened with ``skip_invalid``)."""
        for _query in self:
            pass

    def _rows(self) -> tuple[list[str], Iterator[tuple[int, Sequence[Any]]]]:
        if table_kind(self.path) == "document":
            entries = document_rows(self.path)
            first = next(entries, None)
            if first is None:
                raise InputError(_("{file}: the query log has no entries").format(file=self.path))
            header = list(first[1])

            def as_cells() -> Iterator[tuple[int, Sequence[Any]]]:
                for number, entry in (first, *entries):
                    yield number, [entry.get(name, "") for name in header]

            return header, as_cells()
        rows = grid_rows(self.path)
        head = next(rows, None)
        if head is None:
            raise InputError(
                _("{file}: the file is empty; expected a header row").format(file=self.path)
            )
        return clean_header(self.path, head[1]), rows

    def column_indexes(self, header: Sequence[str]) -> list[int | None]:
        """For each field of :data:`FIELD_ORDER`, its column index (None if absent); sets
        ``ignored_columns`` and ``absent_columns``. A missing required column, or no
        justification column at all, is a one-line :class:`InputError` naming the file,
        the header, the mapping key and both remedies."""
        position = {name: i for i, name in enumerate(header) if name}
        mapping = self.columns.model_dump()
        indexes = [position.get(mapping[field]) for field in FIELD_ORDER]
        found = dict(zip(FIELD_ORDER, indexes, strict=True))
        absent = [field for field in FIELD_ORDER if found[field] is None]
        missing = [field for field in REQUIRED_FIELDS if found[field] is None]
        unjustified = all(found[field] is None for field in JUSTIFICATION_FIELDS)
        if missing or unjustified:
            raise InputError(self._refusal(header, mapping, missing, unjustified, absent))
        mapped = {mapping[field] for field in FIELD_ORDER}
        self.ignored_columns = tuple(name for name in header if name and name not in mapped)
        self.absent_columns = tuple(mapping[field] for field in absent)
        return indexes

    def _refusal(
        self,
        header: Sequence[str],
        mapping: dict[str, str],
        missing: list[str],
        unjustified: bool,
        absent: list[str],
    ) -> str:
        """The one-line message refusing a header without the columns the rules need:
        the file, each missing header with its ``[columns]`` key, what was expected and
        found, the optional columns not found either, and both remedies."""
        key_of = _("{header!r} (key columns.{key})")
        wanted = [key_of.format(header=mapping[field], key=field) for field in missing]
        keys = list(missing)
        justification = "/".join(mapping[field] for field in JUSTIFICATION_FIELDS)
        if unjustified:
            wanted.append(
                _("nor any of the justification (R5.1)")
                if missing
                else _("of the justification (R5.1)")
            )
            keys.append(_JUSTIFICATION_KEY)
        optional = [
            key_of.format(header=mapping[field], key=field)
            for field in absent
            if field not in missing and not (unjustified and field in JUSTIFICATION_FIELDS)
        ]
        also = (
            _("; not found either (optional, left blank): {columns}").format(
                columns=", ".join(optional)
            )
            if optional
            else ""
        )
        *others, last = (f for f in JUSTIFICATION_FIELDS if f != _JUSTIFICATION_KEY)
        data = any(_ID_FORMAT(name.upper()) for name in header)
        hint = " " + _("(the first row holds an ID: is the header row missing?)") if data else ""
        yours = _("<your header>")
        entries = ", ".join(f'{key} = "{yours}"' for key in keys)
        message = ngettext(
            "{file}: no column {wanted} in the header. Expected: {required} and at least "
            "one of {justification}; found: {found}{hint}{also}. Rename the column in the "
            "file, or map it in docgen.toml: [columns] {entries}",
            "{file}: no column {wanted} in the header. Expected: {required} and at least "
            "one of {justification}; found: {found}{hint}{also}. Rename the columns in the "
            "file, or map them in docgen.toml: [columns] {entries}",
            len(keys),
        ).format(
            file=self.path,
            wanted=", ".join(wanted),
            required=",".join(mapping[field] for field in REQUIRED_FIELDS),
            justification=justification,
            found=_names(header),
            hint=hint,
            also=also,
            entries=entries,
        )
        if unjustified:
            message += " " + _("({others} or {last} instead of {key})").format(
                others=", ".join(others), last=last, key=_JUSTIFICATION_KEY
            )
        return message

    def _validated(self, records: bool) -> Iterator[Any]:
        header, rows = self._rows()
        indexes = self.column_indexes(header)
        width = len(header)
        stamp = indexes[0]
        texts, pad, tail = _selection(indexes, width)
        grid = table_kind(self.path) == "csv"
        source = str(self.path)
        strip, from_iso, id_format, build = str.strip, _FROM_ISO, _ID_FORMAT, build_query
        roc = _roc_datetime
        valid_ids: set[str] = set()  # people queried again need no second look
        count = 0
        queried_at: datetime | None
        try:
            for number, cells in rows:
                if not grid or len(cells) < width:
                    if is_blank(cells):
                        continue
                    cells = _normalised(cells, width)
                if pad:
                    cells.append("")  # type: ignore[attr-defined]
                count += 1
                fields = list(map(strip, texts(cells)))
                if tail:
                    fields += tail
                cell = cells[stamp]  # type: ignore[index]
                try:
                    queried_at = from_iso(cell)
                    if queried_at.tzinfo is not None:
                        queried_at = queried_at.replace(tzinfo=None)
                except (ValueError, TypeError):
                    queried_at = roc(cell) or self._timestamp(number, cell)
                    cell = ""
                if fields[1] not in valid_ids or not fields[0]:
                    if id_format(fields[1]) is None or not fields[0]:
                        queried_at = self._check_people(number, fields, queried_at)
                    elif len(valid_ids) < _VALID_IDS_KEPT:
                        valid_ids.add(fields[1])
                if queried_at is None:
                    self.invalid_rows += 1
                elif records:
                    yield number, queried_at, cell, fields
                else:
                    yield build(source, number, queried_at, *fields)
        finally:
            self.rows = count
        if self.problem_count and not self.skip_invalid:
            raise ValidationFailed(self.problems, self.problem_count)

    def _timestamp(self, number: int, cell: Any) -> datetime | None:
        """The timestamp in any other form (ROC text, an Excel cell), or None."""
        try:
            return values.datetime_value(cell)
        except ValueError as error:
            self._problem(number, self.columns.timestamp, str(error))
            return None

    def _check_people(
        self, number: int, fields: list[str], queried_at: datetime | None
    ) -> datetime | None:
        """Check the account and the queried person's ID (the slow path of a row):
        ``queried_at``, or None when the row is invalid."""
        if not fields[0]:
            self._problem(number, self.columns.account, _("empty: the account is required"))
            queried_at = None
        try:
            fields[1] = values.national_id(fields[1], check_digit=False)
        except ValueError as error:
            self._problem(number, self.columns.subject_id, str(error))
            queried_at = None
        return queried_at


def _roc_datetime(cell: Any) -> datetime | None:
    """``cell`` read fast if it is an ROC date and time as the platform writes it
    (``115/10/01 09:15:32``, ``115-10-01 09:15:32``): the value
    :func:`docgen.records.values.datetime_value` gives, or None for anything else (an
    impossible date or time too: the slow path then says what is wrong)."""
    if type(cell) is not str or len(cell) != 18 or cell[9] != " ":
        return None
    day = _ROC_DAYS.get(cell[:9])
    if day is None:
        day = _roc_day(cell[:9])
        if day is None:
            return None
    try:
        moment = _TIME(cell[10:])
    except ValueError:
        return None
    return _COMBINE(day, moment) if moment.tzinfo is None and not moment.microsecond else None


def _roc_day(text: str) -> date | None:
    """The day of an ROC date ``115/10/01`` or ``115-10-01`` (remembered), or None."""
    if _ROC_DAY.fullmatch(text) is None:
        return None
    try:
        day = values.date_value(text)
    except ValueError:
        return None
    if len(_ROC_DAYS) < _ROC_DAYS_KEPT:
        _ROC_DAYS[text] = day
    return day


def _names(header: Sequence[str]) -> str:
    """The header as a message shows it, on one line: its first :data:`_NAMES_SHOWN`
    names, a name that is not printable text quoted, any national ID in it masked (a
    file without a header row has a data row there)."""
    shown = [name if name.isprintable() else repr(name) for name in header[:_NAMES_SHOWN]]
    more = (
        ",… " + _("({count} more)").format(count=len(header) - _NAMES_SHOWN)
        if len(header) > _NAMES_SHOWN
        else ""
    )
    return mask_ids_in_text(",".join(shown)) + more


def _selection(
    indexes: list[int | None], width: int
) -> tuple[Callable[[Sequence[Any]], Any], bool, tuple[str, ...]]:
    """How to pick the fields of :data:`FIELD_ORDER` after the timestamp from a row of
    ``width`` cells: a getter; whether an empty cell is appended to the row first (the
    getter reads an absent column there); empty fields to append to what it got. A
    log with just these columns, in this order, absent ones last, is sliced (faster)."""
    present = [i for i in indexes if i is not None]
    if present == list(range(width)) and indexes[:width] == present:
        return itemgetter(slice(1, width)), False, ("",) * (len(indexes) - width)
    return itemgetter(*(-1 if i is None else i for i in indexes[1:])), None in indexes, ()


def _normalised(cells: Sequence[Any], width: int) -> list[Any]:
    """Cells padded to ``width``; everything but date/time values as text."""
    out = [c if hasattr(c, "year") else values.text(c) for c in cells]
    return out + [""] * (width - len(out))
