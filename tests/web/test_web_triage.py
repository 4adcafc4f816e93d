"""Triage of an unclassified file in the browser (ISSUE 13 item 4): the 檔管人員 says
what it is; it goes back through the inbox with that sidecar and the archive files it
under its retention — the unclassified copy kept as its duplicate."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from flask.testing import FlaskClient
from sqlalchemy import select

from docgen.config import open_workspace
from docgen.db.models.archive import File, Record
from docgen.services.archive import file_inbox
from tests.web.conftest import Office, csrf_token, journal_entries


def scan(office: Office) -> None:
    workspace = open_workspace(
        office.workspace.root, environ={"DOCGEN_ARCHIVE_STABLE_SECONDS": "0"}
    )
    file_inbox(workspace, 0)


def test_an_unclassified_file_is_filed_as_the_archivist_says(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path
) -> None:
    inbox = office.workspace.archive_root / "inbox"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = "a scan nobody named"
        pdf.save(inbox / "掃描0001.pdf")
    scan(office)
    with office.db.session() as session:
        (unclassified,) = session.scalars(
            select(Record.record_id)
            .join(File, File.record_id == Record.record_id)
            .where(File.original_name == "掃描0001.pdf", Record.status == "unclassified")
        )
    archivist = clients["archivist"]
    page = archivist.get(f"/records/{unclassified}").get_data(as_text=True)
    assert 'id="classify-form"' in page
    assert 'id="classify-form"' not in clients["auditor"].get(f"/records/{unclassified}").get_data(
        as_text=True
    )
    data = {
        "csrf_token": csrf_token(page),
        "category": "monthly_check",
        "period": "2026-10",
        "unit": "企劃室",
        "title": "企劃室 2026-10 月抽查 佐證",
    }
    bad = archivist.post(f"/records/{unclassified}/classify", data={**data, "period": "../x"})
    assert bad.status_code == 302
    assert "period" in archivist.get(f"/records/{unclassified}").get_data(as_text=True)
    assert not (inbox / "分類").exists()
    response = archivist.post(f"/records/{unclassified}/classify", data=data)
    assert response.status_code == 302
    assert (inbox / "分類" / f"{unclassified}_掃描0001.pdf").is_file()
    assert journal_entries(office, "archive classify")[-1]["details"]["user"] == "archive1"  # type: ignore[index]
    scan(office)
    with office.db.session() as session:
        filed = session.execute(
            select(Record.category, Record.period, Record.unit, Record.status)
            .join(File, File.record_id == Record.record_id)
            .where(
                File.original_name == f"分類/{unclassified}_掃描0001.pdf", File.kind == "document"
            )
        ).all()
        gone = session.get(Record, unclassified)
        kept = session.scalars(select(File.path).where(File.original_name == "掃描0001.pdf")).all()
    assert filed == [("monthly_check", "2026-10", "企劃室", "filed")], filed
    assert gone is None  # absorbed into the record it now is …
    assert kept and all((office.workspace.archive_root / p).is_file() for p in kept)  # … kept
    own = csrf_token(clients["supervisor"].get("/password").get_data(as_text=True))
    url = f"/records/{unclassified}/classify"
    assert clients["supervisor"].post(url, data={**data, "csrf_token": own}).status_code == 403


def test_a_stray_file_is_rejected_as_no_record_with_the_reason(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    inbox = office.workspace.archive_root / "inbox"
    (inbox / "購物清單.txt").write_text("milk, eggs", encoding="utf-8")
    scan(office)
    with office.db.session() as session:
        (stray,) = session.scalars(
            select(File.record_id).where(File.original_name == "購物清單.txt")
        )
    archivist, url = clients["archivist"], f"/records/{stray}"
    assert "購物清單" in archivist.get("/reports/unclassified").get_data(as_text=True)
    page = archivist.get(url).get_data(as_text=True)
    assert 'id="reject-form"' in page and 'id="classify-form"' in page
    assert 'id="reject-form"' not in clients["director"].get(url).get_data(as_text=True)
    token = csrf_token(page)
    assert (
        archivist.post(f"{url}/reject", data={"reason": "personal"}).status_code == 400
    )  # no CSRF
    archivist.post(f"{url}/reject", data={"csrf_token": token, "reason": "  "})
    assert "say why" in archivist.get(url).get_data(as_text=True)
    own = csrf_token(clients["director"].get("/password").get_data(as_text=True))
    refused = clients["director"].post(f"{url}/reject", data={"csrf_token": own, "reason": "x"})
    assert refused.status_code == 403
    with office.db.session() as session:
        assert session.get(Record, stray).status == "unclassified"  # type: ignore[union-attr]
    done = archivist.post(f"{url}/reject", data={"csrf_token": token, "reason": "a shopping list"})
    assert done.status_code == 302
    page = archivist.get(url).get_data(as_text=True)
    assert "is rejected as no record" in page and "a shopping list" in page
    assert 'id="reject-form"' not in page and 'id="classify-form"' in page  # still classifiable
    with office.db.session() as session:
        assert session.get(Record, stray).status == "rejected"  # type: ignore[union-attr]
    listed = archivist.get("/reports/unclassified").get_data(as_text=True)
    assert "購物清單" not in listed
    assert journal_entries(office, "archive reject")[-1]["details"]["user"] == "archive1"  # type: ignore[index]
    search = archivist.get("/records/?status=rejected").get_data(as_text=True)
    assert stray in search
