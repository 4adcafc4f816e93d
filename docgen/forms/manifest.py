"""The manifest of a batch: what was written, with SHA-256 hashes, as JSON and as CSV
(UTF-8 with a BOM, for Excel). Named after the form, e.g. ``附件4_月抽查_manifest.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.forms.registry import VARIANT_NAMES
from docgen.forms.writer import share_mode
from docgen.fsutil import atomic_write_text, sha256_file
from docgen.report import Report, write_report

if TYPE_CHECKING:
    from docgen.forms.batch import BatchResult

COLUMNS = {
    "row": "資料列",
    "record_id": "紀錄編號",
    "form": "附件",
    "variant": "版本",
    "period": "期間",
    "unit": "單位",
    "subject": "帳號",
    "docx": "DOCX",
    "docx_sha256": "DOCX SHA-256",
    "pdf": "PDF",
    "pdf_sha256": "PDF SHA-256",
    "data_sha256": "資料 SHA-256",
    "template_sha256": "範本 SHA-256",
}


def manifest_rows(result: BatchResult) -> list[dict[str, Any]]:
    rows = []
    for document in result.documents:
        meta = document.metadata
        rows.append(
            {
                "row": document.row,
                "record_id": document.record_id,
                "form": meta.form,
                "variant": meta.variant,
                "period": meta.period,
                "unit": meta.unit,
                "subject": meta.subject,
                "docx": document.docx.name,
                "docx_sha256": sha256_file(document.docx),
                "pdf": document.pdf.name if document.pdf else "",
                "pdf_sha256": sha256_file(document.pdf) if document.pdf else "",
                "data_sha256": meta.data_sha256,
                "template_sha256": meta.template_sha256,
            }
        )
    return rows


def manifest_stem(result: BatchResult) -> str:
    variant = f"_{VARIANT_NAMES[result.variant]}" if result.variant else ""
    return f"附件{result.form}{variant}_manifest"


def write_manifest(result: BatchResult, out_dir: Path) -> list[Path]:
    """Write ``<stem>.json`` and ``<stem>.csv`` into ``out_dir``; return both paths."""
    rows = manifest_rows(result)
    stem = out_dir / manifest_stem(result)
    body = {
        "form": result.form,
        "variant": result.variant,
        "template": result.template.name,
        "template_sha256": rows[0]["template_sha256"] if rows else "",
        "documents": rows,
        "skipped": [
            {"row": p.row, "field": p.column, "problem": p.problem} for p in result.skipped
        ],
    }
    json_path = stem.with_suffix(".json")
    atomic_write_text(json_path, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    csv_path = stem.with_suffix(".csv")
    write_report(Report(manifest_stem(result), COLUMNS, rows), "csv", csv_path)
    for path in (json_path, csv_path):
        share_mode(path)
    return [json_path, csv_path]
