"""Untrusted unit names and periods never reach a path (hardening review): a query log's
查詢人員單位, the registry's 單位 and a filled sheet's very hidden ``docgen`` sheet are
refused in one line (exit 3) unless they name a unit of the workspace (or 全處,
未知單位) and a period in the grammar; the sheet is sealed with the workspace's key.

Each repro writes nothing outside the workspace: the folder holding it (``tmp_path``)
is compared before and after."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from docgen.archive.paths import contained
from docgen.audit.samples import (
    audit_file,
    list_samples,
    load_results,
    load_sample,
    results_path,
    safe_name,
    sample_path,
)
from docgen.audit.sheet import check_code, prefilled_cells
from docgen.config import Workspace
from docgen.db import open_database
from docgen.db.models.audit import Draw
from docgen.errors import DocgenError, InputError
from docgen.services.accounts import import_registry
from tests.audit.cli import docgen

from .conftest import QUERY_HEADER, national_id

OUT = Path("out") / "audit" / "2026-10"
UNIT_COLUMN = "查詢人員單位"
#: The October log (its row names the account whose registry unit is refused).
LOG = Path("2026-10.csv")


def assert_refused(code: int, output: str, path: Path, *words: str) -> None:
    """Exit 3 and one ``Error:`` line naming ``path`` (and ``words``), no traceback."""
    lines = output.strip().splitlines()
    assert code == 3, output
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert path.name in lines[0] and all(w in lines[0] for w in words), output
    assert "Traceback" not in output


def outside(tmp_path: Path, ws: Workspace) -> dict[str, bytes]:
    """Every file under ``tmp_path`` that is not in the workspace, with its bytes."""
    return {
        str(p.relative_to(tmp_path)): p.read_bytes()
        for p in sorted(tmp_path.rglob("*"))
        if p.is_file() and not p.is_relative_to(ws.root)
    }


def no_file_named(root: Path, word: str) -> list[Path]:
    return [p for p in root.rglob("*") if word in p.name]


def hostile_units(tmp_path: Path) -> list[str]:
    """Names that led out of ``.docgen/samples/2026-10/`` into ``tmp_path``."""
    return ["../../../../h/PWNED", "a/../../../../../h/PWNED", str(tmp_path / "h" / "PWNED")]


# --- audit sample: the log's 查詢人員單位 and the registry's 單位 ---------------------------


def write_unit_log(ws: Workspace, unit: str) -> Path:
    """October: 30 queries of u01 logged under 企劃室, then one under ``unit``."""
    rows = []
    for n in range(31):
        at = f"2026-10-{1 + n % 28:02d} 09:{n:02d}:00"
        logged = "企劃室" if n < 30 else unit
        rows.append([at, "u01", national_id("F", 100 + n), "林美華", "戶籍資料"])
        rows[-1] += ["北市管字第1號", "", "", "", "", logged]
    path = ws.data_dir / "queries" / "2026-10.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*QUERY_HEADER, UNIT_COLUMN])
        writer.writerows(rows)
    return path


def set_registry_unit(ws: Workspace, account: str, unit: str) -> None:
    """Give ``account`` the unit ``unit`` in the registry file, and import it."""
    path = ws.data_dir / "accounts.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("單位")
    for row in rows[1:]:
        if row[0] == account:
            row[column] = unit
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    with open_database(ws) as db:
        import_registry(ws, db, path)


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_log_unit_leading_out_is_refused_and_nothing_is_written(
    which: int, office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unit = hostile_units(tmp_path)[which]
    log = write_unit_log(office, unit)
    before = outside(tmp_path, office)
    code, output = docgen(office, capsys, "audit", "sample", "--month", "2026-10")
    assert_refused(code, output, log, "row 32", UNIT_COLUMN)
    assert outside(tmp_path, office) == before
    assert not no_file_named(tmp_path, "PWNED")
    assert list_samples(office) == []
    assert not (office.root / "out").exists()


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_registry_unit_leading_out_is_refused_and_nothing_is_written(
    which: int, office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    set_registry_unit(office, "u02", hostile_units(tmp_path)[which])
    before = outside(tmp_path, office)
    code, output = docgen(office, capsys, "audit", "sample", "--month", "2026-10")
    assert_refused(code, output, LOG, "account 'u02'", "field 單位")
    assert outside(tmp_path, office) == before
    assert not no_file_named(tmp_path, "PWNED")
    assert list_samples(office) == []


def test_a_unit_not_in_docgen_toml_is_refused_naming_the_row(
    office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any unit docgen.toml does not list is refused the same way: a sample of it
    would have no supervisor (R6.2), and its name would decide file names."""
    set_registry_unit(office, "u02", "資訊室")
    code, output = docgen(office, capsys, "audit", "sample", "--month", "2026-10")
    assert_refused(code, output, LOG, "account 'u02'", "資訊室", "docgen.toml")


def test_the_half_year_sample_takes_every_query_into_全處(
    office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A half-year sample is of 全處 whatever unit a query has: no name from the log
    or the registry reaches a path, so none is refused."""
    set_registry_unit(office, "u02", "資訊室")
    before = outside(tmp_path, office)
    code, output = docgen(office, capsys, "audit", "sample", "--half", "2026-H2", "--partial")
    assert code == 0, output
    assert load_sample(office, "2026-H2", "全處").population == 292
    assert outside(tmp_path, office) == before


# --- audit results: the sheet's docgen sheet ---------------------------------------------


def draw(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> Path:
    code, output = docgen(ws, capsys, "audit", "sample", "--month", "2026-10")
    assert code == 0, output
    return ws.root / OUT / "抽查表_2026-10_企劃室.xlsx"


def fill(path: Path) -> Path:
    book = load_workbook(path)
    sheet = book["抽查表"]
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row, 1).value is not None:
            sheet.cell(row, 7, "是")
    book.save(path)
    return path


def edit_meta(path: Path, **values: str | None) -> None:
    """Set (or, with None, delete) rows of the very hidden ``docgen`` sheet."""
    book = load_workbook(path)
    meta = book["docgen"]
    for row in range(meta.max_row, 0, -1):
        key = meta.cell(row, 1).value
        if key in values:
            if values[key] is None:
                meta.delete_rows(row)
            else:
                meta.cell(row, 2, values[key])
    book.save(path)


def forge_sample(ws: Workspace, unit: str, target: Path) -> None:
    """What the reviewer planted: the real sample, claiming ``unit``, at ``target``."""
    data = json.loads(load_sample(ws, "2026-10", "企劃室").model_dump_json())
    data["unit"] = unit
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_sheet_whose_unit_leads_out_is_refused_and_nothing_is_written(
    office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = fill(draw(office, capsys))
    unit = "../../../../h/evil"  # from .docgen/samples/2026-10/ to tmp_path/h/evil.json
    forge_sample(office, unit, tmp_path / "h" / "evil.json")
    edit_meta(sheet, unit=unit)
    before = outside(tmp_path, office)
    code, output = docgen(office, capsys, "audit", "results", str(sheet))
    assert_refused(code, output, sheet, "check code")
    assert outside(tmp_path, office) == before
    assert not no_file_named(office.root, "evil")
    assert load_results(office, "2026-10", "企劃室") is None


@pytest.mark.parametrize(
    "edit, words",
    [
        ({"unit": "../../../../h/evil", "check": None}, ("row 2", "column B", "not a unit")),
        ({"period": "../../../h", "check": None}, ("row 1", "column B", "not a period")),
        ({"unit": "市場管理科"}, ("check code",)),
        ({"seed": "0000"}, ("check code",)),
        ({"check": "0" * 64}, ("check code",)),
        ({"check": "檢核"}, ("check code",)),  # not ASCII: compare_digest on bytes
        ({"check": None}, ("no docgen check code", "抽查表_2026-10_企劃室.xlsx")),
    ],
)
def test_an_edited_docgen_sheet_is_one_line(
    edit: dict[str, str | None],
    words: tuple[str, ...],
    office: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    sheet = fill(draw(office, capsys))
    forge_sample(office, "../../../../h/evil", tmp_path / "h" / "evil.json")
    edit_meta(sheet, **edit)
    before = outside(tmp_path, office)
    code, output = docgen(office, capsys, "audit", "results", str(sheet))
    assert_refused(code, output, sheet, *words)
    assert outside(tmp_path, office) == before
    assert load_results(office, "2026-10", "企劃室") is None


def test_row_check_codes_are_keyed_with_the_workspace_key(
    office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unkeyed SHA-256 over the row, as before, no longer passes."""
    sheet = fill(draw(office, capsys))
    sample = load_sample(office, "2026-10", "企劃室")
    case = sample.cases[0]
    book = load_workbook(sheet)
    cell = book["抽查表"].cell(4, 11)
    text = "\x1f".join(str(c) for c in [*prefilled_cells(case), case.key])
    assert cell.value != hashlib.sha256(text.encode()).hexdigest()[:16]
    cell.value = hashlib.sha256(text.encode()).hexdigest()[:16]
    book.save(sheet)
    code, output = docgen(office, capsys, "audit", "results", str(sheet))
    assert code == 3 and "changed row" in output and "row 4" in output, output


def test_a_sheet_from_before_sealing_is_read_for_a_sample_from_before(
    office: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decision: a sheet written before sheets were sealed (no check row, unkeyed row
    codes) is read back for a sample drawn then (no ``sheet_check``), if it matches
    exactly; the same sheet is refused for a sample drawn since."""
    sheet = fill(draw(office, capsys))
    with open_database(office) as db, db.session() as session:
        session.execute(update(Draw).values(sheet_check=""))  # as drawn before sealing
    sample = load_sample(office, "2026-10", "企劃室")
    book = load_workbook(sheet)
    rows = book["抽查表"]
    for number, case in enumerate(sample.cases, start=4):
        rows.cell(number, 11, check_code(prefilled_cells(case), case.key, None))
    book.save(sheet)
    edit_meta(sheet, check=None)
    code, output = docgen(office, capsys, "audit", "results", str(sheet))
    assert code == 0, output
    assert load_results(office, "2026-10", "企劃室") is not None


# --- the paths themselves: defence in depth ----------------------------------------------


def test_names_made_from_a_unit_or_a_period_stay_in_their_folder(
    office: Workspace, tmp_path: Path
) -> None:
    samples = office.state_dir / "samples"
    for unit in [*hostile_units(tmp_path), "..", "a/../../b", "\\..\\..\\x", "CON", "x\x00y"]:
        for path in (
            sample_path(office, "2026-10", unit),
            results_path(office, "2026-10", unit),
            audit_file(tmp_path / "out", "抽查表", "2026-10", unit, suffix=".xlsx"),
        ):
            assert contained(path.parent, path).parent in (samples / "2026-10", tmp_path / "out")
            assert "/" not in path.name and ".." not in path.name
    assert sample_path(office, "2026-10", "企劃室").name == "企劃室.json"
    assert safe_name("抽查表", "2026-10", "企劃室", suffix=".xlsx") == "抽查表_2026-10_企劃室.xlsx"
    assert safe_name("企劃室", suffix=".results.json") == "企劃室.results.json"
    for period in ("../x", "2026-13", "2026-H3", "/tmp", "2026-10/../.."):
        with pytest.raises(InputError, match="not a period"):
            sample_path(office, period, "企劃室")


def test_a_linked_output_folder_is_used_but_a_linked_file_leading_out_is_refused(
    office: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    (office.root / "to-share").symlink_to(share, target_is_directory=True)
    code, output = docgen(office, capsys, "audit", "sample", "--month", "2026-10", "-d",
                          str(office.root / "to-share"))  # fmt: skip
    assert code == 0, output
    assert (share / "抽查表_2026-10_企劃室.xlsx").exists()
    elsewhere = tmp_path / "elsewhere.xlsx"
    elsewhere.write_bytes(b"")
    linked = tmp_path / "out2"
    linked.mkdir()
    (linked / "抽查表_2026-10_企劃室.xlsx").symlink_to(elsewhere)
    with pytest.raises(DocgenError, match="leads outside"):
        audit_file(linked, "抽查表", "2026-10", "企劃室", suffix=".xlsx")
