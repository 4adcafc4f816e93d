"""docgen init: the layout, refusing to overwrite, and the example office's known facts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from docgen.calendar import WorkingCalendar, civil_code_period_end
from docgen.config import open_workspace
from docgen.errors import InputError
from docgen.example_office import EXAMPLE_AS_OF, EXAMPLE_FACTS, EXAMPLE_QUERY_FACTS
from docgen.journal import Journal
from docgen.privacy import is_valid_national_id
from docgen.records import Account, Query, QueryLog, Role, Status, read_accounts, read_table
from docgen.records.stored import load_registry
from docgen.records.workspace import PACKAGE_DATA, init_workspace

AS_OF = EXAMPLE_AS_OF
SIX_MONTHS_AGO = date(2026, 5, 30)


def _shipped(folder: str) -> set[str]:
    root = PACKAGE_DATA / folder
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_init_lays_out_a_workspace(tmp_path: Path) -> None:
    root = tmp_path / "new" / "office"
    written = init_workspace(root)
    for folder in (
        "data",
        "templates/attachments",
        "retention",
        "archive/inbox",
        "archive/records",
    ):
        assert (root / folder).is_dir(), folder
    workspace = open_workspace(root, environ={})
    assert workspace.config.office.name == "臺北市市場處"
    assert workspace.config.columns.timestamp == "查詢日期時間"
    assert _files(root / "templates/attachments") == _shipped("templates/attachments")
    assert _files(root / "retention") == _shipped("retention")
    assert _files(root / "data") == set()
    entries = Journal(workspace.journal_path).entries()
    assert [e["command"] for e in entries] == ["init"]
    assert len(entries[0]["outputs"]) == len(written)
    assert Journal(workspace.journal_path).verify().entries == 1
    assert list(tmp_path.joinpath("new").iterdir()) == [root]  # no temporary left


def test_init_into_an_empty_folder_works(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    assert (tmp_path / "docgen.toml").is_file()


@pytest.mark.parametrize("existing", ["notes.txt", "docgen.toml"])
def test_init_refuses_a_folder_with_files(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="never overwrites files"):
        init_workspace(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [existing]
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine"


def test_example_configuration(example_ws: Path) -> None:
    config = open_workspace(example_ws, environ={}).config
    assert [(u.name, bool(u.supervisor)) for u in config.units] == [
        ("企劃室", True), ("市場行政科", True), ("攤販管理科", True), ("秘書室", True),
    ]  # fmt: skip
    office = config.office
    assert office.director and office.administrator and office.ethics_officer
    assert len(office.auditors) == 2
    assert _shipped("example") <= _files(example_ws / "data")
    outputs = Journal(example_ws / ".docgen" / "journal.jsonl").entries()[0]["outputs"]
    paths = [entry["path"] for entry in outputs]
    assert len(paths) == len(set(paths))  # 附件2/3 data overwritten, listed once
    assert any(path.endswith("附件2_權限申請表.csv") for path in paths)


def _by_state(accounts: list[Account]) -> dict[str, list[str]]:
    """The states the rules care about, derived here from the registry as read."""
    calendar = WorkingCalendar()
    horizon = calendar.add_working_days(AS_OF, 10)
    state: dict[str, list[str]] = {}

    def put(key: str, account: Account) -> None:
        state.setdefault(key, []).append(account.account_id)

    for a in accounts:
        active_user = a.role is Role.USER and a.status is Status.ACTIVE
        if active_user and a.last_used and a.last_used >= SIX_MONTHS_AGO:
            put("active_users", a)
        if a.status is Status.ACTIVE and a.last_used is None and a.opened < SIX_MONTHS_AGO:
            put("never_used", a)
        if a.status is Status.ACTIVE and a.last_used and a.last_used < SIX_MONTHS_AGO:
            put("unused_over_6_months", a)
        if a.status is Status.SUSPENDED and a.suspended_on:
            year_ago = a.suspended_on <= AS_OF - timedelta(days=365)
            put("suspended_over_a_year" if year_ago else "suspended_under_a_year", a)
        if a.status is Status.CANCELLED and a.cancelled_on:
            past = civil_code_period_end(a.cancelled_on, years=5) < AS_OF
            put("cancelled_past_retention" if past else "cancelled_within_retention", a)
        if a.departure_on and AS_OF <= a.departure_on <= horizon:
            deadline = calendar.add_working_days(a.departure_on, -10)
            late = a.cancellation_requested_on is None or a.cancellation_requested_on > deadline
            put("leaving_requested_late" if late else "leaving_requested_in_time", a)
        if a.role is Role.AUDITOR:
            put("auditors", a)
        if active_user and a.pledge_on is None:
            put("missing_pledge", a)
        if active_user and a.application_on is None:
            put("missing_application", a)
    return state


def test_example_accounts_are_in_every_state_the_rules_care_about(example_ws: Path) -> None:
    accounts = read_accounts(example_ws / "data" / "accounts.csv")
    assert 20 <= len(accounts) <= 30
    state = _by_state(accounts)
    for key, expected in EXAMPLE_FACTS.items():
        if isinstance(expected, list):
            assert sorted(state.get(key, [])) == sorted(expected), key
    by_id = {a.account_id: a for a in accounts}
    assert by_id[EXAMPLE_FACTS["administrator"]].role is Role.ADMIN
    dual = EXAMPLE_FACTS["auditor_also_user"]
    auditor, user = by_id[dual["auditor"]], by_id[dual["user"]]
    assert auditor.national_id == user.national_id and auditor.role is Role.AUDITOR
    assert user.role is Role.USER
    for account_id in EXAMPLE_FACTS["auditors"]:
        assert by_id[account_id].application_on and by_id[account_id].pledge_on is None
    ids = {a.national_id for a in accounts}
    assert all(is_valid_national_id(i) for i in ids) and len(ids) == len(accounts) - 1


@pytest.mark.parametrize("month", ["2026-08", "2026-09", "2026-10"])
def test_example_query_logs(example_ws: Path, month: str) -> None:
    path = example_ws / EXAMPLE_QUERY_FACTS["files"][month]
    accounts = {a.account_id: a for a in read_accounts(example_ws / "data" / "accounts.csv")}
    queries = list(QueryLog(path))
    assert len(queries) == EXAMPLE_QUERY_FACTS["queries"][month]
    unjustified = sum(1 for q in queries if not q.justification)
    assert unjustified == EXAMPLE_QUERY_FACTS["without_justification"][month]
    assert 0.03 <= unjustified / len(queries) <= 0.05
    assert {q.unit for q in queries if q.account_id in accounts} == {
        "企劃室", "市場行政科", "攤販管理科", "秘書室",
    }  # fmt: skip
    assert all(q.queried_at.strftime("%Y-%m") == month for q in queries)
    assert all(is_valid_national_id(q.subject_id) for q in queries)

    def expected(key: str) -> list[tuple[str, object]]:
        return [f for f in EXAMPLE_QUERY_FACTS[key] if f[1].strftime("%Y-%m") == month]

    def inactive(q: Query) -> bool:
        account = accounts.get(q.account_id)
        when = q.queried_at.date()
        ended = account and (account.suspended_on or account.cancelled_on)
        return bool(ended and ended <= when)

    working = WorkingCalendar()
    assert [(q.account_id, q.queried_at) for q in queries if inactive(q)] == expected(
        "by_suspended_or_cancelled"
    )
    unknown = [(q.account_id, q.queried_at) for q in queries if q.account_id not in accounts]
    assert unknown == expected("by_unknown_account")
    off = [(q.account_id, q.queried_at) for q in queries
           if not working.is_working_day(q.queried_at.date())]  # fmt: skip
    assert off == expected("on_days_off")


def test_example_log_formats(example_ws: Path) -> None:
    september = (example_ws / "data/queries/2026-09.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        september.decode("utf-8")
    assert september.decode("cp950").startswith("查詢日期時間,")
    assert september.decode("cp950").splitlines()[1].startswith("115/09/")
    (_, first), *_ = read_table(example_ws / "data/queries/2026-10.xlsx")
    assert first["查詢日期時間"].year == 2026  # a real date-time cell
    assert (example_ws / "data/accounts.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_example_is_deterministic(tmp_path: Path, example_ws: Path) -> None:
    init_workspace(tmp_path / "again", example=True)
    for name in (
        *("accounts.csv", "queries/2026-08.csv", "queries/2026-09.csv"),
        "forms/附件2_權限申請表.csv",
    ):
        again = (tmp_path / "again" / "data" / name).read_bytes()
        assert again == (example_ws / "data" / name).read_bytes(), name
    october = [row for _, row in read_table(tmp_path / "again/data/queries/2026-10.xlsx")]
    assert october == [row for _, row in read_table(example_ws / "data/queries/2026-10.xlsx")]
    pledges = [row for _, row in read_table(tmp_path / "again/data/forms/附件3_保密切結書.xlsx")]
    assert pledges == [
        row for _, row in read_table(example_ws / "data/forms/附件3_保密切結書.xlsx")
    ]


def test_the_example_registry_is_in_the_office_database(example_ws: Path) -> None:
    workspace = open_workspace(example_ws, environ={})
    assert load_registry(workspace).accounts == read_accounts(example_ws / "data/accounts.csv")
    commands = [e["command"] for e in Journal(workspace.journal_path).entries()]
    assert commands[:2] == ["init", "accounts import"]
