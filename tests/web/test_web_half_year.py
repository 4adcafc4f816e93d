"""The half-year audit in the browser (ISSUE 13 item 2; R6.3–R6.5), over HTTP on the
example office: the auditor draws the tiered sample of 2026-H2 (the months there are),
the auditors mark and submit its cases, record a finding and close it, fill 附件5 with
their results and the finding, and the director reviews the half's 附件4 and 附件5."""

from __future__ import annotations

from docx import Document
from flask.testing import FlaskClient
from sqlalchemy import select

from docgen.db.models.audit import RecordReview
from docgen.services.half_year import findings_of
from docgen.services.spot_check import mark_sheet
from tests.web.conftest import Office, csrf_token, journal_entries

HALF = "2026-H2"
WHOLE = "全處"


def post(client: FlaskClient, url: str, **data: str) -> str:
    token = csrf_token(client.get("/password").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 302, (url, response.status_code)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_half_year_audit_from_the_sample_to_the_directors_review(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    auditor, ethics, director = clients["auditor"], clients["ethics"], clients["director"]
    page = post(auditor, "/half-year/draw", half=HALF)
    assert "Not drawn:" in page and "--partial" in page  # 2026-H2 lacks months
    page = post(auditor, "/half-year/draw", half=HALF, partial="1")
    assert "全處: draw 1" in page and "Drawn without the queries of" in page
    sheet = mark_sheet(office.db, HALF, WHOLE)
    cases = [c.no for c in sheet.sample.cases]
    assert len(cases) >= 10
    for no in cases:
        answer = "否" if no == cases[0] else "是"
        remark = "查無公文" if answer == "否" else ""
        by = auditor if no % 2 else ethics  # the auditors with the ethics officer
        post(by, f"/half-year/{HALF}/cases/{no}", consistent=answer, remark=remark)
    for role in ("supervisor", "director", "admin"):
        token = csrf_token(clients[role].get("/password").get_data(as_text=True))
        url = f"/half-year/{HALF}/cases/{cases[0]}"
        assert clients[role].post(url, data={"csrf_token": token}).status_code == 403, role
    page = post(auditor, f"/half-year/{HALF}/submit")
    assert "Submitted: the completed 附件4" in page

    page = post(
        auditor,
        f"/half-year/{HALF}/findings",
        finding="一般使用者 adm06 兼任稽核人員",
        action="調整職務分工",
        owner="企劃室",
        due="2027-01-31",
    )
    assert "Finding 1 recorded." in page
    page = post(ethics, "/half-year/findings/1/close", half=HALF, note="已調整")
    assert "Finding 1 closed." in page
    (finding,) = findings_of(office.db, HALF)
    assert finding.state == "closed" and finding.closed_by == "ethics1"

    results = {f"result-{i}": "符合" for i in range(1, 8)} | {"result-3": "不符合"}
    page = post(auditor, f"/half-year/{HALF}/record", **results)
    assert "附件5 DG-5-" in page
    filled = journal_entries(office, "audit record")[-1]
    document = Document(str(office.workspace.root / filled["outputs"][0]["path"]))  # type: ignore[index]
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "不符合" in text and "調整職務分工" in text
    assert "The colour scans go to 民政局 by" in page

    page = post(director, f"/half-year/{HALF}/approve")
    assert "Approved:" in page
    with office.db.session() as session:
        reviewed = {r.record_id for r in session.scalars(select(RecordReview))}
    assert str(filled["details"]["record_id"]) in reviewed  # type: ignore[index]
    assert mark_sheet(office.db, HALF, WHOLE).approved_on is not None

    # The half is reviewed once, and only on its own page.
    page = post(director, f"/half-year/{HALF}/approve")
    assert "reviewed on" in page and "already" in page
    token = csrf_token(director.get("/password").get_data(as_text=True))
    response = director.post(f"/samples/{HALF}/{WHOLE}/approve", data={"csrf_token": token})
    assert response.status_code == 404  # the month's route takes months only


def test_the_checklist_links_only_to_pages_the_person_may_open(
    clients: dict[str, FlaskClient],
) -> None:
    review = 'href="/accounts/review"'
    assert review in clients["auditor"].get(f"/half-year?half={HALF}").get_data(as_text=True)
    page = clients["ethics"].get(f"/half-year?half={HALF}").get_data(as_text=True)
    assert 'id="checklist"' in page and review not in page
    assert 'href="/reports/missing' in page  # what the 政風人員 may open stays linked
    assert clients["ethics"].get("/accounts/review").status_code == 403
