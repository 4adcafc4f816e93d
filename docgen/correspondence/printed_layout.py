"""The page of a printed 公文 and its paragraphs, in python-docx.

Numbers from the official 筆硯 template files (``函.odt``, ``簽.odt``, data.gov.tw
dataset 30943, as read by jt-doc-tools ``official_doc_odt.py``;
research/taiwan-conventions.md §1.4): A4 portrait, horizontal text, margins top
2.0 cm, bottom 2.0 cm, left 2.5 cm, right 2.21 cm; body 16 pt on a fixed 0.88 cm
line; header fields 12 pt; 檔號 and 保存年限 10 pt; the right header block starting
9 cm into the text. Every run is 標楷體 on every font slot (East-Asian, ASCII,
high ANSI, complex), so Latin digits are Kai too; docgen's LibreOffice renders it
with AR PL UKai TW (:mod:`docgen.forms.libreoffice`), never a 黑體.

Indents are measured in characters of the paragraph's size (1 em = the font size):
an East-Asian wide character is 1 em, a Latin one ½ em (:func:`em_width`).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import Literal

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.run import CT_R
from docx.shared import Cm, Pt, Twips
from docx.text.paragraph import Paragraph

FONT = "標楷體"
BODY_PT = 16
FIELD_PT = 12
FILE_PT = 10
TITLE_PT = 20
#: A4 portrait in twentieths of a point (210 × 297 mm).
A4_TWIPS = (11906, 16838)
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 2.5, "right": 2.21}
#: Fixed line height per size: the template's 0.88 cm body line, 0.6 cm for fields.
LINE_CM = {FILE_PT: 0.5, FIELD_PT: 0.6, BODY_PT: 0.88, TITLE_PT: 1.1}
RIGHT_BLOCK_CM = 9.0
#: 署名: where it starts, and the room left above it for the seal.
SIGN_LEFT_CM = 6.5
SIGN_GAP_CM = 2.6
FOOTER_DISTANCE_CM = 1.0

Align = Literal["left", "center", "right"]
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def em_width(text: str) -> float:
    """Width of ``text`` in em: wide and full-width characters 1, others ½.

    >>> em_width("主旨："), em_width("（一）"), em_width("1、")
    (3.0, 3.0, 1.5)
    """
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def em_cm(em: float, size: int) -> float:
    """``em`` characters of ``size`` points in centimetres."""
    return em * size * 2.54 / 72


@dataclass(frozen=True)
class Block:
    """One paragraph: its runs (text, size in pt), where its wrapped lines start
    (``left`` cm from the text's left edge) and how far left of that the first line
    starts (``hang`` cm), alignment, space above (cm), kept with the next one."""

    runs: tuple[tuple[str, int], ...]
    left: float = 0.0
    hang: float = 0.0
    align: Align = "left"
    before: float = 0.0
    keep_next: bool = False

    @property
    def size(self) -> int:
        """The size that sets the line height: the paragraph's largest."""
        return max(size for _text, size in self.runs)


def line(
    text: str,
    size: int = BODY_PT,
    *,
    left: float = 0.0,
    hang: float = 0.0,
    align: Align = "left",
    before: float = 0.0,
    keep_next: bool = False,
) -> Block:
    """A paragraph of one size."""
    return Block(((text, size),), left, hang, align, before, keep_next)


def hanging(
    text: str,
    label: str,
    size: int,
    *,
    start_cm: float = 0.0,
    before: float = 0.0,
    keep_next: bool = False,
) -> Block:
    """A paragraph whose wrapped lines start under the text after ``label``
    (「主旨：」, 「一、」), the label itself at ``start_cm``."""
    width = em_cm(em_width(label), size)
    return line(
        label + text, size, left=start_cm + width, hang=width, before=before, keep_next=keep_next
    )


def render(blocks: list[Block], footer: tuple[str, str, str], title: str) -> bytes:
    """The DOCX of ``blocks`` on the 公文 page, the footer ``第{PAGE}頁　共{NUMPAGES}頁``
    given as its three texts around the two fields."""
    document = docx.Document()
    _kai_defaults(document)
    _page(document)
    for block in blocks:
        _paragraph(document.add_paragraph(), block)
    _footer(document, footer)
    properties = document.core_properties
    properties.title, properties.author, properties.language = title, "docgen", "zh-TW"
    properties.last_modified_by, properties.comments = "docgen", ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def kai(rpr: CT_RPr) -> None:
    """標楷體 on every font slot of a run's (or style's) properties, no theme font left."""
    fonts = rpr.get_or_add_rFonts()
    for name in list(fonts.attrib):
        if name.endswith("Theme") or name.endswith("theme"):
            del fonts.attrib[name]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _kai_defaults(document: DocxDocument) -> None:
    """python-docx's template asks for theme fonts (Calibri, a Japanese East-Asian
    fallback) and en-US; make the defaults 標楷體 and zh-TW, no space after paragraphs.
    (LibreOffice 24 ignores ``w:autoSpaceDE``, so its PDF keeps a small gap between
    Chinese and Latin digits: PDF text reads 「115 年」.)"""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    rpr.remove(rpr.find(qn("w:rFonts")))
    fonts = OxmlElement("w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    rpr.insert(0, fonts)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "zh-TW")
    lang.set(qn("w:eastAsia"), "zh-TW")
    ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    for child in list(ppr):
        ppr.remove(child)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), "0")
    ppr.append(spacing)
    for style_id in ("Normal", "Footer"):
        style = document.styles[style_id]
        style.font.name = FONT  # makes the style's w:rPr
        kai(style.element.rPr)


def _page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(A4_TWIPS[0]), Twips(A4_TWIPS[1])
    section.top_margin = Cm(MARGINS_CM["top"])
    section.bottom_margin = Cm(MARGINS_CM["bottom"])
    section.left_margin = Cm(MARGINS_CM["left"])
    section.right_margin = Cm(MARGINS_CM["right"])
    section.footer_distance = Cm(FOOTER_DISTANCE_CM)


def _paragraph(paragraph: Paragraph, block: Block) -> None:
    layout = paragraph.paragraph_format
    layout.alignment = _ALIGN[block.align]
    layout.left_indent = Cm(block.left)
    layout.first_line_indent = Cm(-block.hang)
    layout.space_before, layout.space_after = Cm(block.before), Pt(0)
    layout.line_spacing = Cm(LINE_CM[block.size])
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.keep_with_next = block.keep_next
    for text, size in block.runs:
        _run(paragraph, text, size)


def _run(paragraph: Paragraph, text: str, size: int) -> CT_R:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    kai(run._r.get_or_add_rPr())
    return run._r


def _footer(document: DocxDocument, texts: tuple[str, str, str]) -> None:
    """Page numbers centred at the foot: text, PAGE, text, NUMPAGES, text."""
    paragraph = document.sections[0].footer.paragraphs[0]
    _paragraph(paragraph, line("", FIELD_PT, align="center"))
    before, between, after = texts
    _run(paragraph, before, FIELD_PT)
    _field(paragraph, "PAGE")
    _run(paragraph, between, FIELD_PT)
    _field(paragraph, "NUMPAGES")
    _run(paragraph, after, FIELD_PT)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A complex field (begin, instruction, separate, shown value, end), every run Kai."""
    for part in ("begin", instruction, "separate", "1", "end"):
        run = _run(paragraph, "", FIELD_PT)
        if part in ("begin", "separate", "end"):
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), part)
            run.append(mark)
        elif part == instruction:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run.append(text)
        else:
            shown = OxmlElement("w:t")
            shown.text = part
            run.append(shown)
