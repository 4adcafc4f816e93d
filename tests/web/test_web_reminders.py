"""E-mail reminders (ISSUE 13 item 6): ``docgen remind`` against a real SMTP server
(aiosmtpd on 127.0.0.1), on the example office with one web user per role — each
person's own duties and waiting items as their dashboard lists them, each reminder
once, nothing for a disabled person, a supervisor's only of their unit, a refused
connection or a server failing half-way in one line with what went out recorded —
and the e-mail address set by ``docgen users`` and on the calendar page."""

from __future__ import annotations

import io
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from docgen.cli.main import main
from docgen.config import open_workspace
from docgen.db import open_database
from docgen.db.models.reminders import SentReminder
from docgen.services import reminders, users
from tests.web.conftest import (
    OTHER_UNIT,
    PASSWORD,
    SUPERVISED_UNIT,
    Office,
    csrf_token,
    journal_entries,
)

#: As of this day the 2026-10 monthly checks (due 2026-11-30) are within 7 days.
AS_OF = "2026-11-25"
SENDER = "docgen@example.gov.tw"
MAIL = {"super1": "super1@example.gov.tw", "admin1": "admin1@example.gov.tw"}


class Inbox:
    """An aiosmtpd handler keeping what it receives; it refuses the DATA of a message
    to ``refuse`` (a server failing half-way)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refuse = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse in envelope.rcpt_tos:
            return "554 5.7.1 refused by the test"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if rcpt == [address]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def configure(root: Path, port: int | None, extra: str = "") -> None:
    """Give the workspace an ``[smtp]`` section on 127.0.0.1:``port``."""
    text = (root / "docgen.toml").read_text(encoding="utf-8")
    block = f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    block += f'sender = "{SENDER}"\n{extra}'
    (root / "docgen.toml").write_text(text + block, encoding="utf-8")


@pytest.fixture
def fresh(tmp_path: Path, _office_template: Path) -> Iterator[Office]:
    """A copy of the example office of its own, super1 and admin1 with an address, a
    disabled clerk with one too, and the others without."""
    root = tmp_path / "office"
    shutil.copytree(_office_template, root, symlinks=True)
    workspace = open_workspace(root, environ={})
    with open_database(workspace) as db:
        for username, address in MAIL.items():
            users.set_email(workspace, db, username, address, actor="tests")
        users.add_user(
            workspace, db, "gone1", PASSWORD, ["clerk"], email="gone1@example.gov.tw",
            must_change_password=False, actor="tests",
        )  # fmt: skip
        users.disable_user(workspace, db, "gone1", actor="tests")
        yield Office(workspace, db)


def docgen(capsys: pytest.CaptureFixture[str], office: Office, *args: str) -> tuple[int, str, str]:
    """``docgen -w OFFICE --lang en ARGS`` through the real entry point: (exit code,
    standard output, standard error)."""
    argv = ["-w", str(office.workspace.root), "--lang", "en", *args]
    try:
        main(argv)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def sent_rows(office: Office) -> dict[str, int]:
    with office.db.reading() as session:
        rows = session.execute(
            select(SentReminder.user_id, func.count()).group_by(SentReminder.user_id)
        ).all()
    names = {u.id: u.username for u in users.list_users(office.db)}
    return {names[user_id]: count for user_id, count in rows}


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_each_person_gets_their_own_once(
    fresh: Office, inbox: tuple[Inbox, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = inbox
    configure(fresh.workspace.root, port)
    code, out, err = docgen(capsys, fresh, "remind", "--date", AS_OF)
    assert code == 0, err
    assert sorted(r for rcpt, _m in handler.received for r in rcpt) == sorted(MAIL.values())
    assert not handler.to("gone1@example.gov.tw")  # disabled: nothing

    (mine,) = handler.to(MAIL["super1"])
    assert mine["Subject"].startswith("臺北市市場處: docgen reminders of 115/11/25")
    assert SENDER in mine["From"]
    text = body(mine)
    assert f"【R6.2】{SUPERVISED_UNIT} monthly spot check of the cases of 115年10月" in text
    assert "due 115/11/30" in text
    assert "awaiting review" in text and "Your duties due within 7 days:" in text
    assert OTHER_UNIT not in text and "攤販管理科" not in text  # only the supervisor's unit
    assert "2026-11-30" not in text  # ROC dates only
    admins = body(handler.to(MAIL["admin1"])[0])
    assert OTHER_UNIT in admins and SUPERVISED_UNIT in admins
    assert "【R6.3】" not in admins  # not the administrator's rules

    counts = sent_rows(fresh)
    assert set(counts) == {"super1", "admin1"}
    entry = journal_entries(fresh, "remind")[-1]
    assert entry["details"] == {"as_of": AS_OF, "sent": counts, "by": entry["details"]["by"]}  # type: ignore[index]
    assert "@" not in str(entry)  # no address in the journal
    assert f"Sent {counts['super1']} reminder(s) to super1." in out

    # The same day again, and a day later: nothing new, nothing sent, nothing recorded.
    for day in (AS_OF, "2026-11-26"):
        code, out, err = docgen(capsys, fresh, "remind", "--date", day)
        assert code == 0, err
        assert "Nothing new to remind anyone of." in out
    assert len(handler.received) == 2 and sent_rows(fresh) == counts
    assert journal_entries(fresh, "remind")[-1]["details"]["sent"] == {}  # type: ignore[index]

    # A month later only what is new: November's check, not October's again.
    code, _out, err = docgen(capsys, fresh, "remind", "--date", "2026-12-26")
    assert code == 0, err
    later = body(handler.to(MAIL["super1"])[-1])
    assert "115年11月" in later and "due 115/12/31" in later
    assert "115年10月" not in later.split("What waits for you:")[0]


def test_a_dry_run_prints_and_sends_nothing(
    fresh: Office, inbox: tuple[Inbox, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = inbox
    configure(fresh.workspace.root, port)
    before = len(journal_entries(fresh, "remind"))
    code, out, err = docgen(capsys, fresh, "remind", "--dry-run", "--date", AS_OF)
    assert code == 0, err
    assert (
        f"To: Test supervisor <{MAIL['super1']}>" in out
        and "Subject: 臺北市市場處: docgen reminders" in out
    )
    assert "due 115/11/30" in out and "gone1" not in out
    assert handler.received == [] and sent_rows(fresh) == {}
    assert len(journal_entries(fresh, "remind")) == before


def test_a_refused_connection_is_one_line(
    fresh: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    configure(fresh.workspace.root, port)
    code, out, err = docgen(capsys, fresh, "remind", "--date", AS_OF)
    lines = err.strip().splitlines()
    assert code == 7, err
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Error: the mail server 127.0.0.1:{port} failed after 0 of 2")
    assert "Traceback" not in err + out
    assert sent_rows(fresh) == {}
    entry = journal_entries(fresh, "remind")[-1]
    assert entry["details"]["failed"] is True and entry["details"]["sent"] == {}  # type: ignore[index]


def test_what_went_out_before_a_failure_stays_recorded(
    fresh: Office, inbox: tuple[Inbox, int], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, port = inbox
    handler.refuse = MAIL["super1"]  # admin1's goes first (by username), then super1's
    configure(fresh.workspace.root, port)
    code, _out, err = docgen(capsys, fresh, "remind", "--date", AS_OF)
    assert code == 7 and "failed after 1 of 2" in err and len(err.strip().splitlines()) == 1
    assert [rcpt for rcpt, _m in handler.received] == [[MAIL["admin1"]]]
    assert set(sent_rows(fresh)) == {"admin1"}
    handler.refuse = ""
    code, _out, err = docgen(capsys, fresh, "remind", "--date", AS_OF)
    assert code == 0, err
    assert [rcpt for rcpt, _m in handler.received] == [[MAIL["admin1"]], [MAIL["super1"]]]


def test_no_mail_server_or_a_password_in_the_file_is_one_line(
    fresh: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = docgen(capsys, fresh, "remind", "--date", AS_OF)
    assert code == 4 and "no mail server in docgen.toml" in err, err
    configure(fresh.workspace.root, 2525, 'username = "docgen"\npassword = "secret"\n')
    code, _out, err = docgen(capsys, fresh, "remind")
    assert code == 4 and "password: never write the password in docgen.toml" in err, err
    assert "secret" not in err


def test_the_password_comes_from_the_named_variable(
    fresh: Office, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(
        fresh.workspace.root, 2525, 'username = "docgen"\npassword_env = "REMIND_TEST_SMTP_PW"\n'
    )
    monkeypatch.delenv("REMIND_TEST_SMTP_PW", raising=False)
    code, _out, err = docgen(capsys, fresh, "remind")
    assert code == 4 and "REMIND_TEST_SMTP_PW is not set" in err, err


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ('security = "tls"', "smtp.security: must be one of"),
        ("port = 70000", "smtp.port: must be at most 65535"),
        ('sender = "docgen@"', "smtp.sender: 'docgen@' is not an e-mail address"),
        ("days_ahead = -1", "smtp.days_ahead: must be at least 0"),
        ('password_env = "NOT A NAME"', "smtp.password_env: does not match"),
        ('password_env = "DOCGEN_SMTP_PW"', "smtp: password_env: a DOCGEN_* variable is"),
    ],
)
def test_a_wrong_smtp_key_names_the_field(
    fresh: Office, capsys: pytest.CaptureFixture[str], setting: str, problem: str
) -> None:
    configure(fresh.workspace.root, 2525)
    path = fresh.workspace.root / "docgen.toml"
    key = setting.split(" = ")[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(f"{key} = ")]
    path.write_text("\n".join([*kept, setting, ""]), encoding="utf-8")
    code, _out, err = docgen(capsys, fresh, "remind", "--dry-run")
    assert code == 4 and problem in err, err
    assert len(err.strip().splitlines()) == 2  # "invalid configuration", the field's line


def test_the_address_is_set_checked_and_listed(
    fresh: Office, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = docgen(capsys, fresh, "users", "set-email", "auditor1", "a1@example.gov.tw")
    assert code == 0 and "Reminders for auditor1 go to a1@example.gov.tw." in out, err
    for bad in ("not-an-address", "a@b", "a b@example.gov.tw", "a@@example.gov.tw", "a@-x.tw"):
        code, _out, err = docgen(capsys, fresh, "users", "set-email", "auditor1", bad)
        assert code == 3 and err.strip().splitlines() == [
            f"Error: {bad!r} is not an e-mail address (name@example.gov.tw)"
        ], err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _out, err = docgen(
        capsys,
        fresh,
        "users",
        "add",
        "new1",
        "--role",
        "clerk",
        "--email",
        "x@",
        "--password-stdin",
    )
    assert code == 3 and "'x@' is not an e-mail address" in err, err
    code, out, _err = docgen(capsys, fresh, "users", "list", "--format", "csv")
    assert "a1@example.gov.tw" in out and MAIL["super1"] in out
    code, out, _err = docgen(capsys, fresh, "users", "set-email", "auditor1", "")
    assert code == 0 and "auditor1 has no e-mail address" in out
    entries = journal_entries(fresh, "users set-email")
    assert [e["details"]["email"] for e in entries[-2:]] == ["set", "removed"]  # type: ignore[index]
    assert "@" not in str(entries)


def test_a_person_sets_their_own_address_on_the_calendar_page(
    app: Flask, clients: dict[str, FlaskClient], office: Office
) -> None:
    client = clients["clerk"]
    page = client.get("/calendar").get_data(as_text=True)
    assert 'id="reminder-email"' in page and 'id="save-email"' in page
    assert client.post("/calendar/email", data={"email": "c@example.gov.tw"}).status_code == 400
    token = csrf_token(page)
    response = client.post("/calendar/email", data={"csrf_token": token, "email": "bad@"})
    assert response.status_code == 302
    page = client.get("/calendar").get_data(as_text=True)
    assert "is not an e-mail address" in page
    client.post("/calendar/email", data={"csrf_token": token, "email": "clerk1@example.gov.tw"})
    page = client.get("/calendar").get_data(as_text=True)
    assert "Your e-mail reminders go to clerk1@example.gov.tw." in page
    assert 'value="clerk1@example.gov.tw"' in page
    found = {u.username: u.email for u in users.list_users(office.db)}
    assert found["clerk1"] == "clerk1@example.gov.tw" and found["admin1"] == ""
    assert journal_entries(office, "users set-email")[-1]["details"] == {
        "username": "clerk1",
        "email": "set",
        "by": "clerk1",
    }


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_the_password_from_the_environment(
    fresh: Office,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    certificate: tuple[Path, Path],
    security: str,
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"Mail-Secret-2026")

    handler, port = Inbox(), free_port()
    tls = {"tls_context": context, "require_starttls": True}
    # aiosmtpd counts only STARTTLS as TLS for AUTH: over implicit TLS it is allowed here
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=authenticate,
        **(tls if security == "starttls" else {"ssl_context": context, "auth_require_tls": False}),
    )  # fmt: skip
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this one
        monkeypatch.setenv("REMIND_TEST_SMTP_PW", "Mail-Secret-2026")
        configure(
            fresh.workspace.root,
            port,
            'username = "docgen"\npassword_env = "REMIND_TEST_SMTP_PW"\n',
        )
        path = fresh.workspace.root / "docgen.toml"
        text = path.read_text(encoding="utf-8").replace(
            'security = "none"', f'security = "{security}"'
        )
        path.write_text(text, encoding="utf-8")
        code, _out, err = docgen(capsys, fresh, "remind", "--date", AS_OF)
        assert code == 0, err
        assert logins == [(b"docgen", b"Mail-Secret-2026")]
        assert sorted(r for rcpt, _m in handler.received for r in rcpt) == sorted(MAIL.values())
        # A wrong password: one line, nothing sent (aiosmtpd then leaves smtplib's next
        # mechanism unanswered: a short timeout ends it).
        monkeypatch.setenv("REMIND_TEST_SMTP_PW", "wrong")
        monkeypatch.setattr(reminders, "TIMEOUT", 2)
        code, _out, err = docgen(capsys, fresh, "remind", "--date", "2026-12-26")
        assert code == 7 and len(err.strip().splitlines()) == 1 and "failed after 0 of" in err, err
        assert "wrong" not in err
    finally:
        controller.stop()
