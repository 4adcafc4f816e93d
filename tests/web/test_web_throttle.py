"""Sign-in throttled per client address (ISSUE 12 item 4, 資通系統防護基準: guard against
automated sign-in attempts): at most 10 failed sign-ins per address per 5 minutes,
whatever the usernames, beside the per-account lockout. This module has its own
application (and so its own throttle), and gives each test its own addresses."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient

from docgen.web.auth import THROTTLE_AFTER, THROTTLE_WINDOW, SignInThrottle
from tests.web.conftest import PASSWORD, Office, csrf_token, journal_entries

THROTTLED = "Too many failed sign-ins from this address"
WRONG = "The username or the password is not right."


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try(client: FlaskClient, username: str, password: str, **headers: str):
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    data = {"csrf_token": token, "username": username, "password": password}
    return client.post("/sign-in", data=data, headers=headers)


def _throttled(office: Office, address: str) -> list[dict[str, object]]:
    return [
        e
        for e in journal_entries(office, "web sign-in throttled")
        if e["details"]["client"] == address  # type: ignore[index]
    ]


def test_ten_failures_from_one_address_refuse_it_whatever_the_username(
    app: Flask, office: Office
) -> None:
    client = _client(app, "10.0.0.1")
    names = [f"walker{n}" for n in range(THROTTLE_AFTER - 2)] + ["admin1", "clerk1"]
    for name in names:  # unknown usernames and wrong passwords of real ones
        response = _try(client, name, "Wrong-Pass-2026")
        assert response.status_code == 200 and WRONG in response.get_data(as_text=True)
    assert len(_throttled(office, "10.0.0.1")) == 1
    # past the limit: even the right password is refused, with one plain message
    for name, password in (("auditor1", PASSWORD), ("nobody", PASSWORD), ("admin1", "x")):
        response = _try(client, name, password)
        page = response.get_data(as_text=True)
        assert response.status_code == 429 and THROTTLED in page and WRONG not in page
        assert "locked" not in page
    assert client.get("/").status_code == 302  # nobody signed in
    assert len(_throttled(office, "10.0.0.1")) == 1  # journalled once per window
    entry = _throttled(office, "10.0.0.1")[0]["details"]
    assert entry["failures"] == THROTTLE_AFTER and "until" in entry  # type: ignore[index]
    # the accounts themselves are not locked: another address signs in
    other = _try(_client(app, "10.0.0.2"), "auditor1", PASSWORD)
    assert other.status_code == 302


def test_x_forwarded_for_is_not_trusted(app: Flask) -> None:
    client = _client(app, "10.0.1.1")
    for n in range(THROTTLE_AFTER):
        _try(client, "nobody", "Wrong-Pass-2026", **{"X-Forwarded-For": f"192.0.2.{n}"})
    response = _try(client, "auditor1", PASSWORD, **{"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429


def test_a_success_does_not_count(app: Flask) -> None:
    client = _client(app, "10.0.2.1")
    for _n in range(THROTTLE_AFTER + 2):
        assert _try(client, "ethics1", PASSWORD).status_code == 302
        client.delete_cookie("docgen_session")
    assert _try(client, "ethics1", PASSWORD).status_code == 302


def test_the_window_ends_and_the_count_starts_again() -> None:
    window = THROTTLE_WINDOW.total_seconds()
    throttle = SignInThrottle()
    reached = [throttle.failed("a", 100.0 + n) for n in range(THROTTLE_AFTER)]
    assert reached == [False] * (THROTTLE_AFTER - 1) + [True]
    assert throttle.refused_for("a", 110.0) == window - 10.0
    assert throttle.refused_for("b", 110.0) == 0
    assert not throttle.failed("a", 120.0)  # past the limit: counted, not journalled again
    assert throttle.refused_for("a", 100.0 + window - 1) > 0
    assert throttle.refused_for("a", 100.0 + window) == 0  # a new window
    assert not throttle.failed("a", 100.0 + window)


def test_the_throttle_is_small_and_thread_safe() -> None:
    throttle = SignInThrottle(capacity=100)
    for n in range(1000):
        throttle.failed(f"addr{n}", float(n) / 1000)
    assert len(throttle._windows) <= 100
    shared = SignInThrottle()
    reached: list[bool] = []
    lock = threading.Lock()

    def fail() -> None:
        for _n in range(50):
            got = shared.failed("same", 1.0)
            with lock:
                reached.append(got)

    threads = [threading.Thread(target=fail) for _t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reached) == 400 and reached.count(True) == 1


def test_behind_a_proxy_each_forwarded_client_is_counted_apart(office: Office) -> None:
    """``docgen serve --behind-proxy`` (WebSettings.proxies = 1): the one proxy's
    X-Forwarded-For names the client, so one client's failures throttle only it, and
    the journal names the client, not the proxy."""
    from docgen.web import WebSettings, create_app

    settings = WebSettings(secure_cookies=False, secret_key=b"p" * 32, language="en", proxies=1)
    proxied = create_app(office.workspace, settings, db=office.db)
    proxied.config["TESTING"] = True
    nginx = _client(proxied, "127.0.0.1")
    for _n in range(THROTTLE_AFTER):
        _try(nginx, "nobody", "Wrong-Pass-2026", **{"X-Forwarded-For": "198.51.100.7"})
    walker = _try(nginx, "auditor1", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
    assert walker.status_code == 429
    assert len(_throttled(office, "198.51.100.7")) == 1
    assert not _throttled(office, "127.0.0.1")
    colleague = _try(nginx, "auditor1", PASSWORD, **{"X-Forwarded-For": "198.51.100.8"})
    assert colleague.status_code == 302  # signed in: another client behind the same proxy
