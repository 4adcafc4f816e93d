"""PDF output: made by one LibreOffice process, Chinese text extractable, 標楷體
rendered with AR PL UKai TW and embedded, record metadata in the XMP, the QR code
readable from a 300-dpi render, no unmasked ID."""

from __future__ import annotations

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from docgen.errors import ExternalToolError
from docgen.forms.libreoffice import find_soffice
from docgen.metadata import read_pdf_metadata
from docgen.privacy import find_unmasked_ids

TITLES = {
    ("1", None): "戶政機關資料交換安全約定",
    ("2", None): "權限申請表",
    ("3", None): "保密切結書",
    ("4", "monthly"): "月抽查",
    ("4", "half"): "半年抽查",
    ("5", None): "稽核紀錄表",
    ("6", None): "外部稽核紀錄表",
}


def _text(path) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_every_document_has_a_pdf_with_its_chinese_text(rendered_forms) -> None:
    for case, title in TITLES.items():
        for document in rendered_forms.by_case[case]:
            assert document.pdf is not None and document.pdf.stat().st_size > 1000
            text = _text(document.pdf).replace(" ", "")
            assert title in text, (case, document.pdf.name)
            assert "中華民國" in text or "115" in text
            assert document.record_id in text
            assert find_unmasked_ids(text) == [], document.pdf.name


def test_kai_font_is_the_taiwan_ukai_and_embedded(rendered_forms) -> None:
    for document in rendered_forms.documents:
        names, embedded = set(), set()
        with pikepdf.open(document.pdf) as pdf:
            for page in pdf.pages:
                for font in page.Resources.Font.values():
                    descendants = font.get("/DescendantFonts", [font])
                    for item in descendants:
                        descriptor = item.get("/FontDescriptor")
                        names.add(str(item.get("/BaseFont")))
                        if descriptor is not None and any(
                            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                        ):
                            embedded.add(str(item.get("/BaseFont")))
        assert any("UKaiTW" in name.replace(" ", "") for name in names), names
        assert names == embedded, f"not embedded: {names - embedded}"
        assert not any("UKaiCN" in n.replace(" ", "") for n in names)


def test_pdf_xmp_carries_the_record_metadata(rendered_forms) -> None:
    for document in rendered_forms.documents:
        assert read_pdf_metadata(document.pdf) == document.metadata


def test_qr_code_on_the_printed_page_decodes_to_the_record_id(rendered_forms) -> None:
    for case in (("2", None), ("4", "half"), ("5", None)):
        document = rendered_forms.by_case[case][0]
        pdf = pypdfium2.PdfDocument(str(document.pdf))
        image = pdf[0].render(scale=300 / 72).to_pil()
        pdf.close()
        codes = zxingcpp.read_barcodes(image)
        assert [code.text for code in codes] == [document.record_id]


def test_manifest_lists_documents_with_hashes(rendered_forms) -> None:
    import json

    from docgen.fsutil import sha256_file

    first = rendered_forms.by_case[("2", None)][0]
    (manifest,) = rendered_forms.out_dir.glob("附件2_manifest_*.json")
    rows = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    assert len(rows) == 4
    assert {r["docx"] for r in rows} >= {first.docx.name}
    csv_bytes = manifest.with_suffix(".csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    row = next(r for r in rows if r["record_id"] == first.record_id)
    assert row["docx_sha256"] == sha256_file(first.docx)


def test_missing_soffice_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.forms import libreoffice

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(libreoffice, "_KNOWN_PLACES", ())
    with pytest.raises(ExternalToolError, match="apt-get install libreoffice-writer-nogui"):
        find_soffice()


def test_qr_code_survives_a_skewed_jpeg_colour_scan(rendered_forms) -> None:
    import io

    from PIL import Image

    document = rendered_forms.by_case[("4", "monthly")][0]
    pdf = pypdfium2.PdfDocument(str(document.pdf))
    page = pdf[0].render(scale=300 / 72).to_pil().convert("RGB")
    pdf.close()
    skewed = page.rotate(2.5, expand=True, fillcolor="white").resize(
        (int(page.width * 0.97), int(page.height * 0.97))
    )
    scan = io.BytesIO()
    skewed.save(scan, format="JPEG", quality=60)
    codes = zxingcpp.read_barcodes(Image.open(scan))
    assert [code.text for code in codes] == [document.record_id]
