"""The correspondence use cases (ISSUE 14): drafting a 函 or 簽 from the facts, and
recording that it went out.

:func:`draft` builds the document (:mod:`docgen.correspondence.drafts`), writes its
print forms (DOCX, ODT, PDF: :mod:`docgen.correspondence.printed`) and its DI file
(:mod:`docgen.correspondence.exchange`, validated against the project's 104 DTD)
beside copies of its attachments, all in a temporary folder renamed into place, then
stores the draft in one transaction and appends the journal. :func:`record_sent`
closes it with the day and 文號 it went out under: the R6.4 report and the R6.5
referral and outcome count as done on that day (:mod:`docgen.archive.missing`), and
a destruction memo's 文號 is the approval the 銷毀目錄 carries. docgen sends nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from docgen.audit.accounts import review_counts, review_report
from docgen.calendar import Period, format_roc_short
from docgen.config import Workspace
from docgen.correspondence import drafts
from docgen.correspondence.document import Attachment, Document
from docgen.correspondence.exchange import write_di
from docgen.correspondence.printed import convert_print_forms, write_docx
from docgen.correspondence.stored import Letter
from docgen.db import Database
from docgen.db.models.correspondence import Correspondence
from docgen.errors import InputError, UsageError
from docgen.forms.libreoffice import Converter
from docgen.fsutil import sha256_file
from docgen.i18n import N_, _, translate
from docgen.journal import Journal
from docgen.office_calendar import working_calendar
from docgen.records.stored import load_registry
from docgen.report import Columns, Report, write_report
from docgen.rules.obligations import ethics_referral, report_due
from docgen.services import correspondence_facts as facts

#: What each kind's files are called: ``稽核結果函_2026-H1.pdf``.
FILE_STEMS = {
    "results-letter": "稽核結果函",
    "referral-memo": "異常簽報",
    "outcome-letter": "議處結果函",
    "holder-notice": "帳號註銷通知",
    "review-memo": "帳號清查簽",
    "destruction-memo": "銷毀目錄簽",
}


@dataclass(frozen=True)
class Draft:
    """One document drafted: its key, what it is, its files and any warning."""

    doc_key: str
    kind: str
    files: tuple[Path, ...]
    warning: str = ""


@dataclass(frozen=True)
class _Planned:
    """A document to write: its key, period, the model, attachments to copy beside it,
    the records it lists, its due date and outcome."""

    doc_key: str
    period: str
    document: Document
    copies: tuple[Path, ...] = ()
    record_ids: tuple[str, ...] = ()
    due: date | None = None
    outcome: str = ""
    warning: str = ""


def _journal(workspace: Workspace) -> Journal:
    return Journal(workspace.journal_path, workspace.root)


def default_out_dir(workspace: Workspace) -> Path:
    return workspace.root / "out" / "correspondence"


def _attached(path: Path, name: str) -> Attachment:
    return Attachment(name, file=path.name)


def _results_letter(workspace: Workspace, db: Database, period: Period, today: date) -> _Planned:
    if period.kind != "half":
        raise UsageError(_("the results letter is for a half-year: give --half YYYY-Hn"))
    with db.reading() as session:
        found = facts.audit_facts(session, period)
        package = facts.scan_package(session, workspace, period)
    names = ("應用戶籍資料稽核紀錄表（附件5）", "戶籍資料案件抽查紀錄表（附件4半年抽查）")
    attachments = [Attachment(names[0]), Attachment(names[1])]
    warning = ""
    if package is not None:
        attachments.append(_attached(package, "前二項經處長核閱之彩色掃描檔（PDF）"))
    else:
        warning = _(
            "the colour-scan package of {period} is not in the archive yet: attach it before "
            "the letter goes out (docgen package build, then file it)"
        ).format(period=period.label)
    found = drafts.AuditFacts(found.period, found.units, tuple(attachments))
    due = report_due(period)
    document = drafts.results_letter(facts.office_of(workspace), found, due, today)
    copies = (package,) if package is not None else ()
    return _Planned(
        f"results-letter:{period.label}", period.label, document, copies, due=due, warning=warning
    )


def _referral_facts(
    db: Database, workspace: Workspace, period: Period
) -> tuple[drafts.AuditFacts, list[Path]]:
    with db.reading() as session:
        found = facts.audit_facts(session, period)
        lists = facts.referral_lists(session, workspace, period)
    if not found.referred:
        raise InputError(
            _(
                "{period}: no case judged 否 and no anomaly on record, so nothing to refer to "
                "the ethics unit (R6.5)"
            ).format(period=period.label)
        )
    attachments = tuple(_attached(path, f"異常案件清單（{path.stem}）") for path in lists)
    return drafts.AuditFacts(found.period, found.units, attachments), lists


def _referral_memo(workspace: Workspace, db: Database, period: Period, today: date) -> _Planned:
    found, lists = _referral_facts(db, workspace, period)
    document = drafts.referral_memo(facts.office_of(workspace), found, today)
    return _Planned(
        f"referral-memo:{period.label}",
        period.label,
        document,
        tuple(lists),
        due=ethics_referral(period).due,
    )


def _outcome_letter(
    workspace: Workspace, db: Database, period: Period, outcome: str, today: date
) -> _Planned:
    text = " ".join(outcome.split())
    if not text:
        raise UsageError(_("say what the ethics unit decided: --outcome TEXT"))
    found, _lists = _referral_facts(db, workspace, period)
    with db.reading() as session:
        memo = session.scalars(
            select(Correspondence).where(Correspondence.doc_key == f"referral-memo:{period.label}")
        ).one_or_none()
    referral = (memo.sent_on, memo.sent_number) if memo and memo.sent_on else None
    found = drafts.AuditFacts(found.period, found.units)
    document = drafts.outcome_letter(facts.office_of(workspace), found, text, referral, today)
    return _Planned(f"outcome-letter:{period.label}", period.label, document, outcome=text)


def _holder_notices(
    workspace: Workspace, db: Database, as_of: date, account: str | None, today: date
) -> list[_Planned]:
    accounts = load_registry(workspace, db).accounts
    holders = facts.long_suspended(accounts, as_of)
    if account is not None:
        holders = [h for h in holders if h.account_id == account]
        if not holders:
            raise InputError(
                _(
                    "{account}: not an account suspended for a year or more on {date} (R4.1c)"
                ).format(account=account, date=format_roc_short(as_of))
            )
    if not holders:
        raise InputError(
            _(
                "no account suspended for a year or more on {date}: no notice to send (R4.1c)"
            ).format(date=format_roc_short(as_of))
        )
    office = facts.office_of(workspace)
    return [
        _Planned(f"holder-notice:{h.account_id}", "", drafts.holder_notice(office, h, today))
        for h in holders
    ]


def _review_memo(
    workspace: Workspace, db: Database, as_of: date, scratch: Path, today: date
) -> _Planned:
    accounts = load_registry(workspace, db).accounts
    policy = workspace.config.masking.policy()
    report = review_report(accounts, as_of, working_calendar(workspace), policy)
    listing = scratch / f"帳號清查結果_{as_of.isoformat()}.xlsx"
    write_report(report, "xlsx", listing)
    counts = review_counts(report)
    total = counts.pop("帳號數", len(accounts))
    document = drafts.review_memo(
        facts.office_of(workspace),
        as_of,
        total,
        counts,
        [_attached(listing, "帳號及權限清查結果表")],
        today,
    )
    half = Period.containing(as_of, "half").label
    return _Planned(f"review-memo:{as_of.isoformat()}", half, document, (listing,))


def _destruction_memo(workspace: Workspace, as_of: date, scratch: Path, today: date) -> _Planned:
    from docgen.archive.destruction_list import SECTION_CANDIDATE
    from docgen.archive.reports import build_retention_report

    report = build_retention_report(workspace, as_of)
    candidate = translate(SECTION_CANDIDATE)
    rows = [row for row in report.rows if row.get("section") == candidate]
    if not rows:
        raise InputError(
            _("no record is past its retention on {date}: no destruction list to send").format(
                date=format_roc_short(as_of)
            )
        )
    counts = Counter(str(row.get("case_name") or "") for row in rows)
    report.rows = rows
    listing = scratch / f"檔案銷毀目錄_{as_of.isoformat()}.xlsx"
    write_report(report, "xlsx", listing)
    document = drafts.destruction_memo(
        facts.office_of(workspace), as_of, counts, [_attached(listing, "檔案銷毀目錄")], today
    )
    ids = tuple(sorted({str(row["record_id"]) for row in rows if row.get("record_id")}))
    return _Planned(f"destruction-memo:{as_of.isoformat()}", "", document, (listing,), ids)


def _planned(
    workspace: Workspace,
    db: Database,
    kind: str,
    scratch: Path,
    *,
    period: Period | None,
    as_of: date,
    account: str | None,
    outcome: str,
    today: date,
) -> list[_Planned]:
    """The documents of ``kind`` to write, from the facts."""
    if kind in ("results-letter", "referral-memo", "outcome-letter"):
        if period is None:
            raise UsageError(_("the {kind} needs a period: --month or --half").format(kind=kind))
        if kind == "results-letter":
            return [_results_letter(workspace, db, period, today)]
        if kind == "referral-memo":
            return [_referral_memo(workspace, db, period, today)]
        return [_outcome_letter(workspace, db, period, outcome, today)]
    if kind == "holder-notice":
        return _holder_notices(workspace, db, as_of, account, today)
    if kind == "review-memo":
        return [_review_memo(workspace, db, as_of, scratch, today)]
    return [_destruction_memo(workspace, as_of, scratch, today)]


def _bundle_name(plan: _Planned) -> str:
    """``稽核結果函_2026-H1``: the folder and file stem of one document."""
    kind, _sep, tag = plan.doc_key.partition(":")
    return f"{FILE_STEMS[kind]}_{tag}"


def _refuse_sent(db: Database, keys: Sequence[str]) -> None:
    with db.reading() as session:
        sent = session.scalars(
            select(Correspondence).where(
                Correspondence.doc_key.in_(keys), Correspondence.sent_on.is_not(None)
            )
        ).first()
    if sent is not None and sent.sent_on is not None:
        raise InputError(
            _("{key} went out on {date} as {number}: a document sent is not drafted again").format(
                key=sent.doc_key, date=format_roc_short(sent.sent_on), number=sent.sent_number
            )
        )


def _write_bundles(
    plans: Sequence[_Planned], scratch: Path, converter: Converter
) -> dict[str, Path]:
    """Every document's folder in ``scratch``: DOCX, DI, the attachments beside them,
    then ODT and PDF in one LibreOffice run per target."""
    bundles, documents = {}, []
    for plan in plans:
        folder = scratch / _bundle_name(plan)
        folder.mkdir()
        for source in plan.copies:
            shutil.copy2(source, folder / source.name)
        stem = _bundle_name(plan)
        documents.append(write_docx(plan.document, folder / f"{stem}.docx"))
        write_di(folder / f"{stem}.di", plan.document)
        bundles[plan.doc_key] = folder
    convert_print_forms(documents, converter=converter)
    return bundles


def _move_in(folder: Path, out_dir: Path) -> Path:
    """Put a finished folder in place of any earlier draft of the same document."""
    target = out_dir / folder.name
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=".docgen-old-", dir=out_dir))
        os.replace(target, old / folder.name)
        os.replace(folder, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(folder, target)
    return target


def draft(
    workspace: Workspace,
    db: Database,
    kind: str,
    *,
    period: Period | None = None,
    as_of: date | None = None,
    account: str | None = None,
    outcome: str = "",
    out_dir: Path | None = None,
    actor: str = "",
    now: datetime | None = None,
) -> list[Draft]:
    """Draft the documents of ``kind`` (:data:`docgen.correspondence.drafts.KINDS`)
    from the facts, one folder each under ``out_dir`` (DOCX, ODT, PDF, DI and the
    attachments), stored as drafts and journalled as ``correspondence draft``. A
    document already sent is refused; a draft made again replaces the earlier one."""
    if kind not in drafts.KINDS:
        raise UsageError(
            _("unknown document {kind!r}: choose one of {kinds}").format(
                kind=kind, kinds=", ".join(drafts.KINDS)
            )
        )
    moment = now or datetime.now().astimezone()
    today = moment.date()
    target = out_dir or default_out_dir(workspace)
    target.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".docgen-draft-", dir=target))
    try:
        plans = _planned(
            workspace,
            db,
            kind,
            scratch,
            period=period,
            as_of=as_of or today,
            account=account,
            outcome=outcome,
            today=today,
        )
        _refuse_sent(db, [plan.doc_key for plan in plans])
        with Converter() as converter:
            bundles = _write_bundles(plans, scratch, converter)
        placed = {key: _move_in(folder, target) for key, folder in bundles.items()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = [
        Draft(plan.doc_key, kind, tuple(sorted(placed[plan.doc_key].iterdir())), plan.warning)
        for plan in plans
    ]
    _store_drafts(workspace, db, kind, plans, results, actor, moment)
    return results


def _store_drafts(
    workspace: Workspace,
    db: Database,
    kind: str,
    plans: Sequence[_Planned],
    results: Sequence[Draft],
    actor: str,
    moment: datetime,
) -> None:
    """One transaction for the drafts' rows, then one journal entry for them all."""
    files = {d.doc_key: d.files for d in results}
    with db.session() as session:
        for plan in plans:
            row = session.scalars(
                select(Correspondence).where(Correspondence.doc_key == plan.doc_key)
            ).one_or_none() or Correspondence(doc_key=plan.doc_key)
            row.kind, row.form, row.period = kind, plan.document.form, plan.period
            row.subject = plan.document.subject
            receiver = plan.document.receiver
            row.receiver = receiver.shown if receiver else ""
            row.due, row.outcome, row.record_ids = plan.due, plan.outcome, list(plan.record_ids)
            row.files = [
                {"path": _shown(workspace, p), "sha256": sha256_file(p)}
                for p in files[plan.doc_key]
            ]
            row.drafted_by, row.drafted_at = actor, moment.replace(tzinfo=None)
            session.add(row)
    outputs = [p for d in results for p in d.files]
    details = {"kind": kind, "documents": [d.doc_key for d in results]}
    _journal(workspace).append("correspondence draft", outputs=outputs, details=details, now=moment)


def _shown(workspace: Workspace, path: Path) -> str:
    """A path relative to the workspace when inside it, else absolute."""
    try:
        return str(path.resolve().relative_to(workspace.root))
    except ValueError:
        return str(path.resolve())


# --- sent -----------------------------------------------------------------------------


def _letter(row: Correspondence, sent_on: date, number: str) -> Letter:
    return Letter(row.doc_key, row.drafted_at.date(), row.due, sent_on, number)


def _find(db: Database, workspace: Workspace, doc: str) -> Correspondence:
    """The document ``doc`` names: its key (``results-letter:2026-H1``) or one of its
    files (the PDF, DOCX, ODT or DI docgen wrote)."""
    wanted = doc.strip()
    with db.reading() as session:
        rows = list(session.scalars(select(Correspondence)))
    for row in rows:
        if row.doc_key == wanted:
            return row
    path = Path(wanted)
    if path.exists():
        shown = _shown(workspace, path)
        for row in rows:
            if any(entry.get("path") == shown for entry in row.files):
                return row
    raise InputError(
        _("{doc}: no drafted document has this key or file (docgen correspondence list)").format(
            doc=wanted
        )
    )


def record_sent(
    workspace: Workspace,
    db: Database,
    doc: str,
    *,
    number: str,
    sent_on: date,
    actor: str = "",
    now: datetime | None = None,
) -> Letter:
    """Record that the document ``doc`` went out on ``sent_on`` under the 文號
    ``number`` (ISSUE 14 item 4): from then on its duty counts as done that day.
    Recording the same again changes nothing; a different day or number is refused."""
    moment = now or datetime.now().astimezone()
    text = number.strip()
    if not text or len(text) > 100 or any(ch < " " for ch in text):
        raise InputError(_("--number: give the 文號 the document went out under"))
    if sent_on > moment.date():
        raise InputError(_("--date {date} is in the future").format(date=format_roc_short(sent_on)))
    found = _find(db, workspace, doc)
    with db.session() as session:  # checked and written under the write lock: once only
        row = session.get(Correspondence, found.id)
        assert row is not None
        if row.sent_on is not None:
            if (row.sent_on, row.sent_number) == (sent_on, text):
                return _letter(row, sent_on, text)
            raise InputError(
                _("{key} is already recorded as sent on {date} as {number}").format(
                    key=row.doc_key, date=format_roc_short(row.sent_on), number=row.sent_number
                )
            )
        if sent_on < row.drafted_at.date():
            raise InputError(
                _("{key}: --date {date} is before the document was drafted ({drafted})").format(
                    key=row.doc_key,
                    date=format_roc_short(sent_on),
                    drafted=format_roc_short(row.drafted_at.date()),
                )
            )
        row.sent_on, row.sent_number = sent_on, text
        row.sent_by, row.sent_recorded_at = actor, moment.replace(tzinfo=None)
        sent = _letter(row, sent_on, text)
    details = {"document": sent.doc_key, "number": text, "sent_on": sent_on.isoformat()}
    _journal(workspace).append("correspondence sent", details=details, now=moment)
    return sent


# --- the list ---------------------------------------------------------------------------

LIST_COLUMNS = Columns(
    {
        "status": N_("Status"),
        "key": N_("Document"),
        "kind": N_("Kind"),
        "form": N_("Document type"),
        "period": N_("Period"),
        "receiver": N_("Receiver"),
        "subject": N_("Subject"),
        "drafted": N_("Drafted on"),
        "due": N_("Due"),
        "sent": N_("Sent on"),
        "number": N_("Number"),
    },
    brief=("status", "key", "form", "due", "sent", "number"),
    dates=("drafted", "due", "sent"),
)
DRAFTED, SENT, SENT_LATE, OVERDUE = N_("drafted"), N_("sent"), N_("sent late"), N_("overdue")


def _status(row: Correspondence, today: date) -> str:
    if row.sent_on is not None:
        return SENT_LATE if row.due is not None and row.sent_on > row.due else SENT
    return OVERDUE if row.due is not None and today > row.due else DRAFTED


def correspondence_report(db: Database, today: date) -> Report:
    """Every document drafted, with its due date and the day and 文號 it went out."""
    with db.reading() as session:
        rows = list(session.scalars(select(Correspondence).order_by(Correspondence.doc_key)))
    listed = [
        {
            "status": translate(_status(row, today)),
            "key": row.doc_key,
            "kind": translate(drafts.KINDS[row.kind].label)
            if row.kind in drafts.KINDS
            else row.kind,
            "form": row.form,
            "period": row.period,
            "receiver": row.receiver,
            "subject": row.subject,
            "drafted": format_roc_short(row.drafted_at.date()),
            "due": format_roc_short(row.due) if row.due else "",
            "sent": format_roc_short(row.sent_on) if row.sent_on else "",
            "number": row.sent_number,
        }
        for row in rows
    ]
    summary: dict[str, object] = {N_("Documents"): len(listed)}
    title = _("Correspondence as of {date}").format(date=format_roc_short(today))
    return Report(title, LIST_COLUMNS, listed, summary, sheet=N_("Correspondence"))
