"""The inbox in the browser (ISSUE 13 item 4): what waits is listed (IDs in names
masked); the 檔管人員 files it now with one pass of the archive, the same as
``docgen archive scan``."""

from __future__ import annotations

import os

import pikepdf
from flask.testing import FlaskClient

from tests.web.conftest import Office, csrf_token, journal_entries


def test_what_waits_is_listed_and_filed_on_request(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    inbox = office.workspace.archive_root / "inbox"
    waiting = inbox / "掃描_A123456789_公文.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(waiting)
    old = waiting.stat().st_mtime - 3600
    os.utime(waiting, (old, old))  # written an hour ago: stable
    (
        inbox / "bad name \udcff.pdf".encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    ).write_bytes(b"")
    archivist = clients["archivist"]
    page = archivist.get("/archive/inbox").get_data(as_text=True)
    assert "掃描_A12345****_公文.pdf" in page and "A123456789" not in page
    assert 'id="scan"' in page and 'id="scan"' not in clients["director"].get(
        "/archive/inbox"
    ).get_data(as_text=True)
    token = csrf_token(page)
    response = archivist.post("/archive/inbox/scan", data={"csrf_token": token})
    assert response.status_code == 302
    page = archivist.get("/archive/inbox").get_data(as_text=True)
    assert "files filed" in page
    assert (
        "掃描_A12345****_公文.pdf" not in page.split('id="waiting"')[-1]
        or 'id="waiting"' not in page
    )
    assert not waiting.exists()
    assert journal_entries(office, "archive scan")
    token = csrf_token(clients["admin"].get("/password").get_data(as_text=True))
    assert (
        clients["admin"].post("/archive/inbox/scan", data={"csrf_token": token}).status_code == 403
    )
