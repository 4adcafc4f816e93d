"""``docgen serve`` itself, as an office server runs it (ISSUE 12 item 1): a real
process on a free loopback port — waitress in one process, or gunicorn's worker
processes — signed into over HTTP, and stopped with SIGTERM."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from docgen.web import WebSettings, create_app
from docgen.web.auth import THROTTLE_AFTER, throttle
from docgen.web.server import bind_address, default_workers
from tests.web.conftest import PASSWORD, Office, csrf_token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry))
    return found


class Server:
    """``docgen -w ROOT serve --workers N`` on a free port, until :meth:`stop`."""

    def __init__(self, root: Path, workers: int) -> None:
        self.port, self.workers = _free_port(), workers
        argv = [sys.executable, "-m", "docgen", "-w", str(root), "serve"]
        argv += ["--port", str(self.port), "--workers", str(workers), "--insecure-cookies"]
        env = {**os.environ, "DOCGEN_LANG": "en"}
        self.process = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while not self._answers():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, "docgen serve did not answer in 60 s"
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            return self.get("/sign-in")[0] == 200
        except OSError:
            return False

    def get(self, path: str, cookie: str = "") -> tuple[int, str, dict[str, str]]:
        return self.request("GET", path, cookie=cookie)

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        cookie: str = "",
        extra: dict[str, str] | None = None,
    ) -> tuple[int, str, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        headers.update(extra or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode(), dict(response.getheaders())
        finally:
            conn.close()

    def sign_in(self, username: str) -> str:
        """The session cookie of ``username``, signed in through the form."""
        _status, page, headers = self.get("/sign-in")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        form = {"csrf_token": csrf_token(page), "username": username, "password": PASSWORD}
        status, _page, headers = self.request("POST", "/sign-in", urlencode(form), cookie)
        assert status == 302, status
        return str(headers["Set-Cookie"]).split(";", 1)[0]

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def output(self) -> str:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.communicate()[0].decode(errors="replace")


@pytest.fixture(params=[1, 2], ids=["one-process", "two-workers"])
def server(request: pytest.FixtureRequest, office: Office) -> Iterator[Server]:
    running = Server(office.workspace.root, request.param)
    yield running
    if running.process.poll() is None:
        running.stop()


def test_serves_signed_in_pages_and_stops_on_sigterm(server: Server) -> None:
    # one process (waitress), or gunicorn's arbiter with its worker processes
    assert len(_children(server.process.pid)) == (0 if server.workers == 1 else server.workers)
    cookie = server.sign_in("director1")
    for _ in range(4):  # every worker, whichever takes the connection, knows the session
        status, page, headers = server.get("/", cookie)
        assert status == 200
        assert "Dashboard" in page and "Test director" in page
        assert headers["Cache-Control"] == "no-store"
    status, css, _headers = server.get("/static/docgen.css")
    assert status == 200 and "body" in css
    pid = server.process.pid
    assert server.stop() == 0
    assert _children(pid) == []
    assert "Serving" in server.output()


def test_forwarded_headers_are_not_trusted_without_behind_proxy(server: Server) -> None:
    """gunicorn would believe X-Forwarded-Proto from 127.0.0.1 by itself; docgen tells it
    not to (only ``--behind-proxy`` trusts a proxy, in the application). Believed, the
    request would be https, and Flask-WTF's strict check would refuse this sign-in (a
    POST over https without a Referer)."""
    _status, page, headers = server.get("/sign-in")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    form = {"csrf_token": csrf_token(page), "username": "director1", "password": PASSWORD}
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    status, _page, _headers = server.request("POST", "/sign-in", urlencode(form), cookie, spoofed)
    assert status == 302


def test_each_worker_allows_its_share_of_the_throttle(office: Office) -> None:
    settings = WebSettings(secure_cookies=False, secret_key=b"s" * 32, processes=3)
    app = create_app(office.workspace, settings, db=office.db)
    with app.app_context():
        assert throttle().limit == -(-THROTTLE_AFTER // 3) < THROTTLE_AFTER


def test_defaults_and_bind_addresses() -> None:
    assert 1 <= default_workers() <= min(os.cpu_count() or 1, 4)
    assert bind_address("127.0.0.1", 8000) == "127.0.0.1:8000"
    assert bind_address("::1", 8000) == "[::1]:8000"


def test_a_second_server_on_a_port_in_use_stops_with_one_line(office: Office) -> None:
    """The workers' sockets share their port (SO_REUSEPORT) only with sockets that ask
    to: a second ``docgen serve`` on it is refused before any worker starts, instead
    of joining the first and answering its requests."""
    first = Server(office.workspace.root, 2)
    try:
        argv = [sys.executable, "-m", "docgen", "-w", str(office.workspace.root), "serve"]
        argv += ["--port", str(first.port), "--workers", "2", "--insecure-cookies"]
        second = subprocess.run(
            argv, env={**os.environ, "DOCGEN_LANG": "en"}, capture_output=True, text=True
        )
        assert second.returncode == 1
        problem = second.stderr.strip().splitlines()[-1]
        assert problem.startswith("Error: ") and "in use" in problem
        assert "Traceback" not in second.stderr
        assert first.get("/sign-in")[0] == 200
    finally:
        first.stop()
