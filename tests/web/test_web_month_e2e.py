"""A whole month's spot check in real Chromium (ISSUE 13, Done when), different people
signed in one after the other against a live waitress server:

1. the 管理者 uploads November's platform export and draws the sample (seed and
   population hash shown);
2. two 科(室)主管 mark their own unit's cases — one with a 否 — each attaching a
   PDF of evidence, and submit;
3. the 處長 approves both units' results on the spot-check page;
4. the signed 附件4 come back through the inbox and the archive files them with the
   evidence; the evidence check of November (opened by the 稽核人員) is clean, and
   the referral list holds the 否.

Every step's screenshot is kept in ``build/test-artifacts/web-month/``."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest
from openpyxl import load_workbook

from docgen.audit.samples import load_results
from docgen.config import open_workspace
from docgen.records.stored import load_registry
from docgen.services import users
from docgen.services.archive import file_inbox
from tests.web.conftest import OTHER_UNIT, PASSWORD, SUPERVISED_UNIT, Office, artifact_dir

MONTH = "2026-11"
NO_REMARK = "查無對應公文，承辦人說明為私人請託"
SUPERVISORS = {SUPERVISED_UNIT: "super1", OTHER_UNIT: "super2"}


def november_export(office: Office, target: Path) -> Path:
    """October's queries of the two supervised units, moved to November, as the
    platform's CSV export (UTF-8): synthetic, like the example office."""
    registry = {a.account_id: a.unit for a in load_registry(office.workspace).accounts}
    book = load_workbook(office.workspace.data_dir / "queries" / "2026-10.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in body:
            if registry.get(str(row[1])) not in SUPERVISORS:
                continue
            stamp = row[0]
            assert isinstance(stamp, datetime)
            moved = stamp.replace(month=11, day=min(stamp.day, 30))
            writer.writerow(
                [f"{moved:%Y-%m-%d %H:%M:%S}", *("" if v is None else v for v in row[1:])]
            )
    return target


@pytest.fixture(scope="module")
def month_office(office: Office) -> Iterator[Office]:
    users.add_user(
        office.workspace,
        office.db,
        "super2",
        PASSWORD,
        ["supervisor"],
        display_name="Test supervisor 2",
        unit=OTHER_UNIT,
        must_change_password=False,
        actor="tests",
    )
    yield office


def evidence_pdf(folder: Path, name: str) -> Path:
    path = folder / f"{name}.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = f"查詢紀錄佐證 {name}"
        pdf.save(path)
    return path


class Person:
    """One person's browser session, with numbered screenshots."""

    def __init__(self, browser: object, server: str, shots: Path, who: str) -> None:
        self.context = browser.new_context(locale="en-US", accept_downloads=True)  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.server, self.shots, self.who = server, shots, who
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def shot(self, step: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{step}-{self.who}.png"), full_page=True)

    def sign_in(self) -> None:
        self.page.goto(f"{self.server}/sign-in")
        self.page.fill("#username", self.who)
        self.page.fill("#password", PASSWORD)
        self.page.click("#sign-in")
        self.page.wait_for_selector("#dashboard")

    def spot_check(self) -> None:
        self.page.click("header nav >> text=Monthly spot check")
        self.page.wait_for_selector("#spot-check")
        assert MONTH in self.page.inner_text("h1")  # last month, by default

    def flash(self) -> str:
        return self.page.inner_text(".flash")

    def close(self) -> None:
        assert not [e for e in self.errors if "Content Security Policy" in e], self.errors
        self.context.close()


def test_a_whole_month_in_the_browser(
    browser: object, live_server: str, month_office: Office, tmp_path: Path
) -> None:
    office, shots = month_office, artifact_dir("web-month")
    export = november_export(office, tmp_path / "戶役政查詢紀錄 11月.csv")

    # 1. The administrator uploads the export and draws.
    admin = Person(browser, live_server, shots, "admin1")
    admin.sign_in()
    admin.spot_check()
    admin.shot("01-spot-check")
    admin.page.set_input_files("#log", str(export))
    admin.page.click("#upload")
    admin.page.wait_for_selector(".flash")
    assert f"{MONTH}:" in admin.flash() and "queries taken in" in admin.flash()
    assert f"{MONTH}.csv" in admin.page.inner_text("#logs")
    admin.shot("02-log-taken-in")
    admin.page.click("#draw")
    admin.page.wait_for_selector("#progress")
    drawn = admin.flash()
    assert "seed" in drawn and "population SHA-256" in drawn
    assert {SUPERVISED_UNIT, OTHER_UNIT} <= set(admin.page.inner_text("#progress").split())
    admin.shot("03-drawn")
    admin.close()

    # 2. Each supervisor marks their own unit's cases, with evidence, and submits.
    for index, (unit, username) in enumerate(SUPERVISORS.items()):
        person = Person(browser, live_server, shots, username)
        person.sign_in()
        person.spot_check()
        progress = person.page.inner_text("#progress")
        assert unit in progress and (set(SUPERVISORS) - {unit}).pop() not in progress
        person.page.click(f"#progress >> text={unit}")
        person.page.wait_for_selector("#marking")
        cases = person.page.locator("form.case").count()
        assert cases >= 1
        person.shot(f"04-{index}-cases")
        for number in range(1, cases + 1):
            said_no = index == 0 and number == 1
            person.page.check(f"#case-{number}-{'no' if said_no else 'yes'}")
            if said_no:
                person.page.fill(f"#case-{number}-remark", NO_REMARK)
            evidence = evidence_pdf(tmp_path, f"{username}-{number}")
            person.page.set_input_files(f"#case-{number}-evidence", str(evidence))
            person.page.click(f"#case-{number}-save")
            person.page.wait_for_selector(".flash")
            assert f"Case 序號 {number} saved." in person.flash(), person.flash()
            if number == 1:
                person.shot(f"05-{index}-case-saved")
        person.page.click("#submit-results")
        person.page.wait_for_selector("#submitted")
        assert "Submitted" in person.flash()
        person.shot(f"06-{index}-submitted")
        person.close()

    # 3. The director approves both units' results.
    director = Person(browser, live_server, shots, "director1")
    director.sign_in()
    director.spot_check()
    director.shot("07-to-approve")
    for _unit in SUPERVISORS:
        director.page.click("button.approve >> nth=0")
        director.page.wait_for_selector(".flash")
        assert "Approved:" in director.flash()
    assert director.page.locator("button.approve").count() == 0
    director.shot("08-approved")
    director.close()

    # 4. The signed 附件4 come back as scans; the archive files them with the evidence.
    inbox = office.workspace.archive_root / "inbox"
    referrals = {}
    for unit in SUPERVISORS:
        results = load_results(office.workspace, MONTH, unit, db=office.db)
        assert results is not None and results.read_by == SUPERVISORS[unit]
        form = office.workspace.root / results.documents["form"]
        shutil.copy(form, inbox / form.name)
        with open(
            office.workspace.root / results.documents["referrals_csv"], encoding="utf-8-sig"
        ) as handle:
            referrals[unit] = list(csv.reader(handle))
    scanned = file_inbox(
        open_workspace(office.workspace.root, environ={"DOCGEN_ARCHIVE_STABLE_SECONDS": "0"}), 0
    )
    assert not scanned.result.failed, scanned.result.failed
    assert any(NO_REMARK in " ".join(row) for row in referrals[SUPERVISED_UNIT])

    auditor = Person(browser, live_server, shots, "auditor1")
    auditor.sign_in()
    auditor.page.goto(f"{live_server}/reports/evidence?period={MONTH}")
    auditor.page.wait_for_selector("#report")
    auditor.shot("09-evidence-check")
    assert auditor.page.locator("#no-rows").count() == 1, auditor.page.inner_text("#report")
    auditor.close()
