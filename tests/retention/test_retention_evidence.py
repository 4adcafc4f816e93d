"""``docgen evidence check`` through AUDIT's real cycle: sample drawn, sheet filled
by the supervisor, results read back, evidence filed through ARCH's ingest."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from openpyxl import load_workbook

from docgen.archive.approval import Approval
from docgen.archive.context import open_archive
from docgen.archive.disposal import dispose
from docgen.archive.evidence import evidence_items, evidence_report
from docgen.archive.reconcile import scan
from docgen.calendar import parse_period
from docgen.cli.main import main
from docgen.errors import ExitCode
from docgen.metadata import RecordMetadata, read_docx_metadata

PERIOD = "2026-10"
UNIT = "企劃室"


@dataclass
class Outcome:
    exit_code: int
    output: str


@pytest.fixture
def run(office: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    def invoke(*args: str) -> Outcome:
        code = 0
        try:
            main(["-w", str(office.workspace.root), *args])
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out + captured.err)

    return invoke


def write_october(office: Any) -> None:
    """Four queries by plan01; the last records no justification (an R5.1 anomaly)."""
    path = office.workspace.data_dir / "queries" / f"{PERIOD}.csv"
    header = "查詢日期時間,查詢人員帳號,被查詢人身分證統一編號,被查詢人姓名,查詢項目,公文文號,案號,案件名稱,使用目的,法令依據"
    rows = [
        f"2026-10-0{day} 10:00:00,plan01,A123456789,林小華,戶籍資料,{doc},,,,"
        for day, doc in (
            (1, "北市市企字第1150000001號"),
            (2, "北市市企字第1150000002號"),
            (5, "北市市企字第1150000003號"),
            (6, ""),
        )
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    office.take_in_queries()


def fill_sheet(sheet_path: Path) -> list[str]:
    """Mark case 1 否 (with a remark), the rest 是; name one evidence file per case."""
    book = load_workbook(sheet_path)
    sheet = book["抽查表"]
    names = []
    for row in range(4, sheet.max_row + 1):
        number = sheet.cell(row, 1).value
        if number is None:
            continue
        name = f"佐證_{PERIOD}_{number}.pdf"
        sheet.cell(row, 7, "否" if number == 1 else "是")
        sheet.cell(row, 8, "查無對應公文" if number == 1 else "")
        sheet.cell(row, 9, name)
        names.append(name)
    book.save(sheet_path)
    return names


def drop_and_scan(office: Any, files: dict[str, Path | None]) -> None:
    inbox = office.workspace.archive_root / "inbox"
    for name, source in files.items():
        if source is None:
            with pikepdf.new() as pdf:
                pdf.add_blank_page()
                pdf.docinfo["/Title"] = name  # distinct content: not a duplicate
                pdf.save(inbox / name)
        else:
            shutil.copy(source, inbox / name)
    with open_archive(office.workspace, use_qr=False) as ctx:
        result = scan(ctx, max_wait=0)
    assert not result.failed and not result.waiting


@pytest.fixture
def audited(office: Any, run: Callable[..., Outcome]) -> dict[str, Any]:
    write_october(office)
    assert run("audit", "sample", "--month", PERIOD).exit_code == 0
    out = office.workspace.root / "out" / "audit" / PERIOD
    sheet = out / f"抽查表_{PERIOD}_{UNIT}.xlsx"
    names = fill_sheet(sheet)
    outcome = run("audit", "results", str(sheet))
    assert outcome.exit_code == 0, outcome.output
    form = next((out / "結果").glob("*.docx"))
    return {"names": names, "form": form, "out": out}


def reviewed_scan(office: Any, form: Path) -> Path:
    """The signed colour scan of ``form``, reviewed by the director (R6.2), as a package
    that names the form's record."""
    meta = read_docx_metadata(form)
    assert meta is not None
    scan_meta = RecordMetadata(
        category="monthly_check",
        period=PERIOD,
        unit=UNIT,
        review_date="2026-11-20",
        record_ids=[meta.record_id],
    )
    target = office.workspace.root / "scan.pdf"
    office.make_pdf(target, scan_meta)
    return target


def check(run: Callable[..., Outcome]) -> Outcome:
    return run("evidence", "check", "--month", PERIOD, "--as-of", "2026-11-30", "--format", "csv")


def problems(outcome: Outcome) -> list[dict[str, str]]:
    text = outcome.output[outcome.output.index("Check,") :]
    return list(csv.DictReader(io.StringIO(text.split("\nError:")[0])))


def test_complete_evidence_passes(
    office: Any, run: Callable[..., Outcome], audited: dict[str, Any]
) -> None:
    before = check(run)
    assert before.exit_code == ExitCode.INCOMPLETE
    missing = {(p["Gap"], p["Detail"]) for p in problems(before)}
    assert ("the evidence file is not in the archive", audited["names"][0]) in missing
    assert any(p["Check"] == "required records" for p in problems(before))
    files: dict[str, Path | None] = dict.fromkeys(audited["names"])
    files[audited["form"].name] = audited["form"]
    drop_and_scan(office, files)
    unreviewed = check(run)
    assert unreviewed.exit_code == ExitCode.INCOMPLETE
    assert [p["Gap"] for p in problems(unreviewed)] == ["filed, awaiting the director's review"]
    drop_and_scan(office, {"scan.pdf": reviewed_scan(office, audited["form"])})
    after = check(run)
    assert after.exit_code == 0, after.output
    assert problems(after) == []


def test_missing_evidence_and_referral_fail_with_the_list(
    office: Any, run: Callable[..., Outcome], audited: dict[str, Any]
) -> None:
    files: dict[str, Path | None] = dict.fromkeys(audited["names"][1:])  # case 1's never filed
    files[audited["form"].name] = audited["form"]
    files["scan.pdf"] = reviewed_scan(office, audited["form"])
    drop_and_scan(office, files)
    referrals = audited["out"] / f"轉介清單_{PERIOD}_{UNIT}.csv"
    lines = referrals.read_text(encoding="utf-8-sig").splitlines()
    referrals.write_text(
        "\ufeff" + "\n".join(line for line in lines if "序號 1：" not in line) + "\n",
        encoding="utf-8",
    )
    outcome = check(run)
    assert outcome.exit_code == ExitCode.INCOMPLETE
    assert "Error: the evidence of 2026-10 is incomplete: 2 item(s) missing" in outcome.output
    found = {(p["Check"], p["Case no."], p["Gap"]) for p in problems(outcome)}
    assert found == {
        ("evidence", "1", "the evidence file is not in the archive"),
        ("referral list", "1", "a case answered 否 is not on the referral list"),
    }


def test_results_not_read_back(office: Any, run: Callable[..., Outcome]) -> None:
    write_october(office)
    assert run("audit", "sample", "--month", PERIOD).exit_code == 0
    outcome = check(run)
    assert outcome.exit_code == ExitCode.INCOMPLETE
    assert "the sample results are not read back yet" in outcome.output


def test_period_options(run: Callable[..., Outcome]) -> None:
    assert "give one of --month" in run("evidence", "check").output
    assert run("evidence", "check", "--month", "2026-H1").exit_code == ExitCode.USAGE


def test_evidence_items_are_split() -> None:
    assert evidence_items("a.pdf、b.pdf; DG-4M-202610-1A2B3C4D\nc") == [
        "a.pdf",
        "b.pdf",
        "DG-4M-202610-1A2B3C4D",
        "c",
    ]


def write_2023_10(office: Any) -> None:
    """A query by plan01 (企劃室) in 2023-10: 企劃室 owes that month's 附件4, which the
    office fixture files as ``check_2023_10``."""
    path = office.workspace.data_dir / "queries" / "2023-10.csv"
    header = "查詢日期時間,查詢人員帳號,被查詢人身分證統一編號,被查詢人姓名,查詢項目,公文文號,案號,案件名稱,使用目的,法令依據"
    row = "2023-10-02 10:00:00,plan01,A123456789,林小華,戶籍資料,北市市企字第1120000001號,,,,"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    office.take_in_queries()


def document_findings(outcome: Outcome) -> set[tuple[str, str]]:
    return {(p["Gap"], p["Detail"]) for p in problems(outcome) if p["Check"] == "required records"}


def test_a_required_document_whose_file_is_gone_is_reported(
    office: Any, run: Callable[..., Outcome]
) -> None:
    write_2023_10(office)
    args = ("evidence", "check", "--month", "2023-10", "--as-of", "2026-11-30", "--format", "csv")
    assert document_findings(run(*args)) == set()  # filed and on disk
    office.path_of("check_2023_10").unlink()
    outcome = run(*args)
    assert outcome.exit_code == ExitCode.INCOMPLETE
    [(problem, detail)] = document_findings(outcome)
    assert problem == "filed, but the file is gone"
    assert office.rid("check_2023_10") in detail


def test_a_disposed_required_document_is_named_not_missing(office: Any) -> None:
    write_2023_10(office)
    rid = office.rid("check_2023_10")
    now = datetime(2026, 11, 30, 10, 0)
    approval = Approval("北市市企字第1150012345號", "處長乙", date(2026, 11, 20))
    dispose(office.workspace, [rid], approval, now.date(), "檔管甲", now)
    report = evidence_report(office.workspace, parse_period("2023-10"), date(2026, 11, 30))
    assert [row for row in report.rows if row["check"] == "required records"] == []
    assert report.summary["Disposed under an approval"] == rid
