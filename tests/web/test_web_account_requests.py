"""Account requests' checks (ISSUE 13 item 3): each refusal one line, nothing stored;
a cancellation flagged late exactly when it comes after the 10th working day before
leaving (R5.2, the office's working calendar); the steps in order."""

from __future__ import annotations

import random
from datetime import date

import pytest
from flask.testing import FlaskClient

from docgen.calendar import WorkingCalendar
from docgen.errors import InputError
from docgen.example_office import synthetic_id
from docgen.services import account_requests as requests
from docgen.services.account_requests import AccountDetails
from tests.web.conftest import Office, csrf_token

NEW = AccountDetails(
    name="陳小明",
    national_id=synthetic_id(random.Random(5)),
    unit="企劃室",
    title="科員",
    purpose="資格審查",
    legal_basis="臺北市零售市場管理自治條例第9條",
)


@pytest.mark.parametrize(
    ("kind", "account", "details", "problem"),
    [
        ("open", "plan01", NEW, "is in the registry already"),
        ("open", "x/../y", NEW, "letters, digits"),
        (
            "open",
            "new01",
            AccountDetails(**{**vars(NEW), "national_id": "A123456788"}),
            "not a valid",
        ),
        ("open", "new01", AccountDetails(**{**vars(NEW), "unit": "總務科"}), "not a unit"),
        ("open", "new01", AccountDetails(**{**vars(NEW), "purpose": " "}), "使用目的: required"),
        ("suspend", "sec03", AccountDetails(), "it cannot be asked to suspend"),
        ("resume", "plan01", AccountDetails(), "it cannot be asked to resume"),
        ("cancel", "nobody", AccountDetails(leaving_on=date(2026, 12, 31)), "not in the registry"),
        ("close", "plan01", AccountDetails(), "not a kind of account request"),
    ],
)
def test_a_wrong_request_is_refused_in_one_line(
    office: Office, kind: str, account: str, details: AccountDetails, problem: str
) -> None:
    before = requests.account_requests(office.db)
    with pytest.raises(InputError, match=problem) as refused:
        requests.request_account(office.workspace, office.db, kind, account, details, by="a")
    assert "\n" not in str(refused.value) and NEW.national_id not in str(refused.value)
    assert requests.account_requests(office.db) == before


def test_late_is_after_the_tenth_working_day_before_leaving(office: Office) -> None:
    leaving = date(2026, 12, 31)
    deadline = WorkingCalendar().add_working_days(leaving, -10)
    on_time = requests.request_account(
        office.workspace, office.db, "cancel", "plan02",
        AccountDetails(leaving_on=leaving), by="admin1", today=deadline,
    )  # fmt: skip
    assert not on_time.late
    with pytest.raises(InputError, match="is requested, awaiting approval, not approved"):
        requests.record_on_platform(office.workspace, office.db, on_time.id, date.today(), by="a")
    with pytest.raises(InputError, match=r"account request \d+ is still open"):
        requests.request_account(
            office.workspace, office.db, "suspend", "plan02", AccountDetails(), by="admin1"
        )
    cancel_late = requests.request_account(
        office.workspace, office.db, "cancel", "plan01",
        AccountDetails(leaving_on=leaving), by="admin1", today=date(2026, 12, 18),
    )  # fmt: skip
    assert cancel_late.late


def test_only_the_administrator_enters_and_only_the_director_approves(
    clients: dict[str, FlaskClient],
) -> None:
    def post(role: str, url: str) -> int:
        token = csrf_token(clients[role].get("/password").get_data(as_text=True))
        return clients[role].post(url, data={"csrf_token": token, "kind": "open"}).status_code

    for role in ("director", "supervisor", "clerk", "auditor"):
        assert post(role, "/accounts/requests") == 403, role
    for role in ("admin", "auditor", "supervisor"):
        assert post(role, "/accounts/requests/1/approve") == 403, role
    for role in ("director", "auditor"):
        assert post(role, "/accounts/requests/1/done") == 403, role


def test_who_enters_a_request_does_not_approve_it_and_a_change_keeps_the_role(
    office: Office,
) -> None:
    change = requests.request_account(
        office.workspace, office.db, "change", "audit01",
        AccountDetails(phone="02-1234-5678", purpose="稽核", legal_basis="第六點"),
        by="both1",
    )  # fmt: skip
    with pytest.raises(InputError, match="may not approve it"):
        requests.approve_account_request(
            office.workspace, office.db, change.id, by="both1", name="兼任者"
        )
    requests.approve_account_request(office.workspace, office.db, change.id, by="d", name="處長")
    requests.record_on_platform(office.workspace, office.db, change.id, date.today(), by="a")
    from docgen.records.stored import load_registry

    account = {a.account_id: a for a in load_registry(office.workspace, office.db).accounts}
    assert account["audit01"].role == "稽核人員" and account["audit01"].phone == "02-1234-5678"
