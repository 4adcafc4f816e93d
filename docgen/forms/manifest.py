"""The manifest of a batch: what was written (DOCX, and PDF and ODT when asked for),
with SHA-256 hashes, as JSON and as CSV (UTF-8 with a BOM, for Excel). Named after the form and the batch, e.g.
``附件4_月抽查_manifest_20261001-093015.json``: a second batch into the same folder
keeps the first one's manifest (ISSUE 9 item 4). The archive recognises a manifest by
its content (:func:`docgen.archive.issued.manifest_documents`), not by its name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.forms.registry import VARIANT_NAMES
from docgen.forms.staging import WriteFailed
from docgen.forms.writer import share_mode
from docgen.fsutil import sha256_file
from docgen.report import Report, render_csv

if TYPE_CHECKING:
    from docgen.forms.batch import BatchResult

#: The manifest CSV's headers: read back by the archive (:mod:`docgen.archive.issued`),
#: so the same in every language (none is a message ID). ``odt``/``odt_sha256`` (the
#: ODT of ``forms fill --odt``, empty without it) are :data:`LATER_COLUMNS`: a manifest
#: written before them is still one.
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
    "odt": "ODT",
    "odt_sha256": "ODT SHA-256",
    "data_sha256": "資料 SHA-256",
    "template_sha256": "範本 SHA-256",
}


#: Columns added since the first manifests: the archive does not require them.
LATER_COLUMNS = ("odt", "odt_sha256")


def manifest_rows(result: BatchResult) -> list[dict[str, Any]]:
    rows = []
    for document in result.documents:
        meta = document.metadata
        odt = result.odts.get(document.record_id)
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
                "odt": odt.name if odt else "",
                "odt_sha256": sha256_file(odt) if odt else "",
                "data_sha256": meta.data_sha256,
                "template_sha256": meta.template_sha256,
            }
        )
    return rows


def manifest_stem(result: BatchResult) -> str:
    """``附件4_月抽查_manifest_<batch>`` (``附件4_月抽查_manifest`` without a batch ID)."""
    variant = f"_{VARIANT_NAMES[result.variant]}" if result.variant else ""
    batch = f"_{result.batch_id}" if result.batch_id else ""
    return f"附件{result.form}{variant}_manifest{batch}"


def free_batch_id(result: BatchResult, out_dir: Path, stamp: str) -> str:
    """``stamp`` (the batch's time), made unique among the manifests in ``out_dir``."""
    variant = f"_{VARIANT_NAMES[result.variant]}" if result.variant else ""
    candidate, number = stamp, 1
    while any(
        (out_dir / f"附件{result.form}{variant}_manifest_{candidate}{suffix}").exists()
        for suffix in (".json", ".csv")
    ):
        number += 1
        candidate = f"{stamp}-{number}"
    return candidate


def write_manifest(result: BatchResult, out_dir: Path, created: str = "") -> list[Path]:
    """Write ``<stem>.json`` and ``<stem>.csv`` into ``out_dir`` (the batch's staging
    folder); return both paths. A failed write is a :class:`WriteFailed`."""
    rows = manifest_rows(result)
    stem = manifest_stem(result)
    body = {
        "form": result.form,
        "variant": result.variant,
        "batch": result.batch_id,
        "created": created,
        "template": result.template.name,
        "template_sha256": rows[0]["template_sha256"] if rows else "",
        "documents": rows,
        "skipped": [
            {"row": p.row, "field": p.column, "problem": p.problem} for p in result.skipped
        ],
    }
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    files = {
        out_dir / f"{stem}.json": text.encode("utf-8"),
        out_dir / f"{stem}.csv": render_csv(Report(stem, COLUMNS, rows)),
    }
    for path, data in files.items():
        try:
            path.write_bytes(data)
            share_mode(path)
        except OSError as error:
            raise WriteFailed(path.name, error.strerror or str(error)) from error
    return list(files)
