"""``docgen package inspect``: a package's outline, page labels and metadata, and
whether its manifest still matches the file. The file may be anyone's: its XMP is
read only if it inflates within bounds (ISSUE 9 item 3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from docgen.errors import InputError
from docgen.i18n import N_, _
from docgen.metadata import RecordMetadata, read_pdf_metadata
from docgen.packages.bounds import inflates_within
from docgen.packages.manifest import manifest_path, manifest_problems, read_manifest
from docgen.packages.structure import Bookmark, read_outline, read_page_labels
from docgen.report import Report

COLUMNS = {"bookmark": N_("Bookmark"), "pages": N_("Pages"), "labels": N_("Page labels")}
#: The summary's labels: the record metadata's own names (a JSON report keeps them as
#: its keys), shown translated in a table.
_SUMMARY = {
    "title": N_("title"),
    "period": N_("period"),
    "unit": N_("unit"),
    "category": N_("category"),
    "trigger": N_("trigger"),
    "review_date": N_("review_date"),
    "record_ids": N_("record_ids"),
    "pages": N_("pages"),
    "pdfa": N_("pdfa"),
    "manifest": N_("manifest"),
}


@dataclass
class Inspection:
    """What inspecting a package found; ``problems`` is empty when the manifest matches."""

    report: Report
    problems: list[str]


def _row(mark: Bookmark, last: int, labels: Sequence[str]) -> dict[str, str]:
    title = "  " * mark.level + mark.title
    if mark.page is None:
        return {"bookmark": title, "pages": "?", "labels": ""}
    first = mark.page
    if last <= first:
        return {"bookmark": title, "pages": str(first), "labels": labels[first - 1]}
    shown = f"{labels[first - 1]} … {labels[last - 1]}"
    return {"bookmark": title, "pages": f"{first}–{last}", "labels": shown}


def _rows(bookmarks: Sequence[Bookmark], labels: Sequence[str]) -> list[dict[str, str]]:
    """One row per bookmark: its pages run to the page before the next bookmark's."""
    rows = []
    for index, mark in enumerate(bookmarks):
        following = next((b.page for b in bookmarks[index + 1 :] if b.page), None)
        rows.append(_row(mark, following - 1 if following else len(labels), labels))
    return rows


def _summary(meta: RecordMetadata | None, pdfa_part: str, pages: int) -> dict[str, object]:
    meta = meta or RecordMetadata()
    values = {
        "title": meta.title, "period": meta.period, "unit": meta.unit,
        "category": meta.category, "trigger": meta.trigger,
        "review_date": meta.review_date, "record_ids": meta.record_ids,
        "pages": pages, "pdfa": f"PDF/A-{pdfa_part}B" if pdfa_part else _("no"),
    }  # fmt: skip
    return {_SUMMARY[key]: value for key, value in values.items()}


def inspect_package(path: Path) -> Inspection:
    """Read the package at ``path`` and check it against its manifest sidecar."""
    if not path.is_file():
        raise InputError(_("{file}: no such file").format(file=path))
    try:
        with pikepdf.open(path) as pdf:
            bookmarks, labels = read_outline(pdf), read_page_labels(pdf)
            xmp = pdf.Root.get("/Metadata")
            if isinstance(xmp, pikepdf.Stream) and not inflates_within(xmp):
                raise InputError(
                    _("{file}: its XMP metadata is a decompression bomb; refused").format(file=path)
                )
            part = str(pdf.open_metadata().get("pdfaid:part", ""))
    except pikepdf.PdfError as error:
        raise InputError(
            _("{file}: not a readable PDF ({error})").format(file=path, error=error)
        ) from error
    summary = _summary(read_pdf_metadata(path), part, len(labels))
    manifest = read_manifest(path)
    if manifest is None:
        problems = [_("no manifest {manifest} beside it").format(manifest=manifest_path(path).name)]
    else:
        problems = manifest_problems(path, manifest, len(labels))
    summary[_SUMMARY["manifest"]] = (
        _("DOES NOT MATCH: {problems}").format(problems=_("; ").join(problems))
        if problems
        else _("matches")
    )
    title = _("Package {file}").format(file=path.name)
    report = Report(title, COLUMNS, _rows(bookmarks, labels), summary)
    return Inspection(report, problems)
