"""Read any table the office hands us: CSV, XLSX, ODS, YAML or JSON, as a stream of rows.

* **CSV** in UTF-8, UTF-8 with a BOM, or CP950 (Big5): the encoding is detected
  from a sample at the start of the file, then the file is decoded as a stream; a
  byte sequence that does not decode later on is an error naming its row.
* **XLSX**: the first worksheet, read with openpyxl in read-only (streaming) mode.
* **ODS** (OpenDocument, the government's document standard ODF-CNS15251; ISSUE 11
  item 10): the first sheet, streamed by :mod:`docgen.records.ods_reader`, its cells
  typed as an XLSX's are (dates, numbers, text); a sheet by its name with
  :class:`OdsSheet` (a workbook read back whole, as the audit's sample sheet).
* **YAML / JSON**: a list of mappings, or a mapping holding exactly one such list.

Row numbers count as a person does: in CSV, XLSX and ODS the header is row 1 and data
starts at row 2; in YAML and JSON the first entry is row 1. Blank rows are skipped.

Hostile files (ISSUE 9 items 8, 9) end in one :class:`~docgen.errors.InputError`
naming the file (and the row and column where there is one), in bounded memory:

* a workbook (XLSX or ODS) is opened only after :func:`docgen.zipguard.check_zip` (no
  decompression bomb, no damaged member), read streaming, and any error openpyxl or
  expat raises on what is left (XML that is not XML, an entity expansion) is one line
  naming the file;
* a CSV line is read at most :data:`MAX_ROW_CHARS` characters at a time and a row may
  not be longer; a field longer than the :mod:`csv` module's limit (128 KiB) and a NUL
  character name their row and column;
* a row may have values in its first :data:`MAX_COLUMNS` columns only (empty cells
  after them, as Excel leaves, are dropped); a worksheet's claimed dimensions are
  ignored (a ``<dimension ref="A1:XFD1048576"/>`` does not pad every row), and an ODS's
  repeated empty rows and cells (``table:number-rows-repeated="1048576"``) are never
  spelled out.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from docgen.errors import DocgenError, InputError
from docgen.i18n import N_, _, translate
from docgen.records import ods_reader
from docgen.records.ods_reader import ods_rows
from docgen.yamlsafe import DocumentError, load_json, load_yaml, read_text_capped
from docgen.zipguard import DEFAULT_LIMITS, ZipLimits, check_zip

#: How much of a CSV file the encoding is detected from.
SAMPLE_BYTES = 256 * 1024
#: Encodings tried after a BOM check, in order (CP950 is Microsoft's Big5).
_ENCODINGS = ("utf-8", "cp950")
_ENCODING_NAMES = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "cp950": "CP950 (Big5)"}
TABLE_SUFFIXES = (".csv", ".xlsx", ".ods", ".yaml", ".yml", ".json")
#: The longest CSV row read, its lines together, in characters (a query-log row has
#: a few hundred).
MAX_ROW_CHARS = 1 << 20
#: Columns a row may have values in (a query log has about a dozen).
MAX_COLUMNS = 1_000
#: What an XLSX file is called in messages.
XLSX_KIND = N_("Excel workbook (.xlsx)")

Row = tuple[int, list[Any]]


def detect_encoding(path: Path) -> str:
    """The text encoding of the CSV at ``path``: ``utf-8-sig``, ``utf-8`` or ``cp950``."""
    with _open_binary(path) as handle:
        sample = handle.read(SAMPLE_BYTES)
        complete = not handle.read(1)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in _ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError(
        _(
            "{file}: neither UTF-8 nor Big5 (CP950) text; "
            "save it from Excel as 'CSV UTF-8' and try again"
        ).format(file=path)
    )


def _open_binary(path: Path) -> Any:
    try:
        return open(path, "rb")
    except FileNotFoundError as error:
        raise InputError(_("{file}: no such file").format(file=path)) from error
    except OSError as error:
        raise InputError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=error.strerror)
        ) from error


def _first_bad_line(path: Path, encoding: str) -> int:
    """The number of the first line of ``path`` that does not decode (read a MiB at a
    time: a line may be as long as the file)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    number = 1
    with open(path, "rb") as handle:
        for piece in iter(partial(handle.readline, MAX_ROW_CHARS), b""):
            try:
                decoder.decode(piece)
            except UnicodeDecodeError:
                return number
            number += piece.endswith(b"\n")
    return 0


class _RowTooLong(Exception):
    """A CSV row passed :data:`MAX_ROW_CHARS` (raised through ``csv.reader``)."""


class _NulCharacter(Exception):
    """A CSV line holds a NUL (raised through ``csv.reader``)."""


def _bounded_lines(handle: Any, budget: list[int], nul: bool = True) -> Iterator[str]:
    """The lines of ``handle`` for ``csv.reader``, none read past :data:`MAX_ROW_CHARS`;
    ``budget[0]`` is what the current row may still take (the reader of the rows resets
    it after each row). A line with a NUL is refused too, unless not ``nul``."""
    for line in iter(partial(handle.readline, MAX_ROW_CHARS + 1), ""):
        if len(line) > budget[0] or ("\x00" in line and nul):  # one test on the common path
            raise _RowTooLong if len(line) > budget[0] else _NulCharacter
        budget[0] -= len(line)
        yield line


def _plain_lines(path: Path) -> bool:
    """Whether every line of ``path`` is short, free of NUL bytes and of quotes, so that
    a row is a line and ``csv.reader`` may read the file at its own speed (else
    :func:`_bounded_lines` guards each line). Checked in bytes, a block at a time: a
    line inside a block is shorter than the block, so only the line a block leaves
    open is measured. A line's bytes bound its characters."""
    run = 0  # bytes of the line that the blocks so far leave open
    with _open_binary(path) as handle:
        for block in iter(partial(handle.read, MAX_ROW_CHARS), b""):
            if b"\x00" in block or b'"' in block:
                return False
            first = block.find(b"\n")
            if run + (len(block) if first < 0 else first) > MAX_ROW_CHARS:
                return False
            run = run + len(block) if first < 0 else len(block) - block.rfind(b"\n") - 1
    return True


def csv_rows(path: Path) -> Iterator[Row]:
    """Every row of a CSV file (the header first) as ``(row number, cells)``; a row too
    long, a field too long, a NUL or a value past :data:`MAX_COLUMNS` is an
    :class:`InputError` naming the row (and the column)."""
    encoding = detect_encoding(path)
    plain = _plain_lines(path)
    with open(path, encoding=encoding, newline="") as handle:
        budget = [MAX_ROW_CHARS]
        number = 0
        lines = handle if plain else _bounded_lines(handle, budget)
        try:
            for number, cells in enumerate(csv.reader(lines), 1):
                budget[0] = MAX_ROW_CHARS
                if len(cells) > MAX_COLUMNS:
                    cells = _first_columns(path, number, cells)
                yield number, cells
        except UnicodeDecodeError as error:
            line = _first_bad_line(path, encoding)
            raise InputError(
                _(
                    "{file}, row {row}: not valid {encoding} text although the start of "
                    "the file is; save the whole file in one encoding"
                ).format(file=path, row=line, encoding=_ENCODING_NAMES[encoding])
            ) from error
        except (_RowTooLong, _NulCharacter, csv.Error) as error:
            raise _refusal(path, encoding, number + 1, error) from error


def _column(header: Sequence[Any], index: int) -> str:
    """Column ``index`` (0-based) as a message names it: its header, else its number."""
    name = str(header[index]).strip() if index < len(header) else ""
    return name or str(index + 1)


def _replay(path: Path, encoding: str, number: int) -> tuple[list[str], int, list[str] | None]:
    """Read ``path`` again up to row ``number``, which failed (the error path only): the
    header, the line row ``number`` starts after, and its cells (NULs kept), or None
    when it cannot be parsed."""
    header: list[str] = []
    start = 0
    with open(path, encoding=encoding, newline="", errors="replace") as handle:
        budget = [MAX_ROW_CHARS]
        reader = csv.reader(_bounded_lines(handle, budget, nul=False))
        try:
            for index, cells in enumerate(reader, 1):
                budget[0] = MAX_ROW_CHARS
                if index == number:
                    return header, start, cells
                header = cells[:MAX_COLUMNS] if index == 1 else header
                start = reader.line_num
        except (_RowTooLong, csv.Error):
            pass
    return header, start, None


def _refusal(path: Path, encoding: str, number: int, error: Exception) -> InputError:
    """The error for row ``number``, which csv refused or :func:`_bounded_lines` did: the
    field too long or holding a NUL, by column, or the row too long."""
    header, start, cells = _replay(path, encoding, number)
    if isinstance(error, _NulCharacter):
        index = next((i for i, c in enumerate(cells or []) if "\x00" in c), None)
        where = (
            _(", column {column}").format(column=_column(header, index))
            if index is not None
            else ""
        )
        return InputError(
            _(
                "{file}, row {row}{where}: a NUL character (byte 0): not CSV text "
                "(a binary or UTF-16 file?); save it from Excel as 'CSV UTF-8'"
            ).format(file=path, row=number, where=where)
        )
    limit = csv.field_size_limit()
    index, fields = _long_field(_row_text(path, encoding, start), limit)
    if index is not None:
        return InputError(
            _(
                "{file}, row {row}, column {column}: a field longer than {limit} "
                "characters: not a table docgen reads (is it the right file?)"
            ).format(file=path, row=number, column=_column(header, index), limit=f"{limit:,}")
        )
    if isinstance(error, _RowTooLong):
        return InputError(
            _(
                "{file}, row {row}: longer than {limit} characters ({columns} columns or "
                "more): not a table docgen reads (is it the right file?)"
            ).format(file=path, row=number, limit=f"{MAX_ROW_CHARS:,}", columns=f"{fields:,}")
        )
    return InputError(
        _("{file}, row {row}: not valid CSV: {reason}").format(file=path, row=number, reason=error)
    )


def _first_columns(path: Path, number: int, cells: Sequence[Any]) -> list[Any]:
    """The first :data:`MAX_COLUMNS` cells; a value after them is an :class:`InputError`."""
    tail = list(cells[MAX_COLUMNS:])
    if tail.count("") + tail.count(None) == len(tail):
        return list(cells[:MAX_COLUMNS])
    for index in range(MAX_COLUMNS, len(cells)):
        cell = cells[index]
        if cell is not None and not (isinstance(cell, str) and not cell.strip()):
            raise InputError(
                _(
                    "{file}, row {row}, column {column}: a value past column {limit}: "
                    "docgen reads tables of at most {limit} columns"
                ).format(file=path, row=number, column=index + 1, limit=f"{MAX_COLUMNS:,}")
            )
    return list(cells[:MAX_COLUMNS])


def _row_text(path: Path, encoding: str, start: int) -> str:
    """At most :data:`MAX_ROW_CHARS` + 1 characters of ``path`` from line ``start`` + 1
    (0-based ``start``: the lines before it are skipped, a MiB at a time)."""
    with open(path, encoding=encoding, newline="", errors="replace") as handle:
        readline = partial(handle.readline, MAX_ROW_CHARS + 1)
        skipped = 0
        while skipped < start and (piece := readline()):
            skipped += piece.endswith(("\n", "\r"))
        return handle.read(MAX_ROW_CHARS + 1)


def _long_field(text: str, limit: int) -> tuple[int | None, int]:
    """In the CSV row that ``text`` begins with: the index of its first field longer than
    ``limit`` characters (None if none is), and how many fields it has begun."""
    index = length = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
            continue
        if not quoted:
            if char == ",":
                index, length = index + 1, 0
                continue
            if char in "\r\n":
                break
        length += 1
        if length > limit:
            return index, index + 1
    return None, index + 1


class OdsSheet:
    """The rows of the sheet named ``name`` of the ODS at ``path`` (:meth:`rows`), streamed
    as :func:`~docgen.records.ods_reader.ods_rows` streams the first sheet: the same
    checks, limits, cells and one-line errors naming the file. ``found`` says, once the
    rows are read, whether the file has that sheet. For a workbook of several sheets
    read back by name (the audit's sample sheet, saved as ODS)."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self._table = ods_reader.NamedSheet(name)

    @property
    def found(self) -> bool:
        return self._table.found

    def rows(self) -> Iterator[ods_reader.Row]:
        yield from ods_reader.ods_rows(self.path, sheet=self._table)


def open_workbook(path: Path, limits: ZipLimits = DEFAULT_LIMITS) -> Any:
    """The workbook at ``path``, opened read-only (streaming) after
    :func:`docgen.zipguard.check_zip` has bounded it (ISSUE 9 item 8): an
    :class:`InputError` naming ``path`` for a missing, damaged or hostile file. Close it
    (``book.close()``) when done; read it inside :func:`workbook_errors`."""
    from openpyxl import load_workbook

    if path.is_file() and not zipfile.is_zipfile(path):
        raise InputError(
            _(
                "{file}: not a readable {kind}: not a zip package "
                "(an old .xls, or another file renamed?)"
            ).format(file=path, kind=translate(XLSX_KIND))
        )
    check_zip(path, _("Excel workbook"), limits)
    with workbook_errors(path):
        return load_workbook(path, read_only=True, data_only=True)


@contextmanager
def workbook_errors(path: Path, after_row: Callable[[], int] | None = None) -> Iterator[None]:
    """Whatever openpyxl raises for a damaged workbook (XML that is not XML or expands
    entities past expat's limits, a missing part, a bad value), as one
    :class:`InputError` naming ``path`` (ISSUE 9 item 9); ``after_row()`` is the last
    row read, for the message. Our own errors and ``MemoryError`` pass through."""
    try:
        yield
    except (DocgenError, MemoryError):
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        row = after_row() if after_row is not None else 0
        where = _(" after row {row}").format(row=f"{row:,}") if row else ""
        reason = str(error).strip() or type(error).__name__
        raise InputError(
            _("{file}: not a readable {kind}{where}: {reason}").format(
                file=path, kind=translate(XLSX_KIND), where=where, reason=reason
            )
        ) from error


def xlsx_rows(path: Path) -> Iterator[Row]:
    """Every row of the first worksheet of an XLSX workbook, streamed (read-only), as
    long as its cells go (not as its claimed dimensions say)."""
    book = open_workbook(path)
    number = 0
    try:
        with workbook_errors(path, lambda: number):
            if not book.worksheets:
                raise InputError(_("{file}: the workbook has no worksheet").format(file=path))
            sheet = book.worksheets[0]
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                if len(values) > MAX_COLUMNS:
                    values = _first_columns(path, number, values)
                yield number, ["" if v is None else v for v in values]
    finally:
        book.close()


def _load_document(path: Path) -> Any:
    """The YAML or JSON document at ``path``: too large, too deep or unreadable is one
    :class:`InputError` naming the file (:mod:`docgen.yamlsafe`)."""
    kind = path.suffix.lstrip(".").upper()
    try:
        text = read_text_capped(path)
    except FileNotFoundError as error:
        raise InputError(_("{file}: no such file").format(file=path)) from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            _("{file}: cannot be read as UTF-8 text: {reason}").format(file=path, reason=error)
        ) from error
    except DocumentError as error:
        raise InputError(
            _("{file}: not a {kind} data file: {reason}").format(file=path, kind=kind, reason=error)
        ) from error
    try:
        if path.suffix.lower() == ".json":
            return load_json(text)
        return load_yaml(text)
    except (ValueError, yaml.YAMLError) as error:
        raise InputError(
            _("{file}: not valid {kind}: {reason}").format(file=path, kind=kind, reason=error)
        ) from error


def _entries(path: Path, document: Any) -> list[Any]:
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) == 1:
            return lists[0]
    if isinstance(document, list):
        return document
    raise InputError(
        _(
            "{file}: expected a list of entries (or a mapping holding one list), found {found}"
        ).format(file=path, found=type(document).__name__)
    )


def document_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The entries of a YAML or JSON table as ``(entry number, mapping)``."""
    for number, entry in enumerate(_entries(path, _load_document(path)), 1):
        if not isinstance(entry, dict):
            raise InputError(
                _("{file}, row {row}: expected a mapping of field: value").format(
                    file=path, row=number
                )
            )
        yield number, {str(key): ("" if value is None else value) for key, value in entry.items()}


def table_kind(path: Path) -> str:
    """``csv``, ``xlsx``, ``ods`` or ``document`` (YAML/JSON), from the file name."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            _("{file}: unsupported file type {suffix}: use one of {suffixes}").format(
                file=path, suffix=suffix or _("(none)"), suffixes=", ".join(TABLE_SUFFIXES)
            )
        )
    return {".csv": "csv", ".xlsx": "xlsx", ".ods": "ods"}.get(suffix, "document")


def grid_rows(path: Path) -> Iterator[Row]:
    """The rows of a CSV, XLSX or ODS table, header first, as ``(row number, cells)``."""
    kind = table_kind(path)
    if kind == "csv":
        return csv_rows(path)
    return ods_rows(path) if kind == "ods" else xlsx_rows(path)


def is_blank(cells: Sequence[Any]) -> bool:
    """Whether a row holds nothing but empty cells."""
    return all(cell == "" or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def clean_header(path: Path, cells: Sequence[Any]) -> list[str]:
    """The header cells stripped; a column named twice is an error."""
    header = [str(cell).strip().lstrip("\ufeff") for cell in cells]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError(
                _("{file}, row 1: column {column!r} appears twice in the header").format(
                    file=path, column=name
                )
            )
        seen.add(name)
    return header


def read_table(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every data row of a CSV/XLSX/ODS/YAML/JSON table as ``(row number, {column: value})``.

    CSV values are text; XLSX and ODS values keep their cell type (dates, numbers); a
    missing cell is ``""``. Streams: CSV, XLSX and ODS rows are never all held in
    memory."""
    path = Path(path)
    if table_kind(path) == "document":
        yield from document_rows(path)
        return
    rows = grid_rows(path)
    first = next(rows, None)
    if first is None:
        return
    header = clean_header(path, first[1])
    width = len(header)
    for number, cells in rows:
        if is_blank(cells):
            continue
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        yield number, {name: cells[i] for i, name in enumerate(header) if name}
