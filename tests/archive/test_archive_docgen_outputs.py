"""What docgen itself writes classifies itself: an XLSX by its embedded metadata, a CSV
by its sidecar, a package manifest with its package, a forms manifest CSV like its
JSON twin — and a rebuild from the filed files comes out the same."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pikepdf
from openpyxl import Workbook

from docgen.archive.context import open_archive
from docgen.archive.db import Index
from docgen.archive.rebuild import compare, rebuild_into
from docgen.archive.reconcile import scan
from docgen.forms.manifest import COLUMNS
from docgen.fsutil import sha256_file
from docgen.metadata import RecordMetadata, attach_metadata, write_pdf_metadata
from docgen.packages.manifest import write_manifest
from docgen.report import Report, write_report
from docgen.rules.record_id import make_record_id

FORM_4M = str(make_record_id(4, "monthly", "202610", "企劃室"))
EVIDENCE = RecordMetadata(
    variant="sheet",
    period="2026-10",
    unit="企劃室",
    category="monthly_check",
    title="企劃室 115年10月 抽查表",
    record_ids=[FORM_4M],
)


def _scan(workspace):
    time.sleep(0.35)
    with open_archive(workspace) as ctx:
        return {f.path: f for f in scan(ctx).filed}


def _package(folder: Path, meta: RecordMetadata) -> tuple[Path, Path]:
    """A package PDF with its XMP and its manifest, as the package builder writes them."""
    output = folder / "2026-10_企劃室_月抽查卷宗.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        write_pdf_metadata(pdf, meta)
        pdf.save(output)
    manifest = write_manifest(
        output, sha256_file(output), meta, [], 1, False, datetime(2026, 11, 27, 10, 0)
    )
    return output, manifest


def _rebuild_differences(workspace, tmp_path: Path) -> list[str]:
    with open_archive(workspace) as ctx:
        rebuild_into(ctx, tmp_path / "rebuilt.sqlite")
        with Index.scratch(tmp_path / "rebuilt.sqlite") as rebuilt:
            return compare(ctx.index, rebuilt)


def test_an_xlsx_with_metadata_is_filed_under_its_category(archive_ws, index_rows, tmp_path):
    sheet = archive_ws.archive_root / "inbox" / "抽查表_2026-10_企劃室.xlsx"
    Workbook().save(sheet)
    attach_metadata(sheet, EVIDENCE)
    filed = _scan(archive_ws)
    (path,) = filed
    assert (filed[path].status, filed[path].source) == ("filed", "metadata")
    assert path.startswith("records/monthly_check/115/F-") and path.endswith(".xlsx")
    rows = index_rows(archive_ws, "SELECT category, period, unit, title, record_ids FROM records")
    assert rows == [("monthly_check", "2026-10", "企劃室", "企劃室 115年10月 抽查表", FORM_4M)]
    assert _rebuild_differences(archive_ws, tmp_path) == []


def test_a_csv_with_its_sidecar_is_filed_and_the_sidecar_travels(archive_ws, index_rows, tmp_path):
    inbox = archive_ws.archive_root / "inbox"
    lists = Report("異常清單", {"kind": "類別"}, [{"kind": "異常"}])
    write_report(lists, "csv", inbox / "異常清單_2026-10_企劃室.csv")
    write_report(lists, "xlsx", inbox / "異常清單_2026-10_企劃室.xlsx")
    for path in inbox.iterdir():
        attach_metadata(path, EVIDENCE)
    filed = _scan(archive_ws)
    assert {(f.status, f.source) for f in filed.values()} == {
        ("filed", "sidecar"),
        ("filed", "metadata"),
    }
    csv = next(p for p in filed if p.endswith(".csv"))
    assert csv.startswith("records/monthly_check/115/F-")
    assert (archive_ws.archive_root / (csv + ".meta.yaml")).is_file()
    assert not any(inbox.iterdir()), "the sidecar left the inbox with its file"
    assert index_rows(archive_ws, "SELECT DISTINCT category FROM records") == [("monthly_check",)]
    assert _rebuild_differences(archive_ws, tmp_path) == []


def test_a_package_manifest_is_filed_with_its_package(archive_ws, index_rows, tmp_path):
    meta = RecordMetadata(
        period="2026-10",
        unit="企劃室",
        category="monthly_check",
        trigger="2026-10-31",
        title="企劃室 115年10月 月抽查卷宗",
        record_ids=[FORM_4M],
    )
    inbox = archive_ws.archive_root / "inbox"
    output, manifest = _package(tmp_path, meta)
    record = "F-" + sha256_file(output)[:16].upper()
    manifest.rename(inbox / manifest.name)  # the manifest arrives first, alone
    first = _scan(archive_ws)
    assert list(first) == [f"records/monthly_check/115/{record}.pdf.manifest.json"]
    assert next(iter(first.values())).source == "manifest"
    output.rename(inbox / output.name)
    second = _scan(archive_ws)
    assert list(second) == [f"records/monthly_check/115/{record}.pdf"]
    rows = index_rows(archive_ws, "SELECT record_id, category, period, unit, source FROM records")
    assert rows == [(record, "monthly_check", "2026-10", "企劃室", "metadata")]
    files = index_rows(archive_ws, "SELECT record_id, kind, status FROM files ORDER BY path")
    assert files == [(record, "document", "filed")] * 2
    assert _rebuild_differences(archive_ws, tmp_path) == []


def test_a_forms_manifest_csv_is_classified_like_its_json(archive_ws, index_rows, tmp_path):
    row = {key: "" for key in COLUMNS}
    row.update(record_id=FORM_4M, form="4", variant="monthly", period="2026-10", unit="企劃室")
    manifest = archive_ws.archive_root / "inbox" / "附件4_月抽查_manifest.csv"
    write_report(Report("附件4_月抽查_manifest", COLUMNS, [row]), "csv", manifest)
    filed = _scan(archive_ws)
    (path,) = filed
    assert (filed[path].status, filed[path].source) == ("filed", "manifest")
    assert path.startswith("records/other/115/F-") and path.endswith(".csv")
    issued = index_rows(archive_ws, "SELECT record_id, form, variant, unit FROM forms_issued")
    assert issued == [(FORM_4M, "4", "monthly", "企劃室")]
    assert _rebuild_differences(archive_ws, tmp_path) == []


def test_a_csv_that_only_looks_like_a_manifest_stays_unclassified(archive_ws):
    inbox = archive_ws.archive_root / "inbox"
    columns = {k: v for k, v in COLUMNS.items() if k != "template_sha256"}
    row = {"record_id": FORM_4M, "form": "4"}
    write_report(Report("清單", columns, [row]), "csv", inbox / "清單.csv")
    write_report(
        Report("清單", COLUMNS, [{"record_id": "no ID", "form": "4"}]), "csv", inbox / "b.csv"
    )
    filed = _scan(archive_ws)
    assert {f.status for f in filed.values()} == {"unclassified"}


def test_sidecar_fields_are_exactly_the_record_metadata_fields() -> None:
    """The sidecar model lists RecordMetadata's fields by name; a field added to one
    and not the other would make sidecars silently lose it or refuse it."""
    from dataclasses import fields

    from docgen.archive.classify import _Sidecar
    from docgen.metadata import RecordMetadata

    assert set(_Sidecar.model_fields) == {f.name for f in fields(RecordMetadata)}
