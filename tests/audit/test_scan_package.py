"""The package of a unit and month from the signed scans that came back (ISSUE 13
item 1; R6.2): on a real office database and archive — the results marked with
evidence and approved, a colour scan of the completed 附件4 with its record-ID QR
code filed by the archive itself, the package built, opened with pikepdf and filed.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pikepdf
import pytest
import qrcode
from PIL import Image, ImageDraw
from sqlalchemy import select

from docgen.audit.samples import load_results
from docgen.config import Workspace, open_workspace
from docgen.db import Database, open_database
from docgen.db.models.archive import File
from docgen.errors import InputError
from docgen.journal import Journal
from docgen.metadata import RecordMetadata, read_pdf_metadata, write_pdf_metadata
from docgen.services import spot_check
from docgen.services.archive import file_inbox
from docgen.services.scan_package import build_returned_package, returned
from tests.audit.test_spot_check import MONTH, UNIT, WHEN, mark_all


def file_the_inbox(ws: Workspace) -> None:
    scanned = file_inbox(open_workspace(ws.root, environ={"DOCGEN_ARCHIVE_STABLE_SECONDS": "0"}), 0)
    assert not scanned.result.failed, scanned.result.failed


def scanned_page(record_id: str | None, mark: str) -> Image.Image:
    """An A4 page at 150 dpi as the scanner gives it: text, and the record ID's QR code
    on the form's first page."""
    page = Image.new("RGB", (1240, 1754), (250, 248, 240))
    draw = ImageDraw.Draw(page)
    for line in range(20):
        draw.text((120, 300 + line * 40), f"{mark} row {line} ....................", fill="black")
    if record_id:
        code = qrcode.make(record_id, box_size=6, border=2).get_image().convert("RGB")
        page.paste(code, (1240 - code.width - 80, 80))
    return page


def scan_pdf(path: Path, record_id: str, mark: str = "signed") -> Path:
    """A two-page colour scan as a PDF (images only, no docgen metadata)."""
    first, second = scanned_page(record_id, mark), scanned_page(None, mark + " p2")
    first.save(path, "PDF", resolution=150, save_all=True, append_images=[second])
    return path


def generated_forms(ws: Workspace, record_id: str) -> None:
    """The completed 附件4 as docgen wrote it (DOCX) and a PDF of it with docgen's
    metadata, in the inbox: filed under the same record as its scan, and no scan."""
    results = load_results(ws, MONTH, UNIT)
    assert results is not None
    shutil.copy(ws.root / results.documents["form"], ws.archive_root / "inbox")
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        write_pdf_metadata(pdf, RecordMetadata(record_id=record_id, unit=UNIT))
        pdf.save(ws.archive_root / "inbox" / "附件4.pdf")


def record_id_of(ws: Workspace) -> str:
    with open_database(ws) as db:
        return spot_check.mark_sheet(db, MONTH, UNIT).record_id


@pytest.fixture
def submitted(office: Workspace) -> Workspace:
    """企劃室's October cases marked with one evidence file each (in the inbox, with
    their sidecars) and submitted."""
    from docgen.calendar import parse_period
    from docgen.services.audit import draw_sample

    with open_database(office) as db:
        draw_sample(office, db, parse_period(MONTH), actor="admin1", seed="spot", now=WHEN)
    mark_all(office, office.root)
    with open_database(office) as db:
        spot_check.submit_marks(office, db, MONTH, UNIT, actor="super1")
    return office


def db_files(db: Database, record_id: str) -> list[File]:
    with db.session() as session:
        query = select(File).where(File.record_id == record_id, File.kind == "document")
        return list(session.scalars(query))


def approve(ws: Workspace) -> None:
    with open_database(ws) as db:
        spot_check.approve_results(ws, db, MONTH, UNIT, approved_by="吳處長", actor="director1")


def build(ws: Workspace) -> object:
    with open_database(ws) as db:
        return build_returned_package(ws, db, MONTH, UNIT, by="archive1")


def test_the_package_of_the_returned_scan_with_its_evidence(submitted: Workspace) -> None:
    ws = submitted
    approve(ws)
    record_id = record_id_of(ws)
    generated_forms(ws, record_id)
    scan_pdf(ws.archive_root / "inbox" / "掃描0001.pdf", record_id)
    file_the_inbox(ws)
    with open_database(ws) as db:
        before = returned(ws, db, MONTH, UNIT)
        filed = [f.path for f in db_files(db, record_id)]
    assert len(filed) == 3  # the DOCX, the generated PDF and the scan, one record
    assert before.scans_back and before.buildable and before.packages == ()
    assert [p.suffix for p in before.forms[0].scans] == [".pdf"]  # only the scan

    built = build(ws)
    output, inbox = built.result.output, built.inbox  # type: ignore[attr-defined]
    assert output == ws.root / "out" / "packages" / f"{MONTH}_{UNIT}.pdf"
    assert inbox == ws.archive_root / "inbox" / output.name
    assert inbox.read_bytes() == output.read_bytes()
    assert (inbox.parent / f"{inbox.name}.manifest.json").is_file()
    cases = len(before.results.cases)  # type: ignore[union-attr]
    with pikepdf.open(output) as pdf:
        assert len(pdf.pages) == 2 + cases  # two scanned pages, one page of evidence per case
        with pdf.open_outline() as outline:
            (form,) = outline.root
            assert form.title == "附件4 案件抽查表"
            assert [item.title for item in form.children] == [
                f"佐證{n} 序號{n}" for n in range(1, cases + 1)
            ]
        assert [pdf.pages[i].label for i in (0, 1, 2)] == ["附件4-1", "附件4-2", "佐證1-1"]
    meta = read_pdf_metadata(output)
    assert meta is not None
    assert (meta.category, meta.period, meta.unit) == ("monthly_check", MONTH, UNIT)
    today = date.today().isoformat()
    assert (meta.review_date, meta.trigger) == (today, today)  # the approval's day (R6.2)
    assert meta.title == f"{UNIT} 115年10月 月抽查卷宗"

    entry = [e for e in Journal(ws.journal_path, ws.root).entries()][-1]
    assert entry["command"] == "package returned scans"
    assert entry["details"]["user"] == "archive1"
    assert entry["details"]["record_ids"] == [record_id]

    # The archive files the package as a record of its own, with its manifest.
    file_the_inbox(ws)
    assert not inbox.exists()
    with open_database(ws) as db:
        after = returned(ws, db, MONTH, UNIT)
    assert len(after.packages) == 1 and after.packages[0].startswith("F-")

    # Nothing new: refused, naming the package filed.
    with pytest.raises(InputError, match=after.packages[0]):
        build(ws)

    # The first page scanned again (a JPEG) comes back: a second version, the first kept.
    rescan = scanned_page(record_id, "rescanned")
    rescan.save(ws.archive_root / "inbox" / "掃描0002.jpg", "JPEG", dpi=(150, 150), quality=85)
    file_the_inbox(ws)
    second = build(ws)
    assert second.version == 2  # type: ignore[attr-defined]
    assert second.result.output.name == f"{MONTH}_{UNIT}_第2版.pdf"  # type: ignore[attr-defined]
    again = read_pdf_metadata(second.result.output)  # type: ignore[attr-defined]
    assert again is not None and again.title.endswith("第2版")
    with pikepdf.open(second.result.output) as pdf:  # type: ignore[attr-defined]
        assert len(pdf.pages) == 3 + cases  # the PDF's two pages and the JPEG's one
    with pytest.raises(InputError, match="waits in archive/inbox/"):
        build(ws)


def test_refused_until_the_director_approved(submitted: Workspace) -> None:
    scan_pdf(submitted.archive_root / "inbox" / "掃描0001.pdf", record_id_of(submitted))
    file_the_inbox(submitted)
    with pytest.raises(InputError, match="has not approved the results yet") as refused:
        build(submitted)
    assert "\n" not in refused.value.message
    assert not (submitted.root / "out" / "packages").exists()


def test_refused_until_the_signed_scan_is_filed(submitted: Workspace) -> None:
    approve(submitted)
    file_the_inbox(submitted)  # the evidence, and no scan
    with open_database(submitted) as db:
        found = returned(submitted, db, MONTH, UNIT)
    assert not found.scans_back and not found.buildable
    with pytest.raises(InputError, match="signed colour scan of 附件4 案件抽查表 DG-4M-"):
        build(submitted)
    assert not (submitted.root / "out" / "packages").exists()
    assert not list((submitted.archive_root / "inbox").glob("*"))


def test_refused_while_evidence_is_not_filed(submitted: Workspace) -> None:
    ws = submitted
    approve(ws)
    aside = ws.root / "aside"
    aside.mkdir()
    inbox = ws.archive_root / "inbox"
    for evidence in inbox.glob("佐證_*"):
        evidence.rename(aside / evidence.name)
    scan_pdf(inbox / "掃描0001.pdf", record_id_of(ws))
    file_the_inbox(ws)
    with pytest.raises(InputError, match="evidence not filed in the archive yet") as refused:
        build(ws)
    assert f"case 序號 1: 佐證_{MONTH}_{UNIT}_1_" in refused.value.message
    assert not (ws.root / "out" / "packages").exists()
    for evidence in aside.iterdir():
        evidence.rename(inbox / evidence.name)
    file_the_inbox(ws)
    assert build(ws).version == 1  # type: ignore[attr-defined]


def test_refused_before_the_results_are_submitted(office: Workspace) -> None:
    with pytest.raises(InputError, match="not submitted yet"):
        build(office)


def test_a_half_year_package_is_the_whole_office_s(office: Workspace) -> None:
    with open_database(office) as db, pytest.raises(InputError, match="全處"):
        build_returned_package(office, db, "2026-H2", UNIT, by="auditor1")
