"""The hardening issue's hostile corpus against every upload form (ISSUE 13 item 5):
the month's query log and a case's evidence. Each file is refused on the page in one
line naming it as it was sent — never a server path, never a traceback — and nothing is
written: no log under ``data/queries/``, nothing in the inbox, no upload left behind."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.hostile import generate
from tests.web.conftest import SUPERVISED_UNIT, Office, csrf_token

SMALL_BOMB = 300 * 1024 * 1024  # inflates far past the bounds, still quick to build
CORPUS: dict[str, Callable[[Path], Path]] = {
    "xlsx bomb": lambda d: generate.xlsx_bomb(d / "bomb.xlsx", SMALL_BOMB),
    "docx bomb": lambda d: generate.docx_bomb(d / "bomb.docx", SMALL_BOMB),
    "lying bomb": lambda d: generate.lying_bomb(d / "lying.xlsx"),
    "bad CRC": lambda d: generate.bad_crc(d / "crc.xlsx"),
    "truncated member": lambda d: generate.truncated_member(d / "member.xlsx"),
    "truncated zip": lambda d: generate.truncated_zip(d / "cut.xlsx"),
    "member not XML": lambda d: generate.member_not_xml(d / "notxml.xlsx"),
    "billion laughs": lambda d: generate.billion_laughs(d / "laughs.xlsx"),
    "quadratic blowup": lambda d: generate.quadratic_blowup(d / "quadratic.xlsx"),
    "external entity": lambda d: generate.external_entity(d / "xxe.xlsx"),
    "wrong dimension": lambda d: generate.with_dimension(d / "dimension.xlsx", "A1:ZZ99999"),
    "NUL in a field": lambda d: generate.csv_with_nul(d / "nul.csv"),
    "huge field": lambda d: generate.csv_huge_field(d / "huge.csv", 2 * 1024 * 1024),
    "many columns": lambda d: generate.csv_many_columns(d / "wide.csv", 200_000),
    "a DOCX": lambda d: generate.docx(d / "letter.docx"),
}


def _send(client: FlaskClient, url: str, field: str, path: Path, extra: dict[str, str]) -> str:
    token = csrf_token(client.get("/password").get_data(as_text=True))
    data = {"csrf_token": token, **extra, field: (BytesIO(path.read_bytes()), path.name)}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _problem(page: str) -> str:
    start = page.index('<li class="problem">') + len('<li class="problem">')
    return page[start : page.index("</li>", start)]


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_hostile_file_is_refused_by_every_upload_form(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path, name: str
) -> None:
    path = CORPUS[name](tmp_path)
    inbox = office.workspace.archive_root / "inbox"
    uploads = office.workspace.state_dir / "uploads"
    before = sorted(inbox.rglob("*"))
    shown = _send(clients["admin"], "/spot-check/upload", "log", path, {"month": "2026-11"})
    refused = _problem(shown)
    assert path.name in refused and str(tmp_path) not in refused and "Traceback" not in shown
    assert "/data/queries/" not in refused and "\n" not in refused.strip()
    assert not list((office.workspace.data_dir / "queries").glob("2026-11.*"))
    url = f"/samples/2026-10/{SUPERVISED_UNIT}/cases/1"
    shown = _send(clients["supervisor"], url, "evidence", path, {"consistent": "是"})
    refused = _problem(shown)
    assert refused.startswith(path.name), refused
    assert sorted(inbox.rglob("*")) == before
    assert not list(uploads.iterdir())


def test_only_an_upload_form_takes_a_large_body_and_only_when_signed_in(
    app: object, clients: dict[str, FlaskClient]
) -> None:
    big = b"x" * (200 * 1024)
    anonymous = app.test_client()  # type: ignore[attr-defined]
    for url in ("/sign-in", "/spot-check/upload"):
        response = anonymous.post(url, data={"log": (BytesIO(big), "a.csv")})
        assert response.status_code == 413, url
    admin = clients["admin"]
    token = csrf_token(admin.get("/password").get_data(as_text=True))
    response = admin.post("/password", data={"csrf_token": token, "x": big.decode()})
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    data = {"csrf_token": token, "month": "2026-11", "log": (BytesIO(big), "big.csv")}
    response = admin.post("/spot-check/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 302  # taken to the intake (and refused there: not a log)
