"""The account review (R4.1, R5.2, R3.2, R3.3, segregation of duties) and the user
roster for 民政局 (R7.2), as reports with masked names and IDs, and the record
metadata their files carry into the archive (:func:`list_metadata`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from docgen.calendar import WorkingCalendar, format_roc_short
from docgen.i18n import DEFAULT_LANGUAGE, N_, translate, translations
from docgen.metadata import RecordMetadata
from docgen.privacy import MaskingPolicy, mask_id, mask_name
from docgen.records.accounts import ACCOUNT_LABELS
from docgen.records.models import ROLE_LABELS, STATUS_LABELS, Account
from docgen.report import Columns, Report
from docgen.rules.account_review import Category, review_accounts

#: A terminal shows all but the (masked) national ID unless ``--wide``.
REVIEW_COLUMNS = Columns(
    {
        "category": N_("Category"),
        "account": N_("Account"),
        "name": N_("Name"),
        "national_id": N_("National ID"),
        "unit": N_("Unit"),
        "role": N_("Role"),
        "status": N_("Status"),
        "detail": N_("Detail"),
    },
    brief=("category", "account", "name", "unit", "role", "status", "detail"),
)
#: Each category of the review as a report shows it (its Chinese: the rule's own words).
CATEGORY_LABELS: dict[Category, str] = {
    Category.DORMANT: N_("Unused for over 6 months (R4.1)"),
    Category.LONG_SUSPENDED: N_("Suspended for 1 year or more: notify to cancel (R4.1)"),
    Category.LATE_CANCELLATION: N_(
        "Cancellation not requested 10 working days before leaving or transfer (R5.2)"
    ),
    Category.MISSING_PAPERS: N_(
        "No application form or confidentiality pledge on file (R3.2, R3.3)"
    ),
    Category.DUAL_ROLE: N_("Auditor who is also a general user (segregation of duties)"),
}
#: The titles of the review and the roster (``{date}``: ROC), by their sheet name.
_TITLES = {
    N_("Account review"): N_("Account review {date} (R4.1, R5.2, R3.2)"),
    N_("User roster"): N_("User roster {date}"),
}
#: Summary labels of the review and the roster.
REVIEW_DATE, ACCOUNT_COUNT = N_("Review date"), N_("Accounts")
#: The journal and the office database record a review's counts under these keys (the
#: Chinese words of earlier docgens), the same in every language: summary label → key.
_COUNT_KEYS = {ACCOUNT_COUNT: "帳號數", **{label: str(c) for c, label in CATEGORY_LABELS.items()}}
#: The registry's own fields, less the departure and contact fields the roster omits;
#: its dates (ROC text) are real dates in the workbook.
_ROSTER_DATES = (
    "opened",
    "last_used",
    "suspended_on",
    "cancelled_on",
    "application_on",
    "pledge_on",
)
ROSTER_COLUMNS = Columns(
    {
        ("account" if field == "account_id" else field): header
        for field, header in ACCOUNT_LABELS.items()
        if field not in {"departure_on", "cancellation_requested_on", "phone", "email"}
    },
    dates=_ROSTER_DATES,
)


def _person(account: Account, policy: MaskingPolicy) -> dict[str, object]:
    return {
        "account": account.account_id,
        "name": mask_name(account.name, policy),
        "national_id": mask_id(account.national_id, policy),
        "unit": account.unit,
        "role": translate(ROLE_LABELS[account.role]),
        "status": translate(STATUS_LABELS[account.status]),
    }


def review_report(
    accounts: Sequence[Account], as_of: date, calendar: WorkingCalendar, policy: MaskingPolicy
) -> Report:
    """The review as of ``as_of``: one row per account and category, counts in the summary."""
    by_id = {a.account_id: a for a in accounts}
    findings = review_accounts(accounts, as_of, calendar)
    rows = [
        {
            "category": translate(CATEGORY_LABELS[f.category]),
            **_person(by_id[f.account_id], policy),
            "detail": f.detail,
        }
        for f in findings
    ]
    counts = Counter(f.category for f in findings)
    summary: dict[str, object] = {
        REVIEW_DATE: format_roc_short(as_of),
        ACCOUNT_COUNT: len(accounts),
    }
    summary.update({CATEGORY_LABELS[c]: counts.get(c, 0) for c in Category})
    sheet = N_("Account review")
    return Report(_title(sheet, as_of), REVIEW_COLUMNS, rows, summary, sheet=sheet)


def review_counts(report: Report) -> dict[str, int]:
    """The counts of a review report as the journal and the office database record
    them: 帳號數 and each category, under their Chinese keys in every language."""
    return {
        _COUNT_KEYS[label]: value
        for label, value in report.summary.items()
        if label in _COUNT_KEYS and isinstance(value, int)
    }


def _roc(value: date | None) -> str:
    return format_roc_short(value) if value else ""


def roster_report(accounts: Sequence[Account], as_of: date, policy: MaskingPolicy) -> Report:
    """The user roster (使用者清冊, R7.2): every account, by unit then account."""
    rows = []
    for account in sorted(accounts, key=lambda a: (a.unit, a.account_id)):
        row = _person(account, policy)
        row["title"] = account.title
        for key in ("opened", "last_used", "suspended_on", "cancelled_on"):
            row[key] = _roc(getattr(account, key))
        row["application_on"] = _roc(account.application_on)
        row["pledge_on"] = _roc(account.pledge_on)
        rows.append(row)
    sheet = N_("User roster")
    return Report(
        _title(sheet, as_of), ROSTER_COLUMNS, rows, {ACCOUNT_COUNT: len(rows)}, sheet=sheet
    )


def _title(sheet: str, as_of: date, language: str | None = None) -> str:
    """The title of the review or roster (by its ``sheet``) as of ``as_of``, in
    ``language`` (default: the current one)."""
    message = _TITLES[sheet]
    text = translations(language).gettext(message) if language else translate(message)
    return text.format(date=format_roc_short(as_of))


def list_metadata(report: Report, as_of: date) -> RecordMetadata:
    """What a written review or roster is for the archive: category ``other`` (the
    regulation sets no retention for it), the month of ``as_of`` as its period, the
    report's title (which names the date) in the office's language whoever wrote it, as
    every title in the archive is. No personal data."""
    sheet = report.sheet or ""
    title = _title(sheet, as_of, DEFAULT_LANGUAGE) if sheet in _TITLES else report.title
    return RecordMetadata(category="other", period=f"{as_of:%Y-%m}", title=title)
