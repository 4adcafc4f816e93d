"""Tabular reports in the four formats every report command offers.

``table`` for a person at a terminal, ``json`` for programs, ``csv`` (UTF-8 with a
BOM, so Excel opens Chinese text correctly) and ``xlsx`` for Excel. A command
builds one :class:`Report` and hands it to :func:`write_report`.

Every text cell of a CSV or XLSX report, headers included, goes through
:func:`docgen.cells.cell_text` (ISSUE 9 item 7, OWASP "CSV Injection"): a value
starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a quote in front
and is stored as text, never as a formula; numbers and dates stay numbers and dates.
The table escapes control characters (:func:`docgen.textsafe.escape_controls`), so a
value cannot move the cursor or split a line on the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docgen.cells import cell_text, is_number, xlsx_value
from docgen.errors import InputError
from docgen.fsutil import atomic_path, atomic_write_bytes
from docgen.textsafe import escape_controls

FORMATS = ("table", "json", "csv", "xlsx")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Report:
    """A titled table: ``columns`` maps each row key to the header shown to people."""

    title: str
    columns: Mapping[str, str]
    rows: Sequence[Mapping[str, Any]]
    summary: Mapping[str, Any] = field(default_factory=dict)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def display_width(text: str) -> int:
    """Terminal columns ``text`` occupies: East-Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def render_table(report: Report) -> str:
    """The report as aligned plain text, wide characters counted as two columns."""
    keys = list(report.columns)
    header = [escape_controls(report.columns[k]) for k in keys]
    body = [[escape_controls(_cell(row.get(k))) for k in keys] for row in report.rows]
    widths = [
        max([display_width(h)] + [display_width(r[i]) for r in body]) for i, h in enumerate(header)
    ]
    lines = [escape_controls(report.title), ""]
    lines.append("  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    if not body:
        lines.append("(none)")
    for key, value in report.summary.items():
        lines.append(escape_controls(f"{key}: {_cell(value)}"))
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    """The report as one JSON object: title, summary and rows keyed by column. A lone
    surrogate (from a JSON input's ``"\\ud800"``) stays a ``\\ud800`` escape, so the
    text can be written as UTF-8."""
    payload = {
        "title": report.title,
        "summary": _json_value(dict(report.summary)),
        "rows": [{k: _json_value(row.get(k)) for k in report.columns} for row in report.rows],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _csv_cell(value: Any) -> str:
    """A CSV field: a number as it is written (``-5``), anything else as neutralised
    text (:func:`docgen.cells.cell_text`)."""
    text = _cell(value)
    return text if is_number(value) else cell_text(text)


def render_csv(report: Report) -> bytes:
    """The report as CSV in UTF-8 with a BOM and the people-facing headers; every text
    field neutralised (:func:`docgen.cells.cell_text`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell_text(str(h)) for h in report.columns.values()])
    for row in report.rows:
        writer.writerow([_csv_cell(row.get(k)) for k in report.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def save_xlsx(report: Report, target: Path) -> None:
    """The report as an Excel workbook at ``target`` (written atomically): numbers and
    dates as such, every text cell neutralised and stored as a string
    (:func:`docgen.cells.xlsx_value`), so the workbook holds no formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "report"
    sheet.append([xlsx_value(str(h)) for h in report.columns.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append([_xlsx_value(row.get(k)) for k in report.columns])
    for index, key in enumerate(report.columns, start=1):
        width = max(
            [display_width(report.columns[key])]
            + [display_width(_cell(r.get(key))) for r in report.rows[:500]]
        )
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(60, width + 2)
    sheet.freeze_panes = "A2"
    with atomic_path(target) as tmp:
        book.save(tmp)


def _xlsx_value(value: Any) -> Any:
    if value is None or is_number(value) or isinstance(value, date | datetime):
        return xlsx_value(value)
    return xlsx_value(_cell(value))


def write_report(report: Report, fmt: str, output: Path | None = None) -> str | None:
    """Write ``report`` in ``fmt`` to ``output``; without ``output`` return the text to print.

    ``xlsx`` needs an output file; CSV printed to a terminal carries no BOM.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        if output is None:
            raise InputError("--format xlsx needs an output file: add -o REPORT.xlsx")
        save_xlsx(report, output)
        return None
    if fmt == "csv":
        data = render_csv(report)
        if output is None:
            return data.decode("utf-8").lstrip("\ufeff")
        atomic_write_bytes(output, data)
        return None
    text = render_table(report) if fmt == "table" else render_json(report)
    if output is None:
        return text
    atomic_write_bytes(output, text.encode("utf-8"))
    return None
