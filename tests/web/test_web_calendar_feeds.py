"""Each person's own duties as a calendar subscription (ISSUE 13 item 6): made, shown
once, fetched without a session by its secret address, kept to the person's units
and rules, replaced or revoked (the old address 404 at once), dead for a disabled or
idle account, journalled on every fetch — and the token in neither the journal nor
the database."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from docgen.db.models.calendar_feeds import CalendarFeed
from docgen.services import users
from docgen.services.calendar_feeds import feed_user, has_feed, make_feed
from tests.web.conftest import (
    OTHER_UNIT,
    PASSWORD,
    SUPERVISED_UNIT,
    Office,
    csrf_token,
    journal_entries,
    sign_in,
)

_FEED_URL = re.compile(r'<code id="feed-url">([^<]+)</code>')


def _post(client: FlaskClient, url: str) -> tuple[int, str]:
    token = csrf_token(client.get("/calendar").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token})
    return response.status_code, response.get_data(as_text=True)


def make(client: FlaskClient) -> str:
    """Make (or replace) the signed-in person's subscription on the page; its path."""
    status, html = _post(client, "/calendar/make")
    assert status == 200, html[:500]
    found = _FEED_URL.search(html)
    assert found, html[:2000]
    url = found.group(1)
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    return urlsplit(url).path


def token_of(path: str) -> str:
    return path.removeprefix("/calendar/").removesuffix(".ics")


def fetch(app: Flask, path: str) -> Calendar:
    """The feed as a calendar program gets it: no cookie, no session."""
    response = app.test_client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> list[tuple[str, str]]:
    return [(str(e["SUMMARY"]), str(e["DESCRIPTION"])) for e in calendar.walk("VEVENT")]


def assert_secret(office: Office, token: str) -> None:
    """The token is neither in the journal nor in the database (only its SHA-256)."""
    journal = office.workspace.journal_path.read_text(encoding="utf-8")
    assert token not in journal
    with office.db.session() as session:
        rows = session.scalars(select(CalendarFeed)).all()
        stored = [(r.token_sha256, str(r.user_id), str(r.created_at)) for r in rows]
    assert all(token not in " ".join(row) for row in stored)
    assert hashlib.sha256(token.encode()).hexdigest() in {row[0] for row in stored}


def test_the_page_needs_signing_in(app: Flask) -> None:
    anonymous = app.test_client()
    response = anonymous.get("/calendar")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert anonymous.post("/calendar/make").status_code in (302, 400)
    assert anonymous.post("/calendar/revoke").status_code in (302, 400)


def test_making_needs_the_forms_token(clients: dict[str, FlaskClient]) -> None:
    assert clients["clerk"].post("/calendar/make").status_code == 400


def test_every_page_links_to_it(clients: dict[str, FlaskClient]) -> None:
    for client in clients.values():
        assert 'href="/calendar"' in client.get("/").get_data(as_text=True)


def test_a_feed_is_made_shown_once_and_fetched_without_a_session(
    app: Flask, clients: dict[str, FlaskClient], office: Office
) -> None:
    client = clients["supervisor"]
    page = client.get("/calendar").get_data(as_text=True)
    assert 'id="calendar-feeds"' in page and 'id="make-feed"' in page
    made = len(journal_entries(office, "calendar feed made"))
    path = make(client)
    token = token_of(path)
    assert len(token) == 43
    assert journal_entries(office, "calendar feed made")[made:][0]["details"] == {
        "username": "super1",
        "replaced": False,
        "by": "super1",
    }
    # Shown only on the answer to the POST: the page itself never shows it again.
    again = client.get("/calendar").get_data(as_text=True)
    assert token not in again and 'id="feed-url"' not in again
    assert 'id="revoke-feed"' in again

    fetches = len(journal_entries(office, "web calendar feed"))
    calendar = fetch(app, path)
    found = calendar.walk("VEVENT")
    assert found, "no events"
    for event in found:
        assert event.walk("VALARM"), event
        assert event.decoded("DTSTART") + timedelta(days=1) == event.decoded("DTEND")
    entry = journal_entries(office, "web calendar feed")[fetches:]
    assert len(entry) == 1
    assert entry[0]["details"]["user"] == "super1"  # type: ignore[index]
    assert entry[0]["details"]["events"] == len(found)  # type: ignore[index]
    assert_secret(office, token)


def test_a_supervisors_feed_holds_only_their_unit_and_an_admins_every_unit(
    app: Flask, clients: dict[str, FlaskClient], office: Office
) -> None:
    mine = events(fetch(app, make(clients["supervisor"])))
    assert mine
    for summary, description in mine:
        assert summary.startswith("【R6.2】"), summary  # a supervisor's rules: R6.2 of theirs
        assert SUPERVISED_UNIT in summary and SUPERVISED_UNIT in description
        assert OTHER_UNIT not in summary + description
    admins = events(fetch(app, make(clients["admin"])))
    text = " ".join(s + d for s, d in admins)
    assert OTHER_UNIT in text and SUPERVISED_UNIT in text
    assert any(s.startswith("【R4.1a】") for s, _d in admins)  # the account reviews
    assert not any(s.startswith(("【R6.3】", "【R6.4】")) for s, _d in admins)  # not the admin's
    # The director's dashboard puts every rule first: the half-year audit too.
    directors = events(fetch(app, make(clients["director"])))
    assert any(s.startswith("【R6.3】") for s, _d in directors)
    assert len(directors) > len(admins) > len(mine)


def test_replacing_makes_the_old_address_404(
    app: Flask, clients: dict[str, FlaskClient], office: Office
) -> None:
    client = clients["auditor"]
    first = make(client)
    fetch(app, first)
    page = client.get("/calendar").get_data(as_text=True)
    assert "Replace the address" in page
    second = make(client)
    assert second != first
    assert app.test_client().get(first).status_code == 404
    fetch(app, second)
    assert journal_entries(office, "calendar feed made")[-1]["details"]["replaced"] is True  # type: ignore[index]
    assert_secret(office, token_of(first))
    assert_secret(office, token_of(second))


def test_revoking_makes_the_address_404(
    app: Flask, clients: dict[str, FlaskClient], office: Office
) -> None:
    client = clients["ethics"]
    path = make(client)
    fetch(app, path)
    token = csrf_token(client.get("/calendar").get_data(as_text=True))
    response = client.post("/calendar/revoke", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/calendar"
    page = client.get("/calendar").get_data(as_text=True)
    assert "Your calendar subscription is revoked" in page
    assert "You have no subscription address." in page and 'id="revoke-feed"' not in page
    assert app.test_client().get(path).status_code == 404
    assert journal_entries(office, "calendar feed revoked")[-1]["details"] == {
        "username": "ethics1",
        "by": "ethics1",
    }
    status, _html = _post(client, "/calendar/revoke")
    assert status == 302
    assert "there is no calendar subscription to revoke" in client.get("/calendar").get_data(
        as_text=True
    )


def test_a_disabled_persons_address_is_404(app: Flask, office: Office) -> None:
    users.add_user(
        office.workspace, office.db, "feeder1", PASSWORD, ["clerk"],
        must_change_password=False, actor="tests",
    )  # fmt: skip
    client = app.test_client()
    assert sign_in(client, "feeder1").status_code == 302  # type: ignore[attr-defined]
    path = make(client)
    fetch(app, path)
    users.disable_user(office.workspace, office.db, "feeder1", actor="tests")
    fetches = len(journal_entries(office, "web calendar feed"))
    assert app.test_client().get(path).status_code == 404
    assert len(journal_entries(office, "web calendar feed")) == fetches
    assert_secret(office, token_of(path))
    users.enable_user(office.workspace, office.db, "feeder1", PASSWORD + "x", actor="tests")
    assert app.test_client().get(path).status_code == 404  # revoked with the disabling


def test_an_idle_persons_address_is_dead(office: Office) -> None:
    info = users.add_user(
        office.workspace, office.db, "feeder2", PASSWORD, ["auditor"],
        must_change_password=False, actor="tests",
    )  # fmt: skip
    token = make_feed(office.workspace, office.db, info.id, actor="tests")
    assert has_feed(office.db, info.id)
    found = feed_user(office.db, token)
    assert found is not None and found.username == "feeder2"
    later = datetime.now() + users.IDLE_AFTER + timedelta(days=1)
    assert feed_user(office.db, token, now=later) is None


@pytest.mark.parametrize(
    "token",
    [
        "qp9rJmrMY2B7Y3Q4vMLXLW6VxKgaP5z2ujZi3fRB5BQ",  # of a token's form, never made
        "short",
        "A" * 200,
        "%2e%2e%2fjournal",
        "abc def ghi jkl mno pqr stu vwx yz0 123",
        "Ä" * 43,
    ],
)
def test_a_made_up_token_is_404(app: Flask, office: Office, token: str) -> None:
    fetches = len(journal_entries(office, "web calendar feed"))
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert "There is no such page" in response.get_data(as_text=True)
    assert len(journal_entries(office, "web calendar feed")) == fetches
