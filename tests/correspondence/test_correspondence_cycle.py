"""The correspondence cycle on the example office through the CLI (ISSUE 14): each
document drafted from the office database as DOCX, ODT, PDF and a DI file that
validates against the project's DTD; `sent` closes the duty it fulfils (R6.4, R6.5)
in the missing report and the calendar; what is wrong is one line and an exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as DocxDocument

from docgen.audit.store import current_sample
from docgen.calendar import format_roc, parse_period
from docgen.cli.main import cli
from docgen.config import Workspace, open_workspace
from docgen.correspondence.exchange import read_di, validate
from docgen.db import open_database
from docgen.errors import DocgenError
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids
from docgen.services.audit import draw_sample
from docgen.services.queries import take_in_folder


@dataclass
class Run:
    exit_code: int
    output: str


def run(ws: Workspace, *args: str) -> Run:
    result = CliRunner().invoke(cli, ["-w", str(ws.root), *args])
    if isinstance(result.exception, DocgenError):
        return Run(result.exception.exit_code, f"{result.output}Error: {result.exception}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.output)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The example office with its logs taken in, October and the second half drawn."""
    root = tmp_path_factory.mktemp("correspondence") / "office"
    made = CliRunner().invoke(cli, ["init", str(root), "--example"], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    ws = open_workspace(root, environ={})
    with open_database(ws) as db:
        take_in_folder(ws, db, actor="tests")
        draw_sample(ws, db, parse_period("2026-10"), actor="tests")
        draw_sample(ws, db, parse_period("2026-H2"), partial=True, actor="tests")
    return ws


def folder_of(ws: Workspace, name: str) -> Path:
    return ws.root / "out" / "correspondence" / name


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    return "".join(text.decode("utf-8").split())


def in_order(text: str, parts: list[str]) -> None:
    """Every part is in ``text``, each after the one before it."""
    position = -1
    for part in parts:
        found = text.find(part, position + 1)
        assert found > position, f"{part!r} missing or out of order"
        position = found


LETTER_PARTS = [
    "檔號",
    "保存年限",
    "臺北市市場處",
    "地址：臺北市○○區○○路1號",
    "承辦人：吳冠廷",
    "受文者：臺北市政府民政局",
    "發文日期：",
    "發文字號：北市市企字第",
    "速別：普通件",
    "密等及解密條件或保密期限：",
    "附件：",
    "主旨：",
    "說明：",
    "一、",
    "二、",
    "（一）",
    "三、",
    "正本：臺北市政府民政局",
    "副本：",
    "處長",
]


@pytest.fixture(scope="module")
def letter(office: Workspace) -> Path:
    result = run(office, "correspondence", "draft", "results-letter", "--half", "2026-H2")
    assert result.exit_code == 0, result.output
    assert "results-letter:2026-H2" in result.output
    return folder_of(office, "稽核結果函_2026-H2")


def test_the_results_letter_comes_in_every_form_with_every_part_in_order(
    office: Workspace, letter: Path
) -> None:
    names = {p.suffix for p in letter.iterdir()}
    assert {".docx", ".odt", ".pdf", ".di"} <= names
    docx = "".join(p.text for p in DocxDocument(str(letter / "稽核結果函_2026-H2.docx")).paragraphs)
    pdf = pdf_text(letter / "稽核結果函_2026-H2.pdf")
    today = format_roc(date.today())
    for text in (docx.replace(" ", ""), pdf):
        in_order(text, LETTER_PARTS)
        assert today in text
        assert "116年3月10日" in text  # the R6.4 deadline of the second half, in 主旨
    with open_database(office) as db, db.session() as session:
        half = current_sample(session, "2026-H2", "全處")
    assert half is not None
    assert f"查詢戶役政資料計{half.population}筆" in pdf
    assert f"依規定抽查{half.sample_size}筆" in pdf
    with zipfile.ZipFile(letter / "稽核結果函_2026-H2.odt") as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "主旨" in odt.read("content.xml").decode("utf-8")


def test_the_di_file_validates_and_says_what_the_print_form_says(letter: Path) -> None:
    data = (letter / "稽核結果函_2026-H2.di").read_bytes()
    validate(data)
    summary = read_di(data)
    assert summary.form == "函"
    assert summary.speed == "普通件"
    assert "116年3月10日" in summary.subject
    assert "<年月日>" + format_roc(date.today()) in data.decode("utf-8")


def test_a_referral_memo_attaches_the_masked_lists_and_no_full_id(office: Workspace) -> None:
    result = run(office, "correspondence", "draft", "referral-memo", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    memo = folder_of(office, "異常簽報_2026-10")
    lists = sorted(memo.glob("*.xlsx"))
    assert lists, "the anomaly lists are attached"
    pdf = pdf_text(memo / "異常簽報_2026-10.pdf")
    in_order(
        pdf, ["簽於企劃室", "日期：", "主旨：", "說明：", "一、", "擬辦：", "一、", "敬陳", "處長"]
    )
    di = (memo / "異常簽報_2026-10.di").read_text(encoding="utf-8")
    validate(di.encode("utf-8"))
    for listed in lists:
        assert f'SYSTEM "{listed.name}" NDATA' in di
    texts = [pdf, di]
    for path in memo.glob("*.docx"):
        with zipfile.ZipFile(path) as archive:
            texts.append(archive.read("word/document.xml").decode("utf-8"))
    assert not find_unmasked_ids("\n".join(texts))


def test_sent_closes_the_r64_duty_in_the_missing_report_and_the_calendar(
    office: Workspace, letter: Path
) -> None:
    today = date.today().isoformat()
    number = "北市市企字第1153000123號"
    result = run(
        office,
        "correspondence",
        "sent",
        str(letter / "稽核結果函_2026-H2.pdf"),
        "--number",
        number,
        "--date",
        today,
    )
    assert result.exit_code == 0, result.output
    assert "results-letter:2026-H2: sent on" in result.output
    again = run(
        office,
        "correspondence",
        "sent",
        "results-letter:2026-H2",
        "--number",
        number,
        "--date",
        today,
    )
    assert again.exit_code == 0, again.output
    other = run(
        office, "correspondence", "sent", "results-letter:2026-H2", "--number", "X", "--date", today
    )
    assert other.exit_code == 3
    assert "already recorded as sent" in other.output
    report = run(
        office, "archive", "report", "missing", "--calendar", "--as-of", today, "--format", "json"
    )
    rows = json.loads(report.output.split("\nError:")[0])["rows"]
    letter_rows = [r for r in rows if r["record_id"] == "results-letter:2026-H2"]
    assert [r["status"] for r in letter_rows] == ["done"]
    assert number in letter_rows[0]["note"]
    year = str(date.today().year + 1)
    calendar = run(office, "calendar", "--year", year, "--format", "json")
    sent = [r for r in json.loads(calendar.output)["rows"] if r["key"] == "audit_report:2026-H2"]
    assert sent and number in sent[0]["sent"]
    entries = [
        e
        for e in Journal(office.journal_path, office.root).entries()
        if e["command"] == "correspondence sent"
    ]
    assert len(entries) == 1 and entries[0]["details"]["number"] == number
    redraft = run(office, "correspondence", "draft", "results-letter", "--half", "2026-H2")
    assert redraft.exit_code == 3
    assert "not drafted again" in redraft.output


REFERRAL_NUMBER = "北市市企字第1153000124號"


def send_referral(office: Workspace) -> Run:
    """Draft the 2026-10 referral memo and record it sent today (once per office: the
    tests of this module may run in any order, on any worker)."""
    listed = run(office, "correspondence", "list", "--format", "json")
    rows = {r["key"]: r for r in json.loads(listed.output)["rows"]}
    if rows.get("referral-memo:2026-10", {}).get("status", "").startswith("sent"):
        return Run(0, "sent already")
    run(office, "correspondence", "draft", "referral-memo", "--month", "2026-10")
    return run(
        office,
        "correspondence",
        "sent",
        "referral-memo:2026-10",
        "--number",
        REFERRAL_NUMBER,
        "--date",
        date.today().isoformat(),
    )


def test_a_referral_sent_after_its_due_date_is_late(office: Workspace) -> None:
    result = send_referral(office)
    assert result.exit_code == 0, result.output
    if result.output != "sent already":
        assert "late: due" in result.output  # due by the end of November (R6.2, R6.5)
    listed = run(office, "correspondence", "list", "--format", "json")
    rows = {r["key"]: r for r in json.loads(listed.output)["rows"]}
    assert rows["referral-memo:2026-10"]["status"] == "sent late"


def test_the_other_documents_are_drafted_from_the_facts(office: Workspace) -> None:
    assert send_referral(office).exit_code == 0  # the outcome letter cites its 文號
    notice = run(office, "correspondence", "draft", "holder-notice", "--as-of", "2026-11-30")
    assert notice.exit_code == 0, notice.output
    folder = folder_of(office, "帳號註銷通知_sec03")
    text = pdf_text(folder / "帳號註銷通知_sec03.pdf")
    in_order(text, ["臺北市市場處", "書函", "受文者：", "主旨：", "sec03", "114年9月1日", "說明："])
    validate((folder / "帳號註銷通知_sec03.di").read_bytes())
    review = run(office, "correspondence", "draft", "review-memo", "--as-of", "2026-11-30")
    assert review.exit_code == 0, review.output
    memo = folder_of(office, "帳號清查簽_2026-11-30")
    assert (memo / "帳號清查結果_2026-11-30.xlsx").is_file()
    in_order(pdf_text(memo / "帳號清查簽_2026-11-30.pdf"), ["主旨：", "說明：", "擬辦：", "敬陳"])
    outcome = run(
        office,
        "correspondence",
        "draft",
        "outcome-letter",
        "--month",
        "2026-10",
        "--outcome",
        "經政風室查明，核予申誡1次",
    )
    assert outcome.exit_code == 0, outcome.output
    text = pdf_text(folder_of(office, "議處結果函_2026-10") / "議處結果函_2026-10.pdf")
    in_order(
        text,
        [
            "受文者：臺北市政府政風處",
            "主旨：",
            "議處結果：經政風室查明，核予申誡1次",
            "正本：臺北市政府政風處、臺北市政府民政局",
        ],
    )
    assert REFERRAL_NUMBER in text  # the referral memo's own 文號


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("results-letter", "--month", "2026-10"), 2, "half-year"),
        (("referral-memo",), 2, "needs a period"),
        (("results-letter", "--half", "2025-H1"), 3, "no sample drawn for 2025-H1"),
        (("outcome-letter", "--month", "2026-10"), 2, "--outcome"),
        (("holder-notice", "--as-of", "2026-11-30", "--account", "plan01"), 3, "plan01"),
        (("destruction-memo", "--as-of", "2026-11-30"), 3, "past its retention"),
    ],
)
def test_what_cannot_be_drafted_is_one_line_and_an_exit_code(
    office: Workspace, args: tuple[str, ...], code: int, says: str
) -> None:
    before = sorted(p.name for p in (office.root / "out" / "correspondence").glob("*"))
    result = run(office, "correspondence", "draft", *args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert "Traceback" not in result.output
    after = sorted(p.name for p in (office.root / "out" / "correspondence").glob("*"))
    assert after == before  # nothing half-written, no temporary folder left


def test_an_unknown_document_or_a_future_date_is_refused(office: Workspace) -> None:
    unknown = run(
        office,
        "correspondence",
        "sent",
        "results-letter:1999-H1",
        "--number",
        "x",
        "--date",
        "2026-01-01",
    )
    assert unknown.exit_code == 3 and "no drafted document" in unknown.output
    future = run(
        office,
        "correspondence",
        "sent",
        "referral-memo:2026-10",
        "--number",
        "x",
        "--date",
        "2999-01-01",
    )
    assert future.exit_code == 3 and "in the future" in future.output


def test_the_draft_folder_is_replaced_whole(office: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run(
        office, "correspondence", "draft", "review-memo", "--as-of", "2026-11-30", "-d", str(out)
    )
    assert first.exit_code == 0, first.output
    stale = out / "帳號清查簽_2026-11-30" / "stale.txt"
    stale.write_text("old", encoding="utf-8")
    second = run(
        office, "correspondence", "draft", "review-memo", "--as-of", "2026-11-30", "-d", str(out)
    )
    assert second.exit_code == 0, second.output
    assert not stale.exists()
    assert [p.name for p in out.iterdir()] == ["帳號清查簽_2026-11-30"]
    shutil.rmtree(out)
