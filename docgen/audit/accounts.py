"""The account review (R4.1, R5.2, R3.2, R3.3, segregation of duties) and the user
roster for 民政局 (R7.2), as reports with masked names and IDs, and the record
metadata their files carry into the archive (:func:`list_metadata`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from docgen.calendar import WorkingCalendar, format_roc_short
from docgen.metadata import RecordMetadata
from docgen.privacy import MaskingPolicy, mask_id, mask_name
from docgen.records.accounts import ACCOUNT_HEADERS
from docgen.records.models import Account
from docgen.report import Columns, Report
from docgen.rules.account_review import Category, review_accounts

#: A terminal shows all but the (masked) national ID unless ``--wide``.
REVIEW_COLUMNS = Columns(
    {
        "category": "類別",
        "account": "帳號",
        "name": "姓名",
        "national_id": "身分證統一編號",
        "unit": "單位",
        "role": "角色",
        "status": "狀態",
        "detail": "說明",
    },
    brief=("category", "account", "name", "unit", "role", "status", "detail"),
)
#: The registry's own headers, less the departure and contact fields the roster omits;
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
        for field, header in ACCOUNT_HEADERS.items()
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
        "role": str(account.role),
        "status": str(account.status),
    }


def review_report(
    accounts: Sequence[Account], as_of: date, calendar: WorkingCalendar, policy: MaskingPolicy
) -> Report:
    """The review as of ``as_of``: one row per account and category, counts in the summary."""
    by_id = {a.account_id: a for a in accounts}
    findings = review_accounts(accounts, as_of, calendar)
    rows = [
        {"category": str(f.category), **_person(by_id[f.account_id], policy), "detail": f.detail}
        for f in findings
    ]
    counts = Counter(f.category for f in findings)
    summary: dict[str, object] = {"清查基準日": format_roc_short(as_of), "帳號數": len(accounts)}
    summary.update({str(c): counts.get(c, 0) for c in Category})
    title = f"帳號清查 {format_roc_short(as_of)}（R4.1、R5.2、R3.2）"
    return Report(title, REVIEW_COLUMNS, rows, summary, sheet="帳號清查")


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
    title = f"使用者清冊 {format_roc_short(as_of)}"
    return Report(title, ROSTER_COLUMNS, rows, {"帳號數": len(rows)}, sheet="使用者清冊")


def list_metadata(report: Report, as_of: date) -> RecordMetadata:
    """What a written review or roster is for the archive: category ``other`` (the
    regulation sets no retention for it), the month of ``as_of`` as its period, the
    report's title (which names the date). No personal data."""
    return RecordMetadata(category="other", period=f"{as_of:%Y-%m}", title=report.title)
