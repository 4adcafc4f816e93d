"""The package from the returned scans in the browser (ISSUE 13 item 1, last sentence;
item 2, the colour-scan package; R6.2–R6.4), over HTTP on the example office: the
button shows only once the unit is approved and its signed scan filed, and only to
who may build; a supervisor is refused, a POST without its CSRF token too; building
puts the package in the inbox, and once the archive files it the page links to its
record. Then the half-year's, and one click in real Chromium (screenshot kept in
``build/test-artifacts/web-scan-package/``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pikepdf
from flask.testing import FlaskClient

from docgen.calendar import parse_period
from docgen.config import open_workspace
from docgen.metadata import read_pdf_metadata
from docgen.services import spot_check
from docgen.services.archive import file_inbox
from docgen.services.audit import draw_sample
from docgen.services.half_year import approve_half_year, fill_half_year_record, latest_record
from tests.audit.test_scan_package import scan_pdf
from tests.web.conftest import (
    OTHER_UNIT,
    SUPERVISED_UNIT,
    Office,
    artifact_dir,
    browser_sign_in,
    csrf_token,
    journal_entries,
)

MONTH = "2026-10"
HALF = "2026-H2"
WHOLE = "全處"


def file_the_inbox(office: Office) -> None:
    ws = open_workspace(office.workspace.root, environ={"DOCGEN_ARCHIVE_STABLE_SECONDS": "0"})
    scanned = file_inbox(ws, 0)
    assert not scanned.result.failed, scanned.result.failed


def evidence(office: Office, name: str) -> Path:
    path = office.workspace.root / f"{name}.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = f"查詢紀錄佐證 {name}"
        pdf.save(path)
    return path


def mark_and_submit(office: Office, period: str, unit: str, marker: str) -> None:
    """Every case of ``unit``'s current draw marked 是 with one evidence file, submitted."""
    ws, db = office.workspace, office.db
    for case in spot_check.mark_sheet(db, period, unit).sample.cases:
        spot_check.mark_case(ws, db, period, unit, case.no, "是", "", actor=marker)
        upload = evidence(office, f"{unit}-{period}-{case.no}")
        spot_check.attach_evidence(ws, db, period, unit, case.no, upload, "e.pdf", actor=marker)
    spot_check.submit_marks(ws, db, period, unit, actor=marker)


def approved_unit(office: Office, unit: str) -> str:
    """``unit``'s October results submitted and approved; the 附件4's record ID."""
    mark_and_submit(office, MONTH, unit, "super1")
    spot_check.approve_results(
        office.workspace, office.db, MONTH, unit, approved_by="Test director", actor="director1"
    )
    return spot_check.mark_sheet(office.db, MONTH, unit).record_id


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def post(client: FlaskClient, url: str) -> int:
    token = csrf_token(client.get("/password").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token}).status_code


def test_the_monthly_package_from_the_page(clients: dict[str, FlaskClient], office: Office) -> None:
    spot = f"/spot-check?month={MONTH}"
    build_url = f"/spot-check/{MONTH}/{SUPERVISED_UNIT}/package"
    record_id = approved_unit(office, SUPERVISED_UNIT)
    file_the_inbox(office)  # the evidence; the scan is not back yet
    before = page(clients["admin"], spot)
    assert "signed scan not back yet" in before and "build-package" not in before
    assert post(clients["admin"], build_url) == 302
    refused = page(clients["admin"], spot)
    assert "Not built:" in refused and "signed colour scan of 附件4" in refused

    scan_pdf(office.workspace.archive_root / "inbox" / "掃描.pdf", record_id)
    file_the_inbox(office)
    assert 'class="build-package"' in page(clients["admin"], spot)
    for role in ("director", "auditor", "supervisor"):  # they see it back, without the button
        seen = page(clients[role], spot)
        assert "signed scan filed" in seen and "build-package" not in seen, role
    for role in ("supervisor", "director", "auditor", "archivist"):
        assert post(clients[role], build_url) == 403, role
    assert clients["admin"].post(build_url).status_code == 400  # no CSRF token
    inbox = office.workspace.archive_root / "inbox" / f"{MONTH}_{SUPERVISED_UNIT}.pdf"
    assert not inbox.exists()

    assert post(clients["admin"], build_url) == 302
    built = page(clients["admin"], spot)
    assert f"Built the package {inbox.name} (version 1)" in built
    assert "waits in the inbox to be filed" in built and 'class="build-package"' not in built
    meta = read_pdf_metadata(inbox)
    assert meta is not None and (meta.unit, meta.period) == (SUPERVISED_UNIT, MONTH)
    assert meta.review_date == date.today().isoformat()
    assert journal_entries(office, "package returned scans")[-1]["details"]["user"] == "admin1"  # type: ignore[index]

    file_the_inbox(office)
    filed = page(clients["admin"], spot)
    assert "package F-" in filed and 'class="build-package"' not in filed  # nothing new
    package_id = filed.split("package F-")[1].split("<")[0]
    assert page(clients["archivist"], f"/records/F-{package_id}")


def test_the_half_year_package_from_the_page(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    ws, db = office.workspace, office.db
    half = f"/half-year?half={HALF}"
    draw_sample(ws, db, parse_period(HALF), partial=True, actor="auditor1")
    mark_and_submit(office, HALF, WHOLE, "auditor1")
    fill_half_year_record(
        ws, db, parse_period(HALF), ["符合"] * 7, today=date.today(), by="ethics1"
    )
    assert "signed scan not back yet" in page(clients["auditor"], half)
    approve_half_year(
        ws, db, parse_period(HALF), approved_by="Test director", actor="director1",
        today=date.today(),
    )  # fmt: skip
    form4 = spot_check.mark_sheet(db, HALF, WHOLE).record_id
    inbox = ws.archive_root / "inbox"
    scan_pdf(inbox / "半年抽查掃描.pdf", form4)
    file_the_inbox(office)
    assert "build-package" not in page(clients["auditor"], half)  # 附件5 not back yet
    scan_pdf(inbox / "稽核紀錄表掃描.pdf", latest_record(ws, HALF))
    file_the_inbox(office)
    assert 'class="build-package"' in page(clients["auditor"], half)
    assert "build-package" not in page(clients["ethics"], half)
    assert post(clients["ethics"], f"/half-year/{HALF}/package") == 403
    assert post(clients["archivist"], f"/half-year/{HALF}/package") == 403
    assert post(clients["auditor"], f"/half-year/{HALF}/package") == 302
    output = ws.root / "out" / "packages" / f"{HALF}_{WHOLE}.pdf"
    with pikepdf.open(output) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == ["附件4 案件抽查表", "附件5 稽核紀錄表"]
        cases = len(outline.root[0].children)
        assert len(pdf.pages) == 4 + cases
    meta = read_pdf_metadata(output)
    assert meta is not None
    assert (meta.category, meta.period, meta.unit) == ("half_year_audit", HALF, WHOLE)
    assert meta.review_date == date.today().isoformat()  # R6.3: the director's review


def test_one_click_in_the_browser(browser: object, live_server: str, office: Office) -> None:
    record_id = approved_unit(office, OTHER_UNIT)
    scan_pdf(office.workspace.archive_root / "inbox" / "掃描-企劃室.pdf", record_id)
    file_the_inbox(office)
    shots = artifact_dir("web-scan-package")
    person = browser_sign_in(browser, live_server, "admin1")
    person.goto(f"{live_server}/spot-check?month={MONTH}")
    row = person.locator("#progress tr", has_text=OTHER_UNIT)
    row.locator("button.build-package").click()
    person.wait_for_selector(".flash")
    assert "Built the package" in person.inner_text(".flash")
    person.screenshot(path=str(shots / "built.png"), full_page=True)
    assert (office.workspace.archive_root / "inbox" / f"{MONTH}_{OTHER_UNIT}.pdf").is_file()
    person.context.close()
