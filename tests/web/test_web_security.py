"""The security controls an audit of a 個資 system expects (ISSUE 12 item 4): CSRF on
every POST, the lockout, headers, cookies, the idle timeout, the first-sign-in change,
sessions that end, errors without a traceback, and the pages in Chinese."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask

from docgen.services import users
from docgen.web import WebSettings, create_app
from tests.web.conftest import PASSWORD, Office, csrf_token, journal_entries, sign_in


def _new_user(
    office: Office, username: str, *, must_change: bool = False, roles=("clerk",)
) -> None:
    users.add_user(
        office.workspace,
        office.db,
        username,
        PASSWORD,
        list(roles),
        must_change_password=must_change,
        actor="tests",
    )


def test_a_post_without_its_csrf_token_is_refused(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/sign-in", data={"username": "admin1", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form was not accepted" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    signed = app.test_client()
    sign_in(signed, "admin1")
    assert signed.post("/sign-out").status_code == 400
    assert signed.get("/").status_code == 200  # still signed in


def test_five_failures_lock_the_account_for_15_minutes(app: Flask, office: Office) -> None:
    _new_user(office, "locky")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.0.1"  # its own address: not throttled
    for _attempt in range(users.LOCK_AFTER - 1):
        page = sign_in(client, "locky", "Wrong-Pass-2026").get_data(as_text=True)  # type: ignore[attr-defined]
        assert "The username or the password is not right." in page
    page = sign_in(client, "locky", "Wrong-Pass-2026").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "This account is locked" in page
    # the right password is refused while locked, and nothing is signed in
    response = sign_in(client, "locky")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "This account is locked" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert client.get("/").status_code == 302
    assert journal_entries(office, "web sign-in locked")[-1]["details"]["username"] == "locky"  # type: ignore[index]
    # after 15 minutes the right password opens it again
    later = users.sign_in(
        office.workspace,
        office.db,
        "locky",
        PASSWORD,
        now=users._now(None) + users.LOCK_FOR + timedelta(seconds=1),
    )
    assert later.outcome == "ok"


def test_an_unknown_user_and_a_wrong_password_read_the_same(app: Flask) -> None:
    client = app.test_client()
    unknown = sign_in(client, "nobody", PASSWORD).get_data(as_text=True)  # type: ignore[attr-defined]
    wrong = sign_in(client, "admin1", "Wrong-Pass-2026").get_data(as_text=True)  # type: ignore[attr-defined]
    message = "The username or the password is not right."
    assert message in unknown and message in wrong


def test_every_response_has_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/sign-in")
    headers = response.headers
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    assert client.get("/static/docgen.css").status_code == 200


def test_pages_with_personal_data_are_not_stored(clients) -> None:
    for url in ("/", "/accounts", "/obligations/download?format=csv"):
        assert clients["admin"].get(url).headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_secure_httponly_and_lax(office: Office) -> None:
    app = create_app(office.workspace, WebSettings(secret_key=b"s" * 32), db=office.db)
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": "admin1", "password": PASSWORD},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/sign-in"},
    )
    assert response.status_code == 302
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_an_idle_session_ends_after_15_minutes(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "auditor1")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = time.time() - 15 * 60 - 5
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert client.get("/").status_code == 302


def test_an_initial_password_is_changed_at_the_first_sign_in(app: Flask, office: Office) -> None:
    _new_user(office, "newbie", must_change=True)
    client = app.test_client()
    response = sign_in(client, "newbie")
    assert response.headers["Location"] == "/password"  # type: ignore[attr-defined]
    assert client.get("/obligations").headers["Location"] == "/password"
    page = client.get("/password").get_data(as_text=True)
    token = csrf_token(page)
    weak = client.post(
        "/password",
        data={"csrf_token": token, "current": PASSWORD, "new": "short", "repeat": "short"},
    )
    assert "the password is not accepted" in weak.get_data(as_text=True)
    done = client.post(
        "/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "new": "Another-Pass-2027",
            "repeat": "Another-Pass-2027",
        },
    )
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/obligations").status_code == 200
    assert journal_entries(office, "web password change")[-1]["details"]["username"] == "newbie"  # type: ignore[index]


def test_signing_out_ends_every_session_of_the_person(app: Flask, office: Office) -> None:
    _new_user(office, "twice")
    first, second = app.test_client(), app.test_client()
    sign_in(first, "twice")
    sign_in(second, "twice")
    assert second.get("/").status_code == 200
    token = csrf_token(first.get("/").get_data(as_text=True))
    assert first.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 302


def test_a_disabled_user_is_refused_and_their_session_ends(app: Flask, office: Office) -> None:
    _new_user(office, "leaver")
    client = app.test_client()
    sign_in(client, "leaver")
    assert client.get("/").status_code == 200
    users.disable_user(office.workspace, office.db, "leaver", actor="tests")
    assert client.get("/").status_code == 302
    page = sign_in(client, "leaver").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "The username or the password is not right." in page


def test_an_account_unused_for_90_days_is_refused_as_a_disabled_one(
    app: Flask, office: Office
) -> None:
    long_ago = users._now(None) - users.IDLE_AFTER - timedelta(days=1)
    for name in ("dormant", "dormant2"):
        users.add_user(
            office.workspace,
            office.db,
            name,
            PASSWORD,
            ["clerk"],
            must_change_password=False,
            actor="tests",
            now=long_ago,
        )
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.0.2"  # its own address: not throttled
    right = sign_in(client, "dormant")
    assert right.status_code == 200  # type: ignore[attr-defined]
    assert "The username or the password is not right." in right.get_data(as_text=True)  # type: ignore[attr-defined]
    assert client.get("/").status_code == 302
    wrong = sign_in(client, "dormant2", "Wrong-Pass-2026").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "The username or the password is not right." in wrong
    found = {u.username: u for u in users.list_users(office.db)}
    assert not found["dormant"].active and not found["dormant2"].active
    entries = [e["details"] for e in journal_entries(office, "users disable")]
    assert {"dormant", "dormant2"} <= {e["username"] for e in entries if e.get("reason") == "idle"}  # type: ignore[union-attr,attr-defined]


def test_a_reset_token_works_once(app: Flask, office: Office) -> None:
    _new_user(office, "forgot")
    token, _expires = users.issue_reset_token(office.workspace, office.db, "forgot", actor="admin1")
    client = app.test_client()

    def reset(password: str) -> str:
        form = csrf_token(client.get("/password/reset").get_data(as_text=True))
        data = {
            "csrf_token": form,
            "username": "forgot",
            "token": token,
            "new": password,
            "repeat": password,
        }
        response = client.post("/password/reset", data=data)
        return response.headers.get("Location") or response.get_data(as_text=True)

    assert reset("Brand-New-Pass-27") == "/sign-in"
    assert "this reset token is not valid" in reset("Brand-New-Pass-28")
    assert sign_in(client, "forgot", "Brand-New-Pass-27").status_code == 302  # type: ignore[attr-defined]
    entries = journal_entries(office, "users reset-password")
    assert token not in str(entries)


def test_an_unexpected_error_is_a_plain_page(app, clients, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("A123456789 secret detail")

    monkeypatch.setattr("docgen.web.scope.build_missing_report", broken)
    app.extensions["docgen"].facts.clear()  # the calendar is kept between requests
    response = clients["clerk"].get("/obligations")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and "A123456789" not in page


def test_no_personal_data_in_the_urls_of_a_page(clients) -> None:
    import re

    page = clients["admin"].get("/accounts").get_data(as_text=True)
    urls = re.findall(r'(?:href|action|src)="([^"]*)"', page)
    assert urls and not any(re.search(r"[A-Z][12]\d{3}", url) for url in urls)


def test_pages_are_in_traditional_chinese_by_default(office: Office) -> None:
    app = create_app(
        office.workspace,
        WebSettings(secure_cookies=False, secret_key=b"z" * 32, language="zh_TW"),
        db=office.db,
    )
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'lang="zh-TW"' in page
    assert "登入" in page and "Sign in" not in page
    sign_in(client, "director1")
    dashboard = client.get("/").get_data(as_text=True)
    assert "中華民國" in dashboard and "工作看板" in dashboard
