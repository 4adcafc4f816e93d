"""Layout pieces of the attachment templates (used by make_templates.py): the title
block with the record ID and its QR code, bordered field tables, row loops over a
list, and signature-and-seal blocks (核章欄)."""

from __future__ import annotations

import io

import qrcode
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_ALIGN_VERTICAL, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell, _Row
from template_base import base_docx

TEXT_WIDTH_CM = 17.0
QR_NAME = "docgen-qr"
QR_SIZE_CM = 2.8


def new_document(title: str) -> DocxDocument:
    """An empty document on our base, with the record ID in the footer of every page."""
    doc = Document(base_docx(title))
    footer = doc.sections[0].footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.text = "紀錄編號：{{ record_id }}"
    return doc


def _placeholder_qr() -> bytes:
    image = qrcode.make("DG-0-00000000-00000000", border=4, box_size=10)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def set_widths(table: Table, widths_cm: list[float]) -> None:
    """Fixed column widths (Word and LibreOffice both honour the grid and each cell)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def write(cell: _Cell, text: str, bold: bool = False, align: str = "left") -> None:
    """Replace the cell's text; ``align`` is left, center or right. Each line of
    ``text`` is a paragraph of its own (a name above an account, say)."""
    for number, line in enumerate(text.split("\n")):
        paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
        paragraph.style = cell.part.document.styles["Table Text"]
        paragraph.alignment = getattr(WD_ALIGN_PARAGRAPH, align.upper())
        run = paragraph.add_run(line)
        run.bold = bold
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER


def title_block(doc: DocxDocument, label: str, title: str, subtitle: str = "") -> None:
    """附件 label, the title, the record ID, and the QR code top right of page 1."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    set_widths(table, [TEXT_WIDTH_CM - 3.4, 3.4])
    left, right = table.rows[0].cells
    write(left, label)
    left.add_paragraph(title, style="Title")
    if subtitle:
        left.add_paragraph(
            f"（{subtitle}）", style="Table Text"
        ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    ident = left.add_paragraph("紀錄編號：{{ record_id }}", style="Table Text")
    ident.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture = right.paragraphs[0]
    picture.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    picture.add_run().add_picture(io.BytesIO(_placeholder_qr()), width=Cm(QR_SIZE_CM))
    doc_pr = picture._p.xpath(".//wp:docPr")[0]
    doc_pr.set("name", QR_NAME)
    doc_pr.set("descr", "紀錄編號 QR code")


def heading(doc: DocxDocument, text: str) -> None:
    doc.add_paragraph(text, style="Form Heading")


def paragraph(doc: DocxDocument, text: str, indent_cm: float = 0.0, style: str = "") -> None:
    para = doc.add_paragraph(text, style=style or None)
    para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para.paragraph_format.space_after = Pt(4)
    if indent_cm:
        para.paragraph_format.left_indent = Cm(indent_cm)
        para.paragraph_format.first_line_indent = Cm(-indent_cm)


#: The columns of a field table: label, value, label, value (17 cm, the text width).
FIELD_WIDTHS = [3.0, 5.5, 3.0, 5.5]


def field_table(
    doc: DocxDocument, rows: list[list[tuple[str, str]]], widths: list[float] = FIELD_WIDTHS
) -> Table:
    """A bordered table of label/value pairs; each row has one or two pairs."""
    table = doc.add_table(rows=len(rows), cols=4, style="Table Grid")
    set_widths(table, widths)
    for row, pairs in zip(table.rows, rows, strict=True):
        _cant_split(row)
        row.height = Cm(0.9)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        if len(pairs) == 1:
            row.cells[1].merge(row.cells[3])
        for index, (name, value) in enumerate(pairs):
            write(row.cells[2 * index], name, bold=True, align="center")
            write(row.cells[2 * index + 1], value)
    return table


def _cant_split(row: _Row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row: _Row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _narrow_margins(table: Table, twips: int) -> None:
    """Left and right cell margins of ``twips`` (the style's are 85): more of a narrow
    column for its text."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))  # the schema's order: tblCellMar before it
    if look is None:
        properties.append(margins)
    else:
        look.addprevious(margins)


def loop_table(
    doc: DocxDocument,
    columns: list[tuple[str, float, str, str]],
    loop: str,
    empty_rows: int = 0,
    empty_test: str = "",
    margin_twips: int = 0,
) -> Table:
    """A bordered table with a header row and one row per item: ``columns`` are
    (header, width in cm, cell template, alignment); ``loop`` is e.g. ``c in cases``. With
    ``empty_rows``, that many blank rows are printed when ``empty_test`` is true; with
    ``margin_twips``, narrower left and right cell margins than the style's."""
    widths = [column[1] for column in columns]
    assert abs(sum(widths) - TEXT_WIDTH_CM) < 0.01, f"columns of {sum(widths)} cm"
    rows = 4 + (empty_rows + 2 if empty_rows else 0)
    table = doc.add_table(rows=rows, cols=len(columns), style="Table Grid")
    set_widths(table, widths)
    if margin_twips:
        _narrow_margins(table, margin_twips)
    _repeat_header(table.rows[0])
    for cell, (header, *_) in zip(table.rows[0].cells, columns, strict=True):
        write(cell, header, bold=True, align="center")
    _tag_row(table.rows[1], f"{{%tr for {loop} %}}")
    _cant_split(table.rows[2])
    for cell, (_, _, value, align) in zip(table.rows[2].cells, columns, strict=True):
        write(cell, value, align=align)
    _tag_row(table.rows[3], "{%tr endfor %}")
    if empty_rows:
        _tag_row(table.rows[4], f"{{%tr if {empty_test} %}}")
        for index in range(empty_rows):
            table.rows[5 + index].height = Cm(1.0)
        _tag_row(table.rows[5 + empty_rows], "{%tr endif %}")
    return table


def _tag_row(row: _Row, tag: str) -> None:
    row.cells[0].merge(row.cells[-1])
    row.cells[0].paragraphs[0].add_run(tag)


def signature_block(doc: DocxDocument, roles: list[tuple[str, str]]) -> None:
    """Signature and seal boxes (核章欄): a row of roles, a row of printed names, and a
    tall empty row for the seal of each."""
    table = doc.add_table(rows=3, cols=len(roles), style="Table Grid")
    width = TEXT_WIDTH_CM / len(roles)
    set_widths(table, [width] * len(roles))
    for column, (role, name) in enumerate(roles):
        write(table.rows[0].cells[column], role, bold=True, align="center")
        write(table.rows[1].cells[column], name, align="center")
    seals = table.rows[2]
    seals.height = Cm(2.6)
    seals.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    for row in table.rows:
        _cant_split(row)
    for cell in seals.cells:
        write(cell, "（簽章）", align="center")


def spacer(doc: DocxDocument) -> None:
    doc.add_paragraph("").paragraph_format.space_after = Pt(2)


def date_line(doc: DocxDocument, expression: str) -> None:
    para = doc.add_paragraph(expression)
    para.alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
    para.paragraph_format.space_before = Pt(18)
