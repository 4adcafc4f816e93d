"""The monthly spot check's use cases as the browser calls them (ISSUE 13 item 1):
marks, evidence, submitting, approving, and the month's log uploaded — on a real
office database, with real DOCX, XLSX and PDF files.

The XLSX path and the browser path for the same month give the same completed 附件4
(the Done-when's "identical content") and the same referral list."""

from __future__ import annotations

import csv
import shutil
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from docgen.archive.evidence import evidence_report
from docgen.audit.samples import load_results
from docgen.calendar import format_roc_short, parse_period
from docgen.config import Workspace, open_workspace
from docgen.db import open_database
from docgen.db.models.audit import CaseMark
from docgen.errors import InputError
from docgen.journal import Journal
from docgen.services import spot_check
from docgen.services.archive import file_inbox
from docgen.services.audit import draw_sample, record_results
from tests.hostile import generate

UNIT = "企劃室"
MONTH = "2026-10"
WHEN = datetime(2026, 11, 5, 10, 0).astimezone()
REMARK = "查無對應公文"


def pdf_file(path: Path) -> Path:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(path)
    return path


def png_file(path: Path, size: tuple[int, int] = (40, 30)) -> Path:
    Image.new("RGB", size, "white").save(path, format="PNG")
    return path


@pytest.fixture
def drawn(office: Workspace) -> Workspace:
    with open_database(office) as db:
        draw_sample(office, db, parse_period(MONTH), actor="admin1", seed="spot", now=WHEN)
    return office


def mark_all(ws: Workspace, evidence: Path, no_case: int = 2) -> dict[int, tuple[str, str, str]]:
    """Mark every case of UNIT as a supervisor in the browser: 是, but ``no_case`` 否;
    one evidence file each. Returns 序號 → (是/否, 備註, 佐證檔案)."""
    marks = {}
    with open_database(ws) as db:
        sheet = spot_check.mark_sheet(db, MONTH, UNIT)
        for case in sheet.sample.cases:
            answer = "否" if case.no == no_case else "是"
            remark = REMARK if answer == "否" else ""
            spot_check.mark_case(ws, db, MONTH, UNIT, case.no, answer, remark, actor="super1")
            upload = pdf_file(ws.root / f"upload-{case.no}.pdf")
            with pikepdf.open(upload, allow_overwriting_input=True) as pdf:
                pdf.docinfo["/Title"] = f"case {case.no}"  # a different file per case
                pdf.save(upload)
            name = spot_check.attach_evidence(
                ws, db, MONTH, UNIT, case.no, upload, f"scan {case.no}.pdf", actor="super1"
            )
            marks[case.no] = (answer, remark, name)
    return marks


def form_text(path: Path) -> list[str]:
    """Every paragraph and table cell of a DOCX, in order."""
    document = Document(str(path))
    text = [p.text for p in document.paragraphs]
    for table in document.tables:
        text += [cell.text for row in table.rows for cell in row.cells]
    return text


def completed_form(ws: Workspace) -> Path:
    results = load_results(ws, MONTH, UNIT)
    assert results is not None
    return ws.root / results.documents["form"]


def referral_rows(ws: Workspace) -> list[list[str]]:
    results = load_results(ws, MONTH, UNIT)
    assert results is not None
    with open(ws.root / results.documents["referrals_csv"], encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def test_the_browser_and_the_xlsx_give_the_same_completed_form(drawn: Workspace) -> None:
    marks = mark_all(drawn, drawn.root)
    with open_database(drawn) as db:
        outcome = spot_check.submit_marks(drawn, db, MONTH, UNIT, actor="super1", now=WHEN)
    browser = form_text(completed_form(drawn))
    browser_referrals = referral_rows(drawn)
    assert outcome.results.read_by == "super1"
    assert [c.consistent for c in outcome.results.cases].count("否") == 1
    assert any(REMARK in t for t in browser)

    # The same marks typed into the sheet docgen wrote, as a supervisor does in Excel.
    sheet = drawn.root / "out" / "audit" / MONTH / f"抽查表_{MONTH}_{UNIT}.xlsx"
    filled = drawn.root / "excel" / sheet.name
    filled.parent.mkdir()
    shutil.copy(sheet, filled)
    book = load_workbook(filled)
    rows = book["抽查表"]
    for row in range(4, rows.max_row + 1):
        no = rows.cell(row, 1).value
        if no is None:
            continue
        for column, value in zip((7, 8, 9), marks[int(no)], strict=True):
            rows.cell(row, column, value or None)
    book.save(filled)
    with open_database(drawn) as db:
        record_results(drawn, db, [filled], actor="super1", now=WHEN)
    assert form_text(completed_form(drawn)) == browser
    assert referral_rows(drawn) == browser_referrals


def test_a_case_is_marked_only_with_是_or_否_and_a_否_only_with_a_remark(
    drawn: Workspace,
) -> None:
    with open_database(drawn) as db:
        with pytest.raises(InputError, match="choose 是 or 否"):
            spot_check.mark_case(drawn, db, MONTH, UNIT, 1, "maybe", "", actor="super1")
        with pytest.raises(InputError, match="a 否 needs a 備註"):
            spot_check.mark_case(drawn, db, MONTH, UNIT, 1, "否", "  ", actor="super1")
        with pytest.raises(InputError, match="has no case 序號 999"):
            spot_check.mark_case(drawn, db, MONTH, UNIT, 999, "是", "", actor="super1")
        with pytest.raises(InputError, match="no sample drawn for 秘書室"):
            spot_check.mark_case(drawn, db, MONTH, "秘書室", 1, "是", "", actor="super1")
        spot_check.mark_case(drawn, db, MONTH, UNIT, 1, "否", "請託 A123456789 查詢", actor="s")
        entry = spot_check.mark_sheet(db, MONTH, UNIT).entries[1]
    assert entry.consistent == "否"
    assert "A123456789" not in entry.remark and "A12345" in entry.remark  # masked (R8)
    marked = [e for e in Journal(drawn.journal_path, drawn.root).entries()]
    assert marked[-1]["command"] == "spot-check mark"
    assert "A123456789" not in str(marked[-1])


def test_two_first_marks_of_a_case_at_once_both_land(office_db: Workspace) -> None:
    """Two tabs (or a double click) marking the same cases for the first time at the same
    moment: on PostgreSQL both requests find no mark and both add one; neither may fail,
    and each case ends with one mark — the one written last."""
    with open_database(office_db) as db:
        draw_sample(office_db, db, parse_period(MONTH), actor="admin1", seed="spot", now=WHEN)
        cases = [case.no for case in spot_check.mark_sheet(db, MONTH, UNIT).sample.cases]
    failures: list[BaseException] = []
    for no in cases:
        start = threading.Barrier(2)

        def mark(answer: str, remark: str, no: int = no, start: threading.Barrier = start) -> None:
            try:
                with open_database(office_db) as db:
                    start.wait()
                    spot_check.mark_case(office_db, db, MONTH, UNIT, no, answer, remark, actor="s")
            except BaseException as error:  # the test fails on it below
                failures.append(error)

        both = [threading.Thread(target=mark, args=a) for a in (("是", ""), ("否", REMARK))]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join()
    assert failures == []
    with open_database(office_db) as db:
        with db.reading() as session:
            rows = session.execute(select(CaseMark.position, CaseMark.consistent)).all()
        entries = spot_check.mark_sheet(db, MONTH, UNIT).entries
    assert sorted(position for position, _answer in rows) == sorted(cases)  # one mark each
    assert all(entries[no].consistent in ("是", "否") for no in cases)


def test_submitting_names_every_unmarked_case_and_writes_nothing(drawn: Workspace) -> None:
    with open_database(drawn) as db:
        spot_check.mark_case(drawn, db, MONTH, UNIT, 1, "是", "", actor="super1")
        size = len(spot_check.mark_sheet(db, MONTH, UNIT).sample.cases)
        with pytest.raises(InputError) as refused:
            spot_check.submit_marks(drawn, db, MONTH, UNIT, actor="super1")
    message = str(refused.value)
    assert "序號 1:" not in message and "序號 2: not marked" in message
    assert message.count("not marked") == size - 1
    assert load_results(drawn, MONTH, UNIT) is None
    assert not (drawn.root / "out" / "audit" / MONTH / spot_check.BROWSER_SHEETS).exists()


def test_approval_is_the_review_date_and_closes_the_marks(drawn: Workspace) -> None:
    mark_all(drawn, drawn.root)
    with open_database(drawn) as db:
        with pytest.raises(InputError, match="not submitted yet"):
            spot_check.approve_results(
                drawn, db, MONTH, UNIT, approved_by="吳處長", actor="director1"
            )
        spot_check.submit_marks(drawn, db, MONTH, UNIT, actor="super1")
        with pytest.raises(InputError, match="who submits the results may not approve them"):
            spot_check.approve_results(drawn, db, MONTH, UNIT, approved_by="兼任", actor="super1")
        approved = (datetime.now() + timedelta(days=2)).replace(microsecond=0).astimezone()
        record_id = spot_check.approve_results(
            drawn, db, MONTH, UNIT, approved_by="吳處長", actor="director1", now=approved
        )
        sheet = spot_check.mark_sheet(db, MONTH, UNIT)
        assert (sheet.record_id, sheet.approved_on) == (record_id, approved.date())
        with pytest.raises(InputError, match="can no longer change"):
            spot_check.mark_case(drawn, db, MONTH, UNIT, 1, "否", "改", actor="super1")
        already = f"approved on {format_roc_short(approved.date())} already"
        with pytest.raises(InputError, match=already):
            spot_check.submit_marks(drawn, db, MONTH, UNIT, actor="super1")
        with pytest.raises(InputError, match=already):
            spot_check.approve_results(drawn, db, MONTH, UNIT, approved_by="x", actor="y")
    review = [e for e in Journal(drawn.journal_path, drawn.root).entries()][-1]
    assert review["command"] == "audit review"
    assert review["details"]["reviewed_on"] == approved.date().isoformat()


def test_marks_no_longer_change_once_submitted(drawn: Workspace) -> None:
    """The director approves what the completed 附件4 says (R6.2): once the results are
    submitted, no mark or evidence changes."""
    mark_all(drawn, drawn.root)
    with open_database(drawn) as db:
        spot_check.submit_marks(drawn, db, MONTH, UNIT, actor="super1")
        before = spot_check.mark_sheet(db, MONTH, UNIT).entries
        with pytest.raises(InputError, match=r"submitted on .*can no longer change"):
            spot_check.mark_case(drawn, db, MONTH, UNIT, 1, "否", REMARK, actor="super1")
        upload = png_file(drawn.root / "late.png")
        with pytest.raises(InputError, match="can no longer change"):
            spot_check.attach_evidence(drawn, db, MONTH, UNIT, 1, upload, "late.png", actor="s")
        assert spot_check.mark_sheet(db, MONTH, UNIT).entries == before
    assert not list((drawn.archive_root / "inbox").glob("*late*"))


def test_evidence_goes_through_the_inbox_and_the_evidence_check_finds_it(
    drawn: Workspace,
) -> None:
    marks = mark_all(drawn, drawn.root)
    inbox = drawn.archive_root / "inbox"
    name = marks[1][2]
    assert name.startswith(f"佐證_{MONTH}_{UNIT}_1_") and name.endswith(".pdf")
    assert (inbox / name).is_file()
    assert "category: monthly_check" in (inbox / f"{name}.meta.yaml").read_text("utf-8")
    with open_database(drawn) as db:
        spot_check.submit_marks(drawn, db, MONTH, UNIT, actor="super1", now=WHEN)
    before = evidence_report(drawn, parse_period(MONTH), WHEN.date())
    missing = [r for r in before.rows if r["unit"] == UNIT and r["case"] != ""]
    assert missing and all(
        r["problem"] == "the evidence file is not in the archive" for r in missing
    )
    file_inbox(open_workspace(drawn.root, environ={"DOCGEN_ARCHIVE_STABLE_SECONDS": "0"}), 0)
    after = evidence_report(drawn, parse_period(MONTH), WHEN.date())
    assert not [r for r in after.rows if r["unit"] == UNIT and r["case"] != ""]


def test_the_same_evidence_twice_is_listed_once_and_images_are_taken(drawn: Workspace) -> None:
    upload = pdf_file(drawn.root / "a.pdf")
    image = png_file(drawn.root / "screenshot.png")
    with open_database(drawn) as db:
        first = spot_check.attach_evidence(drawn, db, MONTH, UNIT, 1, upload, "a.pdf", actor="s")
        again = spot_check.attach_evidence(drawn, db, MONTH, UNIT, 1, upload, "b.pdf", actor="s")
        png = spot_check.attach_evidence(drawn, db, MONTH, UNIT, 1, image, "x.pdf", actor="s")
        entry = spot_check.mark_sheet(db, MONTH, UNIT).entries[1]
    assert first == again and png.endswith(".png")  # the content decides, not the name
    assert entry.evidence == (first, png)


def _hostile_evidence(folder: Path) -> dict[str, Path]:
    html = folder / "report.pdf"
    html.write_bytes(b"<html><script>alert(1)</script></html>")
    truncated = folder / "cut.pdf"
    truncated.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    empty = folder / "empty.pdf"
    empty.write_bytes(b"")
    huge = folder / "huge.png"
    Image.new("1", (20_000, 20_000)).save(huge, format="PNG")  # 400 Mpixel, a few KB
    return {
        "html named .pdf": html,
        "truncated PDF": truncated,
        "empty": empty,
        "pixel bomb": huge,
        "xlsx bomb": generate.xlsx_bomb(folder / "bomb.xlsx"),
        "docx": generate.docx(folder / "letter.pdf"),
    }


def test_hostile_evidence_is_refused_in_one_line_and_nothing_is_written(
    drawn: Workspace, tmp_path: Path
) -> None:
    inbox = drawn.archive_root / "inbox"
    before = sorted(inbox.rglob("*")) if inbox.exists() else []
    with open_database(drawn) as db:
        for what, path in _hostile_evidence(tmp_path).items():
            with pytest.raises(InputError) as refused:
                spot_check.attach_evidence(
                    drawn, db, MONTH, UNIT, 1, path, f"C:\\scans\\{path.name}", actor="s"
                )
            message = str(refused.value)
            assert "\n" not in message and str(tmp_path) not in message, (what, message)
            assert message.startswith(path.name), (what, message)
        assert 1 not in spot_check.mark_sheet(db, MONTH, UNIT).entries
    assert (sorted(inbox.rglob("*")) if inbox.exists() else []) == before


# --- the month's log uploaded --------------------------------------------------------


@pytest.fixture
def no_log(office: Workspace, tmp_path: Path) -> tuple[Workspace, Path]:
    """The office with its October log moved out of ``data/queries/`` (to upload it)."""
    log = office.data_dir / "queries" / f"{MONTH}.csv"
    upload = tmp_path / "export.csv"
    shutil.move(log, upload)
    return office, upload


def test_an_uploaded_log_is_placed_as_its_months_log_and_taken_in(
    no_log: tuple[Workspace, Path],
) -> None:
    ws, upload = no_log
    with open_database(ws) as db:
        intake = spot_check.take_in_upload(
            ws, db, parse_period(MONTH), upload, "匯出 10月.csv", actor="admin1"
        )
        again = spot_check.take_in_upload(
            ws, db, parse_period(MONTH), upload, "匯出 10月.csv", actor="admin1"
        )
        outcome = draw_sample(ws, db, parse_period(MONTH), actor="admin1")
    assert intake.months == (MONTH,) and intake.rows == 292 and intake.anomalies > 0
    assert again.already
    assert (ws.data_dir / "queries" / f"{MONTH}.csv").read_bytes() == upload.read_bytes()
    assert outcome.sources == [ws.data_dir / "queries" / f"{MONTH}.csv"]


def test_an_upload_of_another_month_or_a_second_export_is_refused(
    no_log: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, upload = no_log
    folder = ws.data_dir / "queries"
    with open_database(ws) as db:
        with pytest.raises(InputError, match="expected the queries of 2026-09"):
            spot_check.take_in_upload(ws, db, parse_period("2026-09"), upload, "x.csv", actor="a")
        assert not list(folder.glob("2026-09.*"))
        spot_check.take_in_upload(ws, db, parse_period(MONTH), upload, "x.csv", actor="a")
        other = tmp_path / "other.csv"
        other.write_bytes(
            upload.read_bytes().replace(b"2026-10-15 10:00:00", b"2026-10-15 10:00:01")
        )
        with pytest.raises(InputError, match=r"already has its query log 2026-10\.csv"):
            spot_check.take_in_upload(ws, db, parse_period(MONTH), other, "y.csv", actor="a")


def test_hostile_logs_are_refused_and_nothing_is_placed(
    no_log: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, _upload = no_log
    folder = tmp_path / "hostile"
    folder.mkdir()
    pdf = pdf_file(folder / "log.csv")
    corpus = {
        "xlsx bomb": generate.xlsx_bomb(folder / "bomb.xlsx"),
        "truncated zip": generate.truncated_zip(folder / "cut.xlsx"),
        "billion laughs": generate.billion_laughs(folder / "laughs.xlsx"),
        "external entity": generate.external_entity(folder / "xxe.xlsx"),
        "NUL in a field": generate.csv_with_nul(folder / "nul.csv"),
        "not a workbook": generate.docx(folder / "letter.xlsx"),
        "a PDF": pdf,
    }
    with open_database(ws) as db:
        for what, path in corpus.items():
            with pytest.raises(InputError) as refused:
                spot_check.take_in_upload(ws, db, parse_period(MONTH), path, path.name, actor="a")
            assert "\n" not in str(refused.value), what
        assert not list((ws.data_dir / "queries").glob(f"{MONTH}.*"))


def test_a_big5_export_is_taken_and_other_text_refused_with_what_to_do(
    no_log: tuple[Workspace, Path],
) -> None:
    ws, upload = no_log
    big5 = upload.with_name("big5.csv")
    big5.write_bytes(upload.read_text("utf-8").encode("cp950"))
    latin = upload.with_name("latin.csv")
    latin.write_bytes(b"\xff\xfe\x00a" * 100)
    with open_database(ws) as db:
        with pytest.raises(InputError, match="save it from Excel as 'CSV UTF-8'") as refused:
            spot_check.take_in_upload(ws, db, parse_period(MONTH), latin, "匯出.csv", actor="a")
        assert str(refused.value).startswith("匯出.csv: ")
        intake = spot_check.take_in_upload(ws, db, parse_period(MONTH), big5, "b.csv", actor="a")
    assert intake.rows == 292
