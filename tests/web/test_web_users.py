"""Web users as use cases and as ``docgen users``: the password rules (資通系統防護基準
中級), the history, the ages, and the CLI (a first administrator, never a default)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from docgen.cli.main import cli
from docgen.errors import InputError
from docgen.services import users
from tests.web.conftest import PASSWORD, Office, journal_entries

NOW = datetime(2026, 12, 1, 9, 0)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short-1a", "at least 12 characters"),
        ("alllowercaseletters", "at least three of"),
        ("lowercase-and-dash", "at least three of"),
        ("Has-Admin1-Inside", "does not contain the username"),
        ("Control\x07-Char-2026", "no control characters"),
    ],
)
def test_a_weak_password_is_refused(password: str, problem: str) -> None:
    assert any(problem in p for p in users.password_problems(password, "admin1"))


@pytest.mark.parametrize(
    "password", ["Example-Pass-2026", "正體中文密碼Abc12345", "lower UPPER 12345"]
)
def test_a_strong_password_is_accepted(password: str) -> None:
    assert users.password_problems(password, "someone") == []


def test_no_reuse_of_the_last_three_and_the_ages(office: Office) -> None:
    ws, db = office.workspace, office.db
    users.add_user(
        ws, db, "ageing", PASSWORD, ["clerk"], must_change_password=False, actor="t", now=NOW
    )
    with pytest.raises(InputError, match="once a day"):
        users.change_password(
            ws, db, "ageing", PASSWORD, "Second-Pass-2026", now=NOW + timedelta(hours=2)
        )
    day = NOW
    passwords = [PASSWORD, "Second-Pass-2026", "Third-Pass-2026", "Fourth-Pass-2026"]
    for old, new in itertools.pairwise(passwords):
        day += timedelta(days=2)
        users.change_password(ws, db, "ageing", old, new, now=day)
    day += timedelta(days=2)
    for reused in ("Third-Pass-2026", "Second-Pass-2026"):
        with pytest.raises(InputError) as caught:
            users.change_password(ws, db, "ageing", "Fourth-Pass-2026", reused, now=day)
        assert "last 3 passwords" in str(caught.value)
    users.change_password(ws, db, "ageing", "Fourth-Pass-2026", PASSWORD, now=day)  # 4th back
    expired = users.sign_in(ws, db, "ageing", PASSWORD, now=day + users.MAX_AGE + timedelta(days=1))
    assert expired.outcome == "ok" and expired.must_change


def test_roles_and_units_are_checked(office: Office) -> None:
    ws, db = office.workspace, office.db
    with pytest.raises(InputError, match="not a role"):
        users.add_user(ws, db, "x1", PASSWORD, ["boss"], actor="t")
    with pytest.raises(InputError, match="bound to a unit"):
        users.add_user(ws, db, "x2", PASSWORD, ["supervisor"], actor="t")
    with pytest.raises(InputError, match=r"not a unit of docgen\.toml"):
        users.add_user(ws, db, "x3", PASSWORD, ["supervisor"], unit="No such unit", actor="t")
    with pytest.raises(InputError, match="not a username"):
        users.add_user(ws, db, "Bad Name", PASSWORD, ["clerk"], actor="t")
    both = users.add_user(ws, db, "both1", PASSWORD, ["稽核人員", "ethics"], actor="t")
    assert both.roles == ("auditor", "ethics")


def test_a_reset_token_expires(office: Office) -> None:
    ws, db = office.workspace, office.db
    users.add_user(ws, db, "late1", PASSWORD, ["clerk"], actor="t", now=NOW)
    token, expires = users.issue_reset_token(ws, db, "late1", actor="t", now=NOW)
    assert expires == NOW + users.RESET_TOKEN_LIFETIME
    with pytest.raises(InputError, match="not valid"):
        users.redeem_reset_token(
            ws, db, "late1", token, "Brand-New-Pass-27", now=expires + timedelta(minutes=1)
        )
    with pytest.raises(InputError, match="not valid"):
        users.redeem_reset_token(ws, db, "someone-else", token, "Brand-New-Pass-27", now=NOW)


def _docgen(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["-w", str(root), *args], input=input)


def test_the_cli_makes_lists_disables_and_resets_users(office: Office) -> None:
    root = office.workspace.root
    typed = _docgen(
        root,
        "users",
        "add",
        "chief",
        "--role",
        "admin",
        "--name",
        "陳美玲",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert typed.exit_code == 0, typed.output
    assert "Added web user chief (Administrator)." in typed.output
    assert PASSWORD not in typed.output
    piped = _docgen(
        root,
        "users",
        "add",
        "lin",
        "--role",
        "supervisor",
        "--unit",
        "市場行政科",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )
    assert piped.exit_code == 0, piped.output
    differ = _docgen(
        root, "users", "add", "wu", "--role", "clerk", input=f"{PASSWORD}\nOther-Pass-2026\n" * 3
    )
    assert differ.exit_code != 0
    weak = _docgen(
        root, "users", "add", "wu", "--role", "clerk", "--password-stdin", input="short\n"
    )
    assert isinstance(weak.exception, InputError) and "at least 12 characters" in str(
        weak.exception
    )
    listed = _docgen(root, "users", "list", "--format", "csv")
    assert "chief" in listed.output and "lin" in listed.output and "市場行政科" in listed.output
    assert _docgen(root, "users", "disable", "lin").exit_code == 0
    assert "disabled" in _docgen(root, "users", "list", "--format", "csv").output
    reset = _docgen(root, "users", "reset-password", "chief")
    assert reset.exit_code == 0, reset.output
    token = reset.output.strip().splitlines()[-1]
    assert len(token) >= 24
    assert token not in (office.workspace.journal_path.read_text(encoding="utf-8"))
    added = [e["details"] for e in journal_entries(office, "users add")]
    assert {"username": "chief", "roles": ["admin"], "unit": "", "by": added[-2]["by"]} in added  # type: ignore[index]


def test_a_download_is_what_the_cli_writes(clients: dict[str, FlaskClient], office: Office) -> None:
    import io
    from datetime import date

    from openpyxl import load_workbook

    web = clients["director"].get("/obligations/download?format=csv").data
    out = office.workspace.root / "cli.csv"
    result = _docgen(
        office.workspace.root,
        "archive",
        "report",
        "missing",
        "--calendar",
        "--as-of",
        date.today().isoformat(),
        "--format",
        "csv",
        "-o",
        str(out),
    )
    assert out.exists(), result.output
    assert web == out.read_bytes()
    xlsx = clients["director"].get("/obligations/download?format=xlsx")
    assert xlsx.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet is not None and sheet.max_row > 2
