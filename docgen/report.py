"""Tabular reports in the five formats every report command offers.

``table`` for a person at a terminal, ``json`` for programs, ``csv`` (UTF-8 with a
BOM, so Excel opens Chinese text correctly), ``xlsx`` for Excel and ``ods``, the
OpenDocument spreadsheet of the government's document standard ODF-CNS15251 (ISSUE 11
item 10; :mod:`docgen.report_ods`). A command builds one :class:`Report` and hands it
to :func:`write_report`.

Every text cell of a CSV, XLSX or ODS report, headers included, goes through
:func:`docgen.cells.cell_text` (ISSUE 9 item 7, OWASP "CSV Injection"): a value
starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a quote in front
and is stored as text, never as a formula; numbers and dates stay numbers and dates.
The table escapes control characters (:func:`docgen.textsafe.escape_controls`), so a
value cannot move the cursor or split a line on the terminal.

Tables that fit (ISSUE 11 item 2). The table measures text with ``wcwidth`` (a CJK
character takes two columns, a combining mark none) and, printed to a terminal, fits
its width (:func:`terminal_width`: the terminal's, or ``COLUMNS``): narrow
columns keep their width, wide ones share the rest and wrap their cells — between
words and CJK characters, never inside a record ID or other word unless it is wider
than its column's share. It shows the report's :attr:`Report.brief` columns unless
asked for every one (``wide``; ``--wide`` on the command line); json, csv, xlsx and
ods always hold every column. A report names its *date columns* (:attr:`Report.dates`):
their values (a ``date``, or the ROC text ``115/11/27`` several reports build) are
ROC text in the table, json and csv, and real dates in the workbook, shown in ROC
form by Excel's zh-TW format :data:`ROC_DATE_FORMAT` (in the ODS by an ODF date style
of the ROC calendar), so that Excel and LibreOffice sort and filter them as dates. A
workbook's sheet is named after the report (:func:`sheet_title`).

In the office's language (ISSUE 11 item 1). A report's title, column headers, sheet
name and summary labels are message IDs (marked with :func:`docgen.i18n.N_` where a
module defines them, or already translated with ``_``); every writer shows them
translated (:func:`shown`). JSON keeps its keys — column keys and summary labels —
as they are, for programs; its title is translated.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from wcwidth import wcswidth
from wcwidth import wcwidth as _char_width

from docgen.cells import cell_text, is_number, xlsx_value
from docgen.errors import InputError, UsageError
from docgen.fsutil import atomic_path, atomic_write_bytes
from docgen.i18n import _, translate
from docgen.textsafe import escape_controls

FORMATS = ("table", "json", "csv", "xlsx", "ods")
#: The formats that need an output file (a workbook is not printed).
FILE_FORMATS = ("xlsx", "ods")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Excel's zh-TW number format that shows a real date as 115/11/27 (era year ``e`` of
#: the Taiwan calendar, month and day zero-padded); with the time for a datetime.
ROC_DATE_FORMAT = "[$-404]e/mm/dd"
ROC_DATETIME_FORMAT = "[$-404]e/mm/dd hh:mm:ss"
#: Where :func:`docgen.cli.common.format_option` keeps ``--wide`` in the click
#: context's ``meta``, for :func:`write_report` to find when it is not told.
WIDE_META = "docgen.report.wide"
_ROC_TEXT = re.compile(r"(\d{1,3})/(\d{2})/(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?")
_ROC_OFFSET = 1911
#: Columns between two table columns, and the longest word a column keeps whole when
#: the table must shrink (a record ID is 22); a longer word (a path) may be broken.
_GAP = 2
_KEEP_WHOLE = 24
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31


class Columns(dict[str, str]):
    """A report's columns (row key → header shown to people) that also name the
    columns a terminal table shows by default (``brief``) and those holding dates
    (``dates``), for a module that defines a report's columns apart from where the
    :class:`Report` is built."""

    def __init__(
        self,
        headers: Mapping[str, str],
        *,
        brief: Sequence[str] | None = None,
        dates: Sequence[str] = (),
    ) -> None:
        super().__init__(headers)
        self.brief = tuple(brief) if brief is not None else None
        self.dates = tuple(dates)
        _check_keys(self, self.brief or (), "brief")
        _check_keys(self, self.dates, "dates")


def _check_keys(columns: Mapping[str, str], keys: Sequence[str], what: str) -> None:
    unknown = [k for k in keys if k not in columns]
    if unknown:
        raise ValueError(f"{what} names columns the report does not have: {unknown}")


@dataclass
class Report:
    """A titled table: ``columns`` maps each row key to the header shown to people.

    ``brief``: the columns a terminal table shows unless asked for all (None: all);
    ``dates``: the columns that hold dates (see the module); ``sheet``: the name of
    the workbook's sheet (default: from the title). The three default to what
    ``columns`` names when it is a :class:`Columns`.
    """

    title: str
    columns: Mapping[str, str]
    rows: Sequence[Mapping[str, Any]]
    summary: Mapping[str, Any] = field(default_factory=dict)
    brief: Sequence[str] | None = None
    dates: Sequence[str] | None = None
    sheet: str | None = None

    def __post_init__(self) -> None:
        if self.brief is None:
            self.brief = getattr(self.columns, "brief", None)
        if self.dates is None:
            self.dates = getattr(self.columns, "dates", ())
        _check_keys(self.columns, self.brief or (), "brief")
        _check_keys(self.columns, self.dates, "dates")


def shown(report: Report) -> Report:
    """``report`` with its title, headers and sheet name in the current language."""
    return replace(
        report,
        title=translate(report.title),
        columns={key: translate(header) for key, header in report.columns.items()},
        sheet=translate(report.sheet) if report.sheet else report.sheet,
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def roc_text(value: date) -> str:
    """``115/11/27`` (``115/11/27 09:30:00`` for a datetime): a date as ROC text."""
    text = f"{value.year - _ROC_OFFSET}/{value.month:02d}/{value.day:02d}"
    return f"{text} {value:%H:%M:%S}" if isinstance(value, datetime) else text


def roc_value(value: Any) -> Any:
    """The real date or datetime a date column's ``value`` stands for: ``value`` itself
    if it is one; the date of ROC text (``115/11/27``, ``115/11/27 09:30:00``); else
    ``value`` unchanged (empty, ``—``, or any other text)."""
    if not isinstance(value, str):
        return value
    found = _ROC_TEXT.fullmatch(value.strip())
    if found is None:
        return value
    year, month, day, hour, minute, second = found.groups()
    try:
        day_of = date(int(year) + _ROC_OFFSET, int(month), int(day))
        if hour is None:
            return day_of
        return datetime.combine(day_of, time(int(hour), int(minute), int(second)))
    except ValueError:
        return value


def _text(report: Report, key: str, value: Any) -> str:
    """A cell as text: a date in a date column as ROC text, anything else by _cell."""
    if isinstance(value, date) and key in (report.dates or ()):
        return roc_text(value)
    return _cell(value)


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


def _width_of(char: str) -> int:
    width = _char_width(char)
    return 1 if width < 0 else width  # a control (escaped before it gets here): one


def display_width(text: str) -> int:
    """Terminal columns ``text`` occupies (``wcwidth``): a CJK character two, a
    combining mark none."""
    width = wcswidth(text)
    return width if width >= 0 else sum(_width_of(ch) for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


_SEGMENTS = re.compile(r" +|[^ ]")
#: CJK punctuation that never starts a line: it stays with the character before it.
_NO_LINE_START = frozenset("，。、；：！？）」』】〉》")
#: CJK opening brackets, which never end a line: they stay with what follows.
_NO_LINE_END = frozenset("（「『【〈《")


def _segments(text: str) -> list[str]:
    """``text`` as the pieces a line may break between: runs of spaces, each wide
    (CJK) character, and words (runs of other characters: IDs, dates, paths)."""
    pieces: list[str] = []
    for piece in _SEGMENTS.findall(text):
        joins = (
            pieces
            and piece != " "
            and not pieces[-1].startswith(" ")
            and (
                piece in _NO_LINE_START
                or pieces[-1][-1] in _NO_LINE_END
                or (_width_of(piece) < 2 and _width_of(pieces[-1][-1]) < 2)
            )
        )
        if joins:
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def _break_word(word: str, width: int) -> list[str]:
    """A word wider than ``width`` in pieces that fit, cut after a ``/`` where one is."""
    pieces: list[str] = []
    while display_width(word) > width:
        used, cut, slash = 0, 0, 0
        for index, char in enumerate(word):
            if used + _width_of(char) > width and index:
                break
            used += _width_of(char)
            cut = index + 1
            if char == "/":
                slash = cut
        cut = slash if slash * 3 > cut else cut  # a slash past the first third
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word] if word else pieces


def wrap_text(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns, broken at spaces and
    between CJK characters; a word is broken only when wider than ``width``."""
    lines: list[str] = []
    line, used = "", 0
    for piece in _segments(text):
        size = display_width(piece)
        if piece.startswith(" "):
            if line and used + size < width:
                line, used = line + piece, used + size
            elif line:
                lines.append(line.rstrip())
                line, used = "", 0
            continue
        if used + size <= width:
            line, used = line + piece, used + size
            continue
        if line:
            lines.append(line.rstrip())
            line, used = "", 0
        if size > width:
            *whole, piece = _break_word(piece, width)
            lines += whole
            size = display_width(piece)
        line, used = piece, size
    lines.append(line.rstrip())
    return lines


def _wrap_line(text: str, width: int | None, indent: str = "  ") -> list[str]:
    """A title or summary line, wrapped to ``width`` with its continuation indented."""
    if width is None or display_width(text) <= width:
        return [text]
    first, *rest = wrap_text(text, width)
    rest = wrap_text(" ".join(rest), max(1, width - len(indent))) if rest else []
    return [first, *(indent + line for line in rest)]


def _shortest(texts: Sequence[str]) -> int:
    """The width a column cannot go below without breaking a word it should keep."""
    return max(
        (
            min(display_width(piece), _KEEP_WHOLE)
            for text in texts
            for piece in _segments(text)
            if not piece.startswith(" ")
        ),
        default=1,
    )


def fit_widths(natural: Sequence[int], shortest: Sequence[int], room: int) -> list[int]:
    """Column widths that fill at most ``room``: every column its ``natural`` width if
    they fit, else the widest ones cut to a common width, none below ``shortest``
    (then, if even that is too wide, the shortest ones cut alike, never below 2)."""
    if sum(natural) <= room:
        return list(natural)
    low = [min(n, s) for n, s in zip(natural, shortest, strict=True)]
    if sum(low) > room:
        return fit_widths(low, [min(n, 2) for n in low], room)

    def widths(cap: int) -> list[int]:
        return [max(s, min(n, cap)) for n, s in zip(natural, low, strict=True)]

    bottom, top = 0, max(natural)
    while bottom < top:
        middle = (bottom + top + 1) // 2
        if sum(widths(middle)) <= room:
            bottom = middle
        else:
            top = middle - 1
    fitted = widths(bottom)
    spare = room - sum(fitted)
    for index, want in enumerate(natural):
        if spare and fitted[index] < want:
            fitted[index] += 1
            spare -= 1
    return fitted


def shown_columns(report: Report, wide: bool = False) -> list[str]:
    """The keys of the columns a table shows: the brief ones, or all when ``wide``."""
    if wide or not report.brief:
        return list(report.columns)
    return [key for key in report.columns if key in report.brief]


def render_table(report: Report, *, wide: bool = False, width: int | None = None) -> str:
    """The report as aligned plain text: the brief columns (all when ``wide``), wide
    characters counted as two columns; with ``width``, every line fits in it (cells,
    title and summary wrapped), unless even two columns per column do not."""
    report = shown(report)
    keys = shown_columns(report, wide)
    header = [escape_controls(report.columns[k]) for k in keys]
    body = [[escape_controls(_text(report, k, row.get(k))) for k in keys] for row in report.rows]
    natural = [
        max([display_width(h)] + [display_width(r[i]) for r in body]) for i, h in enumerate(header)
    ]
    widths = natural
    if width is not None and keys:
        shortest = [_shortest([h] + [r[i] for r in body]) for i, h in enumerate(header)]
        widths = fit_widths(natural, shortest, width - _GAP * (len(keys) - 1))
    lines = [*_wrap_line(escape_controls(report.title), width), ""]
    lines += _table_lines(header, widths)
    lines.append("  ".join("-" * w for w in widths))
    for cells in body:
        lines += _table_lines(cells, widths)
    if not body:
        lines.append(_("(none)"))
    for key, value in report.summary.items():
        line = _("{label}: {value}").format(label=translate(key), value=_cell(value))
        lines += _wrap_line(escape_controls(line), width)
    hidden = [escape_controls(h) for k, h in report.columns.items() if k not in keys]
    if hidden:
        note = _("Not shown (--wide shows them): {columns}").format(columns="、".join(hidden))
        lines += _wrap_line(note, width)
    return "\n".join(lines) + "\n"


def _table_lines(cells: Sequence[str], widths: Sequence[int]) -> list[str]:
    """One table row as lines: each cell wrapped to its column's width."""
    wrapped = [
        wrap_text(text, w) if display_width(text) > w else [text]
        for text, w in zip(cells, widths, strict=True)
    ]
    height = max((len(c) for c in wrapped), default=1)
    return [
        "  ".join(
            _pad(c[line] if line < len(c) else "", w) for c, w in zip(wrapped, widths, strict=True)
        ).rstrip()
        for line in range(height)
    ]


def render_json(report: Report) -> str:
    """The report as one JSON object: title, summary and rows keyed by column (a date
    column's dates as ROC text). A lone surrogate (from a JSON input's ``"\\ud800"``)
    stays a ``\\ud800`` escape, so the text can be written as UTF-8."""
    report = shown(report)
    dates = set(report.dates or ())
    payload = {
        "title": report.title,
        "summary": _json_value(dict(report.summary)),
        "rows": [
            {
                k: _text(report, k, v) if k in dates and isinstance(v, date) else _json_value(v)
                for k in report.columns
                for v in (row.get(k),)
            }
            for row in report.rows
        ],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _csv_cell(report: Report, key: str, value: Any) -> str:
    """A CSV field: a number as it is written (``-5``), a date column's date as ROC
    text, anything else as neutralised text (:func:`docgen.cells.cell_text`)."""
    text = _text(report, key, value)
    return text if is_number(value) else cell_text(text)


def render_csv(report: Report) -> bytes:
    """The report as CSV in UTF-8 with a BOM and the people-facing headers, every
    column; every text field neutralised (:func:`docgen.cells.cell_text`)."""
    report = shown(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell_text(str(h)) for h in report.columns.values()])
    for row in report.rows:
        writer.writerow([_csv_cell(report, k, row.get(k)) for k in report.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_title(report: Report) -> str:
    """The workbook's sheet name: :attr:`Report.sheet`, else the title, made one Excel
    accepts (no ``[]:*?/\\``, no quote at either end, at most 31 characters)."""
    name = _SHEET_FORBIDDEN.sub("-", report.sheet or report.title).strip().strip("'")
    return name[:_SHEET_MAX].strip() or "Sheet1"


def save_xlsx(report: Report, target: Path) -> None:
    """The report as an Excel workbook at ``target`` (written atomically), every column,
    its sheet named by :func:`sheet_title`: numbers and dates as such (a date column's
    dates, ROC text included, as real dates shown ``115/11/27`` by
    :data:`ROC_DATE_FORMAT`), every text cell neutralised and stored as a string
    (:func:`docgen.cells.xlsx_value`), so the workbook holds no formula."""
    report = shown(report)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title(report)
    sheet.append([xlsx_value(str(h)) for h in report.columns.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    dates = [i for i, key in enumerate(report.columns) if key in (report.dates or ())]
    for row in report.rows:
        values = [row.get(k) for k in report.columns]
        for i in dates:
            values[i] = roc_value(values[i])
        sheet.append([_xlsx_value(v) for v in values])
        for i in dates:
            cell = sheet.cell(sheet.max_row, i + 1)
            if isinstance(values[i], datetime):
                cell.number_format = ROC_DATETIME_FORMAT
            elif isinstance(values[i], date):
                cell.number_format = ROC_DATE_FORMAT
    for index, key in enumerate(report.columns, start=1):
        width = max(
            [display_width(report.columns[key])]
            + [display_width(_text(report, key, r.get(key))) for r in report.rows[:500]]
        )
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(60, width + 2)
    sheet.freeze_panes = "A2"
    with atomic_path(target) as tmp:
        book.save(tmp)


def _xlsx_value(value: Any) -> Any:
    if value is None or is_number(value) or isinstance(value, date | datetime):
        return xlsx_value(value)
    return xlsx_value(_cell(value))


def terminal_width() -> int | None:
    """The width a printed table fits: the terminal's (:func:`shutil.get_terminal_size`)
    when standard output is one or ``COLUMNS`` is set; None (no wrapping) when the
    table goes to a pipe or a file, so that each row stays one line for grep."""
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _wide_default() -> bool:
    """Whether the command being run asked for every column (``--wide``, kept in the
    click context by :func:`docgen.cli.common.format_option`); False outside one."""
    import click

    context = click.get_current_context(silent=True)
    return bool(context.meta.get(WIDE_META)) if context is not None else False


def write_report(
    report: Report,
    fmt: str,
    output: Path | None = None,
    *,
    wide: bool | None = None,
    width: int | None = None,
) -> str | None:
    """Write ``report`` in ``fmt`` to ``output``; without ``output`` return the text to print.

    ``xlsx`` and ``ods`` need an output file; CSV printed to a terminal carries no BOM. A table
    shows the brief columns unless ``wide`` (default: what the command line asked,
    ``--wide``); printed (no ``output``) it fits ``width`` (default:
    :func:`terminal_width`); written to a file it is not wrapped.
    """
    if fmt not in FORMATS:
        raise InputError(
            _("unknown format {format!r}: choose one of {formats}").format(
                format=fmt, formats=", ".join(FORMATS)
            )
        )
    if fmt == "xlsx":
        if output is None:
            raise UsageError(_("--format xlsx needs an output file: add -o REPORT.xlsx"))
        save_xlsx(report, output)
        return None
    if fmt == "ods":
        if output is None:
            raise UsageError(_("--format ods needs an output file: add -o REPORT.ods"))
        from docgen.report_ods import save_ods

        save_ods(report, output)
        return None
    if fmt == "csv":
        data = render_csv(report)
        if output is None:
            return data.decode("utf-8").lstrip("\ufeff")
        atomic_write_bytes(output, data)
        return None
    if fmt == "table":
        if output is None and width is None:
            width = terminal_width()
        wide = _wide_default() if wide is None else wide
        text = render_table(report, wide=wide, width=width)
    else:
        text = render_json(report)
    if output is None:
        return text
    atomic_write_bytes(output, text.encode("utf-8"))
    return None
