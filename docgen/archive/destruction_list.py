"""The draft destruction list (銷毀目錄) as of a date (DESIGN.md, Retention; RULES.md,
Decisions: 檔案法 Art. 12; R4.2, R6.2–R6.4).

:func:`retention_report` lists the destruction candidates in the columns of the
destruction list of 機關檔案保存年限及銷毀辦法 §8 (document level) — 檔號 in its five
parts (年度號, 分類號, 案次號, 卷次號, 目次號), 案名, 案由, 來(受)文者, 收發文字號,
文件產生日期, 保存年限, 變更及原因 — plus the record ID, its path, the day it became a
candidate and the approving 文號 (§17). Records on hold, with an undefined period, or whose retention cannot be
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
from docgen.archive.retention_groups import RetentionGroup, records_of, retention_groups
from docgen.calendar import format_roc_short, parse_period, roc_year
from docgen.correspondence.stored import letters
from docgen.db.models.archive import Hold
from docgen.errors import InputError
from docgen.i18n import N_, _, current_language, translate
from docgen.privacy import mask_ids_in_text
from docgen.records.models import Account
from docgen.report import Columns, Report
from docgen.rules.retention import REGULATION_MINIMUMS, Retention, RetentionRule, Status

#: Columns of the destruction list (銷毀目錄), then what the archive adds; a terminal
#: shows the brief ones (``--wide``: all); the two dates are real dates in a workbook.
#: The zh_TW catalog gives the official columns of 機關檔案保存年限及銷毀辦法 exactly.
RETENTION_COLUMNS = Columns(
    {
        "section": N_("Section"),
        "year_no": N_("Year no."),
        "class_no": N_("Class no."),
        "case_no": N_("Case serial no."),
        "volume_no": N_("Volume no."),
        "item_no": N_("Item no."),
        "case_name": N_("Case name"),
        "case_matter": N_("Case subject"),
        "correspondent": N_("Correspondent (from/to)"),
        "doc_no": N_("Document no. (received/sent)"),
        "document_date": N_("Document date"),
        "term": N_("Retention period"),
        "change": N_("Changes and reasons"),
        "record_id": N_("Record ID"),
        "path": N_("File path"),
        "candidate_from": N_("Destruction candidate from"),
        "approval_no": N_("Approval no."),
        "note": N_("Note"),
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

#: The sections (message IDs: a row's section and the summary's labels are shown
#: translated; the summary's keys stay these IDs in JSON).
SECTION_CANDIDATE = N_("destruction candidate")
SECTION_HELD = N_("held (destruction suspended)")
SECTION_UNDEFINED = N_("retention period not set")
SECTION_UNKNOWN = N_("retention cannot be reckoned")
SECTION_RETAINED = N_("retained")
SECTION_ACTIVE = N_("account not cancelled: kept")
SECTION_UNCLASSIFIED = N_("unclassified (see the unclassified report)")
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

DESTRUCTION_NOTE = N_(
    "This is a draft destruction list and deletes no file; under 檔案法 Art. 12 and "
    "機關檔案保存年限及銷毀辦法 records are destroyed only once approved, with "
    "docgen archive dispose --approval 文號."
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
    class_no: str = "",
) -> Report:
    """The draft destruction list as of ``as_of`` (R4.2, R6.2–R6.4); with ``list_all``
    every record with its retention, else candidates and the records set apart.
    ``extra_holds``: the holds of the hold files (ISSUE 9 item 1); ``class_no``: the
    office's 分類號. A record listed in a destruction memo recorded as sent carries
    that memo's 文號 as its approval (ISSUE 14 item 4; §17 writes it onto the list)."""
    approvals = {
        record_id: letter.number
        for letter in letters(session).values()
        if letter.doc_key.startswith("destruction-memo:") and letter.sent_on is not None
        for record_id in letter.record_ids
    }
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
                shared[key] = _shared_columns(item.rule, item.retention, *key[2:], class_no)
            row = _retention_row(item, section, office, shared[key], approvals)
            by_section[section].append(row)
    rows = [row for name in _SECTION_ORDER for row in sorted(by_section[name], key=_BY_RECORD)]
    summary: dict[str, Any] = {N_("As of"): format_roc_short(as_of)}
    summary.update({name: counts.get(name, 0) for name in _SECTION_ORDER})
    summary[N_("Retention schedule")] = schedule.source
    if accounts is None:
        summary[N_("Account registry")] = _(
            "the database holds no account registry yet (docgen accounts import): "
            "account records cannot be reckoned"
        )
    summary[N_("Notice")] = translate(DESTRUCTION_NOTE)
    title = _("Retention report (draft destruction list) as of {date}").format(
        date=format_roc_short(as_of)
    )
    return Report(title, RETENTION_COLUMNS, rows, summary, sheet=N_("Retention report"))


def _listed(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    extra_holds: Mapping[str, str] | None,
) -> tuple[list[RecordRetention], Counter[str]]:
    """The records the report lists (candidates, no period set, cannot compute, held)
    and the count of every section, from groups of records (:mod:`retention_groups`)."""
    groups = retention_groups(session, schedule, accounts, as_of, _always_listed)
    counts: Counter[str] = Counter()
    for group in groups:
        counts[_section(group.retention, group.unclassified)] += group.count
    listed = [group for group in groups if _always_listed(group)]
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


def _always_listed(group: RetentionGroup) -> bool:
    return _section(group.retention, group.unclassified) in _ALWAYS_LISTED


def _section(retention: Retention, unclassified: bool) -> str:
    return SECTION_UNCLASSIFIED if unclassified else _SECTION_OF_STATUS[retention.status]


def _retention_row(
    item: RecordRetention,
    section: str,
    office: str,
    shared: dict[str, str],
    approvals: Mapping[str, str],
) -> dict[str, Any]:
    row: dict[str, Any] = shared.copy()  # copy-and-set: the fastest way to build 100,000
    row["section"] = translate(section)
    row["case_no"] = item.record_id.rsplit("-", 1)[-1]
    row["case_matter"] = _case_matter(item.title, item.period, item.unit, item.subject)
    row["correspondent"] = item.unit or office
    row["doc_no"] = ""
    row["record_id"] = item.record_id
    row["path"] = item.path
    row["approval_no"] = approvals.get(item.record_id, "")
    return row


def _shared_columns(
    rule: RetentionRule,
    retention: Retention,
    document_date: date | None,
    hold: str | None,
    class_no: str,
) -> dict[str, str]:
    """The columns many records share, computed once: the date maths of the report."""
    year = str(roc_year(document_date)) if document_date else "—"
    return {
        # 檔號 in its five parts (機關檔案分類編案規範): 年度號, 分類號 (the office's
        # own, else the retention category), 案次號 (the record ID's checksum, set per
        # record, stable so that an approved list keeps naming the same records);
        # 卷次號 and 目次號 are the archive unit's to assign.
        "year_no": year,
        "class_no": class_no or rule.category,
        "volume_no": "",
        "item_no": "",
        "case_name": _case_name(rule),
        "document_date": _roc(document_date),
        "term": rule.term_label,
        "change": _change(rule),
        "candidate_from": _roc(retention.candidate_from),
        "note": _note(rule, retention, hold),
    }


def _case_name(rule: RetentionRule) -> str:
    """案名: the schedule's name of the category, in English if asked and it has one."""
    if current_language() == "en" and rule.label_en:
        return rule.label_en
    return rule.label_zh or rule.category


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
    return _(
        "lengthened to {period} by the retention schedule ({rule}: at least {minimum})"
    ).format(period=term.label, rule=minimum.rule_id, minimum=minimum.term.label)


def _note(rule: RetentionRule, retention: Retention, hold: str | None) -> str:
    parts = []
    if hold is not None:
        parts.append(
            _("held: {reason} ({status})").format(
                reason=mask_ids_in_text(hold), status=retention.status.label
            )
        )
    elif retention.status is Status.CANDIDATE and rule.rule_id:
        parts.append(
            _("under {rule}, the retention period ended on {date}").format(
                rule=rule.rule_id, date=_roc(retention.ends)
            )
        )
    if retention.reason:
        parts.append(retention.reason)
    return _("; ").join(parts)
