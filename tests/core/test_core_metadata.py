"""Record metadata survives in DOCX and XLSX custom properties, PDF XMP and sidecars."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
import pytest
import yaml
from docx import Document
from openpyxl import Workbook, load_workbook

from docgen.errors import InputError
from docgen.metadata import (
    RecordMetadata,
    attach_metadata,
    read_docx_metadata,
    read_ooxml_metadata,
    read_pdf_metadata,
    write_docx_metadata,
    write_ooxml_metadata,
    write_pdf_metadata,
)

META = RecordMetadata(
    record_id="DG-4M-202610-0A1B2C3D",
    form="4",
    variant="monthly",
    period="2026-10",
    unit="企劃室",
    subject="user01",
    category="monthly_check",
    record_ids=["DG-4M-202610-0A1B2C3D", "DG-5-2026H1-11111111"],
)


def test_docx_round_trip_keeps_the_document_valid(tmp_path: Path) -> None:
    path = tmp_path / "form.docx"
    document = Document()
    document.add_paragraph("附件4 案件抽查表")
    document.save(str(path))
    write_docx_metadata(path, META)
    assert read_docx_metadata(path) == META
    assert Document(str(path)).paragraphs[0].text == "附件4 案件抽查表"
    with zipfile.ZipFile(path) as archive:
        assert "docProps/custom.xml" in archive.read("[Content_Types].xml").decode()
        assert "custom-properties" in archive.read("_rels/.rels").decode()


def test_docx_rewrite_replaces_ours_and_keeps_others(tmp_path: Path) -> None:
    path = tmp_path / "form.docx"
    Document().save(str(path))
    write_docx_metadata(path, META)
    changed = RecordMetadata(record_id="DG-2-20261127-00000001", form="2")
    write_docx_metadata(path, changed)
    assert read_docx_metadata(path) == changed


def test_docx_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "plain.docx"
    Document().save(str(path))
    assert read_docx_metadata(path) is None


def test_pdf_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "form.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    write_pdf_metadata(pdf, RecordMetadata(**{**META.__dict__, "title": "附件4 月抽查"}))
    pdf.save(path)
    read = read_pdf_metadata(path)
    assert read is not None
    assert read.record_ids == META.record_ids
    assert read.unit == "企劃室"
    with pikepdf.open(path) as reopened:
        assert reopened.open_metadata()["dc:title"] == "附件4 月抽查"


def test_pdf_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    assert read_pdf_metadata(path) is None


def test_xlsx_round_trip_keeps_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "抽查表.xlsx"
    book = Workbook()
    book.active["A1"] = "案件抽查表"  # type: ignore[index]
    book.save(path)
    write_ooxml_metadata(path, META)
    assert read_ooxml_metadata(path) == META
    assert load_workbook(path).active["A1"].value == "案件抽查表"  # type: ignore[index]


def test_the_docx_names_are_the_ooxml_functions(tmp_path: Path) -> None:
    path = tmp_path / "form.docx"
    Document().save(str(path))
    write_ooxml_metadata(path, META)
    assert read_docx_metadata(path) == META


def test_a_broken_xlsx_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"broken\.xlsx: not a readable XLSX"):
        read_ooxml_metadata(path)


def test_attach_embeds_in_ooxml_and_writes_a_sidecar_otherwise(tmp_path: Path) -> None:
    meta = RecordMetadata(category="other", period="2026-11", title="使用者清冊 115/11/30")
    xlsx, csv = tmp_path / "清冊.xlsx", tmp_path / "清冊.csv"
    Workbook().save(xlsx)
    csv.write_text("帳號\nu01\n", encoding="utf-8")
    assert attach_metadata(xlsx, meta) == xlsx
    assert read_ooxml_metadata(xlsx) == meta
    assert attach_metadata(csv, meta) == tmp_path / "清冊.csv.meta.yaml"
    assert yaml.safe_load((tmp_path / "清冊.csv.meta.yaml").read_text(encoding="utf-8")) == {
        "category": "other",
        "period": "2026-11",
        "title": "使用者清冊 115/11/30",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "清冊.csv",
        "清冊.csv.meta.yaml",
        "清冊.xlsx",
    ]


def test_attach_to_text_named_like_xlsx_writes_a_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "帳號清查.xlsx"
    path.write_text("帳號清查（table）\n", encoding="utf-8")
    meta = RecordMetadata(category="other", title="帳號清查")
    assert attach_metadata(path, meta) == tmp_path / "帳號清查.xlsx.meta.yaml"
    assert path.read_text(encoding="utf-8") == "帳號清查（table）\n"
