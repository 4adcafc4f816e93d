"""Draws, results and reviews in the office database (ISSUE 10 items 1, 3), on SQLite and
PostgreSQL: a period drawn again needs --reason and supersedes the earlier draw, which
stays on record; the new 附件4 says which draw it is; results are stored per case and
only against the current draw; the director's review of a record is stored with who
and when."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from docgen.audit.samples import draw_history, load_results, load_sample
from docgen.config import Workspace
from docgen.db import open_database
from docgen.db.models.archive import Record
from docgen.db.models.audit import CaseResult, Draw, DrawCase, RecordReview
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids
from tests.audit.cli import docgen

UNIT = "企劃室"
OUT = Path("out") / "audit" / "2026-10"
SAMPLE = ("audit", "sample", "--month", "2026-10")
REDRAW = (*SAMPLE, "--seed", "115-10-b", "--reason", "抽查表遺失")


def sheet(ws: Workspace, folder: Path = OUT) -> Path:
    return ws.root / folder / f"抽查表_2026-10_{UNIT}.xlsx"


def fill(path: Path) -> Path:
    """Mark every case 是 (the second 否, with a 備註) and name an evidence file."""
    book = load_workbook(path)
    rows = book["抽查表"]
    for row in range(4, rows.max_row + 1):
        if rows.cell(row, 1).value is not None:
            rows.cell(row, 7, "否" if row == 5 else "是")
            rows.cell(row, 8, "查無公文" if row == 5 else None)
            rows.cell(row, 9, f"佐證{row}.pdf")
    book.save(path)
    return path


def document_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def drawn(ws: Workspace, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, output = docgen(ws, capsys, *(args or SAMPLE))
    assert code == 0, output
    return output


def test_a_redraw_without_a_reason_is_refused(
    office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    drawn(office, capsys)
    entries = len(Journal(office.journal_path).entries())
    code, output = docgen(office, capsys, *SAMPLE, "--seed", "other")
    assert code == 3, output
    assert "2026-10 already has a current draw for 企劃室 (draw 1)" in output
    assert "needs --reason TEXT" in output and output.count("\n") == 1
    assert [s.number for s in draw_history(office, "2026-10", UNIT)] == [1]
    assert len(Journal(office.journal_path).entries()) == entries


def test_a_redraw_with_a_reason_supersedes_and_both_stay_on_record(
    office_db: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    drawn(office_db, capsys)
    first = load_sample(office_db, "2026-10", UNIT)
    output = drawn(office_db, capsys, *REDRAW, "-d", str(tmp_path / "again"))
    assert f"{UNIT}: 250 queries, sample 15 (seed 115-10-b)" in output
    assert "Draw 2, superseding draw 1." in output
    earlier, later = draw_history(office_db, "2026-10", UNIT)
    assert (earlier.number, earlier.superseded_by, later.number) == (1, 2, 2)
    assert earlier.superseded_at is not None and later.superseded_at is None
    assert earlier.cases == first.cases and later.reason == "抽查表遺失"
    assert load_sample(office_db, "2026-10", UNIT) == later
    with open_database(office_db) as db, db.session() as session:
        rows = {d.number: d for d in session.scalars(select(Draw).where(Draw.unit == UNIT))}
        assert rows[1].superseded_by == rows[2].id and rows[2].superseded_by is None
        assert rows[1].reason == "" and rows[2].reason == "抽查表遺失"
        assert rows[2].drawn_by and rows[2].population_sha256 == first.population_sha256
        of_unit = select(func.count()).select_from(DrawCase).join(Draw).where(Draw.unit == UNIT)
        assert session.scalar(of_unit) == 2 * 15
    body = document_text(tmp_path / "again" / Path(later.documents["form"]).name)
    assert "第2次抽樣（取代第1次：抽查表遺失）" in body
    assert "第2次抽樣" not in document_text(office_db.root / first.documents["form"])
    assert later.documents["record_id"] != first.documents["record_id"]


def test_a_redraw_with_the_same_seed_is_a_record_of_its_own(
    office_db: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    drawn(office_db, capsys, *SAMPLE, "--seed", "115-10-b")
    first = load_sample(office_db, "2026-10", UNIT)
    drawn(office_db, capsys, *REDRAW, "-d", str(tmp_path / "again"))
    later = load_sample(office_db, "2026-10", UNIT)
    assert later.cases == first.cases, "the same seed draws the same cases"
    assert later.documents["record_id"] != first.documents["record_id"]
    entry = Journal(office_db.journal_path).entries()[-1]
    assert entry["command"] == "audit sample" and entry["details"]["reason"] == "抽查表遺失"
    assert entry["details"]["units"][UNIT] | {"cases": []} == entry["details"]["units"][UNIT] | {
        "draw": 2,
        "supersedes": 1,
        "reason": "抽查表遺失",
        "seed": "115-10-b",
        "cases": [],
    }


def test_results_are_stored_per_case_and_read_back(
    office_db: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    drawn(office_db, capsys)
    code, output = docgen(office_db, capsys, "audit", "results", str(fill(sheet(office_db))))
    assert code == 0, output
    sample = load_sample(office_db, "2026-10", UNIT)
    results = load_results(office_db, "2026-10", UNIT)
    assert results is not None and results.read_by
    assert [(c.no, c.key) for c in results.cases] == [(c.no, c.key) for c in sample.cases]
    assert [c.consistent for c in results.cases] == ["是", "否"] + ["是"] * 13
    assert results.cases[1].remark == "查無公文" and results.cases[0].evidence == "佐證4.pdf"
    with open_database(office_db) as db, db.session() as session:
        stored = session.scalars(
            select(CaseResult)
            .join(DrawCase)
            .join(Draw)
            .where(Draw.unit == UNIT)
            .order_by(DrawCase.position)
        ).all()
        assert [r.evidence for r in stored] == [f"佐證{n}.pdf" for n in range(4, 19)]
        assert {r.recorded_by for r in stored} == {results.read_by}
        text = " ".join(
            f"{c.subject_id} {c.subject_name} {c.item} {c.justification}"
            for c in session.scalars(select(DrawCase))
        )
    assert find_unmasked_ids(text) == [] and "****" in text
    entry = Journal(office_db.journal_path).entries()[-1]
    assert entry["command"] == "audit results"
    assert entry["details"][f"2026-10/{UNIT}"] == {"draw": 1, "cases": 15, "否": 1}


def test_results_against_a_superseded_draw_are_refused(
    office_db: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    drawn(office_db, capsys)
    old = Path(shutil.copy(sheet(office_db), tmp_path / "old.xlsx"))
    drawn(office_db, capsys, *REDRAW)
    code, output = docgen(office_db, capsys, "audit", "results", str(fill(old)))
    assert code == 3, output
    assert (
        output.count("\n") == 1 and "old.xlsx: the sheet is of draw 1 of 企劃室 2026-10" in output
    )
    assert "superseded by draw 2" in output and "(抽查表遺失)" in output
    assert load_results(office_db, "2026-10", UNIT) is None
    code, output = docgen(office_db, capsys, "audit", "results", str(fill(sheet(office_db))))
    assert code == 0, output
    assert load_results(office_db, "2026-10", UNIT) is not None


def test_the_directors_review_is_stored_and_read(
    office_db: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    drawn(office_db, capsys)
    record_id = load_sample(office_db, "2026-10", UNIT).documents["record_id"]
    code, output = docgen(office_db, capsys, "audit", "review", record_id, "--on", "115/11/05")
    assert code == 0, output
    assert f"{record_id}: reviewed by 吳處長 on 115/11/05 (not in the archive yet)" in output
    with open_database(office_db) as db, db.session() as session:
        review = session.get(RecordReview, record_id)
        assert review is not None and review.reviewed_on == date(2026, 11, 5)
        assert review.reviewed_by == "吳處長" and review.recorded_by
        session.add(Record(record_id=record_id, form="4", category="monthly_check"))
    again = ("audit", "review", record_id, "--on", "2026-11-06", "--by", "代理處長")
    code, output = docgen(office_db, capsys, *again)
    assert code == 0 and "(not in the archive" not in output, output
    with open_database(office_db) as db, db.session() as session:
        archived = session.get(Record, record_id)
        assert archived is not None and archived.review_date == date(2026, 11, 6)
    entry = Journal(office_db.journal_path).entries()[-1]
    assert entry["command"] == "audit review"
    assert entry["details"] == {
        "record_id": record_id,
        "reviewed_by": "代理處長",
        "reviewed_on": "2026-11-06",
    }
    code, output = docgen(office_db, capsys, "audit", "record", "--half", "2026-H2")
    assert code == 0 and "115/11/06 處長核閱" in output, output


@pytest.mark.parametrize(
    ("record_id", "on", "words"),
    [
        ("DG-9X-202610-00000000", "2026-11-05", "not a docgen record ID"),
        ("DG-2-20260315-1A2B3C4D", "2026-11-05", "附件4 and 附件5 records, not 附件2"),
        ("DG-4M-202610-1A2B3C4D", "2999-01-01", "in the future"),
    ],
)
def test_a_review_of_no_reviewed_record_is_refused(
    record_id: str, on: str, words: str, office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = docgen(office, capsys, "audit", "review", record_id, "--on", on)
    assert code == 3 and words in output, output


def test_a_review_recorded_before_filing_reaches_the_filed_record(
    office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 附件4 whose file carries no review date takes the one ``audit review``
    recorded: the day its retention counts from (R6.2)."""
    drawn(office, capsys)
    sample = load_sample(office, "2026-10", UNIT)
    record_id = sample.documents["record_id"]
    code, output = docgen(office, capsys, "audit", "review", record_id, "--on", "115/11/05")
    assert code == 0, output
    inbox = office.archive_root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(office.root / sample.documents["form"], inbox)
    code, output = docgen(office, capsys, "archive", "scan")
    assert code == 0, output
    with open_database(office) as db, db.session() as session:
        filed = session.get(Record, record_id)
        assert filed is not None and filed.review_date == date(2026, 11, 5)
    # the file does not know the review; a rebuild from the files keeps it all the same
    code, output = docgen(office, capsys, "archive", "rebuild", "--check")
    assert code == 0, output
    code, output = docgen(office, capsys, "archive", "rebuild")
    assert code == 0, output
    with open_database(office) as db, db.session() as session:
        rebuilt = session.get(Record, record_id)
        assert rebuilt is not None and rebuilt.review_date == date(2026, 11, 5)
