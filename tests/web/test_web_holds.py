"""Holds placed and released in the browser with a reason (ISSUE 13 item 4): the same
hold file, index and journal as ``docgen archive hold|release``; a held record is not
a destruction candidate."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from docgen.archive.disposal import destruction_candidates
from docgen.db.models.archive import Hold
from tests.web.conftest import Office, csrf_token, file_old_monthly_check, journal_entries


def post(client: FlaskClient, url: str, reason: str) -> str:
    token = csrf_token(client.get("/password").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "reason": reason})
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_hold_is_placed_and_released_with_its_reason(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    record_id = file_old_monthly_check(office)
    assert record_id in destruction_candidates(office.workspace, date.today())
    archivist = clients["archivist"]
    page = post(archivist, f"/records/{record_id}/hold", "  ")
    assert "say why" in page
    page = post(archivist, f"/records/{record_id}/hold", "訴訟保全 北市市企字第1150001234號")
    assert f"{record_id} is on hold." in page and 'id="release"' in page
    assert record_id not in destruction_candidates(office.workspace, date.today())
    assert (office.workspace.archive_root / "records" / ".holds" / f"{record_id}.json").is_file()
    page = post(clients["director"], f"/records/{record_id}/release", "訴訟終結")
    assert f"{record_id} is released from its hold." in page
    released = journal_entries(office, "archive release")[-1]["details"]
    assert released["release_reason"] == "訴訟終結"  # type: ignore[index]
    with office.db.session() as session:
        (hold,) = session.scalars(select(Hold).where(Hold.record_id == record_id))
        assert hold.released_at is not None and hold.placed_by == "Test archivist"
    for role in ("supervisor", "admin", "auditor", "clerk"):
        token = csrf_token(clients[role].get("/password").get_data(as_text=True))
        url = f"/records/{record_id}/hold"
        assert clients[role].post(url, data={"csrf_token": token, "reason": "x"}).status_code == 403
