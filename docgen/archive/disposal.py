"""Disposal under an approval (DESIGN.md, Retention; RULES.md, Decisions: 檔案法
Art. 12; ISSUE 9 items 3 and 4).

:func:`dispose` removes the files of approved destruction candidates not on hold —
and refuses the whole request, naming each reason, if any record is not one. It is
the only code in docgen that deletes an archived file. The approval is the 發文字號 of
the approved destruction list, who approved it and when, someone other than the
person disposing (:mod:`docgen.archive.approval`). The candidates are those of the
draft destruction list (:mod:`docgen.archive.destruction_list`). Holds:
:mod:`docgen.archive.holds`.

Each disposal is a resumable plan (:mod:`docgen.archive.disposal_plan`), each step
durable before the next:

1. the journal gets the intent: the plan, its records and files, the approval, who;
2. the index gets the plan, one row per record;
3. per record: its tombstone (:mod:`docgen.archive.tombstones`), then its files
   removed, then the index updated — the plan row says which step it reached;
4. the journal gets the completion, and the plan is marked done.

Killed anywhere, the same command run again finishes the plan (a record put on hold
before its step 3 began is kept); any other disposal is refused while it is
unfinished. :func:`preview` (``--dry-run``) lists what would be removed, with each
file's SHA-256, and writes nothing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from docgen.archive.approval import Approval, check_approval
from docgen.archive.db import Index, files_of, open_index
from docgen.archive.disposal_plan import (
    DONE,
    KEPT,
    DisposalResult,
    PlannedRecord,
    Request,
    check_same_plan,
    completion_details,
    completion_journalled,
    finish_plan,
    intent_details,
    pending_plan,
    plan_items,
    record_plan,
)
from docgen.archive.disposal_steps import check_unchanged, run_plan
from docgen.archive.holds import active_hold, holds_on_file, place_hold, release_hold
from docgen.archive.retention import (
    RecordRetention,
    load_accounts,
    load_workspace_schedule,
    record_retentions,
)
from docgen.archive.untrusted import check_record_id
from docgen.calendar import format_roc_short
from docgen.config import Workspace
from docgen.db.models.archive import File, Record
from docgen.errors import InputError
from docgen.fsutil import exclusive_lock
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text
from docgen.rules.retention import Status

#: The lock of a disposal, in the archive root (beside the filing lock).
DISPOSAL_LOCK = ".docgen-disposal.lock"

__all__ = [
    "Preview",
    "active_hold",
    "check_disposable",
    "dispose",
    "place_hold",
    "preview",
    "refusal",
    "release_hold",
]


@dataclass(frozen=True)
class Preview:
    """What a disposal would remove (``--dry-run``); ``files`` as (path, SHA-256)."""

    plan_id: str
    approval: Approval
    records: list[tuple[str, list[tuple[str, str]]]]
    resumes: bool


def refusal(item: RecordRetention | None, record: Record | None, as_of: date) -> str:
    """Why a record may not be disposed as of ``as_of`` ("" when it may)."""
    if record is None:
        return _("not in the archive index")
    if record.status == "disposed":
        return _("already disposed")
    if item is None or item.unclassified:
        return _("not a filed record (status {status}): classify it first").format(
            status=record.status
        )
    if item.hold_reason is not None:
        return _("on hold: {reason}").format(reason=mask_ids_in_text(item.hold_reason))
    retention = item.retention
    if retention.status is Status.CANDIDATE:
        return ""
    if retention.status is Status.RETAINED:
        return _("not a destruction candidate as of {date}: kept until {end}").format(
            date=format_roc_short(as_of), end=format_roc_short(retention.ends or as_of)
        )
    return _("not a destruction candidate: {status} ({reason})").format(
        status=retention.status.label, reason=retention.reason
    )


def check_not_future(as_of: date, today: date) -> None:
    """A record is destroyed today, so only what is a candidate by today may go: an
    ``as_of`` after ``today`` would destroy records still within their retention."""
    if as_of > today:
        raise InputError(
            _(
                "nothing was disposed: --as-of {date} is later than today ({today}); "
                "records are disposed only once their retention has run out — dispose "
                "as of today (leave out --as-of) or an earlier date"
            ).format(date=format_roc_short(as_of), today=format_roc_short(today))
        )


def check_disposable(
    index: Index, workspace: Workspace, record_ids: Sequence[str], as_of: date
) -> None:
    """Raise :class:`InputError` naming every record that may not be disposed. Holds
    count from the index and from the hold files (ISSUE 9 item 1)."""
    schedule, accounts = load_workspace_schedule(workspace), load_accounts(workspace)
    on_file = holds_on_file(workspace.archive_root)
    with index.session() as session:
        items = record_retentions(session, schedule, accounts, as_of, extra_holds=on_file)
        by_id = {i.record_id: i for i in items}
        problems = [
            _("{record_id}: {reason}").format(record_id=rid, reason=why)
            for rid in record_ids
            if (why := refusal(by_id.get(rid), session.get(Record, rid), as_of))
        ]
    if problems:
        raise InputError(_("nothing was disposed:"), problems)


def destruction_candidates(workspace: Workspace, as_of: date) -> list[str]:
    """The records that may be disposed of as of ``as_of`` (R4.2, R6.2–R6.4): those
    whose retention has run out, on no hold (the index's or a hold file's) — the
    candidates of the retention report, which :func:`check_disposable` accepts."""
    schedule, accounts = load_workspace_schedule(workspace), load_accounts(workspace)
    on_file = holds_on_file(workspace.archive_root)
    with open_index(workspace) as index, index.session() as session:
        items = record_retentions(session, schedule, accounts, as_of, extra_holds=on_file)
        likely = [i for i in items if i.retention.status is Status.CANDIDATE]
        return sorted(
            {i.record_id for i in likely if not refusal(i, session.get(Record, i.record_id), as_of)}
        )


def _request(
    record_ids: Sequence[str], approval: Approval, as_of: date, by: str, now: datetime
) -> Request:
    """The disposal asked for, checked before anything is read or written."""
    check_not_future(as_of, now.date())
    if not isinstance(approval, Approval):
        raise InputError(_("a disposal needs the approval: its 文號, who approved it and when"))
    checked = check_approval(approval, by, now.date())
    if not record_ids:
        raise InputError(_("name the records to dispose of (their record IDs)"))
    unique = [check_record_id(rid) for rid in dict.fromkeys(r.strip() for r in record_ids)]
    return Request(unique, checked, as_of, by)


def _planned(index: Index, workspace: Workspace, request: Request) -> list[PlannedRecord]:
    """What a new plan disposes: every record checked, every file unchanged."""
    check_disposable(index, workspace, request.record_ids, request.as_of)
    root = workspace.archive_root
    planned = []
    with index.session() as session:
        for rid in request.record_ids:
            record = session.get(Record, rid)
            assert record is not None
            files = [_file_entry(f) for f in files_of(session, rid)]
            planned.append(PlannedRecord(rid, files, _metadata(record)))
    for item in planned:
        check_unchanged(root, item.files)
    return planned


@contextlib.contextmanager
def disposal_lock(workspace: Workspace, refused: str | None = None) -> Iterator[None]:
    """One disposal of an archive at a time, whichever workspace it is started from (a
    second is refused at once, not queued): a lock on the archive root, like the
    filing lock (ISSUE 9 item 12), but apart from it so that the watcher may run.
    ``archive rebuild`` takes it too, so that no disposal runs while the index is
    rebuilt from the trail files (``refused``, translated, begins its message; by
    default "nothing was disposed")."""
    busy = _(
        "{refused}: a `docgen archive dispose` or `rebuild` is running on this "
        "archive; wait for it to finish"
    ).format(refused=refused or _("nothing was disposed"))
    with exclusive_lock(workspace.archive_root / DISPOSAL_LOCK, 0, busy):
        yield


def dispose(
    workspace: Workspace,
    record_ids: Sequence[str],
    approval: Approval,
    as_of: date,
    by: str,
    now: datetime,
) -> DisposalResult:
    """Dispose of approved destruction candidates (檔案法 Art. 12): all of them, or —
    if any is not a candidate, is on hold or is unknown — none, with every reason.
    Disposal happens ``now`` (the caller's clock): ``as_of`` may not be later. An
    unfinished plan of the same records and approval is finished instead."""
    now = now.replace(microsecond=0)
    request = _request(record_ids, approval, as_of, by, now)
    journal = Journal(workspace.journal_path, workspace.root)
    root = workspace.archive_root
    with disposal_lock(workspace), open_index(workspace) as index:
        plan = pending_plan(index)
        resumed = plan is not None
        if plan is not None:
            check_same_plan(index, plan, request)
            plan_id = plan.plan_id
        else:
            planned = _planned(index, workspace, request)
            journal.append("archive dispose", details=intent_details(request, planned))
            plan_id = record_plan(index, request, planned, now)
        result = run_plan(index, root, plan_id, now)
        result.resumed = resumed
        if not (resumed and completion_journalled(journal, plan_id)):
            outputs = [d.tombstone for d in result.disposed]
            journal.append(
                "archive dispose", outputs=outputs, details=completion_details(result, by)
            )
        finish_plan(index, plan_id, now)
    return result


def preview(
    workspace: Workspace,
    record_ids: Sequence[str],
    approval: Approval,
    as_of: date,
    by: str,
    now: datetime,
) -> Preview:
    """What :func:`dispose` would remove, checked the same way; writes nothing."""
    request = _request(record_ids, approval, as_of, by, now.replace(microsecond=0))
    root = workspace.archive_root
    with open_index(workspace) as index:
        plan = pending_plan(index)
        if plan is not None:
            check_same_plan(index, plan, request)
            items = [i for i in plan_items(index, plan.plan_id) if i.state not in (DONE, KEPT)]
            planned = [PlannedRecord(i.record_id, json.loads(i.files_json), {}) for i in items]
        else:
            planned = _planned(index, workspace, request)
    records = [
        (p.record_id, [(f["path"], f["sha256"]) for f in p.files if (root / f["path"]).exists()])
        for p in planned
    ]
    return Preview(request.plan_id, request.approval, records, plan is not None)


def _file_entry(file: File) -> dict[str, Any]:
    return {"path": file.path, "sha256": file.sha256, "size": file.size, "kind": file.kind}


def _metadata(record: Record) -> dict[str, Any]:
    fields: tuple[str, ...] = ("record_id", "category", "form", "variant", "period")
    fields += ("unit", "subject", "title", "source")
    found: dict[str, Any] = {name: getattr(record, name) for name in fields}
    found["trigger"] = record.trigger.isoformat() if record.trigger else ""
    found["review_date"] = record.review_date.isoformat() if record.review_date else ""
    found["record_ids"] = record.record_ids.split()
    return found
