"""The rows of an OpenDocument spreadsheet (.ods), streamed (ISSUE 11 item 10).

The government's document standard (政府文件標準格式 ODF-CNS15251) makes ODS what an
office may hand us for a query log, the account registry or form data. The file is
bounded by :func:`docgen.zipguard.check_zip` first, like a workbook; its
``content.xml`` is then read by expat a block at a time (never as a whole document
tree), so a log of 100 000 rows is read in bounded memory. Only the first sheet
(``table:table``) is read, like the first worksheet of an XLSX.

Cells give what openpyxl gives for an XLSX: numbers (``office:value``) as ``int`` or
``float``, a date (``office:date-value``) as a ``date`` (a ``datetime`` when it has a
time), a time as a ``time``, a boolean as ``bool``, text as ``str`` (paragraphs joined
by line breaks; ``text:s``, ``text:tab`` and ``text:line-break`` as the spaces, tab and
line break they stand for; comments left out); an empty cell as ``""``.

LibreOffice writes the empty rest of a sheet as one row repeated 1 048 576 times and
the empty rest of a row as one cell repeated up to 16 384 times
(``table:number-rows-repeated``, ``table:number-columns-repeated``): empty cells at the
end of a row are dropped and a repeated empty row is given once (with the numbers of
the rows after it counted on), so neither is ever spelled out. A value past
:data:`MAX_COLUMNS`, a cell's text longer than :data:`MAX_CELL_CHARS`, a document type
declaration or entity (not in an office file; the XML bomb's tool) and XML that does
not parse are one :class:`~docgen.errors.InputError` naming the file (and the row).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.parsers import expat

from docgen.errors import DocgenError, InputError
from docgen.i18n import N_, _, translate
from docgen.zipguard import DEFAULT_LIMITS, ZipLimits, check_zip

#: What an ODS file is called in messages.
ODS_KIND = N_("OpenDocument spreadsheet (.ods)")
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
#: Columns a row may have values in (as for CSV and XLSX: :mod:`docgen.records.tables`).
MAX_COLUMNS = 1_000
#: The longest text of one cell (a justification has a few hundred characters).
MAX_CELL_CHARS = 1 << 20
#: Rows a sheet may have values in (LibreOffice's and Excel's limit): a row repeated
#: past it (``table:number-rows-repeated="1000000000"``) is refused, not read for hours.
MAX_ROWS = 1_048_576
#: Spaces one ``text:s`` may stand for (a sheet has no reason for more).
_MAX_SPACES = 1_000
_BLOCK = 1 << 16

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SHEET = f"{_TABLE} table"
_ROW = f"{_TABLE} table-row"
_CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")
_PARAGRAPH = f"{_TEXT} p"
_SPACE = f"{_TEXT} s"
_TAB = f"{_TEXT} tab"
_BREAK = f"{_TEXT} line-break"
_ANNOTATION = f"{_OFFICE} annotation"
_ROWS_REPEATED = f"{_TABLE} number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE} number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE} value-type"
_VALUE = f"{_OFFICE} value"
_DATE_VALUE = f"{_OFFICE} date-value"
_TIME_VALUE = f"{_OFFICE} time-value"
_BOOLEAN_VALUE = f"{_OFFICE} boolean-value"
_STRING_VALUE = f"{_OFFICE} string-value"
_NUMBERS = frozenset({"float", "percentage", "currency"})
_DURATION = re.compile(r"-?P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?")

Row = tuple[int, list[Any]]
#: A row as the parser gathers it: its number, its cells, and how often it repeats.
_Gathered = tuple[int, list[Any], int]


class _Refused(Exception):
    """What is wrong with the sheet (raised inside expat's callbacks)."""


def _count(attributes: dict[str, str], name: str) -> int:
    try:
        return max(1, int(attributes.get(name, "1")))
    except ValueError:
        return 1


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _date(text: str) -> date | datetime:
    value = datetime.fromisoformat(text)
    if "T" not in text:
        return value.date()
    return value.replace(tzinfo=None) if value.tzinfo is not None else value


def _time(text: str) -> time | timedelta:
    found = _DURATION.fullmatch(text.strip())
    if found is None:
        raise ValueError(text)
    days, hours, minutes, seconds = (float(part or 0) for part in found.groups())
    length = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if text.strip().startswith("-") or length >= timedelta(days=1):
        return -length if text.strip().startswith("-") else length
    return (datetime.min + length).time()


def _value(attributes: dict[str, str], text: str) -> Any:
    """A cell's value from its ``office:*`` attributes (its shown text for text)."""
    kind = attributes.get(_VALUE_TYPE, "")
    if kind in _NUMBERS and _VALUE in attributes:
        return _number(attributes[_VALUE])
    if kind == "date" and _DATE_VALUE in attributes:
        return _date(attributes[_DATE_VALUE])
    if kind == "time" and _TIME_VALUE in attributes:
        return _time(attributes[_TIME_VALUE])
    if kind == "boolean" and _BOOLEAN_VALUE in attributes:
        return attributes[_BOOLEAN_VALUE].strip().lower() == "true"
    if kind == "string" and _STRING_VALUE in attributes:
        return attributes[_STRING_VALUE]
    return text


class _Sheet:
    """expat's callbacks: the rows of the first sheet, gathered in ``rows``."""

    def __init__(self) -> None:
        self.rows: list[_Gathered] = []
        self.number = 0  # the last row number given
        self.done = False
        self._tables = 0  # table:table elements open (a cell may hold a sub-table)
        self._row: list[Any] | None = None
        self._row_repeat = 1
        self._empties = 0  # empty cells not yet put in the row (they may end it)
        self._cell: dict[str, str] | None = None
        self._cell_repeat = 1
        self._text: list[str] = []
        self._length = 0
        self._paragraphs = 0
        self._in_paragraph = 0
        self._skip = 0  # depth inside an annotation

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.done:
            return
        if name == _SHEET:
            self._tables += 1
            return
        if self._tables != 1:
            return
        if self._skip or name == _ANNOTATION:
            self._skip += 1
            return
        if name == _ROW:
            self._row, self._empties = [], 0
            self._row_repeat = _count(attributes, _ROWS_REPEATED)
        elif name in _CELLS and self._row is not None:
            self._cell, self._text, self._length = attributes, [], 0
            self._paragraphs, self._cell_repeat = 0, _count(attributes, _COLUMNS_REPEATED)
        elif self._cell is not None:
            if name == _PARAGRAPH:
                if self._paragraphs:
                    self._add("\n")
                self._paragraphs += 1
                self._in_paragraph += 1
            elif name == _SPACE and self._in_paragraph:
                self._add(" " * min(_count(attributes, f"{_TEXT} c"), _MAX_SPACES))
            elif name == _TAB and self._in_paragraph:
                self._add("\t")
            elif name == _BREAK and self._in_paragraph:
                self._add("\n")

    def end(self, name: str) -> None:
        if self.done:
            return
        if name == _SHEET:
            self._tables -= 1
            self.done = self._tables == 0
            return
        if self._tables != 1:
            return
        if self._skip:
            self._skip -= 1
            return
        if name == _PARAGRAPH and self._cell is not None:
            self._in_paragraph -= 1
        elif name in _CELLS and self._cell is not None:
            self._end_cell()
        elif name == _ROW and self._row is not None:
            self._end_row()

    def characters(self, data: str) -> None:
        if self._cell is not None and self._in_paragraph and not self._skip:
            self._add(data)

    def _add(self, text: str) -> None:
        self._length += len(text)
        if self._length > MAX_CELL_CHARS:
            column = len(self._row or []) + self._empties + 1
            raise _Refused(
                _(
                    "row {row}, column {column}: a cell longer than {limit} characters: "
                    "not a table docgen reads (is it the right file?)"
                ).format(row=self.number + 1, column=column, limit=f"{MAX_CELL_CHARS:,}")
            )
        self._text.append(text)

    def _end_cell(self) -> None:
        assert self._cell is not None and self._row is not None
        try:
            value = _value(self._cell, "".join(self._text))
        except (ValueError, OverflowError) as error:
            column = len(self._row) + self._empties + 1
            raise _Refused(
                _("row {row}, column {column}: not a valid cell value ({value})").format(
                    row=self.number + 1, column=column, value=error
                )
            ) from error
        self._cell = None
        if value == "" or value is None:
            self._empties += self._cell_repeat
            return
        start = len(self._row) + self._empties
        if start + self._cell_repeat > MAX_COLUMNS:
            raise _Refused(
                _(
                    "row {row}, column {column}: a value past column {limit}: "
                    "docgen reads tables of at most {limit} columns"
                ).format(
                    row=self.number + 1,
                    column=max(start, MAX_COLUMNS) + 1,
                    limit=f"{MAX_COLUMNS:,}",
                )
            )
        self._row += [""] * self._empties + [value] * self._cell_repeat
        self._empties = 0

    def _end_row(self) -> None:
        assert self._row is not None
        cells, repeat = self._row, self._row_repeat
        self._row = None
        if not cells:  # an empty row, however often repeated, is given once
            self.rows.append((self.number + 1, [], 1))
            self.number += repeat
            return
        if self.number + repeat > MAX_ROWS:
            raise _Refused(
                _("row {row}: a value past row {limit}: more rows than a sheet holds").format(
                    row=f"{MAX_ROWS + 1:,}", limit=f"{MAX_ROWS:,}"
                )
            )
        self.rows.append((self.number + 1, cells, repeat))
        self.number += repeat


class NamedSheet(_Sheet):
    """The parser of :mod:`docgen.records.ods_reader`, for the sheet (``table:table``)
    named ``name`` rather than the first: every other sheet is passed over."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.wanted = name
        self.found = False
        self._passing = 0  # depth inside a sheet passed over

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self._passing:
            self._passing += name == _SHEET
            return
        if name == _SHEET and self._tables == 0:
            if attributes.get(_TABLE_NAME) != self.wanted:
                self._passing = 1
                return
            self.found = True
        super().start(name, attributes)

    def end(self, name: str) -> None:
        if self._passing:
            self._passing -= name == _SHEET
            return
        super().end(name)


_TABLE_NAME = f"{_TABLE} name"


def _refuse_declarations(*_args: Any) -> None:
    raise _Refused(_("a document type declaration or an entity: not an office file"))


def _parser(sheet: _Sheet) -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = sheet.start
    parser.EndElementHandler = sheet.end
    parser.CharacterDataHandler = sheet.characters
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    return parser


def _unreadable(path: Path, reason: str, after_row: int = 0) -> InputError:
    where = _(" after row {row}").format(row=f"{after_row:,}") if after_row else ""
    return InputError(
        _("{file}: not a readable {kind}{where}: {reason}").format(
            file=path, kind=translate(ODS_KIND), where=where, reason=reason
        )
    )


def check_ods(path: Path, limits: ZipLimits = DEFAULT_LIMITS) -> None:
    """Refuse ``path`` (one :class:`InputError` naming it) unless it is a zip package
    within ``limits`` (:func:`docgen.zipguard.check_zip`) holding a spreadsheet's
    ``content.xml``."""
    if path.is_file() and not zipfile.is_zipfile(path):
        raise _unreadable(
            path, _("not a zip package (an old .xls or .sxc, or another file renamed?)")
        )
    check_zip(path, translate(ODS_KIND), limits)
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        if "content.xml" not in names:
            raise _unreadable(path, _("it has no content.xml"))
        if "mimetype" in names:
            kind = package.read("mimetype").decode("ascii", "replace").strip()
            if kind != ODS_MIMETYPE:
                raise _unreadable(
                    path, _("it is a {mimetype}, not a spreadsheet").format(mimetype=kind)
                )


def ods_rows(
    path: Path, limits: ZipLimits = DEFAULT_LIMITS, sheet: _Sheet | None = None
) -> Iterator[Row]:
    """Every row of the first sheet of the ODS at ``path`` (the header first) as
    ``(row number, cells)``, streamed; see the module for what the cells hold. With
    ``sheet`` (a :class:`NamedSheet`), the rows of the sheet it names instead."""
    check_ods(path, limits)
    sheet = sheet or _Sheet()
    parser = _parser(sheet)
    try:
        with zipfile.ZipFile(path) as package, package.open("content.xml") as member:
            while not sheet.done:
                block = member.read(_BLOCK)
                parser.Parse(block, not block)
                gathered, sheet.rows = sheet.rows, []
                for first, cells, repeat in gathered:
                    for number in range(first, first + repeat):
                        yield number, list(cells)
                if not block:
                    break
    except (DocgenError, MemoryError):
        raise
    except _Refused as error:  # its message names the row where there is one
        raise _unreadable(path, str(error)) from error
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code) if error.code else str(error)
        raise _unreadable(
            path, _("XML that does not parse ({reason})").format(reason=reason), sheet.number
        ) from error
    except Exception as error:  # zipfile and zlib raise many kinds for a damaged file
        reason = str(error).strip() or type(error).__name__
        raise _unreadable(path, reason, sheet.number) from error
