"""A destruction list's three steps, by three roles (ISSUE 13 item 4; 檔案法 Art. 12;
機關檔案保存年限及銷毀辦法 §17; DESIGN.md, Retention):

1. :func:`propose_destruction` — the 檔管人員 proposes the draft 銷毀目錄: every record
   that may be disposed of as of a day (:func:`docgen.archive.disposal.destruction_candidates`);
2. :func:`approve_destruction` — the 處長或授權人員 approves it with the approving
   發文字號 (:func:`docgen.archive.approval.parse_reference`). **Never the person who
   proposed it**: separation of duties, enforced here, by web account and by name;
3. :func:`dispose_destruction` — the 檔管人員 disposes of it under that approval
   (:func:`docgen.archive.disposal.dispose`: every record checked again, tombstones,
   the journal), never the approver.

A list still open (proposed or approved) blocks a new one; its proposer (or the
director) may withdraw a proposed list. Each step is one transaction and one journal
entry (``destruction propose|approve|withdraw|dispose``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docgen.archive import disposal_report
from docgen.archive.approval import Approval, check_approver, parse_reference
from docgen.archive.db import open_index
from docgen.archive.disposal import check_not_future, destruction_candidates, dispose
from docgen.archive.disposal_plan import DisposalResult
from docgen.calendar import format_roc_short
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.archive import DestructionList
from docgen.errors import InputError
from docgen.i18n import N_, _, translate
from docgen.journal import Journal
from docgen.report import Report

PROPOSED, APPROVED, DISPOSED, WITHDRAWN = "proposed", "approved", "disposed", "withdrawn"
#: A list being disposed of right now (set before the disposal, so it runs once).
DISPOSING = "disposing"
OPEN = (PROPOSED, APPROVED, DISPOSING)
#: Each state as a person reads it.
STATES = {
    PROPOSED: N_("proposed, awaiting approval"),
    APPROVED: N_("approved, awaiting disposal"),
    DISPOSING: N_("being disposed of"),
    DISPOSED: N_("disposed"),
    WITHDRAWN: N_("withdrawn"),
}


@dataclass(frozen=True)
class Person:
    """Who does a step: their web username and the name printed on the list."""

    username: str
    name: str


@dataclass(frozen=True)
class ListInfo:
    """A destruction list as stored."""

    id: int
    as_of: date
    record_ids: tuple[str, ...]
    state: str
    proposed_by: str
    proposed_name: str
    proposed_at: datetime
    approval: str
    approved_by: str
    approved_name: str
    approved_on: date | None
    disposed_by: str
    disposed_at: datetime | None
    plan_id: str


def _info(row: DestructionList) -> ListInfo:
    return ListInfo(
        row.id,
        row.as_of,
        tuple(row.record_ids),
        row.state,
        row.proposed_by,
        row.proposed_name,
        row.proposed_at,
        row.approval,
        row.approved_by,
        row.approved_name,
        row.approved_on,
        row.disposed_by,
        row.disposed_at,
        row.plan_id,
    )


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0, tzinfo=None)


def _journal(workspace: Workspace, command: str, details: dict[str, object], now: datetime) -> None:
    Journal(workspace.journal_path, workspace.root).append(
        command, details=details, now=now.astimezone()
    )


def destruction_lists(db: Database) -> list[ListInfo]:
    """Every destruction list, the newest first."""
    with db.session() as session:
        rows = session.scalars(select(DestructionList).order_by(DestructionList.id.desc()))
        return [_info(row) for row in rows]


def _one(session: Session, list_id: int, state: str) -> DestructionList:
    row = session.get(DestructionList, list_id)
    if row is None:
        raise InputError(_("there is no destruction list {id}").format(id=list_id))
    if row.state != state:
        raise InputError(
            _("destruction list {id} is {state}, not {expected}").format(
                id=list_id, state=translate(STATES[row.state]), expected=translate(STATES[state])
            )
        )
    return row


def _move(session: Session, list_id: int, before: str, after: str) -> None:
    """Set list ``list_id`` from ``before`` to ``after`` in one compare-and-set (two
    people, or two clicks, never both move it)."""
    moved = session.execute(
        update(DestructionList)
        .where(DestructionList.id == list_id, DestructionList.state == before)
        .values(state=after)
    )
    if getattr(moved, "rowcount", 0) != 1:
        _one(session, list_id, before)  # names the state it is in
        raise InputError(
            _("destruction list {id} changed meanwhile: reload the page").format(id=list_id)
        )


def _same_person(one: Person, username: str, name: str) -> bool:
    def fold(text: str) -> str:
        return " ".join(text.split()).casefold()

    return one.username == username or (bool(name) and fold(one.name) == fold(name))


def propose_destruction(
    workspace: Workspace, db: Database, as_of: date, *, by: Person, now: datetime | None = None
) -> ListInfo:
    """Propose the draft 銷毀目錄 of every record that may be disposed of as of
    ``as_of`` (not later than today)."""
    moment = _now(now)
    check_not_future(as_of, moment.date())
    name = check_approver(by.name)
    record_ids = destruction_candidates(workspace, as_of)
    if not record_ids:
        raise InputError(
            _("no record may be disposed of as of {date}: there is nothing to propose").format(
                date=format_roc_short(as_of)
            )
        )
    with db.session() as session:
        still = session.scalars(
            select(DestructionList.id).where(DestructionList.state.in_(OPEN))
        ).first()
        if still is not None:
            raise InputError(
                _(
                    "destruction list {id} is still open: dispose of it or withdraw it "
                    "before proposing another"
                ).format(id=still)
            )
        row = DestructionList(
            as_of=as_of,
            record_ids=record_ids,
            state=PROPOSED,
            proposed_by=by.username,
            proposed_name=name,
            proposed_at=moment,
        )
        session.add(row)
        session.flush()
        info = _info(row)
    details = {"list": info.id, "as_of": as_of.isoformat(), "records": record_ids}
    _journal(workspace, "destruction propose", {"user": by.username, **details}, moment)
    return info


def approve_destruction(
    workspace: Workspace,
    db: Database,
    list_id: int,
    reference: str,
    *,
    by: Person,
    now: datetime | None = None,
) -> ListInfo:
    """Approve destruction list ``list_id`` under the 發文字號 ``reference``, today;
    refused when ``by`` proposed it."""
    moment = _now(now)
    name = check_approver(by.name)
    number = parse_reference(reference, moment.date())
    with db.session() as session:
        row = _one(session, list_id, PROPOSED)
        if _same_person(by, row.proposed_by, row.proposed_name):
            raise InputError(
                _(
                    "destruction list {id} was proposed by {name}: the one who proposes a "
                    "destruction list may not approve it (separation of duties)"
                ).format(id=list_id, name=row.proposed_name)
            )
        _move(session, list_id, PROPOSED, APPROVED)
        row.approval = number
        row.approved_by, row.approved_name, row.approved_on = by.username, name, moment.date()
        info = _info(row)
    details = {"list": list_id, "approval": number, "approved_on": moment.date().isoformat()}
    _journal(workspace, "destruction approve", {"user": by.username, **details}, moment)
    return info


def withdraw_destruction(
    workspace: Workspace, db: Database, list_id: int, *, by: Person, director: bool
) -> ListInfo:
    """Withdraw proposed list ``list_id``: its proposer's, or a director's, decision."""
    moment = _now(None)
    with db.session() as session:
        row = _one(session, list_id, PROPOSED)
        if not director and row.proposed_by != by.username:
            raise InputError(
                _("destruction list {id} is withdrawn by who proposed it, or a director").format(
                    id=list_id
                )
            )
        _move(session, list_id, PROPOSED, WITHDRAWN)
        info = _info(row)
    _journal(workspace, "destruction withdraw", {"user": by.username, "list": list_id}, moment)
    return info


def dispose_destruction(
    workspace: Workspace, db: Database, list_id: int, *, by: Person, now: datetime | None = None
) -> DisposalResult:
    """Dispose of approved list ``list_id`` (檔案法 Art. 12): every record checked again
    and removed with its tombstone under the list's approval; never by the approver."""
    moment = _now(now)
    with db.session() as session:
        row = _one(session, list_id, APPROVED)
        if _same_person(by, row.approved_by, row.approved_name):
            raise InputError(
                _(
                    "destruction list {id} was approved by {name}: the approver may not also "
                    "dispose of it (separation of duties)"
                ).format(id=list_id, name=row.approved_name)
            )
        approval = Approval(row.approval, row.approved_name, row.approved_on)
        record_ids, as_of = list(row.record_ids), row.as_of
        _move(session, list_id, APPROVED, DISPOSING)  # a second click finds it taken
    try:
        result = dispose(workspace, record_ids, approval, as_of, check_approver(by.name), moment)
    except BaseException:
        with db.session() as session:
            _move(session, list_id, DISPOSING, APPROVED)
        raise
    with db.session() as session:
        _move(session, list_id, DISPOSING, DISPOSED)
        row = _one(session, list_id, DISPOSED)
        row.plan_id, row.disposed_by, row.disposed_at = result.plan_id, by.username, moment
    details = {"list": list_id, "plan": result.plan_id, "disposed": len(result.disposed)}
    _journal(workspace, "destruction dispose", {"user": by.username, **details}, moment)
    return result


def disposal_record(workspace: Workspace, db: Database, list_id: int) -> Report:
    """The printable record of how destruction list ``list_id`` was disposed of (檔案法
    Art. 12; ISSUE 13 item 4): each record under its disposal plan — disposed, with its
    tombstone, or kept because it was put on hold first — and, above the table, who
    proposed the list, who approved it with which 文號, and who disposed of it when.
    Refused until the list is disposed of. The rows are those of ``docgen archive report
    disposals`` for the list's plan."""
    with db.reading() as session:
        listed = _info(_one(session, list_id, DISPOSED))
    with open_index(workspace) as index:
        report = disposal_report.disposals_report(index, workspace.archive_root)
    rows = [row for row in report.rows if row.get("plan") == listed.plan_id]
    disposed = sum(1 for row in rows if row.get("state") == disposal_report.DISPOSED)
    approved_on = format_roc_short(listed.approved_on) if listed.approved_on else ""
    disposed_on = format_roc_short(listed.disposed_at.date()) if listed.disposed_at else ""
    summary = {
        N_("Destruction list"): listed.id,
        N_("Candidates as of"): format_roc_short(listed.as_of),
        N_("Proposed"): f"{format_roc_short(listed.proposed_at.date())} {listed.proposed_name}",
        N_("Approved"): f"{approved_on} {listed.approved_name} {listed.approval}",
        N_("Disposed"): f"{disposed_on} {listed.disposed_by} {listed.plan_id}",
        N_("Records disposed"): disposed,
        N_("Records kept (on hold)"): len(rows) - disposed,
    }
    return Report(N_("Disposal record"), disposal_report.DISPOSAL_COLUMNS, rows, summary)
