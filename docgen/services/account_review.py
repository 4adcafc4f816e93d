"""The six-monthly account review and the user roster (R4.1, R5.2, R3.2, R7.2), each
one use case: the report from the registry in the office database, the file with its
record metadata for the archive, the review (when asked) or the roster on record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docgen.audit.accounts import list_metadata, review_counts, review_report, roster_report
from docgen.config import Workspace
from docgen.db import Database
from docgen.journal import Journal
from docgen.metadata import RecordMetadata, attach_metadata
from docgen.office_calendar import working_calendar
from docgen.records.stored import load_registry
from docgen.report import Report, write_report
from docgen.services.accounts import record_account_review


def _with_metadata(path: Path, meta: RecordMetadata) -> list[Path]:
    """Give the written ``path`` its record metadata; the files written (with a sidecar)."""
    holder = attach_metadata(path, meta)
    return [path] if holder == path else [path, holder]


#: The journal command of a review report saved to a file without recording the review
#: (``accounts review`` entries are reviews done: an earlier docgen kept them there).
REPORT_COMMAND = "accounts review report"


def review_accounts(
    workspace: Workspace,
    db: Database,
    as_of: date,
    fmt: str,
    output: Path | None,
    *,
    record: bool = False,
    actor: str = "",
) -> tuple[Report, str | None]:
    """Review every account as of ``as_of`` (R4.1) and, with ``output``, write the
    report there with its record metadata. Looking changes nothing (ISSUE 11 item 5):
    only with ``record`` is the review recorded as done on ``as_of`` (the office
    database; the calendar's 最近一次帳號清查, R4.1a) and journaled as
    ``accounts review``; a report saved without it is journaled as any saved report
    (:data:`REPORT_COMMAND`), and one only shown leaves no trace. Returns the report
    and, without ``output``, the text to show. ``actor``: who recorded it (default the
    login name)."""
    accounts = load_registry(workspace, db).accounts
    policy = workspace.config.masking.policy()
    report = review_report(accounts, as_of, working_calendar(workspace), policy)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
    text = write_report(report, fmt, output)
    outputs = _with_metadata(output, list_metadata(report, as_of)) if output else []
    counts = review_counts(report)
    if record:
        record_account_review(
            workspace, db, as_of, counts, findings=len(report.rows), outputs=outputs, actor=actor
        )
    elif outputs:
        details = {"as_of": as_of.isoformat(), "findings": len(report.rows), "recorded": False}
        Journal(workspace.journal_path, workspace.root).append(
            REPORT_COMMAND, outputs=outputs, details=details
        )
    return report, text


def write_roster(
    workspace: Workspace, db: Database, fmt: str, output: Path | None, today: date
) -> Path:
    """The user roster 民政局's audit asks for (R7.2), names and IDs masked, written
    to ``output`` (default ``out/accounts/使用者清冊_<date>.<fmt>``) with its record
    metadata, and journaled; returns the file."""
    policy = workspace.config.masking.policy()
    report = roster_report(load_registry(workspace, db).accounts, today, policy)
    target = output or workspace.root / "out" / "accounts" / f"使用者清冊_{today}.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_report(report, fmt, target)
    outputs = _with_metadata(target, list_metadata(report, today))
    details = {"date": today.isoformat(), "accounts": len(report.rows)}
    Journal(workspace.journal_path, workspace.root).append(
        "accounts roster", outputs=outputs, details=details
    )
    return target
