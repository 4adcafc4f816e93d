"""Fixtures of the web application's tests: the example office (made once per module),
one web user per role, the application over it, and a signed-in test client per role.

Passwords are hashed with cheap argon2 parameters here (the parameters are
configurable: :func:`docgen.services.users.use_hasher`); CSRF stays on, so that every
POST of these tests carries the form's token as a browser's would."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from docgen.config import Workspace, open_workspace
from docgen.db import Database, open_database
from docgen.services import users

#: A test password that follows the rules (never a real one; tests only).
PASSWORD = "Example-Pass-2026"
SUPERVISED_UNIT = "市場行政科"
OTHER_UNIT = "企劃室"
#: role → the username of its test user.
ROLE_USERS = {
    "admin": "admin1",
    "clerk": "clerk1",
    "supervisor": "super1",
    "auditor": "auditor1",
    "ethics": "ethics1",
    "director": "director1",
    "archivist": "archive1",
}
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@pytest.fixture(scope="session", autouse=True)
def _cheap_hashing() -> Iterator[None]:
    before = users.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    users.use_hasher(before)


def make_example_office(root: Path) -> Workspace:
    """``docgen init ROOT --example``."""
    from docgen.cli.main import cli

    result = CliRunner().invoke(cli, ["init", str(root), "--example"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return open_workspace(root, environ={})


@dataclass
class Office:
    workspace: Workspace
    db: Database


def _fill(workspace: Workspace, db: Database) -> None:
    """What the pages show: the example's query logs taken in, the sample of 2026-10
    drawn, and its files filed in the archive (as demo steps 10, 40 and 60 do)."""
    import shutil

    from docgen.calendar import parse_period
    from docgen.services.archive import file_inbox
    from docgen.services.audit import draw_sample
    from docgen.services.queries import take_in_folder

    take_in_folder(workspace, db, actor="tests")
    out = workspace.root / "out" / "audit" / "2026-10"
    draw_sample(workspace, db, parse_period("2026-10"), actor="tests", out_dir=out)
    shutil.copytree(out, workspace.archive_root / "inbox" / "2026-10")
    file_inbox(open_workspace(workspace.root, environ={"DOCGEN_ARCHIVE_STABLE_SECONDS": "0"}), 0)


@pytest.fixture(scope="session")
def _office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example office with its data and one web user per role, made once per
    test process; each module works on a copy (:func:`office`)."""
    workspace = make_example_office(tmp_path_factory.mktemp("web-template") / "office")
    with open_database(workspace) as db:
        _fill(workspace, db)
        for role, username in ROLE_USERS.items():
            users.add_user(
                workspace,
                db,
                username,
                PASSWORD,
                [role],
                display_name=f"Test {role}",
                unit=SUPERVISED_UNIT if role == "supervisor" else "",
                must_change_password=False,
                actor="tests",
            )
    return workspace.root


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, _office_template: Path) -> Iterator[Office]:
    """The example office with its query logs, a sample and filed records, with one
    web user per role (password :data:`PASSWORD`)."""
    import shutil

    root = tmp_path_factory.mktemp("web") / "office"
    shutil.copytree(_office_template, root, symlinks=True)
    workspace = open_workspace(root, environ={})
    db = open_database(workspace)
    yield Office(workspace, db)
    db.close()


@pytest.fixture(scope="module")
def app(office: Office) -> Flask:
    from docgen.web import WebSettings, create_app

    settings = WebSettings(secure_cookies=False, secret_key=b"t" * 32, language="en")
    flask_app = create_app(office.workspace, settings, db=office.db)
    flask_app.config["TESTING"] = True
    return flask_app


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1) or found.group(2)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> object:
    """Sign in through the form (GET for its CSRF token, then POST)."""
    page = client.get("/sign-in")
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        "/sign-in", data={"csrf_token": token, "username": username, "password": password}
    )


@pytest.fixture(scope="module")
def clients(app: Flask) -> dict[str, FlaskClient]:
    """A test client signed in as each role's user."""
    found = {}
    for role, username in ROLE_USERS.items():
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)  # type: ignore[attr-defined]
        found[role] = client
    return found


def journal_entries(office: Office, command: str) -> list[dict[str, object]]:
    from docgen.journal import Journal

    book = Journal(office.workspace.journal_path, office.workspace.root)
    return [e for e in book.entries() if e["command"] == command]


# --- a real browser against a live server (the end-to-end tests) --------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def live_server(office: Office) -> Iterator[str]:
    """``docgen serve``'s application under waitress on a free loopback port (plain http,
    so the cookie is not Secure here; CSRF stays on)."""
    from waitress import create_server

    from docgen.web import WebSettings, create_app

    app = create_app(
        office.workspace,
        WebSettings(secure_cookies=False, secret_key=b"e" * 32, language="en"),
        db=office.db,
    )
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if ci():
            pytest.fail(f"{CHROMIUM} is missing: the end-to-end tests may not be skipped in CI")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        print(f"chromium {launched.version}")
        yield launched
        launched.close()


#: Where the end-to-end tests keep their screenshots: ``build/test-artifacts/`` (or
#: ``$DOCGEN_TEST_ARTIFACTS``), kept after the run as the test's artifacts.
ARTIFACTS = Path(
    os.environ.get("DOCGEN_TEST_ARTIFACTS")
    or Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
)


def artifact_dir(name: str) -> Path:
    """A fresh folder of :data:`ARTIFACTS` for one test's screenshots."""
    import shutil

    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def file_old_monthly_check(office: Office) -> str:
    """File 企劃室's 附件4 月抽查 of 2023-05 (reviewed 112/06/15: past R6.2's 3 years,
    a destruction candidate), as demo step 60 does; its record ID."""
    from docgen.cli.main import cli
    from docgen.services.archive import file_inbox

    workspace = office.workspace
    source = workspace.data_dir / "forms" / "附件4_月抽查_2023-05.yaml"
    inbox = workspace.archive_root / "inbox" / "2023-05"
    args = ["-w", str(workspace.root), "forms", "fill", "4", str(source)]
    args += ["--variant", "monthly", "-d", str(inbox)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    scan = file_inbox(
        open_workspace(workspace.root, environ={"DOCGEN_ARCHIVE_STABLE_SECONDS": "0"}), 0
    )
    filed = [f.record_id for f in scan.result.filed if f.record_id.startswith("DG-4M-202305")]
    assert filed, scan.result.filed
    return filed[0]


def browser_sign_in(browser: Any, server: str, username: str) -> Any:
    """A new browser context signed in as ``username`` (downloads accepted), on its
    dashboard."""
    page = browser.new_context(locale="en-US", accept_downloads=True).new_page()
    page.goto(f"{server}/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("#dashboard")
    return page
