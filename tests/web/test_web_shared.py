"""What requests share and what they no longer repeat (benchmarks/bench_web.py): the
dashboard's part kept between requests (never shown to a viewer who sees other units
or rules, and gone with the facts it was made from), the session cookie sent again
only when it changes (the idle timeout still ends a session), the sign-in that
hashes outside the write lock (failures still counted once each), and the columns
``get_user`` reads."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from docgen.config import open_workspace
from docgen.db import open_database
from docgen.db.models.archive import File, Hold, Record
from docgen.services import users
from docgen.web import WebSettings, create_app
from docgen.web.app import seen_every
from docgen.web.facts import Facts
from tests.web.conftest import (
    OTHER_UNIT,
    PASSWORD,
    ROLE_USERS,
    SUPERVISED_UNIT,
    Office,
    journal_entries,
    sign_in,
)

_TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def _page(client: FlaskClient, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return _TOKEN.sub('name="csrf_token" value=""', response.get_data(as_text=True))


def _app(office: Office, ttl: timedelta = timedelta(seconds=30)) -> Flask:
    settings = WebSettings(secure_cookies=False, secret_key=b"t" * 32, language="en", facts_ttl=ttl)
    app = create_app(office.workspace, settings, db=office.db)
    app.config["TESTING"] = True
    return app


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, username).status_code == 302  # type: ignore[attr-defined]
    return client


@pytest.fixture(scope="module")
def second_supervisor(office: Office) -> str:
    """A unit supervisor of another unit than ``super1``'s, and one who is also a clerk."""
    for username, roles, unit in (
        ("super2", ["supervisor"], OTHER_UNIT),
        ("superclerk", ["supervisor", "clerk"], SUPERVISED_UNIT),
    ):
        users.add_user(
            office.workspace,
            office.db,
            username,
            PASSWORD,
            roles,
            unit=unit,
            must_change_password=False,
            actor="tests",
        )
    return "super2"


# ---------------------------------------------------------------- the dashboard kept


def test_each_viewer_gets_the_dashboard_they_would_get_uncached(
    office: Office, second_supervisor: str
) -> None:
    """Every role, both supervisors (either order), with and without ?unit=: the page
    from the kept part is the page made afresh for that person."""
    kept, fresh = _app(office), _app(office, timedelta(0))
    people = [*ROLE_USERS.values(), second_supervisor, "superclerk", "super1"]
    urls = ["/", f"/?unit={OTHER_UNIT}", f"/?unit={SUPERVISED_UNIT}"]
    pages: dict[tuple[str, str], str] = {}
    for username in people:
        cached, uncached = _signed_in(kept, username), _signed_in(fresh, username)
        for url in urls:
            status = uncached.get(url).status_code
            assert cached.get(url).status_code == status
            if status == 200:
                pages[username, url] = _page(cached, url)
                assert pages[username, url] == _page(uncached, url), (username, url)
    assert f"Your unit: {SUPERVISED_UNIT}" in pages["super1", "/"]
    assert f"Your unit: {OTHER_UNIT}" in pages["super2", "/"]
    assert f"Your unit: {SUPERVISED_UNIT}" not in pages["super2", "/"]
    assert ("super1", f"/?unit={OTHER_UNIT}") not in pages  # refused, as before
    # whole-office viewers with different rules do not share a body either
    body = re.compile(r"<main>.*</main>", re.S)
    clerk, director = pages["clerk1", "/"], pages["director1", "/"]
    assert body.search(clerk).group(0) != body.search(director).group(0)  # type: ignore[union-attr]


def test_a_view_of_the_kept_dashboard_is_still_journalled(office: Office) -> None:
    client = _signed_in(_app(office), "super1")
    before = len(journal_entries(office, "web view"))
    for _request in range(3):
        client.get("/")
    views = journal_entries(office, "web view")[before:]
    assert [(v["details"]["user"], v["details"]["page"]) for v in views] == [  # type: ignore[index]
        ("super1", "dashboard")
    ] * 3
    assert all(v["details"]["unit"] == SUPERVISED_UNIT for v in views)  # type: ignore[index]


@pytest.fixture
def own_office(tmp_path: Path, _office_template: Path) -> Iterator[Office]:
    """A copy of the example office of this test's own (it is written to)."""
    root = tmp_path / "office"
    shutil.copytree(_office_template, root, symlinks=True)
    workspace = open_workspace(root, environ={})
    db = open_database(workspace)
    yield Office(workspace, db)
    db.close()


def _forget_the_archive(office: Office) -> None:
    """A write by another process (as ``docgen archive`` would): the index emptied."""
    with office.db.session() as session:
        for table in (File, Hold, Record):
            session.execute(delete(table))


def test_a_write_shows_once_the_facts_are_cleared_or_expire(own_office: Office) -> None:
    kept = _app(own_office)
    short = _app(own_office, timedelta(seconds=0.5))
    kept_client, short_client = _signed_in(kept, "director1"), _signed_in(short, "director1")
    before = _page(kept_client)
    assert _page(short_client) == before
    _forget_the_archive(own_office)
    after = _page(_signed_in(_app(own_office, timedelta(0)), "director1"))
    assert after != before  # the write changes the dashboard
    assert _page(kept_client) == before  # kept, as docs/permissions.md says
    kept.extensions["docgen"].facts.clear()
    assert _page(kept_client) == after
    time.sleep(0.6)  # the TTL: the part goes with the calendar it was made from
    assert _page(short_client) == after


def test_a_part_made_from_facts_expires_with_them() -> None:
    facts = Facts(0.3)
    source, built = facts.dated("calendar", lambda: "calendar 1")
    assert facts.derived("part", lambda: (f"part of {source}", built)) == "part of calendar 1"
    time.sleep(0.2)
    # made later, but from the same facts: dated as they are
    assert facts.derived("other", lambda: ("other", built)) == "other"
    time.sleep(0.15)
    assert facts.get("calendar", lambda: "calendar 2") == "calendar 2"
    assert facts.derived("part", lambda: ("part 2", time.monotonic())) == "part 2"
    assert facts.derived("other", lambda: ("other 2", time.monotonic())) == "other 2"
    facts.clear()
    assert facts.get("calendar", lambda: "calendar 3") == "calendar 3"


def test_a_failing_build_is_not_kept() -> None:
    facts, calls = Facts(30), []

    def broken() -> tuple[str, float]:
        calls.append(1)
        raise RuntimeError("no calendar")

    for _attempt in range(2):
        with pytest.raises(RuntimeError):
            facts.derived("part", broken)
    assert len(calls) == 2


# ---------------------------------------------------------------- the session cookie


def _sets_cookie(response: object) -> bool:
    headers = response.headers  # type: ignore[attr-defined]
    return any(v.startswith("docgen_session=") for v in headers.getlist("Set-Cookie"))


def test_the_session_cookie_is_not_sent_with_every_page(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "auditor1")
    client.get("/")  # the first page after signing in makes the form's token
    quiet = [client.get(url) for url in ("/", "/obligations", "/records/", "/")]
    assert all(r.status_code == 200 for r in quiet)
    assert not any(_sets_cookie(r) for r in quiet)
    # a minute later the time last seen is written again, and the cookie with it
    with client.session_transaction() as session:
        session["seen"] = time.time() - seen_every(timedelta(minutes=15)) - 1
    refreshed = client.get("/")
    assert refreshed.status_code == 200 and _sets_cookie(refreshed)
    with client.session_transaction() as session:
        assert time.time() - session["seen"] < 5


def test_a_person_active_near_the_timeout_stays_signed_in(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "clerk1")
    with client.session_transaction() as session:
        session["seen"] = time.time() - 14 * 60 - 30
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["seen"] < 5  # written: their activity counts
    assert client.get("/obligations").status_code == 200


def test_the_idle_timeout_still_signs_out_without_a_new_cookie_each_time(
    app: Flask,
) -> None:
    client = app.test_client()
    sign_in(client, "ethics1")
    client.get("/")
    assert not _sets_cookie(client.get("/"))
    with client.session_transaction() as session:
        session["seen"] = time.time() - 15 * 60 - 1
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert client.get("/").status_code == 302
    page = client.get("/sign-in").get_data(as_text=True)
    assert "You were signed out after 15 minutes without activity." in page


def test_a_short_timeout_is_written_often_enough() -> None:
    assert seen_every(timedelta(minutes=15)) == 60
    assert seen_every(timedelta(minutes=1)) == 4


# ---------------------------------------------------------------- signing in


def test_concurrent_failures_are_each_counted_and_lock_once(office: Office) -> None:
    users.add_user(
        office.workspace,
        office.db,
        "racer",
        PASSWORD,
        ["clerk"],
        must_change_password=False,
        actor="tests",
    )
    locks_before = len(journal_entries(office, "web sign-in locked"))
    attempts = users.LOCK_AFTER * 2
    start = threading.Barrier(attempts)
    outcomes: list[str] = []

    def attempt() -> None:
        start.wait()
        result = users.sign_in(office.workspace, office.db, "racer", "Wrong-Pass-2026")
        outcomes.append(result.outcome)

    threads = [threading.Thread(target=attempt) for _n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counted = Counter(outcomes)
    assert counted == {"refused": users.LOCK_AFTER - 1, "locked": attempts - users.LOCK_AFTER + 1}
    locks = journal_entries(office, "web sign-in locked")[locks_before:]
    assert [e["details"]["username"] for e in locks] == ["racer"]  # type: ignore[index]
    # locked now, even with the right password
    assert users.sign_in(office.workspace, office.db, "racer", PASSWORD).outcome == "locked"


def test_a_refusal_does_not_wait_for_a_writer(office: Office) -> None:
    """An unknown username and a locked account are answered from a read-only
    transaction: a command holding the write lock does not hold them up."""
    users.add_user(
        office.workspace,
        office.db,
        "shut",
        PASSWORD,
        ["clerk"],
        must_change_password=False,
        actor="tests",
    )
    for _attempt in range(users.LOCK_AFTER):
        users.sign_in(office.workspace, office.db, "shut", "Wrong-Pass-2026")
    path = office.db.url.database
    assert path
    writer = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        writer.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        assert users.sign_in(office.workspace, office.db, "nobody", PASSWORD).outcome == "refused"
        assert users.sign_in(office.workspace, office.db, "shut", PASSWORD).outcome == "locked"
        assert time.monotonic() - started < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_sign_in_with_an_old_hash_is_rehashed(office: Office) -> None:
    before = users.use_hasher(PasswordHasher(time_cost=1, memory_cost=512, parallelism=1))
    try:
        users.add_user(
            office.workspace,
            office.db,
            "oldhash",
            PASSWORD,
            ["clerk"],
            must_change_password=False,
            actor="tests",
        )
    finally:
        users.use_hasher(before)
    assert users.sign_in(office.workspace, office.db, "oldhash", PASSWORD).outcome == "ok"
    from docgen.db.models.users import WebUser

    with office.db.reading() as session:
        stored = session.query(WebUser).filter_by(username="oldhash").one().password_hash
    assert "m=1024" in stored
    assert users.sign_in(office.workspace, office.db, "oldhash", PASSWORD).outcome == "ok"


# ---------------------------------------------------------------- get_user


def test_get_user_reads_what_list_users_reads(office: Office, second_supervisor: str) -> None:
    everyone = users.list_users(office.db)
    assert {u.username for u in everyone} >= {*ROLE_USERS.values(), second_supervisor}
    for info in everyone:
        assert users.get_user(office.db, info.id) == info
        assert users.get_user(office.db.for_reading(), info.id) == info
    superclerk = next(u for u in everyone if u.username == "superclerk")
    assert superclerk.roles == ("clerk", "supervisor")
    assert users.get_user(office.db, max(u.id for u in everyone) + 1) is None


def test_templates_are_compiled_once(app: Flask) -> None:
    assert app.jinja_env.auto_reload is False
    first = app.jinja_env.get_template("_dashboard.html")
    assert app.jinja_env.get_template("_dashboard.html") is first
