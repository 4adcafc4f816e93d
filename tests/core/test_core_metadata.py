"""Record metadata survives in DOCX custom properties and PDF XMP."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
from docx import Document

from docgen.metadata import (
    RecordMetadata,
    read_docx_metadata,
    read_pdf_metadata,
    write_docx_metadata,
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
