"""Classification and filing: embedded metadata, QR codes on scans, sidecars, path
rules, unclassified files, duplicates; the scan command and its journal entry."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import qrcode
from click.testing import CliRunner
from docx import Document
from PIL import Image, ImageDraw, ImageFilter

from docgen.archive.context import open_archive
from docgen.archive.reconcile import scan
from docgen.cli.main import cli
from docgen.errors import InputError
from docgen.metadata import RecordMetadata, write_docx_metadata, write_pdf_metadata
from docgen.privacy import find_unmasked_ids
from docgen.rules.record_id import make_record_id
from tests.archive.dbrows import ON_BOTH_ENGINES

RECORD = str(make_record_id(4, "monthly", "202610", "企劃室"))


def _printed_form_pdf(path: Path, record_id: str) -> None:
    """An A4 page at 150 dpi with some text and the record ID's QR code (as a form has)."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    for line in range(30):
        draw.text((120, 300 + line * 40), f"row {line}  ......................", fill="black")
    code = qrcode.make(record_id, box_size=6, border=2).get_image().convert("RGB")
    page.paste(code, (1240 - code.width - 80, 80))
    page.save(path, "PDF", resolution=150)


def _scan_as_jpeg(pdf: Path, target: Path) -> None:
    """Render the PDF, rotate it slightly, add noise, save as JPEG: a colour scan."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=200 / 72).to_pil().convert("RGB")
    document.close()
    image = image.rotate(2.5, expand=True, fillcolor="white", resample=Image.BICUBIC)
    noise = Image.effect_noise(image.size, 40).convert("RGB")
    image = Image.blend(image, noise, 0.15).filter(ImageFilter.GaussianBlur(0.6))
    image.save(target, "JPEG", quality=70)


def _scan(workspace):
    time.sleep(0.35)
    with open_archive(workspace) as ctx:
        return scan(ctx)


def test_a_scanned_printed_form_is_classified_by_its_qr_code(archive_ws, tmp_path, index_rows):
    pdf = tmp_path / "form.pdf"
    _printed_form_pdf(pdf, RECORD)
    _scan_as_jpeg(pdf, archive_ws.archive_root / "inbox" / "掃描0001.jpg")
    result = _scan(archive_ws)
    assert [(f.status, f.source, f.record_id) for f in result.filed] == [("filed", "qr", RECORD)]
    assert result.filed[0].path == f"records/monthly_check/115/{RECORD}.jpg"
    rows = index_rows(archive_ws, "SELECT category, form, variant, period, source FROM records")
    assert rows == [("monthly_check", "4", "monthly", "2026-10", "qr")]


def test_embedded_metadata_files_docx_and_pdf_of_one_record_together(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    meta = RecordMetadata(
        record_id=RECORD,
        form="4",
        variant="monthly",
        period="2026-10",
        unit="企劃室",
        category="monthly_check",
        review_date="2026-11-20",
        title="案件抽查表",
    )
    Document().save(inbox / "附件4.docx")
    write_docx_metadata(inbox / "附件4.docx", meta)
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        write_pdf_metadata(pdf, meta)
        pdf.save(inbox / "附件4.pdf")
    result = _scan(archive_ws)
    assert sorted(f.path for f in result.filed) == [
        f"records/monthly_check/115/{RECORD}.docx",
        f"records/monthly_check/115/{RECORD}.pdf",
    ]
    rows = index_rows(archive_ws, "SELECT record_id, unit, review_date, source FROM records")
    assert rows == [(RECORD, "企劃室", "2026-11-20", "metadata")]


def test_sidecars_path_rules_unclassified_and_duplicates(archive_ws, reconfigure, index_rows):
    rules = '[[archive.path_rules]]\npattern = "月抽查/*"\ncategory = "monthly_check"\nperiod = "2026-09"\n'
    workspace = reconfigure(archive_ws, extra=rules)
    inbox = workspace.archive_root / "inbox"
    (inbox / "月抽查").mkdir()
    (inbox / "月抽查" / "evidence.png").write_bytes(b"not really a png")
    (inbox / "pledge.txt").write_text("pledge", encoding="utf-8")
    (inbox / "pledge.meta.yaml").write_text(
        "category: confidentiality_pledge\nsubject: u01\ntrigger: 2026-03-01\n", encoding="utf-8"
    )
    (inbox / "bad.txt").write_text("bad", encoding="utf-8")
    (inbox / "bad.txt.meta.yaml").write_text("category: monthly\n", encoding="utf-8")
    (inbox / "王小明 A123456789.txt").write_text("nothing to go by", encoding="utf-8")
    (inbox / "zz-copy.txt").write_text("pledge", encoding="utf-8")  # after pledge.txt
    result = _scan(workspace)
    by_name = {f.path: (f.status, f.source) for f in result.filed}
    assert by_name[next(p for p in by_name if p.startswith("records/monthly_check/115/F-"))] == (
        "filed",
        "path_rule",
    )
    pledge = next(p for p in by_name if p.startswith("records/confidentiality_pledge/115/"))
    assert by_name[pledge] == ("filed", "sidecar")
    assert by_name["records/unclassified/bad.txt"] == ("unclassified", "none")
    # ISSUE 9 item 6: filed under its name with the ID masked (＊: Windows refuses *)
    assert by_name["records/unclassified/王小明 A12345＊＊＊＊.txt"] == ("unclassified", "none")
    duplicate = next(p for p in by_name if p.startswith("records/duplicates/"))
    assert by_name[duplicate][0] == "duplicate"
    assert (workspace.archive_root / (pledge + ".meta.yaml")).exists(), "the sidecar travelled"
    reasons = dict(
        index_rows(workspace, "SELECT record_id, reason FROM records WHERE status='unclassified'")
    )
    assert any(
        "bad.txt.meta.yaml: field category: unknown category 'monthly'" in r
        for r in reasons.values()
    )
    assert not any(inbox.rglob("*.*")), "everything left the inbox"


def test_an_unclassified_file_sent_again_with_a_sidecar_is_filed(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4 not parseable")
    first = _scan(archive_ws)
    assert first.filed[0].status == "unclassified"
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4 not parseable")
    (inbox / "scan.pdf.meta.yaml").write_text(f"record_id: {RECORD}\n", encoding="utf-8")
    second = _scan(archive_ws)
    assert [(f.status, f.record_id) for f in second.filed] == [("filed", RECORD)]
    rows = index_rows(
        archive_ws, "SELECT path, status, record_id FROM files WHERE kind='document' ORDER BY id"
    )
    assert rows == [
        ("records/unclassified/scan.pdf", "duplicate", RECORD),
        (f"records/monthly_check/115/{RECORD}.pdf", "filed", RECORD),
    ]
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM records WHERE status='unclassified'") == [
        (0,)
    ]


@ON_BOTH_ENGINES
def test_scan_command_prints_masked_paths_and_journals(archive_ws):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "A123456789 申請.txt").write_text("x", encoding="utf-8")
    time.sleep(0.35)
    result = CliRunner().invoke(cli, ["-w", str(archive_ws.root), "archive", "scan"])
    assert result.exit_code == 0, result.output
    assert "unclassified" in result.output and "A12345＊＊＊＊" in result.output  # ISSUE 9 item 6
    assert find_unmasked_ids(result.output) == []
    entries = [json.loads(line) for line in archive_ws.journal_path.read_text("utf-8").splitlines()]
    assert entries[-1]["command"] == "archive scan"
    assert entries[-1]["details"]["counts"] == {"unclassified": 1}
    assert find_unmasked_ids(json.dumps(entries[-1], ensure_ascii=False)) == []


def test_a_second_filer_is_refused_while_the_watcher_holds_the_archive(archive_ws):
    refused = pytest.raises(InputError, match="another docgen archive process")
    with open_archive(archive_ws), refused, open_archive(archive_ws, wait_seconds=0.2):
        pass


def test_a_file_dated_in_the_future_is_filed_once_seen_unchanged(archive_ws):
    """A file server whose clock runs ahead: the mtime says 'just written' for an hour."""
    path = archive_ws.archive_root / "inbox" / "from-the-server.txt"
    path.write_text("server copy", encoding="utf-8")
    ahead = time.time() + 3600
    os.utime(path, (ahead, ahead))
    started = time.monotonic()
    with open_archive(archive_ws) as ctx:
        result = scan(ctx)
    assert [f.status for f in result.filed] == ["unclassified"]
    assert time.monotonic() - started >= 0.3  # it waited for stable_seconds


def test_scan_names_a_sidecar_left_without_its_file(archive_ws):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "late.pdf.meta.yaml").write_text("category: other\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["-w", str(archive_ws.root), "archive", "scan"])
    assert result.exit_code == 0
    assert (
        "a sidecar without its file, left in the inbox: inbox/late.pdf.meta.yaml" in result.output
    )
    assert (inbox / "late.pdf.meta.yaml").exists()


def test_scan_exits_non_zero_when_a_file_cannot_be_filed(archive_ws):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "fine.txt").write_text("fine", encoding="utf-8")
    bad = os.fsencode(inbox) + b"/big5-\xa4\xe5.txt"
    with open(bad, "wb") as handle:
        handle.write(b"kept")
    time.sleep(0.35)
    result = CliRunner().invoke(cli, ["-w", str(archive_ws.root), "archive", "scan"])
    assert isinstance(result.exception, InputError)  # main() turns it into exit code 3
    assert "1 file(s) could not be filed" in str(result.exception)
    assert "Filed 1 file(s)." in result.output
    assert "the file name is not UTF-8 text" in result.output
    assert os.path.exists(bad)
