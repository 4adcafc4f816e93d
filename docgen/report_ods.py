"""A report as an OpenDocument spreadsheet (.ods): ``--format ods`` (ISSUE 11 item 10).

The Executive Yuan's plan 政府文件標準格式(ODF-CNS15251) asks that files information
systems export be ODF. The sheet holds what the XLSX holds (:func:`docgen.report.save_xlsx`):
every column under its translated header (:func:`docgen.report.shown`), the sheet named
by :func:`docgen.report.sheet_title`, numbers as numbers, every text cell neutralised
by :func:`docgen.cells.cell_text` and stored as a string — an ODS written here has no
``table:formula`` — and a date column's values (a ``date``, or ROC text such as
``115/11/27``: :func:`docgen.report.roc_value`) as real dates (``office:date-value``)
shown ``115/11/27`` by an ODF date style of the ROC calendar (``number:calendar="ROC"``,
as LibreOffice itself writes the zh-TW era format ``[~ROC]E/MM/DD``), so that sorting
and filtering work on them. Cells are set in 標楷體 (the font the forms ask for; docgen's
fontconfig alias :file:`docgen/data/fonts/60-docgen-kai.conf` maps it to AR PL UKai TW
where it is not installed). The header row is bold and frozen. Written with odfpy,
atomically (:func:`docgen.fsutil.atomic_path`).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from odf import config, number, style, table, teletype, text
from odf.opendocument import OpenDocumentSpreadsheet

from docgen.cells import cell_text, is_number
from docgen.fsutil import atomic_path
from docgen.report import Report, _cell, _text, display_width, roc_value, sheet_title, shown

#: The forms' font, by the name the templates and docgen's fontconfig alias use.
FONT = "標楷體"
#: The names of the data styles and cell styles the sheet uses.
ROC_DATE_STYLE = "N_ROC_DATE"
ROC_DATETIME_STYLE = "N_ROC_DATETIME"
ISO_DATE_STYLE = "N_ISO_DATE"
ISO_DATETIME_STYLE = "N_ISO_DATETIME"
_CELL_STYLES = {
    ROC_DATE_STYLE: "ce_roc_date",
    ROC_DATETIME_STYLE: "ce_roc_datetime",
    ISO_DATE_STYLE: "ce_date",
    ISO_DATETIME_STYLE: "ce_datetime",
}
_HEADER_STYLE = "ce_header"
#: Centimetres per display column (a CJK character is two) and the widest column.
_CM_PER_COLUMN = 0.21
_WIDEST = 60
_PLAIN = frozenset(" \t\n")


def _font_properties(**extra: str) -> style.TextProperties:
    return style.TextProperties(
        fontname=FONT,
        fontnameasian=FONT,
        fontnamecomplex=FONT,
        language="zh",
        country="TW",
        languageasian="zh",
        countryasian="TW",
        **extra,
    )


def _date_style(name: str, roc: bool, with_time: bool) -> number.DateStyle:
    """``115/11/27`` (``roc``) or ``2026-11-27``, with ``09:30:00`` if ``with_time``."""
    kind = {"calendar": "ROC"} if roc else {}
    sep = "/" if roc else "-"
    parts: list[Any] = [
        number.Year(**kind) if roc else number.Year(style="long"),
        number.Text(text=sep),
        number.Month(style="long", **kind),
        number.Text(text=sep),
        number.Day(style="long", **kind),
    ]
    if with_time:
        parts += [
            number.Text(text=" "),
            number.Hours(style="long"),
            number.Text(text=":"),
            number.Minutes(style="long"),
            number.Text(text=":"),
            number.Seconds(style="long"),
        ]
    data_style = number.DateStyle(name=name, language="zh", country="TW")
    for part in parts:
        data_style.addElement(part)
    return data_style


def _styles(book: OpenDocumentSpreadsheet) -> None:
    """The font, the default cell style in 標楷體, the date styles and the header's."""
    book.fontfacedecls.addElement(
        style.FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="script", fontpitch="variable")
    )
    default = style.DefaultStyle(family="table-cell")
    default.addElement(_font_properties())
    book.styles.addElement(default)
    named = style.Style(name="Default", family="table-cell")
    named.addElement(_font_properties())
    book.styles.addElement(named)
    for name, roc, with_time in (
        (ROC_DATE_STYLE, True, False),
        (ROC_DATETIME_STYLE, True, True),
        (ISO_DATE_STYLE, False, False),
        (ISO_DATETIME_STYLE, False, True),
    ):
        book.styles.addElement(_date_style(name, roc, with_time))
        book.automaticstyles.addElement(
            style.Style(
                name=_CELL_STYLES[name],
                family="table-cell",
                parentstylename="Default",
                datastylename=name,
            )
        )
    header = style.Style(name=_HEADER_STYLE, family="table-cell", parentstylename="Default")
    header.addElement(_font_properties(fontweight="bold", fontweightasian="bold"))
    book.automaticstyles.addElement(header)


def _paragraph(value: str) -> text.P:
    paragraph = text.P()
    if _PLAIN.isdisjoint(value):
        paragraph.addText(value)
    else:
        teletype.addTextToElement(paragraph, value)  # spaces, tabs, line breaks as ODF's
    return paragraph


def _text_cell(value: str, **attributes: str) -> table.TableCell:
    cell = table.TableCell(valuetype="string", **attributes)
    cell.addElement(_paragraph(cell_text(value)))
    return cell


def _date_cell(value: date, shown_text: str, roc: bool) -> table.TableCell:
    if isinstance(value, datetime):
        stamp = value.replace(tzinfo=None).isoformat(timespec="seconds")
        data_style = ROC_DATETIME_STYLE if roc else ISO_DATETIME_STYLE
    else:
        stamp = value.isoformat()
        data_style = ROC_DATE_STYLE if roc else ISO_DATE_STYLE
    cell = table.TableCell(valuetype="date", datevalue=stamp, stylename=_CELL_STYLES[data_style])
    cell.addElement(_paragraph(shown_text))
    return cell


def _cell_of(report: Report, key: str, value: Any, is_date: bool) -> table.TableCell:
    """The sheet's cell for ``value`` in column ``key`` (see the module)."""
    if is_date:
        value = roc_value(value)
    if value is None or value == "":
        return table.TableCell()
    if is_number(value) and math.isfinite(value):
        cell = table.TableCell(valuetype="float", value=repr(value))
        cell.addElement(_paragraph(_cell(value)))
        return cell
    if isinstance(value, date):
        return _date_cell(value, _text(report, key, value) if is_date else _cell(value), is_date)
    return _text_cell(_cell(value))


def _column_widths(book: OpenDocumentSpreadsheet, sheet: table.Table, report: Report) -> None:
    """Each column as wide as its header and its first 500 values (as the XLSX)."""
    made: dict[int, str] = {}
    for key, header in report.columns.items():
        width = min(
            _WIDEST,
            max(
                [display_width(header)]
                + [display_width(_text(report, key, r.get(key))) for r in report.rows[:500]]
            )
            + 2,
        )
        if width not in made:
            made[width] = f"co{len(made) + 1}"
            column_style = style.Style(name=made[width], family="table-column")
            column_style.addElement(
                style.TableColumnProperties(columnwidth=f"{width * _CM_PER_COLUMN:.2f}cm")
            )
            book.automaticstyles.addElement(column_style)
        sheet.addElement(table.TableColumn(stylename=made[width], defaultcellstylename="Default"))


def _frozen_header(book: OpenDocumentSpreadsheet, name: str) -> None:
    """Keep the header row in view (LibreOffice's view settings: a split after row 1)."""
    items = {
        "HorizontalSplitMode": ("short", "0"),
        "VerticalSplitMode": ("short", "2"),
        "VerticalSplitPosition": ("int", "1"),
        "ActiveSplitRange": ("short", "2"),
        "PositionTop": ("int", "0"),
        "PositionBottom": ("int", "1"),
    }
    entry = config.ConfigItemMapEntry(name=name)
    for key, (kind, value) in items.items():
        entry.addElement(config.ConfigItem(name=key, type=kind, text=value))
    tables = config.ConfigItemMapNamed(name="Tables")
    tables.addElement(entry)
    view = config.ConfigItemMapEntry()
    view.addElement(config.ConfigItem(name="ViewId", type="string", text="view1"))
    view.addElement(tables)
    views = config.ConfigItemMapIndexed(name="Views")
    views.addElement(view)
    settings = config.ConfigItemSet(name="ooo:view-settings")
    settings.addElement(views)
    book.settings.addElement(settings)


def save_ods(report: Report, target: Path) -> None:
    """The report as an OpenDocument spreadsheet at ``target`` (see the module),
    written atomically."""
    report = shown(report)
    book = OpenDocumentSpreadsheet()
    _styles(book)
    name = sheet_title(report)
    sheet = table.Table(name=name)
    _column_widths(book, sheet, report)
    head = table.TableRow()
    for header in report.columns.values():
        head.addElement(_text_cell(str(header), stylename=_HEADER_STYLE))
    sheet.addElement(head)
    dates = set(report.dates or ())
    keys = [(key, key in dates) for key in report.columns]
    for row in report.rows:
        line = table.TableRow()
        for key, is_date in keys:
            line.addElement(_cell_of(report, key, row.get(key), is_date))
        sheet.addElement(line)
    book.spreadsheet.addElement(sheet)
    _frozen_header(book, name)
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        book.write(handle)
