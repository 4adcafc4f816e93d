"""The print form of a 函 and a 簽 (issue 14 item 2): DOCX with every part in order,
標楷體 on every run, A4 and the template's margins; PDF from the real LibreOffice with
the parts, the ROC date and 「第1頁　共2頁」, rendered in AR PL UKai TW (no 黑體); the
ODT an OpenDocument text; the first pages as PNG artifacts that are not blank."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length
from PIL import Image

from docgen.correspondence.document import Document
from docgen.correspondence.printed import docx_bytes, write_print_forms
from docgen.correspondence.printed_layout import em_cm
from docgen.errors import ExternalToolError, InputError
from docgen.forms.libreoffice import Converter

#: The parts of the test 函, each by a text found first where the part stands.
LETTER_PARTS = (
    "檔號：115/010302/1/1/001",
    "保存年限：10年",
    "臺北市市場處　函",
    "地址：10491臺北市中山區松江路367號",
    "承辦人：李○華",
    "受文者：臺北市政府民政局",
    "發文日期：中華民國115年11月27日",
    "發文字號：北市市企字第1153025174號",
    "速別：普通件",
    "密等及解密條件或保密期限：",
    "附件：如說明三（115年上半年稽核紀錄表、115年上半年案件抽查表）",
    "主旨：檢送本處115年上半年",
    "說明：",
    "一、依據",
    "二、本處115年上半年稽核情形如下：",
    "（一）查詢統計：",
    "1、本處於115年1月1日",
    "2、抽查案件計64件",
    "（二）異常案件",
    "（三）本處於",
    "三、檢送",
    "四、本處於",
    "五、本案聯絡人",
    "正本：臺北市政府民政局",
    "副本：本處政風室（含附件）、本處企劃室",
    "處長　王○明",
)
MEMO_PARTS = (
    "檔號：115/010302/1/1/002",
    "保存年限：10年",
    "簽　於企劃室",
    "日期：中華民國115年11月27日",
    "主旨：陳報本處",
    "說明：",
    "一、依戶役政",
    "二、異常案件如下：",
    "（一）查詢用途欄",
    "（二）申請書",
    "擬辦：",
    "一、移請政風室查處。",
    "二、查處結果",
    "敬陳",
    "主任",
    "處長",
    "承辦人　李○華",
)
_SPACE = re.compile(r"\s+")


def _in_order(text: str, parts: tuple[str, ...]) -> list[int]:
    """Where each part first stands in ``text`` (-1: missing)."""
    return [text.find(part) for part in parts]


def _assert_in_order(text: str, parts: tuple[str, ...]) -> None:
    positions = _in_order(text, parts)
    missing = [part for part, at in zip(parts, positions, strict=True) if at < 0]
    assert not missing, missing
    wrong = [
        (parts[i], parts[i + 1]) for i in range(len(parts) - 1) if positions[i] >= positions[i + 1]
    ]
    assert not wrong, wrong


def _docx_text(path: Path) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)


def _pdf_text(path: Path) -> str:
    """The PDF's text as poppler reads it, all white space (also 　) removed: LibreOffice
    puts a small gap between Chinese and Latin digits that pdftotext shows as a space."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return _SPACE.sub("", text)


def _squeeze(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_SPACE.sub("", part) for part in parts)


def test_letter_docx_has_every_part_in_order(printed_forms) -> None:  # type: ignore[no-untyped-def]
    _assert_in_order(_docx_text(printed_forms["letter"].docx), LETTER_PARTS)


def test_memo_docx_has_every_part_in_order(printed_forms) -> None:  # type: ignore[no-untyped-def]
    _assert_in_order(_docx_text(printed_forms["memo"].docx), MEMO_PARTS)


def test_order_check_fails_on_parts_out_of_order() -> None:
    with pytest.raises(AssertionError):
        _assert_in_order("主旨：甲\n說明：乙", ("說明：", "主旨："))


def test_every_run_is_kai_on_every_slot(printed_forms) -> None:  # type: ignore[no-untyped-def]
    for forms in printed_forms.values():
        document = docx.Document(str(forms.docx))
        runs = [
            *document.element.body.iter(qn("w:r")),
            *document.sections[0].footer._element.iter(qn("w:r")),
        ]
        assert len(runs) > 20
        for run in runs:
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            assert fonts is not None
            slots = {slot: fonts.get(qn(f"w:{slot}")) for slot in ("eastAsia", "ascii", "hAnsi")}
            assert set(slots.values()) == {"標楷體"}, slots
        defaults = document.styles.element.find(qn("w:docDefaults"))
        default_fonts = defaults.find(f".//{qn('w:rFonts')}")
        assert default_fonts.get(qn("w:eastAsia")) == "標楷體"
        assert not [name for name in default_fonts.attrib if "heme" in name]
        assert defaults.find(f".//{qn('w:lang')}").get(qn("w:eastAsia")) == "zh-TW"


def test_page_is_a4_portrait_with_the_template_margins(printed_forms) -> None:  # type: ignore[no-untyped-def]
    for forms in printed_forms.values():
        section = docx.Document(str(forms.docx)).sections[0]
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        margins = (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
        assert [round(m.cm, 2) for m in margins] == [2.0, 2.0, 2.5, 2.21]


def _paragraph(document, starts: str):  # type: ignore[no-untyped-def]
    return next(p for p in document.paragraphs if p.text.startswith(starts))


def test_sizes_line_height_and_item_indents(printed_forms) -> None:  # type: ignore[no-untyped-def]
    document = docx.Document(str(printed_forms["letter"].docx))
    sizes = {
        starts: {run.font.size.pt for run in _paragraph(document, starts).runs}
        for starts in ("檔號：", "臺北市市場處", "發文日期：", "主旨：", "一、", "正本：")
    }
    assert sizes == {
        "檔號：": {10.0},
        "臺北市市場處": {20.0},
        "發文日期：": {12.0},
        "主旨：": {16.0},
        "一、": {16.0},
        "正本：": {12.0},
    }
    body = _paragraph(document, "主旨：").paragraph_format
    assert round(body.line_spacing.cm, 2) == 0.88
    # marker start and where its text (and every wrapped line) starts, in body em
    expected = {"一、依據": (1, 3), "（一）查詢統計": (2, 5), "1、本處": (3, 4.5), "主旨：": (0, 3)}
    for starts, (marker_em, text_em) in expected.items():
        layout = _paragraph(document, starts).paragraph_format
        left, first = layout.left_indent, layout.first_line_indent
        assert isinstance(left, Length) and isinstance(first, Length)
        assert abs(left.cm - em_cm(text_em, 16)) < 0.01, starts
        assert abs(left.cm + first.cm - em_cm(marker_em, 16)) < 0.01, starts


def test_footer_carries_page_and_numpages_fields(printed_forms) -> None:  # type: ignore[no-untyped-def]
    footer = docx.Document(str(printed_forms["letter"].docx)).sections[0].footer
    instructions = [node.text.strip() for node in footer._element.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.paragraphs[0].text.startswith("第")


def test_letter_pdf_shows_the_parts_the_date_and_two_page_numbers(printed_forms) -> None:  # type: ignore[no-untyped-def]
    text = _pdf_text(printed_forms["letter"].pdf)
    _assert_in_order(text, _squeeze(LETTER_PARTS))
    assert "中華民國115年11月27日" in text
    assert "第1頁共2頁" in text and "第2頁共2頁" in text
    assert "115年上半年稽核紀錄表" in text and "115年上半年案件抽查表" in text


def test_memo_pdf_shows_its_parts_on_one_numbered_page(printed_forms) -> None:  # type: ignore[no-untyped-def]
    text = _pdf_text(printed_forms["memo"].pdf)
    _assert_in_order(text, _squeeze(MEMO_PARTS))
    assert "第1頁共1頁" in text


def test_pdf_fonts_are_the_taiwan_ukai_only(printed_forms) -> None:  # type: ignore[no-untyped-def]
    for forms in printed_forms.values():
        listing = subprocess.run(
            ["pdffonts", str(forms.pdf)], check=True, capture_output=True, text=True
        ).stdout
        names = [row.split()[0] for row in listing.splitlines()[2:] if row.strip()]
        assert names, listing
        assert all("UKaiTW" in name for name in names), names
        for face in ("NotoSans", "Hei", "DejaVu", "Calibri", "UKaiCN"):
            assert not [name for name in names if face in name], names


def test_odt_is_an_opendocument_text_with_the_parts(printed_forms) -> None:  # type: ignore[no-untyped-def]
    for forms in printed_forms.values():
        with zipfile.ZipFile(forms.odt) as package:
            assert package.namelist()[0] == "mimetype"
            assert package.read("mimetype") == b"application/vnd.oasis.opendocument.text"
            content = package.read("content.xml").decode("utf-8")
            styles = package.read("styles.xml").decode("utf-8")
        assert "主旨：" in content and "中華民國115年11月27日" in content
        assert "<text:page-number" in styles and "<text:page-count" in styles
        assert "標楷體" in content + styles


def test_first_pages_render_to_png_that_are_not_blank(printed_forms) -> None:  # type: ignore[no-untyped-def]
    for forms in printed_forms.values():
        with Image.open(forms.png) as image:
            assert image.size == (662, 936)  # A4 at 80 dpi (pdftoppm rounds up)
            gray = image.convert("L")
            histogram = gray.histogram()
        dark = sum(histogram[:128]) / sum(histogram)
        assert 0.005 < dark < 0.3, dark


def test_a_document_with_problems_is_refused(printed_letter: Document) -> None:
    from dataclasses import replace

    with pytest.raises(InputError, match="主旨"):
        docx_bytes(replace(printed_letter, subject=" "))


def test_failed_conversion_leaves_no_odt_or_pdf(printed_memo: Document, tmp_path: Path) -> None:
    target = tmp_path / "memo.docx"
    with Converter(timeout=0.01) as converter, pytest.raises(ExternalToolError, match="stuck"):
        write_print_forms(printed_memo, target, converter=converter)
    assert [path.name for path in tmp_path.iterdir()] == ["memo.docx"]
    assert docx.Document(str(target)).paragraphs[0].text.startswith("檔號")
