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
    # signed in meanwhile (else the account would be unused for 90 days: disabled)
    assert users.sign_in(ws, db, "ageing", PASSWORD, now=day + timedelta(days=30)).outcome == "ok"
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


def test_an_account_unused_for_90_days_is_disabled_at_its_next_attempt(office: Office) -> None:
    ws, db = office.workspace, office.db
    users.add_user(
        ws, db, "sleeper", PASSWORD, ["clerk"], must_change_password=False, actor="t", now=NOW
    )
    users.add_user(ws, db, "never1", PASSWORD, ["clerk"], actor="t", now=NOW)
    # just inside the period: signing in is a use, and the period starts again
    day = NOW + users.IDLE_AFTER - timedelta(seconds=1)
    assert users.sign_in(ws, db, "sleeper", PASSWORD, now=day).outcome == "ok"
    (sleeper,) = [u for u in users.list_users(db) if u.username == "sleeper"]
    assert users.last_use(sleeper) == day and users.disuse(sleeper, day) == ""
    later = day + users.IDLE_AFTER
    assert users.is_idle(sleeper, later) and users.disuse(sleeper, later) == "due"
    # the attempt after the period: refused as a disabled account is, right password or not
    result = users.sign_in(ws, db, "sleeper", PASSWORD, now=later, client="10.1.1.1")
    assert result.outcome == "refused" and result.user is None
    wrong = users.sign_in(ws, db, "never1", "Wrong-Pass-2026", now=NOW + users.IDLE_AFTER)
    assert wrong.outcome == "refused"
    found = {u.username: u for u in users.list_users(db)}
    for name in ("sleeper", "never1"):
        assert not found[name].active and users.disuse(found[name], later) == "disabled"
    assert found["sleeper"].disabled_at == later
    # and it stays refused, the right password too
    assert users.sign_in(ws, db, "sleeper", PASSWORD, now=later).outcome == "refused"
    disabled = {
        e["details"]["username"]: e["details"] for e in journal_entries(office, "users disable")
    }  # type: ignore[index]
    assert disabled["sleeper"] == {
        "username": "sleeper",
        "reason": "idle",
        "last_use": day.isoformat(),
        "idle_days": 90,
        "by": "docgen",
        "client": "10.1.1.1",
    }
    assert disabled["never1"]["last_use"] == NOW.isoformat()  # type: ignore[index]
    # an administrator's disabling of a used account is not for disuse
    users.add_user(ws, db, "leaver2", PASSWORD, ["clerk"], actor="t", now=NOW)
    gone = users.disable_user(ws, db, "leaver2", actor="t", now=NOW + timedelta(days=3))
    assert users.disuse(gone, later) == ""


def test_enabling_again_takes_a_new_initial_password(office: Office) -> None:
    ws, db = office.workspace, office.db
    users.add_user(
        ws, db, "back1", PASSWORD, ["clerk"], must_change_password=False, actor="t", now=NOW
    )
    with pytest.raises(InputError, match="not disabled"):
        users.enable_user(ws, db, "back1", "Brand-New-Pass-27", actor="t", now=NOW)
    token, _until = users.issue_reset_token(ws, db, "back1", actor="t", now=NOW)
    idle = NOW + users.IDLE_AFTER + timedelta(days=10)
    assert users.sign_in(ws, db, "back1", PASSWORD, now=idle).outcome == "refused"
    with pytest.raises(InputError, match="last 3 passwords"):
        users.enable_user(ws, db, "back1", PASSWORD, actor="t", now=idle)
    back = users.enable_user(ws, db, "back1", "Brand-New-Pass-27", actor="admin1", now=idle)
    assert back.active and back.must_change_password and back.disabled_at is None
    assert users.disuse(back, idle) == "" and users.last_use(back) == idle
    with pytest.raises(InputError, match="not valid"):  # the old token is void
        users.redeem_reset_token(ws, db, "back1", token, "Other-New-Pass-28", now=idle)
    result = users.sign_in(ws, db, "back1", "Brand-New-Pass-27", now=idle + timedelta(hours=1))
    assert result.outcome == "ok" and result.must_change
    entry = journal_entries(office, "users enable")[-1]["details"]
    assert entry == {"username": "back1", "by": "admin1"}


def test_the_cli_lists_unused_accounts_and_enables_one(office: Office) -> None:
    ws, db, root = office.workspace, office.db, office.workspace.root
    long_ago = datetime.now().replace(microsecond=0) - users.IDLE_AFTER - timedelta(days=5)
    users.add_user(ws, db, "dozer", PASSWORD, ["clerk"], actor="t", now=long_ago)
    users.add_user(ws, db, "dozer2", PASSWORD, ["clerk"], actor="t", now=long_ago)
    users.sign_in(ws, db, "dozer2", PASSWORD, now=long_ago + users.IDLE_AFTER + timedelta(days=1))
    listed = _docgen(root, "users", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    rows = {line.split(",")[0]: line for line in listed.output.splitlines()}
    assert "Unused" in listed.output and "Last sign-in" in listed.output
    assert "disabled at the next sign-in: unused for 95 days" in rows["dozer"]
    assert "never" in rows["dozer"]
    assert "disabled: unused for 91 days" in rows["dozer2"]
    assert "unused" not in rows["admin1"]
    enabled = _docgen(
        root, "users", "enable", "dozer2", "--password-stdin", input="Brand-New-Pass-27\n"
    )
    assert enabled.exit_code == 0, enabled.output
    assert "Enabled web user dozer2" in enabled.output
    assert "Brand-New-Pass-27" not in enabled.output
    again = _docgen(root, "users", "list", "--format", "csv")
    row = next(line for line in again.output.splitlines() if line.startswith("dozer2,"))
    assert "unused" not in row and "disabled" not in row
    refused = _docgen(root, "users", "enable", "dozer", "--password-stdin", input=f"{PASSWORD}\n")
    assert isinstance(refused.exception, InputError) and "not disabled" in str(refused.exception)
