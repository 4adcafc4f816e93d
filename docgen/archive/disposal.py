"""Legal holds, and disposal under an approval (DESIGN.md, Retention; RULES.md,
Decisions: 檔案法 Art. 12).

* :func:`place_hold` / :func:`release_hold`: a record on an unreleased hold is never
  disposed.
* :func:`dispose` removes the files of approved candidates not on hold — and refuses
  the whole request, naming each reason, if any record is not one. It is the only
  code in docgen that deletes an archived file. A tombstone (hashes, metadata,
  approval, when, who) stays in the index and as a file under ``records/.tombstones/``.
  The candidates are those of the draft destruction list
  (:mod:`docgen.archive.destruction_list`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.archive.db import Index, files_of, open_index
from docgen.archive.models import Disposal, File, Hold, Record
from docgen.archive.placement import RECORDS, TOMBSTONES, fsync_dir, write_durably
from docgen.archive.retention import (
    RecordRetention,
    load_accounts,
    load_workspace_schedule,
    record_retentions,
)
from docgen.calendar import format_roc_short
from docgen.config import Workspace
from docgen.errors import InputError, IntegrityError
from docgen.fsutil import sha256_file
from docgen.privacy import mask_ids_in_text
from docgen.rules.retention import Status

#: Columns of the destruction list (銷毀目錄), then what the archive adds.

# --- holds ---------------------------------------------------------------------------


def _record(session: Session, record_id: str) -> Record:
    record = session.get(Record, record_id)
    if record is None:
        raise InputError(f"record {record_id} is not in the archive index")
    return record


def active_hold(session: Session, record_id: str) -> Hold | None:
    """The record's unreleased hold, if it has one."""
    query = select(Hold).where(Hold.record_id == record_id, Hold.released_at.is_(None))
    return session.scalars(query).first()


def place_hold(index: Index, record_id: str, reason: str, by: str, now: datetime) -> Hold:
    """Put ``record_id`` on hold: it is never disposed until released. National IDs
    in the reason are masked before it is stored."""
    if not reason.strip():
        raise InputError("a hold needs a reason: add --reason TEXT (e.g. the case or letter)")
    with index.session() as session:
        record = _record(session, record_id)
        if record.status == "disposed":
            raise InputError(f"record {record_id} was disposed: there is nothing to hold")
        held = active_hold(session, record_id)
        if held is not None:
            raise InputError(
                f"record {record_id} is already on hold since "
                f"{format_roc_short(held.placed_at.date())}: {mask_ids_in_text(held.reason)}"
            )
        masked = mask_ids_in_text(reason.strip())  # the index is kept for years: no IDs
        hold = Hold(record_id=record_id, reason=masked, placed_by=by, placed_at=now)
        session.add(hold)
        return hold


def release_hold(index: Index, record_id: str, by: str, now: datetime) -> Hold:
    """Release the hold on ``record_id``; its retention runs as before."""
    with index.session() as session:
        _record(session, record_id)
        hold = active_hold(session, record_id)
        if hold is None:
            raise InputError(f"record {record_id} is not on hold")
        hold.released_by, hold.released_at = by, now
        return hold


# --- disposal -------------------------------------------------------------------------


@dataclass(frozen=True)
class Disposed:
    """One disposed record: its tombstone file and the files removed (relative paths)."""

    record_id: str
    tombstone: Path
    files: list[str]


def refusal(item: RecordRetention | None, record: Record | None, as_of: date) -> str:
    """Why a record may not be disposed as of ``as_of`` ("" when it may)."""
    if record is None:
        return "not in the archive index"
    if record.status == "disposed":
        return "already disposed"
    if item is None or item.unclassified:
        return f"not a filed record (status {record.status}): classify it first"
    if item.hold_reason is not None:
        return f"on hold: {mask_ids_in_text(item.hold_reason)}"
    retention = item.retention
    if retention.status is Status.CANDIDATE:
        return ""
    if retention.status is Status.RETAINED:
        return (
            f"not a destruction candidate as of {format_roc_short(as_of)}: kept until "
            f"{format_roc_short(retention.ends or as_of)}"
        )
    return f"not a destruction candidate: {retention.status.value}（{retention.reason}）"


def check_not_future(as_of: date, today: date) -> None:
    """A record is destroyed today, so only what is a candidate by today may go: an
    ``as_of`` after ``today`` would destroy records still within their retention."""
    if as_of > today:
        raise InputError(
            f"nothing was disposed: --as-of {format_roc_short(as_of)} is later than today "
            f"({format_roc_short(today)}); records are disposed only once their retention "
            "has run out — dispose as of today (leave out --as-of) or an earlier date"
        )


def check_disposable(
    index: Index, workspace: Workspace, record_ids: Sequence[str], as_of: date
) -> None:
    """Raise :class:`InputError` naming every record that may not be disposed."""
    schedule, accounts = load_workspace_schedule(workspace), load_accounts(workspace)
    with index.session() as session:
        items = {i.record_id: i for i in record_retentions(session, schedule, accounts, as_of)}
        problems = [
            f"{rid}: {why}"
            for rid in record_ids
            if (why := refusal(items.get(rid), session.get(Record, rid), as_of))
        ]
    if problems:
        raise InputError("nothing was disposed:", problems)


def dispose(
    workspace: Workspace,
    record_ids: Sequence[str],
    approval: str,
    as_of: date,
    by: str,
    now: datetime,
) -> list[Disposed]:
    """Dispose of approved destruction candidates (檔案法 Art. 12): all of them, or —
    if any is not a candidate, is on hold or is unknown — none, with every reason.
    Disposal happens ``now`` (the caller's clock): ``as_of`` may not be later."""
    approval, now = approval.strip(), now.replace(microsecond=0)
    check_not_future(as_of, now.date())
    if not approval:
        raise InputError(
            "a disposal needs the approval reference (文號) of the approved destruction "
            "list: add --approval 文號"
        )
    if not record_ids:
        raise InputError("name the records to dispose of (their record IDs)")
    unique = list(dict.fromkeys(record_ids))
    root = workspace.archive_root
    with open_index(workspace) as index:
        check_disposable(index, workspace, unique, as_of)
        doomed = [_doomed(index, root, rid) for rid in unique]
        return [_dispose_one(index, root, item, approval, by, now) for item in doomed]


@dataclass(frozen=True)
class _Doomed:
    """What a disposal will remove and record: the record's files and metadata."""

    record_id: str
    files: list[dict[str, Any]]
    metadata: dict[str, Any]


def _doomed(index: Index, root: Path, record_id: str) -> _Doomed:
    with index.session() as session:
        record = _record(session, record_id)
        listed = [_file_entry(f) for f in files_of(session, record_id)]
        doomed = _Doomed(record_id, listed, _metadata(record))
    _check_unchanged(root, listed)
    return doomed


def _dispose_one(
    index: Index, root: Path, doomed: _Doomed, approval: str, by: str, now: datetime
) -> Disposed:
    """Tombstone first (durable), then the files, then the index. Interrupted, the
    record is still filed in the index (its files perhaps gone, the tombstone saying
    why): the same ``dispose`` run again finishes it."""
    rid, listed = doomed.record_id, doomed.files
    tombstone = write_tombstone(root, rid, listed, doomed.metadata, approval, by, now)
    for entry in listed:
        (root / entry["path"]).unlink(missing_ok=True)
    for folder in {(root / entry["path"]).parent for entry in listed}:
        fsync_dir(folder)
    with index.session() as session:
        session.add(
            Disposal(
                record_id=rid,
                files_json=json.dumps(listed, ensure_ascii=False),
                metadata_json=json.dumps(doomed.metadata, ensure_ascii=False),
                approval=approval,
                disposed_by=by,
                disposed_at=now,
                tombstone_path=tombstone.relative_to(root).as_posix(),
            )
        )
        _record(session, rid).status = "disposed"
        for file in files_of(session, rid):
            file.status = "disposed"
    return Disposed(rid, tombstone, [e["path"] for e in listed])


def _check_unchanged(root: Path, listed: list[dict[str, Any]]) -> None:
    """The tombstone must name what is destroyed: a file changed since it was filed
    is an :class:`IntegrityError` (settle fixity first), and nothing is disposed."""
    for entry in listed:
        path = root / entry["path"]
        if path.exists() and sha256_file(path) != entry["sha256"]:
            raise IntegrityError(
                f"{entry['path']} changed since it was filed (SHA-256 differs): nothing was "
                "disposed; run `docgen archive report fixity` and settle it first"
            )


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


def write_tombstone(
    root: Path,
    record_id: str,
    files: list[dict[str, Any]],
    metadata: dict[str, Any],
    approval: str,
    by: str,
    now: datetime,
) -> Path:
    """The tombstone file ``records/.tombstones/<record ID>.json``, written durably
    (format ``docgen-tombstone/1``, read back by :mod:`docgen.archive.rebuild`)."""
    target = root / RECORDS / TOMBSTONES / f"{record_id}.json"
    payload = {
        "format": "docgen-tombstone/1",
        "record_id": record_id,
        "metadata": metadata,
        "files": files,
        "approval": approval,
        "disposed_by": by,
        "disposed_at": now.isoformat(timespec="seconds"),
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    write_durably(target, text.encode("utf-8"))
    return target
