"""The monthly spot check's actions over HTTP (ISSUE 13 items 1 and 5): each role
may do only its step, a supervisor only for their own unit whatever the URL says,
evidence is sent back only as a download, and hostile uploads are refused on the
page with nothing written."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from flask.testing import FlaskClient

from docgen.services import spot_check
from tests.hostile import generate
from tests.web.conftest import OTHER_UNIT, SUPERVISED_UNIT, Office, csrf_token, journal_entries

MONTH = "2026-10"


def token(client: FlaskClient, url: str = "/password") -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


def pdf_bytes(tmp_path: Path, title: str = "evidence") -> bytes:
    path = tmp_path / f"{title}.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = title
        pdf.save(path)
    return path.read_bytes()


def mark(
    client: FlaskClient, unit: str, no: int = 1, answer: str = "是", evidence: bytes | None = None
) -> object:
    data: dict[str, object] = {"csrf_token": token(client), "consistent": answer, "remark": ""}
    if evidence is not None:
        from io import BytesIO

        data["evidence"] = (BytesIO(evidence), "scan.pdf")
    return client.post(
        f"/samples/{MONTH}/{unit}/cases/{no}", data=data, content_type="multipart/form-data"
    )


def test_a_supervisor_marks_their_own_units_case_with_evidence(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path
) -> None:
    evidence = pdf_bytes(tmp_path)
    response = mark(clients["supervisor"], SUPERVISED_UNIT, 1, "是", evidence)
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = clients["supervisor"].get(f"/samples/{MONTH}/{SUPERVISED_UNIT}").get_data(as_text=True)
    assert "Case 序號 1 saved." in page and 'id="case-1-yes" checked' in page
    entry = spot_check.mark_sheet(office.db, MONTH, SUPERVISED_UNIT).entries[1]
    assert entry.consistent == "是" and entry.marked_by == "super1"
    (name,) = entry.evidence
    download = clients["supervisor"].get(
        f"/samples/{MONTH}/{SUPERVISED_UNIT}/cases/1/evidence/{name}"
    )
    assert download.status_code == 200 and download.data == evidence
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Content-Security-Policy"].startswith("sandbox")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert journal_entries(office, "web download")[-1]["details"]["file"] == name  # type: ignore[index]
    assert (
        clients["auditor"]
        .get(f"/samples/{MONTH}/{SUPERVISED_UNIT}/cases/1/evidence/{name}")
        .status_code
        == 200
    )


def test_only_the_units_supervisor_marks_and_only_the_director_approves(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    before = len(journal_entries(office, "web refused"))
    assert mark(clients["supervisor"], OTHER_UNIT).status_code == 403  # type: ignore[attr-defined]
    for role in ("admin", "director", "auditor", "ethics", "clerk", "archivist"):
        assert mark(clients[role], SUPERVISED_UNIT).status_code == 403, role  # type: ignore[attr-defined]
    submit = {"csrf_token": token(clients["supervisor"])}
    assert (
        clients["supervisor"].post(f"/samples/{MONTH}/{OTHER_UNIT}/submit", data=submit).status_code
        == 403
    )
    for role in ("admin", "supervisor", "auditor"):
        data = {"csrf_token": token(clients[role])}
        url = f"/samples/{MONTH}/{SUPERVISED_UNIT}/approve"
        assert clients[role].post(url, data=data).status_code == 403, role
    for role in ("supervisor", "director", "auditor"):
        data = {"csrf_token": token(clients[role]), "month": MONTH}
        assert clients[role].post("/spot-check/draw", data=data).status_code == 403, role
    refused = journal_entries(office, "web refused")[before:]
    assert len(refused) == 1 + 6 + 1 + 3 + 3
    assert refused[0]["details"] == {
        "user": "super1",
        "page": "spot-check-mark",
        "unit": OTHER_UNIT,
    }
    assert OTHER_UNIT not in {
        str(e) for e in spot_check.mark_sheet(office.db, MONTH, OTHER_UNIT).entries
    }


def test_another_units_evidence_is_refused_by_url(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path
) -> None:
    upload = tmp_path / "other.pdf"
    upload.write_bytes(pdf_bytes(tmp_path, "other unit"))
    name = spot_check.attach_evidence(
        office.workspace, office.db, MONTH, OTHER_UNIT, 1, upload, "x.pdf", actor="tests"
    )
    url = f"/samples/{MONTH}/{OTHER_UNIT}/cases/1/evidence/{name}"
    assert clients["supervisor"].get(url).status_code == 403
    assert clients["auditor"].get(url).status_code == 200
    for wrong in (f"{name}x", "..%2F..%2Fdocgen.toml", "%2E%2E"):
        assert clients["auditor"].get(url.replace(name, wrong)).status_code == 404, wrong
    assert clients["auditor"].get(url.replace("/cases/1/", "/cases/2/")).status_code == 404


def test_a_hostile_evidence_upload_is_refused_on_the_page(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path
) -> None:
    inbox = office.workspace.archive_root / "inbox"
    before = sorted(p.name for p in inbox.iterdir())
    bomb = generate.xlsx_bomb(tmp_path / "bomb.pdf").read_bytes()
    for data in (b"<html><script>alert(1)</script></html>", bomb):
        response = mark(clients["supervisor"], SUPERVISED_UNIT, 2, "是", data)
        assert response.status_code == 302  # type: ignore[attr-defined]
        page = (
            clients["supervisor"].get(f"/samples/{MONTH}/{SUPERVISED_UNIT}").get_data(as_text=True)
        )
        assert "scan.pdf: evidence must be a PDF, JPEG or PNG file" in page
    assert sorted(p.name for p in inbox.iterdir()) == before


def test_an_evidence_file_over_the_limit_is_refused(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("docgen.web.spot_check.MAX_EVIDENCE_BYTES", 100)
    mark(clients["supervisor"], SUPERVISED_UNIT, 3, "是", pdf_bytes(tmp_path, "big"))
    page = clients["supervisor"].get(f"/samples/{MONTH}/{SUPERVISED_UNIT}").get_data(as_text=True)
    assert "scan.pdf: larger than" in page
    assert not any(
        p.name.startswith(".") for p in (office.workspace.state_dir / "uploads").iterdir()
    )
    assert not list((office.workspace.state_dir / "uploads").iterdir())


def test_a_hostile_log_upload_is_refused_and_nothing_is_placed(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path
) -> None:
    from io import BytesIO

    admin = clients["admin"]
    folder = office.workspace.data_dir / "queries"
    for path in (
        generate.xlsx_bomb(tmp_path / "bomb.xlsx"),
        generate.billion_laughs(tmp_path / "laughs.xlsx"),
        generate.csv_with_nul(tmp_path / "nul.csv"),
    ):
        data = {
            "csrf_token": token(admin),
            "month": "2026-11",
            "log": (BytesIO(path.read_bytes()), path.name),
        }
        response = admin.post("/spot-check/upload", data=data, content_type="multipart/form-data")
        assert response.status_code == 302
        page = admin.get("/spot-check?month=2026-11").get_data(as_text=True)
        assert f"Not taken in: {path.name}" in page, page[:2000]
    assert not list(folder.glob("2026-11.*"))
