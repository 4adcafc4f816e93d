"""The account review page (ISSUE 13 item 3, R4.1): each flagged account of the example
office with the actions its finding allows, each making its papers; recording the
review. On the example office as of today (its accounts are dated for 2026-11-30)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from docgen.db.models.accounts import AccountReview
from docgen.privacy import find_unmasked_ids
from docgen.services.account_requests import account_requests
from tests.web.conftest import Office, csrf_token, journal_entries


def page(client: FlaskClient) -> str:
    return client.get("/accounts/review").get_data(as_text=True)


def post(client: FlaskClient, url: str, **data: str) -> object:
    token = csrf_token(page(client))
    return client.post(url, data={"csrf_token": token, **data})


def test_each_finding_has_the_actions_its_rule_allows(clients: dict[str, FlaskClient]) -> None:
    shown = page(clients["admin"])
    assert 'class="suspend-adm04"' in shown  # unused for over 6 months (R4.1b)
    assert 'class="notice-sec03"' in shown and 'class="cancel-sec03"' in shown  # R4.1c
    assert "ven06" in shown and not re.search(r'class="\w+-ven06"', shown)  # R5.2: no action
    assert not find_unmasked_ids(shown)
    auditor = page(clients["auditor"])
    assert "adm04" in auditor and 'class="suspend-adm04"' not in auditor
    assert 'id="record-review"' not in auditor


def test_the_actions_make_their_papers_and_the_review_is_recorded(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    admin = clients["admin"]
    post(admin, "/accounts/requests", kind="suspend", account_id="adm04")
    (made,) = [r for r in account_requests(office.db) if r.account_id == "adm04"]
    assert made.kind == "suspend" and made.files[0].endswith(".docx")
    assert (office.workspace.root / made.files[0]).is_file()
    post(admin, "/accounts/review/notice", account_id="sec03")
    shown = page(admin)
    assert "The notice to the holder of sec03 is drafted" in shown, shown[:3000]
    drafted = journal_entries(office, "correspondence draft")[-1]
    assert "holder-notice" in str(drafted["details"])
    post(admin, "/accounts/review/record")
    with office.db.session() as session:
        reviews = list(session.scalars(select(AccountReview)))
    assert reviews[-1].findings > 0 and reviews[-1].recorded_by == "admin1"
    assert journal_entries(office, "accounts review")
    assert "The account review of today is recorded" in page(admin)
