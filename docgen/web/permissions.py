"""Who sees and does what in the web application: the one table, enforced in one place
(ISSUE 12 item 2; ``docs/permissions.md`` mirrors :data:`PAGES`, and a test checks
that they agree).

:func:`enforce` runs before every request: an endpoint that is neither public
(:data:`PUBLIC`) nor in the table is refused (deny by default); a role that the
page's row does not name is refused; a unit supervisor (科(室)主管) whose other roles
do not open the page to the whole office sees only their own unit — a request for
another unit, whatever the URL says, is refused. Every refusal is journalled
(``web refused``: who, which page, which unit asked for), and every view of a page
with case data is journalled on the way out (``web view``: who, which page, when).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from docgen.i18n import N_
from docgen.rules.roles import (
    ADMIN,
    ALL_ROLES,
    ARCHIVIST,
    AUDITOR,
    CLERK,
    DASHBOARD,
    DIRECTOR,
    ETHICS,
    SUPERVISOR,
    Page,
    visible_units,
)

#: The permission table: page key → who may open it. docs/permissions.md mirrors it.
PAGES: dict[str, Page] = {
    "dashboard": DASHBOARD,
    "obligations": Page(N_("Obligations"), ALL_ROLES, scoped=True, case_data=True),
    "obligations-download": Page(
        N_("Obligations: download"), ALL_ROLES, scoped=True, case_data=True
    ),
    "accounts": Page(
        N_("Account registry"),
        frozenset({ADMIN, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR}),
        scoped=True,
        case_data=True,
    ),
    "account-review": Page(
        N_("Account review"), frozenset({ADMIN, AUDITOR, DIRECTOR}), case_data=True
    ),
    "account-review-notice": Page(
        N_("Account review: draft the notice to a holder"), frozenset({ADMIN}), case_data=True
    ),
    "account-review-record": Page(
        N_("Account review: record it done"), frozenset({ADMIN}), case_data=True
    ),
    "account-requests": Page(
        N_("Account requests"), frozenset({ADMIN, AUDITOR, DIRECTOR}), case_data=True
    ),
    "account-request-new": Page(
        N_("Account requests: enter one (附件2, 附件3)"), frozenset({ADMIN}), case_data=True
    ),
    "account-request-approve": Page(
        N_("Account requests: approve"), frozenset({DIRECTOR}), case_data=True
    ),
    "account-request-done": Page(
        N_("Account requests: record it done on the platform"),
        frozenset({ADMIN}),
        case_data=True,
    ),
    "account-request-file": Page(
        N_("Account requests: download a form"),
        frozenset({ADMIN, AUDITOR, DIRECTOR}),
        case_data=True,
    ),
    "queries": Page(
        N_("Query logs"),
        frozenset({ADMIN, CLERK, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR}),
        scoped=True,
        case_data=True,
    ),
    "samples": Page(
        N_("Samples"),
        frozenset({ADMIN, CLERK, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR}),
        scoped=True,
        case_data=True,
    ),
    "spot-check": Page(
        N_("Monthly spot check"),
        frozenset({ADMIN, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR}),
        scoped=True,
        case_data=True,
    ),
    "spot-check-log": Page(
        N_("Monthly spot check: upload the month's query log"), frozenset({ADMIN}), case_data=True
    ),
    "spot-check-draw": Page(
        N_("Monthly spot check: draw the sample"), frozenset({ADMIN}), case_data=True
    ),
    "spot-check-mark": Page(
        N_("Monthly spot check: mark a case, attach evidence, submit"),
        frozenset({SUPERVISOR}),
        scoped=True,
        case_data=True,
    ),
    "spot-check-approve": Page(
        N_("Monthly spot check: approve a unit's results"), frozenset({DIRECTOR}), case_data=True
    ),
    "spot-check-evidence": Page(
        N_("Monthly spot check: download a case's evidence"),
        frozenset({ADMIN, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR}),
        scoped=True,
        case_data=True,
    ),
    "spot-check-print": Page(
        N_("Monthly spot check: download the month's print pack"),
        frozenset({ADMIN, DIRECTOR}),
        case_data=True,
    ),
    "spot-check-package": Page(
        N_("Monthly spot check: build a unit's package from its returned scans"),
        frozenset({ADMIN}),
        case_data=True,
    ),
    "half-year": Page(
        N_("Half-year audit"), frozenset({ADMIN, AUDITOR, ETHICS, DIRECTOR}), case_data=True
    ),
    "half-year-draw": Page(
        N_("Half-year audit: draw the sample"), frozenset({ADMIN, AUDITOR}), case_data=True
    ),
    "half-year-mark": Page(
        N_("Half-year audit: mark a case, attach evidence, submit"),
        frozenset({AUDITOR, ETHICS}),
        case_data=True,
    ),
    "half-year-record": Page(
        N_("Half-year audit: fill 附件5, record and close findings"),
        frozenset({AUDITOR, ETHICS}),
        case_data=True,
    ),
    "half-year-approve": Page(
        N_("Half-year audit: approve the half's 附件4 and 附件5"),
        frozenset({DIRECTOR}),
        case_data=True,
    ),
    "half-year-package": Page(
        N_("Half-year audit: build the half's package from its returned scans"),
        frozenset({ADMIN, AUDITOR}),
        case_data=True,
    ),
    "reports": Page(N_("Reports"), ALL_ROLES),
    "report-missing": Page(N_("Missing report"), ALL_ROLES, scoped=True, case_data=True),
    "report-retention": Page(
        N_("Retention report (draft destruction list)"),
        frozenset({ADMIN, AUDITOR, ETHICS, DIRECTOR, ARCHIVIST}),
        case_data=True,
    ),
    "report-fixity": Page(
        N_("Fixity report"), frozenset({ADMIN, AUDITOR, DIRECTOR, ARCHIVIST}), case_data=True
    ),
    "report-unclassified": Page(
        N_("Unclassified files"), frozenset({ADMIN, CLERK, DIRECTOR, ARCHIVIST}), case_data=True
    ),
    "report-evidence": Page(
        N_("Evidence check"),
        frozenset({ADMIN, CLERK, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR}),
        scoped=True,
        case_data=True,
    ),
    "records": Page(N_("Records"), ALL_ROLES, scoped=True, case_data=True),
    "record-file": Page(
        N_("Records: open or download a file"),
        frozenset({CLERK, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR, ARCHIVIST}),
        scoped=True,
        case_data=True,
    ),
    "destruction": Page(
        N_("Destruction lists"),
        frozenset({ADMIN, AUDITOR, ETHICS, DIRECTOR, ARCHIVIST}),
        case_data=True,
    ),
    "destruction-propose": Page(
        N_("Destruction lists: propose"), frozenset({ARCHIVIST}), case_data=True
    ),
    "destruction-approve": Page(
        N_("Destruction lists: approve"), frozenset({DIRECTOR}), case_data=True
    ),
    "destruction-withdraw": Page(
        N_("Destruction lists: withdraw a proposed one"),
        frozenset({ARCHIVIST, DIRECTOR}),
        case_data=True,
    ),
    "destruction-record": Page(
        N_("Destruction lists: download a disposal record"),
        frozenset({ADMIN, AUDITOR, ETHICS, DIRECTOR, ARCHIVIST}),
        case_data=True,
    ),
    "destruction-dispose": Page(
        N_("Destruction lists: dispose of an approved one"), frozenset({ARCHIVIST}), case_data=True
    ),
    "inbox": Page(
        N_("Inbox: what waits to be filed"), frozenset({ADMIN, DIRECTOR, ARCHIVIST}), case_data=True
    ),
    "inbox-scan": Page(N_("Inbox: file it now"), frozenset({ARCHIVIST}), case_data=True),
    "record-classify": Page(
        N_("Records: say what an unclassified file is"), frozenset({ARCHIVIST}), case_data=True
    ),
    "record-reject": Page(
        N_("Records: reject an unclassified file as no record, with the reason"),
        frozenset({ARCHIVIST}),
        case_data=True,
    ),
    "record-hold": Page(
        N_("Records: put on hold or release, with the reason"),
        frozenset({ARCHIVIST, DIRECTOR}),
        case_data=True,
    ),
    "journal": Page(N_("Journal"), frozenset({ADMIN, AUDITOR, ETHICS, DIRECTOR, ARCHIVIST})),
    "users": Page(N_("Web users"), frozenset({ADMIN})),
    "calendar-feed": Page(N_("Calendar subscription: make, replace or revoke your own"), ALL_ROLES),
    "reminder-email": Page(N_("E-mail reminders: set your own address"), ALL_ROLES),
    "password": Page(N_("Change password"), ALL_ROLES),
    "sign-out": Page(N_("Sign out"), ALL_ROLES),
}

#: Each endpoint of the application → its row of :data:`PAGES` (a page and its
#: downloads, or a list and the pages of its items, share a row).
ENDPOINTS: dict[str, str] = {
    "pages.dashboard": "dashboard",
    "pages.obligations": "obligations",
    "pages.obligations_download": "obligations-download",
    "pages.accounts": "accounts",
    "account_review.review": "account-review",
    "account_review.notice": "account-review-notice",
    "account_review.record": "account-review-record",
    "account_requests.requests": "account-requests",
    "account_requests.new": "account-request-new",
    "account_requests.approve": "account-request-approve",
    "account_requests.done": "account-request-done",
    "account_requests.file": "account-request-file",
    "casework.queries": "queries",
    "casework.samples": "samples",
    "casework.sample": "samples",
    "spot_check.overview": "spot-check",
    "spot_check.upload": "spot-check-log",
    "spot_check.draw": "spot-check-draw",
    "spot_check.mark": "spot-check-mark",
    "spot_check.submit": "spot-check-mark",
    "spot_check.approve": "spot-check-approve",
    "spot_check.evidence": "spot-check-evidence",
    "print_pack.download": "spot-check-print",
    "scan_package.build_month": "spot-check-package",
    "half_year.overview": "half-year",
    "half_year.draw": "half-year-draw",
    "half_year.mark": "half-year-mark",
    "half_year.submit": "half-year-mark",
    "half_year.record": "half-year-record",
    "half_year.finding": "half-year-record",
    "half_year.close": "half-year-record",
    "half_year.approve": "half-year-approve",
    "scan_package.build_half": "half-year-package",
    "reports.index": "reports",
    "reports.missing": "report-missing",
    "reports.missing_download": "report-missing",
    "reports.retention": "report-retention",
    "reports.retention_download": "report-retention",
    "reports.fixity": "report-fixity",
    "reports.fixity_download": "report-fixity",
    "reports.unclassified": "report-unclassified",
    "reports.unclassified_download": "report-unclassified",
    "reports.evidence": "report-evidence",
    "reports.evidence_download": "report-evidence",
    "records.search": "records",
    "records.record": "records",
    "records.file": "record-file",
    "inbox.waiting": "inbox",
    "inbox.scan": "inbox-scan",
    "records.classify": "record-classify",
    "records.reject": "record-reject",
    "records.hold": "record-hold",
    "records.release": "record-hold",
    "destruction.lists": "destruction",
    "destruction.propose": "destruction-propose",
    "destruction.approve": "destruction-approve",
    "destruction.withdraw": "destruction-withdraw",
    "destruction.dispose": "destruction-dispose",
    "destruction.record": "destruction-record",
    "pages.journal": "journal",
    "pages.users": "users",
    "calendar_feeds.page": "calendar-feed",
    "calendar_feeds.make": "calendar-feed",
    "calendar_feeds.revoke": "calendar-feed",
    "calendar_feeds.email": "reminder-email",
    "auth.change_password": "password",
    "auth.sign_out": "sign-out",
}

#: Endpoints anyone may open, signed in or not. A calendar subscription
#: (``calendar_feeds.feed``) is fetched by a calendar program without a session: it
#: authenticates by its secret token alone.
PUBLIC = frozenset({"auth.sign_in", "auth.reset_password", "calendar_feeds.feed", "static"})


def page_of(endpoint: str | None) -> Page | None:
    """The row of the table an endpoint belongs to (None: not in the table)."""
    key = ENDPOINTS.get(endpoint or "")
    return PAGES.get(key) if key else None


def allowed(roles: Iterable[str], page: Page) -> bool:
    """Whether a person holding ``roles`` may open ``page``."""
    return bool(set(roles) & page.roles)


def may_open(roles: Iterable[str], key: str) -> bool:
    """Whether a person holding ``roles`` may open the page ``key`` (for links)."""
    page = PAGES.get(key)
    return page is not None and allowed(roles, page)


def enforce() -> Any:
    """The one check before every request (registered by :func:`docgen.web.app.create_app`):
    see the module. Returns a response (a redirect to the sign-in page) or None; a
    refusal is a 403 page."""
    from flask import abort, g, request
    from flask_login import current_user

    from docgen.web.app import login_manager, record

    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC:
        return None  # a 404 (no endpoint), or a page for everyone
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    page = page_of(endpoint)
    asked = (request.view_args or {}).get("unit") or request.args.get("unit")
    if page is None or not allowed(current_user.roles, page):
        record("web refused", {"page": ENDPOINTS.get(endpoint, endpoint), "unit": asked or ""})
        abort(403)
    units = visible_units(current_user.roles, current_user.unit, page)
    if units is not None and asked and asked not in units:
        record("web refused", {"page": ENDPOINTS[endpoint], "unit": asked})
        abort(403)
    g.page = page
    g.units = units
    g.unit = asked or (next(iter(units)) if units else None)
    return None


def in_scope(unit: str | None) -> bool:
    """Whether the signed-in person may see case data of ``unit`` on this request's
    page (``g.units`` was set by :func:`enforce`; None: the whole office)."""
    from flask import g

    units = g.get("units")
    return units is None or (unit is not None and unit in units)


def refuse(unit: str | None = None) -> NoReturn:
    """Refuse this request (403) and journal it: for a view that finds only after
    looking up an item (a record, a sample) that it belongs to a unit out of scope."""
    from flask import abort, request

    from docgen.web.app import record

    record("web refused", {"page": ENDPOINTS.get(request.endpoint or "", ""), "unit": unit or ""})
    abort(403)
