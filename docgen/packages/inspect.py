"""``docgen package inspect``: a package's outline, page labels and metadata, and
whether its manifest still matches the file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from docgen.errors import InputError
from docgen.metadata import RecordMetadata, read_pdf_metadata
from docgen.packages.manifest import manifest_path, manifest_problems, read_manifest
from docgen.packages.structure import Bookmark, read_outline, read_page_labels
from docgen.report import Report

COLUMNS = {"bookmark": "書籤 Bookmark", "pages": "頁 Pages", "labels": "頁碼標籤 Labels"}


@dataclass
class Inspection:
    """What inspecting a package found; ``problems`` is empty when the manifest matches."""

    report: Report
    problems: list[str]


def _rows(bookmarks: Sequence[Bookmark], labels: Sequence[str]) -> list[dict[str, str]]:
    starts = [b.page for b in bookmarks]
    rows = []
    for index, mark in enumerate(bookmarks):
        later = [p for p in starts[index + 1 :] if p is not None and mark.page is not None]
        end = (min(later) - 1) if later else len(labels)
        first = mark.page or 0
        pages = f"{first}–{end}" if end > first else str(first)
        shown = labels[first - 1] if first else ""
        if end > first:
            shown += f" … {labels[end - 1]}"
        rows.append({"bookmark": "  " * mark.level + mark.title, "pages": pages, "labels": shown})
    return rows


def _summary(meta: RecordMetadata | None, pdfa_part: str, pages: int) -> dict[str, object]:
    meta = meta or RecordMetadata()
    return {
        "title": meta.title, "period": meta.period, "unit": meta.unit,
        "category": meta.category, "trigger": meta.trigger,
        "review_date": meta.review_date, "record_ids": meta.record_ids,
        "pages": pages, "pdfa": f"PDF/A-{pdfa_part}B" if pdfa_part else "no",
    }  # fmt: skip


def inspect_package(path: Path) -> Inspection:
    """Read the package at ``path`` and check it against its manifest sidecar."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        with pikepdf.open(path) as pdf:
            bookmarks, labels = read_outline(pdf), read_page_labels(pdf)
            part = str(pdf.open_metadata().get("pdfaid:part", ""))
    except pikepdf.PdfError as error:
        raise InputError(f"{path}: not a readable PDF ({error})") from error
    summary = _summary(read_pdf_metadata(path), part, len(labels))
    manifest = read_manifest(path)
    if manifest is None:
        problems = [f"no manifest {manifest_path(path).name} beside it"]
    else:
        problems = manifest_problems(path, manifest, len(labels))
    summary["manifest"] = "matches" if not problems else "DOES NOT MATCH: " + "; ".join(problems)
    report = Report(f"Package {path.name}", COLUMNS, _rows(bookmarks, labels), summary)
    return Inspection(report, problems)
