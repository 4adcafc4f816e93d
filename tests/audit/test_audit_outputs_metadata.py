"""Every file the audit and the account review write carries its record metadata, so
the archive files it by itself: embedded in an XLSX, a sidecar beside a CSV."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.archive.classify import classify
from docgen.archive.context import open_archive
from docgen.archive.reconcile import scan
from docgen.audit.samples import load_results, load_sample
from docgen.cli.main import cli
from docgen.config import Workspace, open_workspace
from docgen.metadata import RecordMetadata, read_ooxml_metadata, sidecar_path
from docgen.privacy import find_unmasked_ids

UNIT = "企劃室"


def invoke(ws: Workspace, *args: str) -> None:
    result = CliRunner().invoke(cli, ["-w", str(ws.root), *args])
    assert result.exit_code == 0, f"{result.output}{result.exception!r}"


def metadata_of(path: Path) -> RecordMetadata:
    """The record metadata a file carries (embedded, else its sidecar), as the
    archive's classifier reads it."""
    found = classify(path, path.name, [], use_qr=False)
    assert found.classified, f"{path.name}: {found.reason}"
    return found.meta


def fill_sheet(path: Path) -> None:
    """What a supervisor does in Excel: mark every case 是 and save the workbook."""
    book = load_workbook(path)
    sheet = book["抽查表"]
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row, 1).value is not None:
            sheet.cell(row, 7, "是")
    book.save(path)


def test_sample_sheet_and_anomaly_lists_belong_to_their_case_check(office: Workspace) -> None:
    invoke(office, "audit", "sample", "--month", "2026-10")
    sample = load_sample(office, "2026-10", UNIT)
    record_id = sample.documents["record_id"]
    expected = {
        "sheet": ("企劃室 115年10月 抽查表", "sheet"),
        "anomalies_xlsx": ("企劃室 115年10月 異常清單", "anomalies"),
        "anomalies_csv": ("企劃室 115年10月 異常清單", "anomalies"),
    }
    for key, (title, variant) in expected.items():
        meta = metadata_of(office.root / sample.documents[key])
        assert (meta.category, meta.period, meta.unit) == ("monthly_check", "2026-10", UNIT)
        assert (meta.title, meta.variant, meta.record_ids) == (title, variant, [record_id])
        assert meta.record_id == "" and meta.form == "", "never taken for the 附件4 itself"
    csv = office.root / sample.documents["anomalies_csv"]
    sidecar = yaml.safe_load(sidecar_path(csv).read_text(encoding="utf-8"))
    assert sidecar["category"] == "monthly_check" and sidecar["record_ids"] == [record_id]
    xlsx = office.root / sample.documents["anomalies_xlsx"]
    assert not sidecar_path(xlsx).exists(), "an XLSX holds its own metadata"


def test_half_year_lists_are_half_year_audit_records(office: Workspace) -> None:
    invoke(office, "audit", "sample", "--half", "2026-H2", "--partial")  # October only
    sample = load_sample(office, "2026-H2", "全處")
    meta = metadata_of(office.root / sample.documents["sheet"])
    assert (meta.category, meta.period, meta.unit) == ("half_year_audit", "2026-H2", "全處")
    assert meta.title == "全處 115年下半年 抽查表"
    assert meta.record_ids == [sample.documents["record_id"]]


def test_metadata_survives_the_supervisor_and_referral_lists_carry_it(office: Workspace) -> None:
    invoke(office, "audit", "sample", "--month", "2026-10")
    sample = load_sample(office, "2026-10", UNIT)
    sheet = office.root / sample.documents["sheet"]
    fill_sheet(sheet)
    assert read_ooxml_metadata(sheet) == metadata_of(sheet)
    assert metadata_of(sheet).title == "企劃室 115年10月 抽查表"
    invoke(office, "audit", "results", str(sheet))
    results = load_results(office, "2026-10", UNIT)
    assert results is not None
    for key in ("referrals_xlsx", "referrals_csv"):
        meta = metadata_of(office.root / results.documents[key])
        assert (meta.category, meta.variant) == ("monthly_check", "referrals")
        assert meta.title == "企劃室 115年10月 轉介清單"
        assert meta.record_ids == [results.documents["record_id"]]


def test_account_review_and_roster_are_other_records(office: Workspace) -> None:
    out = office.root / "out" / "accounts"
    review = out / "帳號清查.xlsx"
    invoke(
        office, "accounts", "review", "--as-of", "2026-11-30", "--format", "xlsx", "-o", str(review)
    )
    invoke(
        office,
        "accounts",
        "review",
        "--as-of",
        "2026-11-30",
        "--format",
        "csv",
        "-o",
        str(review.with_suffix(".csv")),
    )
    invoke(office, "accounts", "roster", "--format", "csv", "-o", str(out / "使用者清冊.csv"))
    for path in (review, review.with_suffix(".csv")):
        meta = metadata_of(path)
        assert (meta.category, meta.period) == ("other", "2026-11")
        assert meta.title.startswith("帳號清查 115/11/30")
    roster = metadata_of(out / "使用者清冊.csv")
    assert roster.category == "other" and roster.title.startswith("使用者清冊 ")
    sidecars = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.meta.yaml"))
    assert len(list(out.glob("*.meta.yaml"))) == 2
    assert find_unmasked_ids(sidecars) == [] and "王小明" not in sidecars


def test_the_archive_files_every_audit_output(office: Workspace) -> None:
    invoke(office, "audit", "sample", "--month", "2026-10")
    invoke(office, "accounts", "roster", "-o", str(office.root / "out" / "使用者清冊.xlsx"))
    with open(office.root / "docgen.toml", "a", encoding="utf-8") as config:
        config.write("[archive]\nstable_seconds = 0.2\n")
    office = open_workspace(office.root)
    shutil.copytree(office.root / "out", office.archive_root / "inbox")
    time.sleep(0.4)
    with open_archive(office) as ctx:
        filed = scan(ctx).filed
    assert filed and {f.status for f in filed} == {"filed"}, [
        (f.path, f.status) for f in filed if f.status != "filed"
    ]
    sheet = next(f for f in filed if f.path.endswith(".xlsx") and "monthly_check" in f.path)
    assert sheet.path.startswith("records/monthly_check/115/F-")
