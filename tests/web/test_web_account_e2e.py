"""An account's life in real Chromium (ISSUE 13, Done when): the 管理者 enters the
request to open it (附件2 新增 and 附件3), the 處長 approves, the 管理者 records it
opened on the platform; later a cancellation requested three days before the holder
leaves is flagged at once (R5.2), approved and recorded: the registry holds the
account cancelled and the account review finds the late request. Screenshots in
``build/test-artifacts/web-account/``."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from docx import Document

from docgen.calendar import WorkingCalendar
from docgen.db.models.accounts import RegistryAccount
from docgen.example_office import synthetic_id
from docgen.records.stored import load_registry
from docgen.rules.account_review import Category, review_accounts
from tests.web.conftest import Office, artifact_dir, browser_sign_in

ACCOUNT = "plan09"


def sign_in(browser: Any, server: str, username: str) -> Any:
    page = browser_sign_in(browser, server, username)
    page.click("header nav >> text=Account requests")
    page.wait_for_selector("#account-requests")
    return page


def approve_and_record(browser: Any, server: str, number: int, shots: Any, step: str) -> None:
    director = sign_in(browser, server, "director1")
    assert director.locator("#request-form").count() == 0  # the director does not enter
    director.click(f"#approve-request-{number}")
    director.wait_for_selector(".flash")
    assert f"Account request {number} approved." in director.inner_text(".flash")
    director.screenshot(path=str(shots / f"{step}-1-approved.png"), full_page=True)
    admin = sign_in(browser, server, "admin1")
    admin.click(f"#done-request-{number}")
    admin.wait_for_selector(".flash")
    assert "recorded as done on the platform" in admin.inner_text(".flash")
    admin.screenshot(path=str(shots / f"{step}-2-done.png"), full_page=True)


def test_an_accounts_life_from_request_to_a_late_cancellation(
    browser: Any, live_server: str, office: Office, tmp_path: Any
) -> None:
    shots = artifact_dir("web-account")
    national_id = synthetic_id(random.Random(2026))
    admin = sign_in(browser, live_server, "admin1")
    admin.select_option("#kind", "open")
    admin.fill("#account_id", ACCOUNT)
    admin.fill("#name", "林小安")
    admin.fill("#national_id", national_id)
    admin.select_option("#unit", "企劃室")
    admin.fill("#title", "科員")
    admin.fill("#purpose", "零售市場攤位承租資格審查")
    admin.fill("#legal_basis", "臺北市零售市場管理自治條例第9條")
    admin.click("#enter-request")
    admin.wait_for_selector("#requests")
    assert "Account request 1 entered" in admin.inner_text(".flash")
    row = admin.inner_text("#request-1")
    assert national_id not in row and national_id[:6] in row  # masked on the page
    assert "附件2" in row and "附件3" in row
    with admin.expect_download() as info:
        admin.click("#request-1 >> text=附件2")
    saved = tmp_path / "application.docx"
    info.value.save_as(saved)
    text = "\n".join(
        cell.text for t in Document(str(saved)).tables for r in t.rows for cell in r.cells
    )
    assert "新增" in text and ACCOUNT in text
    admin.screenshot(path=str(shots / "1-requested.png"), full_page=True)
    approve_and_record(browser, live_server, 1, shots, "2-open")
    opened = {a.account_id: a for a in load_registry(office.workspace, office.db).accounts}
    assert opened[ACCOUNT].status == "啟用" and opened[ACCOUNT].pledge_on == date.today()

    leaving = date.today() + timedelta(days=3)
    admin = sign_in(browser, live_server, "admin1")
    admin.select_option("#kind", "cancel")
    admin.fill("#account_id", ACCOUNT)
    admin.fill("#leaving_on", leaving.isoformat())
    admin.click("#enter-request")
    admin.wait_for_selector(".flash .problem")
    assert "Flagged: the cancellation of plan09" in admin.inner_text(".flash")
    assert "late (R5.2)" in admin.inner_text("#request-2")
    admin.screenshot(path=str(shots / "3-cancellation-flagged.png"), full_page=True)
    approve_and_record(browser, live_server, 2, shots, "4-cancel")
    with office.db.session() as session:
        account = session.get(RegistryAccount, ACCOUNT)
        assert account is not None and account.status == "註銷"
        assert (account.departure_on, account.cancellation_requested_on) == (leaving, date.today())
    accounts = load_registry(office.workspace, office.db).accounts
    findings = review_accounts(accounts, leaving + timedelta(days=1), WorkingCalendar())
    assert any(
        f.account_id == ACCOUNT and f.category is Category.LATE_CANCELLATION for f in findings
    )
