"""The half-year audit's steps in real Chromium (ISSUE 13: screenshots of every
workflow step), against a live server: the 稽核人員 draws the tiered sample of the
months there are, marks its cases (two in the browser, the rest through the same
service) and submits, gives the 附件5 checklist its results,
records a finding and fills 附件5; the 處長 reviews the half. Screenshots in
``build/test-artifacts/web-half-year/``."""

from __future__ import annotations

from typing import Any

from docgen.services.spot_check import mark_case, mark_sheet
from tests.web.conftest import Office, artifact_dir, browser_sign_in

HALF = "2026-H2"


def sign_in(browser: Any, server: str, username: str) -> Any:
    page = browser_sign_in(browser, server, username)
    page.click("header nav >> text=Half-year audit")
    page.wait_for_selector("#half-year")
    return page


def test_the_half_year_audit_in_the_browser(browser: Any, live_server: str, office: Office) -> None:
    shots = artifact_dir("web-half-year")
    auditor = sign_in(browser, live_server, "auditor1")
    auditor.fill("#half", HALF)
    auditor.click("#half-year ~ form.filter button")
    auditor.wait_for_selector("#half-draw-form")
    auditor.check("#partial")
    auditor.click("#draw-half")
    auditor.wait_for_selector("#half-sample")
    assert "全處: draw 1" in auditor.inner_text(".flash")
    auditor.screenshot(path=str(shots / "1-drawn.png"), full_page=True)
    auditor.click("#to-cases")
    auditor.wait_for_selector("#marking")
    cases = [c.no for c in mark_sheet(office.db, HALF, "全處").sample.cases]
    for no in cases[2:]:  # the rest as the same service marks them (the browser's cost)
        mark_case(office.workspace, office.db, HALF, "全處", no, "是", "", actor="auditor1")
    for no in cases[:2]:
        auditor.check(f"#case-{no}-yes")
        auditor.click(f"#case-{no}-save")
        auditor.wait_for_selector(".flash")
    auditor.screenshot(path=str(shots / "2-marked.png"), full_page=True)
    auditor.click("#submit-results")
    auditor.wait_for_selector("#half-year")
    assert "Submitted" in auditor.inner_text(".flash")
    auditor.fill("#finding", "逾6個月未使用帳號 adm04 尚未停用")
    auditor.fill("#action", "申請停用")
    auditor.fill("#owner", "企劃室")
    auditor.click("#add-finding")
    auditor.wait_for_selector("#findings")
    for item in range(1, 8):
        auditor.select_option(f"#result-{item}", "不符合" if item == 3 else "符合")
    auditor.click("#fill-record")
    auditor.wait_for_selector("#audit-record")
    assert "附件5 DG-5-" in auditor.inner_text(".flash")
    auditor.screenshot(path=str(shots / "3-record-filled.png"), full_page=True)

    director = sign_in(browser, live_server, "director1")
    director.goto(f"{live_server}/half-year?half={HALF}")
    director.click("#approve-half")
    director.wait_for_selector(".flash")
    assert "Approved:" in director.inner_text(".flash")
    director.screenshot(path=str(shots / "4-reviewed.png"), full_page=True)
    assert mark_sheet(office.db, HALF, "全處").approved_on is not None
