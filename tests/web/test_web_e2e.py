"""End to end in a real browser (ISSUE 12, Done when): Playwright for Python driving
Debian's chromium against a live waitress server on 127.0.0.1 over the example office.
Each role signs in, sees its dashboard, opens a page of its menu and the missing
report, downloads its XLSX and reads it with openpyxl, and signs out, in one browser
for the module; screenshots of each page go to the test's tmp path. Skipped only when /usr/bin/chromium is missing and CI is not set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD

#: role → (its user, what its dashboard shows, a page it opens from the menu, a menu
#: entry it must not have).
ROLES = {
    "admin": ("admin1", "Web users", "Account registry", None),
    "clerk": ("clerk1", "Falls due in the next 45 days", "Samples", "Account registry"),
    "supervisor": ("super1", "Your unit: 市場行政科", "Query logs", "Web users"),
    "auditor": ("auditor1", "Falls due in the next 45 days", "Journal", "Web users"),
    "ethics": ("ethics1", "Falls due in the next 45 days", "Samples", "Web users"),
    "director": ("director1", "Falls due in the next 45 days", "Records", "Web users"),
    "archivist": ("archive1", "Falls due in the next 45 days", "Records", "Query logs"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_signs_in_sees_its_dashboard_downloads_a_report_and_signs_out(
    browser, live_server: str, tmp_path: Path, role: str
) -> None:
    from openpyxl import load_workbook

    username, sees, opens, lacks = ROLES[role]
    context = browser.new_context(locale="en-US", accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    def shot(name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{role}-{name}.png"), full_page=True)

    try:
        page.goto(f"{live_server}/")
        assert "/sign-in" in page.url
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        shot("1-sign-in")
        page.click("#sign-in")
        page.wait_for_selector("#dashboard")
        nav = page.inner_text("header nav")
        body = page.inner_text("body")
        assert sees in body
        if lacks:
            assert lacks not in nav
        assert page.locator(".counts .count").count() >= 1
        shot("2-dashboard")
        page.click(f"header nav >> text={opens}")
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1
        shot("3-page")
        page.click("header nav >> text=Reports")
        page.wait_for_selector("#reports")
        page.click("text=Missing report")
        page.wait_for_selector("#report")
        shot("4-report")
        with page.expect_download() as info:
            page.click("#download-xlsx")
        saved = tmp_path / f"{role}-missing.xlsx"
        info.value.save_as(saved)
        book = load_workbook(saved, read_only=True)
        rows = [r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
        assert any("Status" in [str(c) for c in row] for row in rows), rows[:3]
        page.click("#sign-out")
        page.wait_for_selector("#sign-in")
        assert "You are signed out." in page.inner_text("body")
        shot("5-signed-out")
        page.goto(f"{live_server}/")
        assert "/sign-in" in page.url
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
    assert (tmp_path / f"{role}-2-dashboard.png").stat().st_size > 1000
