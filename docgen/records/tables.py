"""Read any table the office hands us: CSV, XLSX, YAML or JSON, as a stream of rows.

* **CSV** in UTF-8, UTF-8 with a BOM, or CP950 (Big5): the encoding is detected
  from a sample at the start of the file, then the file is decoded as a stream; a
  byte sequence that does not decode later on is an error naming its row.
* **XLSX**: the first worksheet, read with openpyxl in read-only (streaming) mode.
* **YAML / JSON**: a list of mappings, or a mapping holding exactly one such list.

Row numbers count as a person does: in CSV and XLSX the header is row 1 and data
starts at row 2; in YAML and JSON the first entry is row 1. Blank rows are skipped.
"""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from docgen.errors import InputError

#: How much of a CSV file the encoding is detected from.
SAMPLE_BYTES = 256 * 1024
#: Encodings tried after a BOM check, in order (CP950 is Microsoft's Big5).
_ENCODINGS = ("utf-8", "cp950")
_ENCODING_NAMES = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "cp950": "CP950 (Big5)"}
TABLE_SUFFIXES = (".csv", ".xlsx", ".yaml", ".yml", ".json")

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
        f"{path}: neither UTF-8 nor Big5 (CP950) text; "
        "save it from Excel as 'CSV UTF-8' and try again"
    )


def _open_binary(path: Path) -> Any:
    try:
        return open(path, "rb")
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from error


def _first_bad_line(path: Path, encoding: str) -> int:
    """The number of the first line of ``path`` that does not decode."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return number
    return 0


def csv_rows(path: Path) -> Iterator[Row]:
    """Every row of a CSV file (the header first) as ``(row number, cells)``."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        number = 0
        try:
            for number, cells in enumerate(reader, 1):
                yield number, cells
        except UnicodeDecodeError as error:
            line = _first_bad_line(path, encoding)
            raise InputError(
                f"{path}, row {line}: not valid {_ENCODING_NAMES[encoding]} text "
                f"although the start of the file is; save the whole file in one encoding"
            ) from error
        except csv.Error as error:
            raise InputError(f"{path}, row {number + 1}: not valid CSV: {error}") from error


def xlsx_rows(path: Path) -> Iterator[Row]:
    """Every row of the first worksheet of an XLSX workbook, streamed (read-only)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise InputError(f"{path}: not a readable Excel workbook (.xlsx): {error}") from error
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, ["" if v is None else v for v in values]
    finally:
        book.close()


def _load_document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read as UTF-8 text: {error}") from error
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InputError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {error}") from error


def _entries(path: Path, document: Any) -> list[Any]:
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) == 1:
            return lists[0]
    if isinstance(document, list):
        return document
    raise InputError(
        f"{path}: expected a list of entries (or a mapping holding one list), "
        f"found {type(document).__name__}"
    )


def document_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The entries of a YAML or JSON table as ``(entry number, mapping)``."""
    for number, entry in enumerate(_entries(path, _load_document(path)), 1):
        if not isinstance(entry, dict):
            raise InputError(f"{path}, row {number}: expected a mapping of field: value")
        yield number, {str(key): ("" if value is None else value) for key, value in entry.items()}


def table_kind(path: Path) -> str:
    """``csv``, ``xlsx`` or ``document`` (YAML/JSON), from the file name."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            f"{path}: unsupported file type {suffix or '(none)'}: "
            f"use one of {', '.join(TABLE_SUFFIXES)}"
        )
    return {".csv": "csv", ".xlsx": "xlsx"}.get(suffix, "document")


def grid_rows(path: Path) -> Iterator[Row]:
    """The rows of a CSV or XLSX table, header first, as ``(row number, cells)``."""
    return csv_rows(path) if table_kind(path) == "csv" else xlsx_rows(path)


def is_blank(cells: Sequence[Any]) -> bool:
    """Whether a row holds nothing but empty cells."""
    return all(cell == "" or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def clean_header(path: Path, cells: Sequence[Any]) -> list[str]:
    """The header cells stripped; a column named twice is an error."""
    header = [str(cell).strip().lstrip("\ufeff") for cell in cells]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError(f"{path}, row 1: column {name!r} appears twice in the header")
        seen.add(name)
    return header


def read_table(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every data row of a CSV/XLSX/YAML/JSON table as ``(row number, {column: value})``.

    CSV values are text; XLSX values keep their cell type (dates, numbers); a missing
    cell is ``""``. Streams: CSV and XLSX rows are never all held in memory."""
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
