"""The retention report (draft destruction list) over an archive filed by ingest."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.archive.context import open_archive
from docgen.archive.destruction_list import (
    SECTION_ACTIVE,
    SECTION_CANDIDATE,
    SECTION_HELD,
    SECTION_RETAINED,
    SECTION_UNCLASSIFIED,
    SECTION_UNDEFINED,
    SECTION_UNKNOWN,
)
from docgen.archive.holds import place_hold
from docgen.archive.reconcile import scan
from docgen.archive.reports import build_report
from docgen.cli.main import cli
from docgen.privacy import find_unmasked_ids
from tests.archive.dbrows import ON_BOTH_ENGINES

AS_OF = date(2026, 11, 30)


def sections(office: Any, as_of: date = AS_OF, list_all: bool = True) -> dict[str, str]:
    report = build_report(office.workspace, "retention", as_of, list_all=list_all)
    return {row["record_id"]: row["section"] for row in report.rows}


def row_of(office: Any, key: str, as_of: date = AS_OF) -> dict[str, Any]:
    report = build_report(office.workspace, "retention", as_of, list_all=True)
    return next(row for row in report.rows if row["record_id"] == office.rid(key))


@ON_BOTH_ENGINES
def test_candidates_are_exactly_those_past_retention(office: Any) -> None:
    found = sections(office, list_all=False)
    candidates = {rid for rid, section in found.items() if section == SECTION_CANDIDATE}
    # old01 cancelled 2020-02-29 → 5 years end 2025-02-28; the 2023-10 check was
    # reviewed 2023-11-20 → 3 years end 2026-11-20.
    assert candidates == {office.rid("old01_app"), office.rid("check_2023_10")}
    assert {office.rid("agreement"), office.rid("external")} <= set(found)
    assert found[office.rid("agreement")] == SECTION_UNDEFINED
    assert office.rid("plan01_app") not in found  # kept while active: only with --all


def test_destruction_list_columns_and_dates(office: Any) -> None:
    old = row_of(office, "old01_app")
    assert old["candidate_from"] == "114/03/01"  # 2025-03-01
    assert old["term"] == "帳號註銷後5年"
    assert old["case_name"] == "Account application form (Attachment 2)"  # label_en
    assert old["document_date"] == "105/04/20"
    # 檔號 in its five parts: 年度號, 分類號 (no office 分類號: the category), 案次號 (the
    # record ID's checksum); 卷次號 and 目次號 are left to the archive unit.
    assert (old["year_no"], old["class_no"]) == ("105", "account_application")
    assert old["case_no"] == office.rid("old01_app").rsplit("-", 1)[-1]
    assert (old["volume_no"], old["item_no"], old["approval_no"]) == ("", "", "")
    assert (office.workspace.archive_root / old["path"]).is_file()
    check = row_of(office, "check_2023_10")
    assert check["candidate_from"] == "115/11/21"
    assert "R6.2" in check["note"] and check["case_matter"] == "112年10月 企劃室"


def test_period_end_without_review_and_the_day_after(office: Any) -> None:
    # The 2023-11 check has no review: the period's end 2023-11-30 counts; 3 years end
    # 2026-11-30; a candidate from 2026-12-01.
    assert row_of(office, "check_2023_11")["section"] == SECTION_RETAINED
    assert row_of(office, "check_2023_11", date(2026, 12, 1))["section"] == SECTION_CANDIDATE


def test_cancellation_on_29_february_counts_from_the_registry(office: Any) -> None:
    row = row_of(office, "gone01_app")  # cancelled 2024-02-29 → candidate 2029-03-01
    assert (row["section"], row["candidate_from"]) == (SECTION_RETAINED, "118/03/01")
    assert row_of(office, "gone01_app", date(2029, 3, 1))["section"] == SECTION_CANDIDATE
    assert row_of(office, "plan01_app", date(2099, 1, 1))["section"] == SECTION_ACTIVE


def test_account_missing_from_registry_is_unknown(office: Any) -> None:
    lines = office.registry.read_text(encoding="utf-8-sig").splitlines()
    kept = "\n".join(line for line in lines if not line.startswith("old01")) + "\n"
    office.registry.write_text(kept, encoding="utf-8")
    office.import_registry()
    row = row_of(office, "old01_app")
    assert row["section"] == SECTION_UNKNOWN and "帳號清冊" in row["note"]


@ON_BOTH_ENGINES
def test_held_records_are_listed_apart(office: Any) -> None:
    place_hold(
        office.workspace, office.rid("check_2023_10"), "訴訟 115年度訴字第1號", "tester", _now()
    )
    row = row_of(office, "check_2023_10")
    assert row["section"] == SECTION_HELD and "訴訟" in row["note"]


def test_a_lengthened_schedule_is_shown_as_a_change(office: Any) -> None:
    schedule = office.workspace.retention_dir / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    schedule.write_text(
        text.replace("    period: 3年\n    rule: R6.2", "    period: 5年\n    rule: R6.2")
    )
    row = row_of(office, "check_2023_10")
    assert row["section"] == SECTION_RETAINED
    assert row["change"] == "lengthened to 5年 by the retention schedule (R6.2: at least 3年)"


@ON_BOTH_ENGINES
def test_cli_formats(office: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    base = [
        "-w",
        str(office.workspace.root),
        "archive",
        "report",
        "retention",
        "--as-of",
        "115/11/30",
    ]
    result = runner.invoke(cli, [*base, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {r["record_id"] for r in payload["rows"] if r["section"] == SECTION_CANDIDATE} == {
        office.rid("old01_app"),
        office.rid("check_2023_10"),
    }
    target = tmp_path / "銷毀目錄草稿.xlsx"
    # the official columns of the destruction list, exactly, in the office's language
    result = runner.invoke(cli, ["--lang", "zh_TW", *base, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    # (§8, document level; 檔號 in its five parts, ISSUE 14)
    assert header[1:13] == [
        "年度號",
        "分類號",
        "案次號",
        "卷次號",
        "目次號",
        "案名",
        "案由",
        "來(受)文者",
        "收發文字號",
        "文件產生日期",
        "保存年限",
        "變更及原因",
    ]
    assert "核准文號" in header
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert find_unmasked_ids(text) == []
    entry = office.workspace.journal_path.read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(entry)["command"] == "archive report retention"


def _now() -> datetime:
    return datetime(2026, 11, 27, 10, 0)


def test_unclassified_files_are_counted_not_listed(office: Any) -> None:
    inbox = office.workspace.archive_root / "inbox"
    (inbox / "掃描0001.txt").write_text("a scan nobody labelled\n", encoding="utf-8")
    with open_archive(office.workspace, use_qr=False) as ctx:
        [filed] = scan(ctx, max_wait=0).filed
    assert filed.status == "unclassified"
    report = build_report(office.workspace, "retention", AS_OF)
    assert filed.record_id not in {row["record_id"] for row in report.rows}
    assert report.summary[SECTION_UNCLASSIFIED] == 1


@ON_BOTH_ENGINES
def test_the_grouped_report_agrees_with_the_record_by_record_one(office: Any) -> None:
    """Without --all the report counts groups of records in the database and reads
    only the listed ones; its counts and rows must be those of the full pass."""
    for key in ("check_2023_10", "plan01_app"):  # a candidate and a record kept as active
        place_hold(office.workspace, office.rid(key), "政風調查中", "tester", _now())
    every = build_report(office.workspace, "retention", AS_OF, list_all=True)
    listed = build_report(office.workspace, "retention", AS_OF, list_all=False)
    counted = {name: sum(1 for r in every.rows if r["section"] == name) for name in SECTIONS}
    assert {name: listed.summary[name] for name in SECTIONS} == counted
    assert counted[SECTION_HELD] == 2 and counted[SECTION_CANDIDATE] >= 1
    always = {SECTION_CANDIDATE, SECTION_HELD, SECTION_UNDEFINED, SECTION_UNKNOWN}
    assert listed.rows == [r for r in every.rows if r["section"] in always]


SECTIONS = (
    SECTION_CANDIDATE,
    SECTION_HELD,
    SECTION_UNDEFINED,
    SECTION_UNKNOWN,
    SECTION_RETAINED,
    SECTION_ACTIVE,
)


def test_a_destruction_memo_sent_gives_its_records_the_approving_number(office: Any) -> None:
    """ISSUE 14: the 簽 sending the draft 銷毀目錄 lists the candidates; once recorded
    as sent, its 文號 is the approval the list carries for each of them (§17)."""
    from docgen.db import open_database
    from docgen.services.correspondence import draft, record_sent

    workspace = office.workspace
    with open_database(workspace) as db:
        done = draft(workspace, db, "destruction-memo", as_of=AS_OF, out_dir=workspace.root / "c")
        [memo] = done
        listing = next(p for p in memo.files if p.suffix == ".xlsx")
        sheet = load_workbook(listing).active
        assert sheet is not None
        listed = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
        assert office.rid("old01_app") in listed and office.rid("check_2023_10") in listed
        assert office.rid("plan01_app") not in listed
        record_sent(
            workspace, db, memo.doc_key, number="北市市企字第1153000999號", sent_on=date.today()
        )
    approved = {
        r["record_id"]: r["approval_no"] for r in build_report(workspace, "retention", AS_OF).rows
    }
    assert approved[office.rid("old01_app")] == "北市市企字第1153000999號"
    assert approved[office.rid("check_2023_10")] == "北市市企字第1153000999號"
    assert approved[office.rid("agreement")] == ""  # not on the memo's list
