"""The monthly cycle through the CLI: sample → the supervisor's sheet → results; a
tampered sheet is refused naming the sheet and row; no full ID in any output."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.audit.samples import list_samples, load_results, load_sample
from docgen.cli.main import cli
from docgen.config import Workspace
from docgen.errors import DocgenError
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids

UNIT = "企劃室"


@dataclass
class Run:
    exit_code: int
    output: str


def run(ws: Workspace, *args: str) -> Run:
    """The command as `docgen` runs it: a DocgenError becomes its exit code and message."""
    result = CliRunner().invoke(cli, ["-w", str(ws.root), *args])
    if isinstance(result.exception, DocgenError):
        return Run(result.exception.exit_code, f"{result.output}Error: {result.exception}")
    return Run(result.exit_code, result.output)


@pytest.fixture
def drawn(office: Workspace) -> Workspace:
    result = run(office, "audit", "sample", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    return office


def sheet_path(ws: Workspace, unit: str = UNIT) -> Path:
    return ws.root / "out" / "audit" / "2026-10" / f"抽查表_2026-10_{unit}.xlsx"


def fill(path: Path, edit: object = None) -> Path:
    book = load_workbook(path)
    sheet = book["抽查表"]
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row, 1).value is not None:
            sheet.cell(row, 7, "否" if row == 5 else "是")
            sheet.cell(row, 8, "查無公文" if row == 5 else None)
            sheet.cell(row, 9, f"ev{row}.pdf")
    if callable(edit):
        edit(sheet)
    book.save(path)
    return path


def all_text(ws: Workspace) -> str:
    parts = []
    for path in [*ws.root.joinpath("out").rglob("*"), *ws.state_dir.rglob("*.json*")]:
        if path.suffix in (".docx", ".xlsx", ".ods"):
            with zipfile.ZipFile(path) as archive:
                parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        elif path.is_file():
            parts.append(path.read_text(encoding="utf-8-sig"))
    return "\n".join(parts)


def test_sample_writes_every_file_and_the_journal(drawn: Workspace) -> None:
    samples = {s.unit: s for s in list_samples(drawn, "2026-10")}
    assert set(samples) == {"企劃室", "市場管理科", "未知單位"}
    sample = samples[UNIT]
    for key in ("form", "sheet", "anomalies_xlsx", "anomalies_csv"):
        assert (drawn.root / sample.documents[key]).is_file(), key
    assert sample.documents["record_id"].startswith("DG-4M-202610-")
    assert sum(a.anomaly for a in sample.anomalies) == 5
    assert any("帳號已停用" in f for s in samples.values() for a in s.anomalies for f in a.findings)
    csv_bytes = (drawn.root / sample.documents["anomalies_csv"]).read_bytes()
    assert csv_bytes.startswith("\ufeff".encode())
    entry = Journal(drawn.journal_path).entries()[-1]
    assert entry["command"] == "audit sample"
    unit = entry["details"]["units"][UNIT]
    assert unit["seed"] == sample.seed and unit["population_sha256"] == sample.population_sha256
    assert unit["population"] == 250 and unit["algorithm"] == "docgen-rank-v2"


def test_sheet_offers_a_list_and_hides_keys(drawn: Workspace) -> None:
    book = load_workbook(sheet_path(drawn))
    sheet = book["抽查表"]
    assert book["docgen"].sheet_state == "veryHidden"
    assert sheet.column_dimensions["J"].hidden and sheet.column_dimensions["K"].hidden
    assert sheet.protection.sheet
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"是,否"' and str(validation.sqref) == "G4:G18"


def test_results_complete_the_form_and_refer(drawn: Workspace) -> None:
    sheets = [fill(sheet_path(drawn, u)) for u in ("企劃室", "市場管理科", "未知單位")]
    result = run(drawn, "audit", "results", *map(str, sheets))
    assert result.exit_code == 0, result.output
    results = load_results(drawn, "2026-10", UNIT)
    assert results is not None
    assert [c.consistent for c in results.cases].count("否") == 1
    assert results.referred == 1 + 5
    referral = (drawn.root / results.documents["referrals_csv"]).read_text(encoding="utf-8-sig")
    assert "not consistent with the business" in referral and "查無公文" in referral
    form = drawn.root / results.documents["form"]
    with zipfile.ZipFile(form) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "查無公文" in body
    assert find_unmasked_ids(all_text(drawn)) == []
    assert Journal(drawn.journal_path).entries()[-1]["command"] == "audit results"


def _set(row: int, column: int, value: object):  # type: ignore[no-untyped-def]
    def edit(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet.cell(row, column).value = value

    return edit


def _delete(row: int):  # type: ignore[no-untyped-def]
    def edit(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet.delete_rows(row)

    return edit


def _copy_row(source: int, target: int):  # type: ignore[no-untyped-def]
    def edit(sheet) -> None:  # type: ignore[no-untyped-def]
        for column in range(1, 12):
            sheet.cell(target, column, sheet.cell(source, column).value)

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set(6, 6, "北市管字第999號"), ", row 6, column 查詢事由/依據: changed row"),
        (_set(20, 1, 16), ", row 20, column 案件代碼: added row"),
        (_copy_row(4, 20), ", row 20, column 案件代碼: case 序號 1 appears twice"),
        (_delete(7), ": case 序號 4 was removed"),
        (_set(8, 7, None), ", row 8, column 是否與業務相符: not marked"),
        (_set(9, 7, "可能"), ", row 9, column 是否與業務相符: must be 是 or 否"),
        (_set(5, 8, None), ", row 5, column 備註: a 否 needs a 備註"),
    ],
)
def test_tampered_sheet_is_refused(drawn: Workspace, edit: object, expected: str) -> None:
    path = fill(sheet_path(drawn), edit)
    result = run(drawn, "audit", "results", str(path))
    assert result.exit_code == 3, result.output
    assert f"抽查表_2026-10_{UNIT}.xlsx{expected}" in result.output
    assert load_results(drawn, "2026-10", UNIT) is None
    assert not (drawn.root / "out" / "audit" / "2026-10" / "結果").exists()


def test_not_a_sheet_and_redraw_after_results(drawn: Workspace, tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    shutil.copy(drawn.root / load_sample(drawn, "2026-10", UNIT).documents["anomalies_xlsx"], other)
    refused = run(drawn, "audit", "results", str(other))
    assert refused.exit_code == 3 and "not a docgen sample sheet" in refused.output
    sheets = [fill(sheet_path(drawn, u)) for u in ("企劃室", "市場管理科", "未知單位")]
    assert run(drawn, "audit", "results", *map(str, sheets)).exit_code == 0
    again = run(drawn, "audit", "sample", "--month", "2026-10")
    assert again.exit_code == 3 and "needs --reason TEXT" in again.output


def test_bad_period_and_bad_log(office: Workspace, tmp_path: Path) -> None:
    assert run(office, "audit", "sample", "--month", "2026-H1").exit_code == 2
    assert run(office, "audit", "sample", "--month", "2026-13").exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("查詢日期時間,查詢人員帳號\nnot a date,u01\n", encoding="utf-8")
    result = run(office, "audit", "sample", "--month", "2026-10", "--queries", str(bad))
    assert result.exit_code == 3 and "bad.csv" in result.output
    assert list_samples(office) == []
    data = json.dumps(result.output)
    assert "Traceback" not in data


def test_log_of_another_period_is_refused(office: Workspace) -> None:
    result = run(office, "audit", "sample", "--month", "2026-09")
    assert result.exit_code == 3 and "no query log for 2026-09" in result.output
    log = str(office.data_dir / "queries" / "2026-10.csv")
    result = run(office, "audit", "sample", "--month", "2026-09", "--queries", log)
    assert result.exit_code == 3 and "none of the 292 queries" in result.output
    assert list_samples(office) == []


def test_sheet_of_an_earlier_draw_is_refused(drawn: Workspace, tmp_path: Path) -> None:
    old = shutil.copy(sheet_path(drawn), tmp_path / "old.xlsx")
    redraw = ("audit", "sample", "--month", "2026-10", "--seed", "again", "--reason", "lost")
    assert run(drawn, *redraw).exit_code == 0
    result = run(drawn, "audit", "results", str(fill(Path(old))))
    assert result.exit_code == 3, result.output
    assert (
        "old.xlsx: the sheet is of draw 1 of 企劃室 2026-10, superseded by draw 2" in result.output
    )
