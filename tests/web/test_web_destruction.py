"""Destruction lists (ISSUE 13 item 4): proposed by the 檔管人員, approved with a 文號
by the 處長或授權人員 — never the person who proposed it — and disposed of, never by
the approver; on the office's real archive and database."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from docgen.db.models.archive import Record
from docgen.errors import InputError
from docgen.services import destruction
from docgen.services.destruction import Person
from tests.web.conftest import Office, csrf_token, file_old_monthly_check, journal_entries

ARCHIVIST = Person("archive1", "秘書室 郭淑惠")
DIRECTOR = Person("director1", "處長 林志明")
REFERENCE = "北市市企字第1150012345號"


@pytest.fixture(scope="module")
def old_record(office: Office) -> str:
    return file_old_monthly_check(office)


def test_a_list_is_proposed_approved_by_another_and_disposed(
    office: Office, old_record: str, clients: dict[str, FlaskClient]
) -> None:
    ws, db = office.workspace, office.db
    proposed = destruction.propose_destruction(ws, db, date.today(), by=ARCHIVIST)
    assert old_record in proposed.record_ids and proposed.state == "proposed"
    with pytest.raises(InputError, match="not disposed"):
        destruction.disposal_record(ws, db, proposed.id)
    url = f"/destruction/{proposed.id}/record?format=xlsx"
    assert clients["archivist"].get(url).status_code == 302  # nothing to print yet
    with pytest.raises(InputError, match="is still open"):
        destruction.propose_destruction(ws, db, date.today(), by=ARCHIVIST)
    with pytest.raises(InputError, match="may not approve it"):
        destruction.approve_destruction(ws, db, proposed.id, REFERENCE, by=ARCHIVIST)
    same_name = Person("director1", " 秘書室  郭淑惠 ")
    with pytest.raises(InputError, match="may not approve it"):
        destruction.approve_destruction(ws, db, proposed.id, REFERENCE, by=same_name)
    with pytest.raises(InputError, match="not an official document number"):
        destruction.approve_destruction(ws, db, proposed.id, "第12號", by=DIRECTOR)
    with pytest.raises(InputError, match="is proposed, awaiting approval, not approved"):
        destruction.dispose_destruction(ws, db, proposed.id, by=ARCHIVIST)
    approved = destruction.approve_destruction(ws, db, proposed.id, REFERENCE, by=DIRECTOR)
    assert (approved.state, approved.approval) == ("approved", REFERENCE)
    with pytest.raises(InputError, match="may not also dispose"):
        destruction.dispose_destruction(ws, db, proposed.id, by=DIRECTOR)
    result = destruction.dispose_destruction(ws, db, proposed.id, by=ARCHIVIST)
    assert old_record in [d.record_id for d in result.disposed]
    with db.session() as session:
        record = session.get(Record, old_record)
        assert record is not None and record.status == "disposed"
    (done,) = [d for d in destruction.destruction_lists(db) if d.id == proposed.id]
    assert done.state == "disposed" and done.plan_id == result.plan_id
    steps = [e["command"] for e in journal_entries(office, "destruction propose")]
    steps += [e["command"] for e in journal_entries(office, "destruction approve")]
    steps += [e["command"] for e in journal_entries(office, "destruction dispose")]
    assert steps == ["destruction propose", "destruction approve", "destruction dispose"]
    stone = journal_entries(office, "archive dispose")[-1]["details"]
    assert REFERENCE in str(stone) and "處長 林志明" in str(stone)
    with pytest.raises(InputError, match="no record may be disposed of"):
        destruction.propose_destruction(ws, db, date.today(), by=ARCHIVIST)

    # The printable disposal record: what the list's plan disposed of, under which 文號.
    assert f'id="record-{proposed.id}-xlsx"' in clients["auditor"].get("/destruction").get_data(
        as_text=True
    )
    response = clients["auditor"].get(url)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert old_record in cells and REFERENCE in " ".join(cells)
    assert "處長 林志明" in " ".join(cells) and result.plan_id in " ".join(cells)
    assert journal_entries(office, "web download")[-1]["details"]["destruction_list"] == proposed.id  # type: ignore[index]
    assert clients["clerk"].get(url).status_code == 403


def test_each_step_is_its_roles_only(clients: dict[str, FlaskClient]) -> None:
    def post(role: str, url: str, **data: str) -> int:
        token = csrf_token(clients[role].get("/password").get_data(as_text=True))
        return clients[role].post(url, data={"csrf_token": token, **data}).status_code

    for role in ("director", "admin", "auditor", "supervisor", "clerk"):
        assert post(role, "/destruction/propose") == 403, role
    for role in ("archivist", "admin", "auditor", "ethics"):
        assert post(role, "/destruction/1/approve", approval=REFERENCE) == 403, role
    for role in ("director", "admin", "auditor"):
        assert post(role, "/destruction/1/dispose") == 403, role
    assert clients["supervisor"].get("/destruction").status_code == 403
    assert clients["auditor"].get("/destruction").status_code == 200
