"""Separation of duties in real Chromium (ISSUE 13, Done when): one person holding
both the 檔管人員 and the 處長 roles proposes a destruction list and cannot approve it;
the director approves it with its 文號 and the 檔管人員 disposes of it. A supervisor
cannot open another unit's case or evidence by URL. Screenshots in
``build/test-artifacts/web-duties/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pikepdf

from docgen.db.models.archive import Record
from docgen.services import spot_check, users
from tests.web.conftest import (
    OTHER_UNIT,
    PASSWORD,
    Office,
    artifact_dir,
    browser_sign_in,
    file_old_monthly_check,
)

REFERENCE = "北市市企字第1150012345號"


def test_the_proposer_cannot_approve_and_the_list_is_disposed(
    browser: Any, live_server: str, office: Office
) -> None:
    shots = artifact_dir("web-duties")
    record_id = file_old_monthly_check(office)
    users.add_user(
        office.workspace,
        office.db,
        "both1",
        PASSWORD,
        ["archivist", "director"],
        display_name="檔管兼代理處長 王大同",
        must_change_password=False,
        actor="tests",
    )
    both = browser_sign_in(browser, live_server, "both1")
    both.click("header nav >> text=Destruction lists")
    both.wait_for_selector("#destruction")
    both.click("#propose")
    both.wait_for_selector(".destruction-list")
    assert record_id in both.inner_text("#list-1")
    both.fill("#approval-1", REFERENCE)
    both.click("#approve-1")
    both.wait_for_selector(".flash .problem")
    assert "may not approve it (separation of duties)" in both.inner_text(".flash")
    assert "awaiting approval" in both.inner_text("#list-1")
    both.screenshot(path=str(shots / "1-proposer-refused.png"), full_page=True)

    director = browser_sign_in(browser, live_server, "director1")
    director.goto(f"{live_server}/destruction")
    assert director.locator("#propose").count() == 0
    director.fill("#approval-1", REFERENCE)
    director.click("#approve-1")
    director.wait_for_selector(".flash")
    assert "Destruction list 1 approved." in director.inner_text(".flash")
    director.screenshot(path=str(shots / "2-approved.png"), full_page=True)

    archivist = browser_sign_in(browser, live_server, "archive1")
    archivist.goto(f"{live_server}/destruction")
    archivist.click("#dispose-1")
    archivist.wait_for_selector(".flash")
    assert "disposed of: " in archivist.inner_text(".flash")
    assert REFERENCE in archivist.inner_text("#list-1")
    archivist.screenshot(path=str(shots / "3-disposed.png"), full_page=True)
    with office.db.session() as session:
        record = session.get(Record, record_id)
        assert record is not None and record.status == "disposed"


def test_a_supervisor_cannot_open_another_units_case_or_evidence_by_url(
    browser: Any, live_server: str, office: Office, tmp_path: Path
) -> None:
    shots = artifact_dir("web-duties-url")
    upload = tmp_path / "evidence.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(upload)
    name = spot_check.attach_evidence(
        office.workspace, office.db, "2026-10", OTHER_UNIT, 1, upload, "e.pdf", actor="tests"
    )
    page = browser_sign_in(browser, live_server, "super1")
    for url in (
        f"/samples/2026-10/{OTHER_UNIT}",
        f"/samples/2026-10/{OTHER_UNIT}/cases/1/evidence/{name}",
    ):
        response = page.goto(f"{live_server}{url}")
        assert response.status == 403, url
        assert "You may not open this page" in page.inner_text("body")
    page.screenshot(path=str(shots / "refused.png"), full_page=True)
