"""The draft destruction list (銷毀目錄) as of a date (DESIGN.md, Retention; RULES.md,
Decisions: 檔案法 Art. 12; R4.2, R6.2–R6.4).

:func:`retention_report` lists the destruction candidates in the columns of the
destruction list of 機關檔案保存年限及銷毀辦法 — 檔號, 案名, 案由, 來(受)文者, 收發文字號,
文件產生日期, 保存年限, 變更及原因 — plus the record ID, its path and the day it became
a candidate. Records on hold, with an undefined period, or whose retention cannot be
computed are listed apart. It deletes nothing: :mod:`docgen.archive.disposal` does,
under an approval.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.archive.retention import (
    RecordRetention,
    Schedule,
    record_retentions,
)
from docgen.archive.retention_groups import records_of, retention_groups
from docgen.calendar import format_roc_short, parse_period, roc_year
from docgen.db.models.archive import Hold
from docgen.errors import InputError
from docgen.privacy import mask_ids_in_text
from docgen.records.models import Account
from docgen.report import Columns, Report
from docgen.rules.retention import REGULATION_MINIMUMS, Retention, RetentionRule, Status

#: Columns of the destruction list (銷毀目錄), then what the archive adds; a terminal
#: shows the brief ones (``--wide``: all); the two dates are real dates in a workbook.
RETENTION_COLUMNS = Columns(
    {
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
    },
    brief=(
        "section",
        "record_id",
        "case_matter",
        "document_date",
        "term",
        "candidate_from",
        "note",
    ),
    dates=("document_date", "candidate_from"),
)

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
    return _section(item.retention, item.unclassified)


def retention_report(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    office: str = "",
    list_all: bool = False,
    extra_holds: Mapping[str, str] | None = None,
) -> Report:
    """The draft destruction list as of ``as_of`` (R4.2, R6.2–R6.4); with ``list_all``
    every record with its retention, else candidates and the records set apart.
    ``extra_holds``: the holds of the hold files (ISSUE 9 item 1)."""
    if list_all:
        items = record_retentions(session, schedule, accounts, as_of, extra_holds)
        counts = Counter(section_of(item) for item in items)
    else:
        items, counts = _listed(session, schedule, accounts, as_of, extra_holds)
    by_section: dict[str, list[dict[str, Any]]] = {name: [] for name in _SECTION_ORDER}
    shared: dict[tuple[int, int, date | None, str | None], dict[str, str]] = {}
    for item in items:
        section = section_of(item)
        if list_all or section in _ALWAYS_LISTED:
            # Records share their rule and Retention objects: key by identity (cheap).
            key = (id(item.rule), id(item.retention), item.document_date, item.hold_reason)
            if key not in shared:
                shared[key] = _shared_columns(item.rule, item.retention, *key[2:])
            by_section[section].append(_retention_row(item, section, office, shared[key]))
    rows = [row for name in _SECTION_ORDER for row in sorted(by_section[name], key=_BY_RECORD)]
    summary: dict[str, Any] = {"基準日 as of": format_roc_short(as_of)}
    summary.update({name: counts.get(name, 0) for name in _SECTION_ORDER})
    summary["保存年限表 schedule"] = schedule.source
    if accounts is None:
        summary["帳號清冊 registry"] = (
            "資料庫尚無帳號清冊（docgen accounts import）：帳號類文件無法計算"
        )
    summary["注意 note"] = DESTRUCTION_NOTE
    title = f"保存年限報表（銷毀目錄草稿）基準日 {format_roc_short(as_of)}"
    return Report(title, RETENTION_COLUMNS, rows, summary, sheet="保存年限報表")


def _listed(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    extra_holds: Mapping[str, str] | None,
) -> tuple[list[RecordRetention], Counter[str]]:
    """The records the report lists (candidates, no period set, cannot compute, held)
    and the count of every section, from groups of records (:mod:`retention_groups`)."""
    groups = retention_groups(session, schedule, accounts, as_of)
    counts: Counter[str] = Counter()
    for group in groups:
        counts[_section(group.retention, group.unclassified)] += group.count
    listed = [g for g in groups if _section(g.retention, g.unclassified) in _ALWAYS_LISTED]
    held = {
        *(extra_holds or {}),
        *session.scalars(select(Hold.record_id).where(Hold.released_at.is_(None))),
    }
    items = records_of(session, schedule, accounts, as_of, listed, held, extra_holds)
    for item in items:
        if item.hold_reason is not None:  # counted in its group; listed apart
            counts[_section(item.retention, item.unclassified)] -= 1
            counts[SECTION_HELD] += 1
    return items, counts


def _section(retention: Retention, unclassified: bool) -> str:
    return SECTION_UNCLASSIFIED if unclassified else _SECTION_OF_STATUS[retention.status]


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
