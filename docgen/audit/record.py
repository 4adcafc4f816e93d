"""附件5 稽核紀錄表 prefilled with what docgen knows about a half-year (R6.3).

The checklist (the forms' default items, in order) gets a 說明 of facts: the user
roster from the journal, the account reviews recorded (R4.1a), dormant/long-suspended
accounts and missing papers from the account review as of the half's end (or the
given date), the monthly checks, their results and the director's review of each
附件4 from the office database, the half-year sample's results, and the anomalies
referred to 政風. The 結果 (符合/不符合), the findings and the signatures are the
auditors' judgement and stay empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from docgen.audit import store
from docgen.audit.samples import Sample, list_samples, load_results
from docgen.calendar import Period, format_roc_short, parse_date
from docgen.config import Workspace
from docgen.db import Database
from docgen.errors import DocgenError
from docgen.forms.schemas import DEFAULT_CHECKLIST
from docgen.journal import Journal
from docgen.office_calendar import working_calendar
from docgen.records.stored import account_review_dates, load_registry
from docgen.rules.account_review import Category, review_accounts


def journal_dates(journal: Journal, command: str, key: str) -> list[date]:
    """The dates ``details[key]`` (or the entry's time) of every ``command`` entry."""
    found = []
    for entry in journal.entries():
        if entry.get("command") != command:
            continue
        text = str(entry.get("details", {}).get(key) or entry.get("time", ""))[:10]
        try:
            found.append(parse_date(text))
        except DocgenError:
            continue
    return sorted(found)


def _listing(dates: Sequence[date], empty: str) -> str:
    return "、".join(format_roc_short(d) for d in dates) if dates else empty


def _monthly(
    workspace: Workspace, db: Database, half: Period, as_of: date
) -> tuple[str, str, int, int]:
    """Monthly checks per month (up to ``as_of``) and unit; their 否 count; anomalies
    found and referred."""
    lines, outcomes, anomalies, referred = [], [], 0, 0
    for month in (m for m in half.months() if m.start <= as_of):
        samples = list_samples(workspace, month.label, db)
        line, no, found, sent = _sample_facts(workspace, db, samples)
        due = Period.containing(month.end + timedelta(days=1)).end
        missing = "無抽查紀錄" if as_of > due else "尚未到期，無抽查紀錄"
        lines.append(f"{month.roc_label}：{line or missing}")
        if samples:
            outcomes.append(f"{month.roc_label} 否 {no} 件")
        anomalies, referred = anomalies + found, referred + sent
    return "；".join(lines), "；".join(outcomes), anomalies, referred


def _sample_facts(
    workspace: Workspace, db: Database, samples: Sequence[Sample]
) -> tuple[str, int, int, int]:
    parts, no, anomalies, referred = [], 0, 0, 0
    with db.session() as session:
        reviewed = store.review_dates(session, [s.documents.get("record_id", "") for s in samples])
    for sample in samples:
        results = load_results(workspace, sample.period, sample.unit, db)
        state = "結果已回收" if results else "結果未回收"
        day = reviewed.get(sample.documents.get("record_id", ""))
        state += f"，{format_roc_short(day)} 處長核閱" if day else ""
        parts.append(f"{sample.unit} {sample.sample_size}/{sample.population} 件（{state}）")
        anomalies += sum(1 for a in sample.anomalies if a.anomaly)
        if results:
            no += sum(1 for c in results.cases if c.consistent == "否")
            referred += results.referred
    return "、".join(parts), no, anomalies, referred


def _accounts(workspace: Workspace, db: Database, as_of: date) -> tuple[str, str]:
    accounts = load_registry(workspace, db).accounts
    findings = review_accounts(accounts, as_of, working_calendar(workspace))

    def ids(category: Category) -> list[str]:
        return [f.account_id for f in findings if f.category is category]

    dormant, suspended = ids(Category.DORMANT), ids(Category.LONG_SUSPENDED)
    papers = ids(Category.MISSING_PAPERS)
    when = format_roc_short(as_of)
    handled = (
        f"{when} 逾6個月未使用且仍啟用 {len(dormant)} 個（{'、'.join(dormant) or '無'}）；"
        f"停用滿1年待通知註銷 {len(suspended)} 個（{'、'.join(suspended) or '無'}）"
    )
    missing = f"{when} 未留存附件2或附件3者 {len(papers)} 個（{'、'.join(papers) or '無'}）"
    return handled, missing


def audit_record_data(
    workspace: Workspace, db: Database, half: Period, as_of: date
) -> dict[str, Any]:
    """The 附件5 data for ``half`` (facts as of ``as_of``); judgement fields empty."""
    journal = Journal(workspace.journal_path, workspace.root)
    rosters = journal_dates(journal, "accounts roster", "date")
    reviews = sorted(
        {d for d in account_review_dates(workspace, db) if half.start <= d <= half.end}
    )
    handled, missing = _accounts(workspace, db, as_of)
    monthly, outcomes, anomalies, referred = _monthly(workspace, db, half, as_of)
    half_line, half_no, half_found, half_sent = _sample_facts(
        workspace, db, list_samples(workspace, half.label, db)
    )
    # 附件5's content: the regulation's Chinese in every language.
    notes = [
        f"最近一次產製使用者清冊：{_listing(rosters[-1:], '無紀錄')}",
        f"本半年度帳號清查：{_listing(reviews, '無紀錄')}",
        handled,
        missing,
        monthly,
        f"月抽查：{outcomes or '無'}；半年抽查：{half_line or '未抽查'}，否 {half_no} 件",
        f"月抽查：無查詢事由 {anomalies} 件，已列轉介政風清單 {referred} 件；"
        f"半年抽查：無查詢事由 {half_found} 件，已列轉介政風清單 {half_sent} 件",
    ]
    office = workspace.config.office
    return {
        "half": half.label,
        "auditors": list(office.auditors),
        "ethics_officer": office.ethics_officer,
        "checklist": [{"item": item, "result": "", "note": note} for item, note in _items(notes)],
        "findings": [],
        "director": office.director,
    }


def _items(notes: list[str]) -> list[tuple[str, str]]:
    return list(zip(DEFAULT_CHECKLIST, notes, strict=True))
