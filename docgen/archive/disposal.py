"""The draft destruction list (銷毀目錄), legal holds, and disposal under an approval
(DESIGN.md, Retention; RULES.md, Decisions: 檔案法 Art. 12).

* :func:`retention_report` lists the destruction candidates as of a date in the
  columns of the destruction list of 機關檔案保存年限及銷毀辦法 — 檔號, 案名, 案由,
  來(受)文者, 收發文字號, 文件產生日期, 保存年限, 變更及原因 — plus the record ID, its
  path and the day it became a candidate. Records on hold, with an undefined period,
  or whose retention cannot be computed are listed apart. It deletes nothing.
* :func:`place_hold` / :func:`release_hold`: a record on an unreleased hold is never
  disposed.
* :func:`dispose` removes the files of approved candidates not on hold — and refuses
  the whole request, naming each reason, if any record is not one. It is the only
  code in docgen that deletes an archived file. A tombstone (hashes, metadata,
  approval, when, who) stays in the index and as a file under ``records/.tombstones/``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.archive.db import Index, files_of, open_index
from docgen.archive.models import Disposal, File, Hold, Record
from docgen.archive.placement import RECORDS, TOMBSTONES, fsync_dir, write_durably
from docgen.archive.retention import (
    RecordRetention,
    Schedule,
    load_accounts,
    load_workspace_schedule,
    record_retentions,
)
from docgen.calendar import format_roc_short, parse_period, roc_year
from docgen.config import Workspace
from docgen.errors import InputError, IntegrityError
from docgen.fsutil import sha256_file
from docgen.privacy import mask_ids_in_text
from docgen.records.models import Account
from docgen.report import Report
from docgen.rules.retention import REGULATION_MINIMUMS, Retention, RetentionRule, Status

#: Columns of the destruction list (銷毀目錄), then what the archive adds.
RETENTION_COLUMNS = {
    "section": "區分",
    "file_no": "檔號",
    "case_name": "案名",
    "case_matter": "案由",
    "correspondent": "來(受)文者",
    "doc_no": "收發文字號",
    "document_date": "文件產生日期",
    "term": "保存年限",
    "change": "變更及原因",
    "record_id": "記錄編號",
    "path": "檔案路徑",
    "candidate_from": "列為銷毀候選日期",
    "note": "說明",
}

SECTION_CANDIDATE = "銷毀候選"
SECTION_HELD = "保留中（暫停銷毀）"
SECTION_UNDEFINED = "保存年限未定"
SECTION_UNKNOWN = "無法計算保存年限"
SECTION_RETAINED = "保存中"
SECTION_ACTIVE = "帳號未註銷，持續保存"
SECTION_UNCLASSIFIED = "未分類（見 unclassified 報表）"
_SECTION_ORDER = (
    SECTION_CANDIDATE,
    SECTION_HELD,
    SECTION_UNDEFINED,
    SECTION_UNKNOWN,
    SECTION_RETAINED,
    SECTION_ACTIVE,
    SECTION_UNCLASSIFIED,
)
_SECTION_OF_STATUS = {
    Status.CANDIDATE: SECTION_CANDIDATE,
    Status.UNDEFINED: SECTION_UNDEFINED,
    Status.UNKNOWN: SECTION_UNKNOWN,
    Status.RETAINED: SECTION_RETAINED,
    Status.KEPT_WHILE_ACTIVE: SECTION_ACTIVE,
}
_BY_RECORD = itemgetter("record_id")
#: Sections listed unless every record is asked for.
_ALWAYS_LISTED = {SECTION_CANDIDATE, SECTION_HELD, SECTION_UNDEFINED, SECTION_UNKNOWN}

DESTRUCTION_NOTE = (
    "本表為銷毀目錄草稿，不刪除任何檔案；依檔案法第12條及機關檔案保存年限及銷毀辦法，"
    "須經核准後始得以 docgen archive dispose --approval 文號 辦理銷毀。"
)


def section_of(item: RecordRetention) -> str:
    """Where a record goes in the retention report: a hold puts it apart; a file
    nobody classified is counted (the unclassified report lists it), not listed."""
    if item.hold_reason is not None:
        return SECTION_HELD
    if item.unclassified:
        return SECTION_UNCLASSIFIED
    return _SECTION_OF_STATUS[item.retention.status]


def retention_report(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    office: str = "",
    list_all: bool = False,
) -> Report:
    """The draft destruction list as of ``as_of`` (R4.2, R6.2–R6.4); with ``list_all``
    every record with its retention, else candidates and the records set apart."""
    items = record_retentions(session, schedule, accounts, as_of)
    by_section: dict[str, list[dict[str, Any]]] = {name: [] for name in _SECTION_ORDER}
    counts = dict.fromkeys(_SECTION_ORDER, 0)
    shared: dict[tuple[int, int, date | None, str | None], dict[str, str]] = {}
    for item in items:
        section = section_of(item)
        counts[section] += 1
        if list_all or section in _ALWAYS_LISTED:
            # Records share their rule and Retention objects: key by identity (cheap).
            key = (id(item.rule), id(item.retention), item.document_date, item.hold_reason)
            if key not in shared:
                shared[key] = _shared_columns(item.rule, item.retention, *key[2:])
            by_section[section].append(_retention_row(item, section, office, shared[key]))
    rows = [row for name in _SECTION_ORDER for row in sorted(by_section[name], key=_BY_RECORD)]
    summary: dict[str, Any] = {"基準日 as of": format_roc_short(as_of)}
    summary.update({name: count for name, count in counts.items()})
    summary["保存年限表 schedule"] = schedule.source
    if accounts is None:
        summary["帳號清冊 registry"] = "找不到 data/accounts.csv：帳號類文件無法計算"
    summary["注意 note"] = DESTRUCTION_NOTE
    title = f"保存年限報表（銷毀目錄草稿）基準日 {format_roc_short(as_of)}"
    return Report(title, RETENTION_COLUMNS, rows, summary)


def _retention_row(
    item: RecordRetention, section: str, office: str, shared: dict[str, str]
) -> dict[str, Any]:
    row: dict[str, Any] = shared.copy()  # copy-and-set: the fastest way to build 100,000
    row["section"] = section
    row["file_no"] = f"{shared['file_no']}/{item.record_id.rsplit('-', 1)[-1]}"
    row["case_matter"] = _case_matter(item.title, item.period, item.unit, item.subject)
    row["correspondent"] = item.unit or office
    row["doc_no"] = ""
    row["record_id"] = item.record_id
    row["path"] = item.path
    return row


def _shared_columns(
    rule: RetentionRule, retention: Retention, document_date: date | None, hold: str | None
) -> dict[str, str]:
    """The columns many records share, computed once: the date maths of the report."""
    year = str(roc_year(document_date)) if document_date else "—"
    return {
        # 檔號 as 年度/類別/案次 (案次: the record ID's checksum, appended per record,
        # stable so that an approved list keeps naming the same records).
        "file_no": f"{year}/{rule.category}",
        "case_name": rule.label_zh or rule.category,
        "document_date": _roc(document_date),
        "term": rule.term_label,
        "change": _change(rule),
        "candidate_from": _roc(retention.candidate_from),
        "note": _note(rule, retention, hold),
    }


def _roc(value: date | None) -> str:
    return format_roc_short(value) if value is not None else ""


@lru_cache(maxsize=65536)
def _case_matter(title: str, period: str, unit: str, subject: str) -> str:
    """案由: the record's title, with its period, unit and account where it lacks them."""
    parts = [title, _period_label(period), unit, subject]
    shown = [part for part in parts if part and (part == title or part not in title)]
    return mask_ids_in_text(" ".join(shown))


@lru_cache(maxsize=4096)
def _period_label(text: str) -> str:
    try:
        return parse_period(text).roc_label if text else ""
    except InputError:
        return text


def _change(rule: RetentionRule) -> str:
    """變更及原因: a period the schedule lengthened beyond the regulation's minimum."""
    minimum = REGULATION_MINIMUMS.get(rule.category)
    term = rule.term
    if minimum is None or term is None or term <= minimum.term:
        return ""
    return f"依保存年限表延長為{term.label}（{minimum.rule_id} 至少{minimum.term.label}）"


def _note(rule: RetentionRule, retention: Retention, hold: str | None) -> str:
    parts = []
    if hold is not None:
        parts.append(f"保留原因：{mask_ids_in_text(hold)}（{retention.status.value}）")
    elif retention.status is Status.CANDIDATE and rule.rule_id:
        parts.append(f"依 {rule.rule_id}，保存期限至 {_roc(retention.ends)} 屆滿")
    if retention.reason:
        parts.append(retention.reason)
    return "；".join(parts)


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
        raise InputError("nothing was disposed:\n  " + "\n  ".join(problems))


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
