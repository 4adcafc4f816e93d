"""The missing report: every obligation without its record, and every filed file
that is gone (DESIGN.md, The cycle, step 6).

Obligations: each account's 附件2 (and 附件3 for general users) (R3.2, R3.3), each
unit's monthly 附件4 for every month it had queries (R6.2: in the query logs taken in
with ``docgen queries take-in`` — the report opens no log, and names any log of
``data/queries/`` not taken in yet), each half-year's 附件4 半年抽查, 附件5 and
colour-scan package (R6.3, R6.4), the account reviews (R4.1a, from the journal). A record is *done* on the director's review date in its metadata, else
its own date (record ID or trigger), else the day it was filed; it is *late* when that
is after the due date (:mod:`docgen.rules.obligations`). An audit form (附件4, 附件5) is
done only once the director has reviewed it (R6.2, R6.3): its own review date, or that
of a scan package that contains it; until then it is *awaiting review* — a draft from
``audit sample`` fulfils nothing. With ``calendar`` the whole obligations calendar:
done, late, missing, pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from docgen.archive.db import open_index
from docgen.archive.fixity import gone_files
from docgen.archive.retention import (
    Schedule,
    load_accounts,
    load_workspace_schedule,
)
from docgen.audit import referred_periods
from docgen.audit.samples import list_samples
from docgen.calendar import Period, format_roc_short, parse_period
from docgen.config import Workspace
from docgen.correspondence.stored import Letter, letter_of, letters
from docgen.db.models.archive import Record
from docgen.i18n import N_, _, translate
from docgen.records.models import ROLE_LABELS, STATUS_LABELS, Account, Role
from docgen.records.models import Status as AccountStatus
from docgen.records.stored import account_review_dates, month_units, untaken_logs, untaken_warning
from docgen.report import Columns, Report
from docgen.rules.obligations import (
    AUDIT_RECORD,
    HALF_YEAR_FORM,
    MONTHLY_FORM,
    OUTCOME_LETTER,
    SCAN_PACKAGE,
    WHOLE_OFFICE,
    Obligation,
    ethics_referral,
    obligations_for_year,
)
from docgen.rules.record_id import parse_record_id
from docgen.rules.retention import (
    RecordFacts,
    RetentionRule,
    Status,
    retention_of,
)

# --- missing: obligations without their record ------------------------------------

#: A terminal shows the brief columns (``--wide``: all); 期限 and 完成日 are real dates
#: in a workbook.
MISSING_COLUMNS = Columns(
    {
        "status": N_("Status"),
        "rule": N_("Rule"),
        "obligation": N_("Obligation"),
        "period": N_("Period"),
        "unit": N_("Unit/account"),
        "required": N_("Required record"),
        "due": N_("Due"),
        "done": N_("Done on"),
        "record_id": N_("Record ID"),
        "path": N_("File path"),
        "note": N_("Note"),
    },
    brief=("status", "rule", "period", "unit", "required", "due", "done", "record_id", "note"),
    dates=("due", "done"),
)
#: The outcomes (message IDs: the ``status`` column shows them translated, the hidden
#: row key ``kind`` keeps the ID; the summary's keys are these IDs).
DONE, LATE, MISSING = N_("done"), N_("done late"), N_("missing")
PENDING, GONE = N_("not yet due"), N_("file lost")
AWAITING_REVIEW = N_("awaiting review")
#: The summary line naming logs in data/queries/ not taken in (so not counted).
UNTAKEN = N_("Query logs not taken in")
_STATUS_ORDER = (MISSING, GONE, AWAITING_REVIEW, LATE, PENDING, DONE)
#: Forms the director must review before the check counts as done (R6.2, R6.3).
_REVIEWED_FORMS = {"4", "5"}


@dataclass(frozen=True)
class ArchivedRecord:
    """What the missing report needs of an indexed record: what it is, and the day
    it counts as done — the director's review, else its own date, else its filing."""

    record_id: str
    form: str
    variant: str
    category: str
    period: str
    unit: str
    subject: str
    done: date | None
    disposed: bool
    awaiting_review: bool = False


#: The (form, variant, category) of every record an obligation requires (R6.2–R6.4).
_REQUIRED_KINDS = tuple(
    (r.form, r.variant, r.category)
    for r in (MONTHLY_FORM, HALF_YEAR_FORM, AUDIT_RECORD, SCAN_PACKAGE)
)


def _may_fulfil() -> Any:
    """Records that can fulfil a duty: the required forms and packages, the account
    papers, and any package listing records (its review date reviews them, R6.4).
    The rest — the evidence scans, most of an archive — are never loaded."""
    return or_(
        tuple_(Record.form, Record.variant, Record.category).in_(_REQUIRED_KINDS),
        Record.category.in_({c for papers in ACCOUNT_PAPERS.values() for c, _l, _r in papers}),
        Record.record_ids != "",
    )


def archived_records(session: Session) -> list[ArchivedRecord]:
    """Every classified record in the index that can fulfil an obligation, disposed
    ones included (an approved disposal fulfilled its obligation)."""
    query = select(
        Record.record_id,
        Record.form,
        Record.variant,
        Record.category,
        Record.period,
        Record.unit,
        Record.subject,
        Record.review_date,
        Record.trigger,
        Record.first_filed_at,
        Record.status,
        Record.record_ids,
    ).where(Record.category != "", Record.status != "unclassified", _may_fulfil())
    rows = list(session.execute(query))
    reviewed_in_package = _package_reviews(rows)
    found = []
    for row in rows:
        own_date = row.trigger or _id_date(row.record_id)
        filed = row.first_filed_at.date() if row.first_filed_at else None
        review = row.review_date or reviewed_in_package.get(row.record_id)
        needs_review = row.form in _REVIEWED_FORMS and review is None
        found.append(
            ArchivedRecord(
                row.record_id,
                row.form,
                row.variant,
                row.category,
                row.period,
                row.unit,
                row.subject,
                review or own_date or filed,
                row.status == "disposed",
                awaiting_review=needs_review,
            )
        )
    return found


def _package_reviews(rows: Iterable[Any]) -> dict[str, date]:
    """The earliest review date of a package (or any record) listing each record ID:
    the signed, reviewed colour scan proves the review of the forms inside (R6.4)."""
    reviews: dict[str, date] = {}
    for row in rows:
        if row.review_date is None:
            continue
        for listed in (row.record_ids or "").split():
            reviews[listed] = min(reviews.get(listed, row.review_date), row.review_date)
    return reviews


def _id_date(record_id: str) -> date | None:
    parsed = parse_record_id(record_id)
    if parsed is None or len(parsed.period) != 8:
        return None
    try:
        return datetime.strptime(parsed.period, "%Y%m%d").date()
    except ValueError:
        return None


def _roc(value: date | None) -> str:
    return format_roc_short(value) if value is not None else ""


def _outcome(
    matches: Sequence[ArchivedRecord], due: date, as_of: date
) -> tuple[str, ArchivedRecord | None]:
    """done / late / awaiting review / missing / pending of one required record,
    with the record."""
    dated = sorted(matches, key=lambda r: (r.awaiting_review, r.done or date.max, r.record_id))
    first = dated[0] if dated else None
    if first is None:
        return (MISSING if as_of > due else PENDING), None
    if first.awaiting_review:
        return AWAITING_REVIEW, first
    return (LATE if first.done is not None and first.done > due else DONE), first


def _row(status: str, found: ArchivedRecord | None, **fields: Any) -> dict[str, Any]:
    note = fields.pop("note", "")
    if status == AWAITING_REVIEW:
        waiting = _(
            "filed, awaiting the director's review (a review date, or a scan package "
            "holding this form)"
        )
        note = _("; ").join(filter(None, [note, waiting]))
    if found is not None and found.disposed:
        note = _("; ").join(
            filter(None, [note, _("disposed under an approval (see its tombstone)")])
        )
    return {
        "status": status,
        "done": _roc(found.done) if found and status != AWAITING_REVIEW else "",
        "record_id": found.record_id if found else "",
        "path": "",
        "note": note,
        **{
            key: (_roc(value) if isinstance(value, date) else value)
            for key, value in fields.items()
        },
    }


def obligation_rows(
    obligations: Iterable[Obligation], records: Sequence[ArchivedRecord], as_of: date
) -> list[dict[str, Any]]:
    """One row per record each obligation requires (R6.2–R6.4), with its outcome.

    The records are grouped once by period and by (period, unit), so that each duty
    looks only at the records of its own period: linear in records and duties, not
    their product (1,000,000 records, ``benchmarks/bench_db.py``)."""
    by_period: dict[str, list[ArchivedRecord]] = {}
    by_unit: dict[tuple[str, str], list[ArchivedRecord]] = {}
    for record in records:
        by_period.setdefault(record.period, []).append(record)
        by_unit.setdefault((record.period, record.unit), []).append(record)
    rows = []
    for duty in obligations:
        label = duty.period.label if duty.period else ""
        candidates = (
            by_period.get(label, []) if duty.unit is None else by_unit.get((label, duty.unit), [])
        )
        for required in duty.records:
            if required.journal_command or required.correspondence:
                continue
            matches = [
                r
                for r in candidates
                if duty.fulfilled_by(r.form, r.variant, r.category, r.period, r.unit) == required
            ]
            status, found = _outcome(matches, duty.due, as_of)
            rows.append(
                _row(
                    status,
                    found,
                    rule=duty.rule,
                    obligation=duty.title,
                    period=duty.period.label if duty.period else "",
                    unit=duty.unit or WHOLE_OFFICE,
                    unit_key=duty.unit or WHOLE_OFFICE,
                    required=required.label,
                    due=duty.due,
                )
            )
    return rows


#: The papers each role files (R3.2: 附件2 and 附件3; R3.3: 附件2).
#: The labels are message IDs (shown translated).
ACCOUNT_PAPERS = {
    Role.USER: (
        ("account_application", N_("附件2 access application form"), "R3.2"),
        ("confidentiality_pledge", N_("附件3 confidentiality pledge"), "R3.2"),
    ),
    Role.AUDITOR: (("account_application", N_("附件2 access application form"), "R3.3"),),
}


def account_rows(
    accounts: Iterable[Account],
    records: Sequence[ArchivedRecord],
    schedule: Schedule,
    as_of: date,
) -> list[dict[str, Any]]:
    """Each account's papers (R3.2, R3.3), due when the account was opened; papers of
    an account cancelled so long ago that they are past retention are not required."""
    by_key: dict[tuple[str, str], list[ArchivedRecord]] = {}
    for record in records:
        by_key.setdefault((record.category, record.subject), []).append(record)
    rows = []
    for account in accounts:
        for category, label, rule_id in ACCOUNT_PAPERS.get(account.role, ()):
            if _past_retention(schedule.rule(category), account, as_of):
                continue
            status, found = _outcome(
                by_key.get((category, account.account_id), []), account.opened, as_of
            )
            rows.append(
                _row(
                    status,
                    found,
                    rule=rule_id,
                    obligation=_("{role} account papers").format(
                        role=translate(ROLE_LABELS.get(account.role, account.role.value))
                    ),
                    period="",
                    unit=f"{account.unit} {account.account_id}",
                    unit_key=account.unit,
                    required=translate(label),
                    due=account.opened,
                    note=_("account status: {status}").format(
                        status=translate(STATUS_LABELS.get(account.status, account.status.value))
                    ),
                )
            )
    return rows


def _past_retention(rule: RetentionRule, account: Account, as_of: date) -> bool:
    facts = RecordFacts(
        account_known=True,
        account_cancelled=account.status is AccountStatus.CANCELLED,
        cancelled_on=account.cancelled_on,
    )
    return retention_of(rule, facts, as_of).status is Status.CANDIDATE


def gone_rows(gone: Iterable[Any]) -> list[dict[str, Any]]:
    """Indexed files whose bytes are no longer in the archive."""
    return [
        {
            **dict.fromkeys(MISSING_COLUMNS, ""),
            "status": GONE,
            "unit_key": "",
            "record_id": file.record_id,
            "path": file.path,
            "required": _("filed file"),
            "note": _("the index has this file (SHA-256 {sha256}…) but the file is gone").format(
                sha256=file.sha256[:12]
            ),
        }
        for file in gone
    ]


def missing_report(rows: list[dict[str, Any]], as_of: date, calendar: bool = False) -> Report:
    """The missing report from its rows; with ``calendar``, the whole obligations
    calendar (done and pending too), else only what is missing, gone or late."""
    counts = {status: sum(1 for r in rows if r["status"] == status) for status in _STATUS_ORDER}
    problems = (MISSING, GONE, AWAITING_REVIEW, LATE)
    shown = rows if calendar else [r for r in rows if r["status"] in problems]
    order = {status: rank for rank, status in enumerate(_STATUS_ORDER)}
    shown = sorted(shown, key=lambda r: (order[r["status"]], r["due"] or "", r["unit"] or ""))
    shown = [{**r, "kind": r["status"], "status": translate(r["status"])} for r in shown]
    kind = N_("Obligations calendar") if calendar else N_("Missing report")
    summary: dict[str, Any] = {N_("As of"): format_roc_short(as_of), **counts}
    title = _("{report} as of {date}").format(report=translate(kind), date=format_roc_short(as_of))
    return Report(title, MISSING_COLUMNS, shown, summary, sheet=kind)


def review_rows(
    obligations: Iterable[Obligation], reviews: Sequence[date], as_of: date
) -> list[dict[str, Any]]:
    """R4.1a account reviews, from the journal's ``accounts review`` entries: done in
    the half-year of its due date, late if only after it."""
    rows = []
    for duty in obligations:
        if duty.kind != "account_review" or duty.period is None:
            continue
        start = duty.period.start
        on_time = [d for d in reviews if start <= d <= duty.due]
        late = [d for d in reviews if d > duty.due]
        done = on_time[0] if on_time else (late[0] if late else None)
        status = DONE if on_time else LATE if late else MISSING if as_of > duty.due else PENDING
        rows.append(
            {
                **dict.fromkeys(MISSING_COLUMNS, ""),
                "status": status,
                "rule": duty.rule,
                "obligation": duty.title,
                "period": duty.period.label,
                "unit": WHOLE_OFFICE,
                "unit_key": WHOLE_OFFICE,
                "required": duty.records[0].label,
                "due": _roc(duty.due),
                "done": _roc(done),
                "note": _("the account review the journal records"),
            }
        )
    return rows


#: The outcome letter waits on the ethics unit (R6.5 gives no date): never late.
_NEVER_LATE = {OUTCOME_LETTER.correspondence}


def letter_rows(
    obligations: Iterable[Obligation], sent: Mapping[str, Letter], as_of: date
) -> list[dict[str, Any]]:
    """The duties a document fulfils once recorded as sent (ISSUE 14 item 4): the R6.4
    results letter, the R6.5 referral memo and outcome letter. Done on the day it went
    out, late after the due date; a draft not yet sent fulfils nothing."""
    rows = []
    for duty in obligations:
        for required in duty.records:
            if not required.correspondence:
                continue
            letter = letter_of(sent, duty, required)
            gone_out = letter is not None and letter.sent_on is not None
            waits = required.correspondence in _NEVER_LATE
            if gone_out and letter is not None and letter.sent_on is not None:
                late = letter.sent_on > duty.due and not waits
                status = LATE if late else DONE
            else:
                status = PENDING if waits or as_of <= duty.due else MISSING
            if gone_out and letter is not None:
                note = _("sent as {number}").format(number=letter.number)
            elif letter is not None:
                note = _(
                    "drafted on {date}, not recorded as sent (docgen correspondence sent {key})"
                ).format(date=format_roc_short(letter.drafted_on), key=letter.doc_key)
            else:
                note = _("not drafted yet (docgen correspondence draft {kind})").format(
                    kind=required.correspondence
                )
            if waits and not gone_out:
                note = _("; ").join([note, _("sent once the ethics unit has decided")])
            rows.append(
                {
                    **dict.fromkeys(MISSING_COLUMNS, ""),
                    "status": status,
                    "rule": duty.rule,
                    "obligation": duty.title,
                    "period": duty.period.label if duty.period else "",
                    "unit": WHOLE_OFFICE,
                    "unit_key": WHOLE_OFFICE,
                    "required": required.label,
                    "due": _roc(duty.due),
                    "done": _roc(letter.sent_on) if gone_out and letter else "",
                    "record_id": letter.doc_key if letter else "",
                    "note": note,
                }
            )
    return rows


# --- gathering the facts ----------------------------------------------------------


def query_activity(
    workspace: Workspace, accounts: Mapping[str, Account] | None
) -> dict[Period, set[str]]:
    """The units that had queries in each month (R6.2): from the query logs taken in
    (:func:`docgen.services.queries.month_units`: a unit from the log, else the
    registry; no log is opened) and the stored samples."""
    units = {a.account_id: a.unit for a in (accounts or {}).values()}
    with open_index(workspace) as index, index.session() as session:
        logged = month_units(session, units)
    months = {parse_period(month): found for month, found in logged.items()}
    for sample in list_samples(workspace):
        if sample.kind == "month" and sample.population:
            months.setdefault(parse_period(sample.period), set()).add(sample.unit)
    return months


def untaken_note(workspace: Workspace) -> str:
    """One line naming the logs of ``data/queries/`` not taken in, so not counted, and
    how to take them in ("" when there are none). Nothing is taken in: looking
    changes nothing."""
    with open_index(workspace) as index, index.session() as session:
        return untaken_warning(untaken_logs(workspace, session))


def obligations_in_scope(
    months: Mapping[Period, set[str]],
    halves: set[Period],
    reviews: Sequence[date],
    as_of: date,
    referred: Iterable[Period] = (),
) -> list[Obligation]:
    """The obligations of the months and half-years the office was active in, up to
    ``as_of`` (monthly checks per unit and month; half-year audit, report and account
    review per half-year), and the R6.5 referral of each period in ``referred`` (a
    check that found 否 cases or anomalies)."""
    halves = halves | {Period.containing(month.start, "half") for month in months}
    found: list[Obligation] = []
    for year in sorted({p.year for p in [*months, *halves]}):
        before = [d for d in reviews if d.year < year]
        for duty in obligations_for_year(
            year, units_by_month=months, previous_review=before[-1] if before else None
        ):
            if duty.period is None or duty.period.start > as_of:
                continue
            if duty.kind == "monthly_check" or duty.period in halves:
                found.append(duty)
    found += [
        ethics_referral(period)
        for period in sorted(set(referred), key=str)
        if period.start <= as_of
    ]
    return found


def build_missing_report(workspace: Workspace, as_of: date, calendar: bool = False) -> Report:
    """``docgen archive report missing``: every obligation without its record, every
    indexed file that is gone, each late one marked; with ``calendar`` every obligation."""
    accounts = load_accounts(workspace)
    with open_index(workspace) as index, index.session() as session:
        records = archived_records(session)
    months = query_activity(workspace, accounts)
    halves = {parse_period(s.period) for s in list_samples(workspace) if s.kind == "half"}
    reviews = account_review_dates(workspace)
    with open_index(workspace) as index, index.session() as session:
        referred = [parse_period(p) for p in referred_periods(session)]
        sent = letters(session)
    duties = obligations_in_scope(months, halves, reviews, as_of, referred)
    rows = obligation_rows(duties, records, as_of) + review_rows(duties, reviews, as_of)
    rows += letter_rows(duties, sent, as_of)
    schedule = load_workspace_schedule(workspace)
    rows += account_rows((accounts or {}).values(), records, schedule, as_of)
    rows += gone_rows(gone_files(workspace))
    report = missing_report(rows, as_of, calendar)
    if accounts is None:
        report.summary = {
            **report.summary,
            N_("Account registry"): _(
                "the database holds no account registry yet (docgen accounts import): "
                "account papers were not checked"
            ),
        }
    untaken = untaken_note(workspace)
    if untaken:
        report.summary = {**report.summary, UNTAKEN: untaken}
    return report
