"""The permission table (docs/permissions.md ↔ docgen/web/permissions.py), enforced
for every page × role, and a supervisor kept to their own unit whatever the URL says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from docgen.web.permissions import ENDPOINTS, PAGES, PUBLIC, SUPERVISOR
from tests.web.conftest import OTHER_UNIT, ROLE_USERS, SUPERVISED_UNIT, Office, journal_entries

ROOT = Path(__file__).resolve().parents[2]
ROLES = list(ROLE_USERS)
#: Each page's URL.
URLS = {
    "dashboard": "/",
    "obligations": "/obligations",
    "obligations-download": "/obligations/download?format=csv",
    "accounts": "/accounts",
    "account-requests": "/accounts/requests",
    "account-review": "/accounts/review",
    "queries": "/queries",
    "samples": f"/samples/2026-10/{SUPERVISED_UNIT}",
    "spot-check": "/spot-check?month=2026-10",
    "half-year": "/half-year?half=2026-H2",
    "reports": "/reports/",
    "report-missing": "/reports/missing/download?format=xlsx",
    "report-retention": "/reports/retention/download?format=csv",
    "report-fixity": "/reports/fixity",
    "report-unclassified": "/reports/unclassified/download?format=csv",
    "report-evidence": "/reports/evidence?period=2026-10",
    "records": "/records/",
    "record-file": "RECORD-FILE",  # a file of a record of the supervised unit (found below)
    "destruction": "/destruction",
    "inbox": "/archive/inbox",
    "journal": "/journal",
    "users": "/users",
    "calendar-feed": "/calendar",
    "password": "/password",
}
#: What the regulation's division of duties gives each role (written out here, not
#: read from the table, so that a change of the table must change this too).
REFUSED = {
    ("clerk", "accounts"),
    ("archivist", "accounts"),
    *((role, "account-requests") for role in ("clerk", "supervisor", "ethics", "archivist")),
    *((role, "account-review") for role in ("clerk", "supervisor", "ethics", "archivist")),
    ("archivist", "queries"),
    ("archivist", "samples"),
    ("clerk", "spot-check"),
    *((role, "half-year") for role in ("clerk", "supervisor", "archivist")),
    ("archivist", "spot-check"),
    ("clerk", "report-retention"),
    ("supervisor", "report-retention"),
    ("clerk", "report-fixity"),
    ("supervisor", "report-fixity"),
    ("ethics", "report-fixity"),
    ("supervisor", "report-unclassified"),
    ("auditor", "report-unclassified"),
    ("ethics", "report-unclassified"),
    ("archivist", "report-evidence"),
    ("admin", "record-file"),
    ("clerk", "destruction"),
    *((role, "inbox") for role in ("clerk", "supervisor", "auditor", "ethics")),
    ("supervisor", "destruction"),
    ("clerk", "journal"),
    ("supervisor", "journal"),
    *((role, "users") for role in ROLES if role != "admin"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(URLS))
def test_each_role_may_open_exactly_its_pages(
    clients: dict[str, FlaskClient], office: Office, role: str, page: str
) -> None:
    url = record_file_url(office, SUPERVISED_UNIT) if page == "record-file" else URLS[page]
    response = clients[role].get(url)
    if (role, page) in REFUSED:
        assert response.status_code == 403
        assert "You may not open this page" in response.get_data(as_text=True)
    else:
        assert response.status_code == 200, response.get_data(as_text=True)[:500]


def record_file_url(office: Office, unit: str) -> str:
    """The download URL of the first file of a filed record of ``unit``."""
    from sqlalchemy import select

    from docgen.db.models.archive import File, Record

    with office.db.session() as session:
        found = session.execute(
            select(File.id, File.record_id)
            .join(Record, Record.record_id == File.record_id)
            .where(Record.unit == unit, File.status == "filed", File.kind == "document")
            .order_by(File.id)
        ).first()
    assert found is not None, unit
    return f"/records/{found.record_id}/files/{found.id}"


@pytest.mark.parametrize("url", [*URLS.values(), "/no-such-page-x"])
def test_nothing_opens_without_signing_in(app: Flask, office: Office, url: str) -> None:
    if url == "RECORD-FILE":
        url = record_file_url(office, SUPERVISED_UNIT)
    response = app.test_client().get(url)
    if url == "/no-such-page-x":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")


def test_every_endpoint_is_public_or_in_the_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC == set(ENDPOINTS)
    assert set(ENDPOINTS.values()) == set(PAGES)


def _documented() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        found = re.match(r"\|[^|]*\| `([a-z-]+)` \|(.*)\|\s*$", line)
        if found:
            rows[found.group(1)] = [cell.strip() for cell in found.group(2).split("|")]
    return rows


def test_the_documented_table_is_the_enforced_one() -> None:
    documented = _documented()
    assert set(documented) == set(PAGES)
    for key, page in PAGES.items():
        cells = documented[key]
        for role, cell in zip(ROLES, cells, strict=False):
            if role not in page.roles:
                expected = "—"
            elif role == SUPERVISOR and page.scoped:
                expected = "own unit"
            else:
                expected = "✓"
            assert cell == expected, (key, role)
        assert cells[len(ROLES)] == ("yes" if page.case_data else "no"), key


def test_a_supervisor_asking_for_another_unit_is_refused_and_journalled(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    before = len(journal_entries(office, "web refused"))
    urls = (
        f"/obligations?unit={OTHER_UNIT}",
        f"/obligations/download?format=xlsx&unit={OTHER_UNIT}",
        f"/accounts?unit={OTHER_UNIT}",
        f"/?unit={OTHER_UNIT}",
        f"/samples/2026-10/{OTHER_UNIT}",
        f"/samples?unit={OTHER_UNIT}",
        f"/queries?unit={OTHER_UNIT}&month=2026-10",
        f"/reports/missing/download?format=csv&unit={OTHER_UNIT}",
        f"/reports/evidence?period=2026-10&unit={OTHER_UNIT}",
        f"/records/?unit={OTHER_UNIT}",
        record_file_url(office, OTHER_UNIT),
        record_file_url(office, OTHER_UNIT).split("/files/")[0],
    )
    for url in urls:
        assert clients["supervisor"].get(url).status_code == 403, url
    refused = journal_entries(office, "web refused")[before:]
    assert len(refused) == len(urls)
    assert all(e["details"]["user"] == "super1" for e in refused)  # type: ignore[index]
    assert {e["details"]["unit"] for e in refused} == {OTHER_UNIT}  # type: ignore[index]


def test_a_supervisor_sees_only_their_unit(clients: dict[str, FlaskClient]) -> None:
    page = clients["supervisor"].get("/accounts").get_data(as_text=True)
    assert SUPERVISED_UNIT in page and "攤販管理科" not in page.split('id="accounts"')[1]
    obligations = clients["supervisor"].get("/obligations").get_data(as_text=True)
    table = obligations.split('id="obligations"')[1]
    assert SUPERVISED_UNIT in table and OTHER_UNIT not in table
    own = clients["supervisor"].get(f"/obligations?unit={SUPERVISED_UNIT}")
    assert own.status_code == 200


def test_an_office_wide_role_may_choose_a_unit(clients: dict[str, FlaskClient]) -> None:
    page = clients["auditor"].get(f"/obligations?unit={OTHER_UNIT}").get_data(as_text=True)
    table = page.split('id="obligations"')[1]
    assert OTHER_UNIT in table and SUPERVISED_UNIT not in table


def test_views_and_downloads_of_case_data_are_journalled(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    views = len(journal_entries(office, "web view"))
    clients["auditor"].get("/accounts")
    entry = journal_entries(office, "web view")[views]
    assert entry["details"] == {"user": "auditor1", "page": "accounts"}
    clients["clerk"].get("/obligations/download?format=xlsx")
    download = journal_entries(office, "web download")[-1]
    details = download["details"]
    assert isinstance(details, dict)
    assert details["user"] == "clerk1" and details["format"] == "xlsx"
    assert len(details["sha256"]) == 64


def test_the_navigation_shows_only_what_the_role_may_open(
    clients: dict[str, FlaskClient],
) -> None:
    clerk = clients["clerk"].get("/").get_data(as_text=True)
    assert 'href="/accounts"' not in clerk and 'href="/users"' not in clerk
    admin = clients["admin"].get("/").get_data(as_text=True)
    assert 'href="/accounts"' in admin and 'href="/users"' in admin
