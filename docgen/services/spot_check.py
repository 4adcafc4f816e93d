"""The monthly spot check done in the browser (ISSUE 13 item 1; R5.1, R6.2, R6.5).

The use cases the web application calls, each validating, writing the office
database in one transaction and journalling:

* :func:`take_in_upload` — the 管理者's upload of a month's platform export: judged by
  its content (:func:`docgen.uploads.table_suffix`), placed as ``data/queries/<month>``
  (where ``docgen audit sample`` looks) and taken in (:func:`take_in_log`), or refused
  whole;
* :func:`mark_case` and :func:`attach_evidence` — a 科(室)主管's 是/否, 備註 and
  evidence for one case of their unit's current draw; evidence is judged by its
  content (:func:`docgen.uploads.evidence_suffix`) and dropped in the archive's inbox
  with a sidecar (category ``monthly_check``, the period and unit), so the archive
  files it by the same ingest as a scan (and the evidence check finds it by name);
* :func:`submit_marks` — the marks become the draw's results exactly as a filled
  sheet does: docgen writes the sheet with the marks in it and reads it back through
  :func:`docgen.services.audit.record_results` — one path, so the browser and the
  XLSX give the same completed 附件4 and referral list;
* :func:`approve_results` — the 處長或授權人員's approval: the review date of that
  附件4 (:func:`docgen.services.audit.record_review`), the date its retention counts
  from (R6.2). Once approved, the unit's marks are closed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DuplicateRow
from sqlalchemy.orm import Session

from docgen.audit import store
from docgen.audit.outputs import default_out_dir
from docgen.audit.samples import Sample, case_key_secret, safe_name
from docgen.audit.sheet import NO, YES, sheet_name, write_sheet
from docgen.calendar import Period, format_roc_short
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.audit import CaseMark, Draw
from docgen.errors import DocgenError, InputError
from docgen.fsutil import atomic_path, atomic_write_text, sha256_file
from docgen.i18n import _
from docgen.journal import Journal
from docgen.metadata import RecordMetadata, sidecar_path, sidecar_yaml
from docgen.privacy import mask_ids_in_text
from docgen.services.audit import LOG_SUFFIXES, ResultsOutcome, record_results, record_review
from docgen.services.queries import Intake, take_in_log
from docgen.uploads import evidence_suffix, shown_name, table_suffix

#: Where the sheets filled from the browser's marks are kept (under the period's
#: audit folder, beside the sheets docgen wrote).
BROWSER_SHEETS = "網頁填寫"
#: The longest 備註 taken (a paragraph; the form's cell holds no more).
MAX_REMARK = 1_000
#: Evidence files one case may have.
MAX_EVIDENCE_FILES = 10


def _journal(workspace: Workspace) -> Journal:
    return Journal(workspace.journal_path, workspace.root)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now().astimezone()


# --- the month's log -----------------------------------------------------------------


def take_in_upload(
    workspace: Workspace, db: Database, month: Period, upload: Path, given: str, *, actor: str
) -> Intake:
    """Take in the file at ``upload`` (sent as ``given``) as the query log of ``month``
    (R5.1): judged by its content, refused when ``data/queries/`` holds a different log
    of that month, placed as ``data/queries/<month>.<suffix>`` and taken in; a log
    refused by the intake (a bad row, a query of another month) is removed again."""
    if month.kind != "month":
        raise InputError(
            _("a query log is uploaded for one month, not {period}").format(period=month.label)
        )
    suffix = table_suffix(upload, given)
    folder = workspace.data_dir / "queries"
    digest = sha256_file(upload)
    for earlier in sorted(folder.glob(f"{month.label}.*")):
        if earlier.suffix.lower() not in LOG_SUFFIXES:
            continue
        if sha256_file(earlier) == digest:
            return take_in_log(workspace, db, earlier, actor=actor, month=month.label)
        raise InputError(
            _(
                "{file}: {month} already has its query log {earlier}; a different export "
                "of the same month is not added beside it (ask the administrator of docgen "
                "to remove the wrong one)"
            ).format(file=shown_name(given), month=month.label, earlier=earlier.name)
        )
    target = folder / f"{month.label}{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _place(upload, target)
    except FileExistsError:
        raise InputError(
            _("{month}: another query log was placed meanwhile: reload the page").format(
                month=month.label
            )
        ) from None
    except OSError as error:
        raise InputError(
            _("{month}: the query log cannot be written to data/queries/ ({error})").format(
                month=month.label, error=error.strerror or error
            )
        ) from None
    try:
        return take_in_log(workspace, db, target, actor=actor, month=month.label)
    except DocgenError as error:
        target.unlink(missing_ok=True)
        # One line naming the file as it was sent, never a path of the server.
        told = error.message.replace(str(target), target.name)
        told = told.replace(target.name, shown_name(given))
        raise InputError(" ".join(told.split())) from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _place(upload: Path, target: Path) -> None:
    """``upload`` as ``target``, never over a file put there meanwhile: a hard link,
    or — across file systems, or where links are not allowed (a share) — a copy into a
    file created exclusively."""
    try:
        os.link(upload, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle, open(upload, "rb") as source:
            shutil.copyfileobj(source, handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise


# --- marks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseEntry:
    """One case's mark as entered so far."""

    consistent: str
    remark: str
    evidence: tuple[str, ...]
    marked_by: str
    marked_at: datetime | None


@dataclass(frozen=True)
class MarkSheet:
    """A unit's current draw with the marks entered in the browser, whether its results
    were submitted, and whether the director approved them (then nothing changes)."""

    sample: Sample
    entries: dict[int, CaseEntry]
    submitted: bool
    record_id: str
    approved_on: date | None
    #: Who submitted the results (the web user), "" before.
    submitted_by: str = ""

    @property
    def marked(self) -> int:
        return sum(1 for e in self.entries.values() if e.consistent)


def _draw(session: Session, period: str, unit: str) -> Draw:
    draw = store.current_draw(session, period, unit)
    if draw is None:
        raise InputError(
            _("no sample drawn for {unit} in {period}").format(unit=unit, period=period)
        )
    return draw


def _approved_on(session: Session, draw: Draw) -> tuple[str, date | None]:
    record_id = str((draw.reading.documents if draw.reading else {}).get("record_id", ""))
    return record_id, store.review_dates(session, [record_id]).get(record_id)


def mark_sheet(db: Database, period: str, unit: str) -> MarkSheet:
    """The current draw of ``unit`` for ``period`` with its marks (:class:`InputError`
    when none is drawn)."""
    with db.session() as session:
        draw = _draw(session, period, unit)
        rows = session.scalars(select(CaseMark).where(CaseMark.draw_id == draw.id))
        entries = {
            row.position: CaseEntry(
                row.consistent,
                row.remark,
                tuple(e for e in row.evidence.split("、") if e),
                row.marked_by,
                row.marked_at,
            )
            for row in rows
        }
        record_id, approved = _approved_on(session, draw)
        reading = draw.reading
        return MarkSheet(
            store.to_sample(draw),
            entries,
            reading is not None,
            record_id,
            approved,
            reading.read_by if reading else "",
        )


def _open_mark(session: Session, period: str, unit: str, no: int) -> tuple[Draw, CaseMark]:
    draw = _draw(session, period, unit)
    if no not in {case.position for case in draw.cases}:
        raise InputError(
            _("{unit} {period} has no case 序號 {no}").format(unit=unit, period=period, no=no)
        )
    _record_id, approved = _approved_on(session, draw)
    if approved is not None:
        raise InputError(
            _(
                "{unit} {period}: the results were approved on {date}; the marks can no "
                "longer change"
            ).format(unit=unit, period=period, date=format_roc_short(approved))
        )
    if draw.reading is not None:
        # The completed 附件4 was written from the marks as submitted, and that is what
        # the director approves (R6.2): a mark changed now would not be on it.
        raise InputError(
            _(
                "{unit} {period}: the results were submitted on {date}; the marks can no "
                "longer change"
            ).format(unit=unit, period=period, date=format_roc_short(draw.reading.read_at.date()))
        )
    query = select(CaseMark).where(CaseMark.draw_id == draw.id, CaseMark.position == no)
    mark = session.scalars(query).one_or_none()
    if mark is None:
        mark = CaseMark(draw_id=draw.id, position=no, consistent="", remark="", evidence="")
        session.add(mark)
    return draw, mark


def _changing_mark(
    db: Database, case: tuple[str, str, int], change: Callable[[Draw, CaseMark], int]
) -> int:
    """``change`` applied to the mark of ``case`` (period, unit, 序號) in one
    transaction; returns what it returns (the draw's number). The first mark of a case
    made by two requests at once (two tabs, a double click): on PostgreSQL both find no
    row and both add one, and the second meets the unique (draw, 序號) — its transaction
    is tried once more, and then finds the first one's row."""
    period, unit, no = case

    def attempt() -> int:
        with db.session() as session:
            draw, mark = _open_mark(session, period, unit, no)
            return change(draw, mark)

    try:
        return attempt()
    except DuplicateRow:
        return attempt()


def mark_case(
    workspace: Workspace,
    db: Database,
    period: str,
    unit: str,
    no: int,
    consistent: str,
    remark: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> None:
    """Record ``actor``'s mark of case 序號 ``no`` of the current draw of ``unit`` for
    ``period`` (R6.2): 是 or 否 與業務相符 and a 備註 (IDs in it masked, R8), which a 否
    needs. Journalled as ``spot-check mark``."""
    consistent, remark = consistent.strip(), mask_ids_in_text(remark.strip())
    if consistent not in (YES, NO):
        raise InputError(_("case 序號 {no}: choose 是 or 否").format(no=no))
    if consistent == NO and not remark:
        raise InputError(_("case 序號 {no}: a 否 needs a 備註 explaining it").format(no=no))
    if len(remark) > MAX_REMARK:
        raise InputError(
            _("case 序號 {no}: the 備註 is longer than {limit} characters").format(
                no=no, limit=MAX_REMARK
            )
        )
    moment = _now(now)

    def change(draw: Draw, mark: CaseMark) -> int:
        mark.consistent, mark.remark = consistent, remark
        mark.marked_by, mark.marked_at = actor, store.local(moment)
        return draw.number

    number = _changing_mark(db, (period, unit, no), change)
    details = {"period": period, "unit": unit, "draw": number, "case": no, "consistent": consistent}
    _journal(workspace).append("spot-check mark", details={"user": actor, **details}, now=moment)


def attach_evidence(
    workspace: Workspace,
    db: Database,
    period: str,
    unit: str,
    no: int,
    upload: Path,
    given: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> str:
    """Attach the file at ``upload`` (sent as ``given``) as evidence of case 序號
    ``no`` (R6.2): judged by its content, named by docgen
    (``佐證_<period>_<unit>_<序號>_<hash>.<suffix>``), dropped in the archive's inbox
    with its sidecar, and listed in the case's 佐證檔案. Returns the name."""
    suffix = evidence_suffix(upload, given)
    digest = sha256_file(upload)
    name = safe_name("佐證", period, unit, str(no), digest[:12], suffix=suffix)
    moment = _now(now)

    def change(draw: Draw, mark: CaseMark) -> int:
        listed = [e for e in mark.evidence.split("、") if e]
        if name not in listed:
            if len(listed) >= MAX_EVIDENCE_FILES:
                raise InputError(
                    _("case 序號 {no} has {count} evidence files already").format(
                        no=no, count=len(listed)
                    )
                )
            _drop_in_inbox(workspace, upload, name, draw.kind, (period, unit, no))
            listed.append(name)
        mark.evidence = "、".join(listed)
        mark.marked_by, mark.marked_at = actor, store.local(moment)
        return draw.number

    number = _changing_mark(db, (period, unit, no), change)
    details = {
        "user": actor,
        "period": period,
        "unit": unit,
        "draw": number,
        "case": no,
        "file": name,
        "sha256": digest,
    }
    _journal(workspace).append("spot-check evidence", details=details, now=moment)
    return name


def _drop_in_inbox(
    workspace: Workspace, upload: Path, name: str, kind: str, case: tuple[str, str, int]
) -> None:
    """The evidence file and its sidecar in the inbox, the sidecar first (so the file is
    never seen without it), each whole or not at all; filed with the month's check or
    the half-year audit (``kind`` of the draw)."""
    period, unit, no = case
    target = workspace.archive_root / "inbox" / name
    half = kind == "half"
    meta = RecordMetadata(
        category="half_year_audit" if half else "monthly_check",
        period=period,
        unit=unit,
        title=f"{unit} {period} {'半年抽查' if half else '月抽查'} 案件{no} 佐證",
    )
    atomic_write_text(sidecar_path(target), sidecar_yaml(meta))
    with atomic_path(target) as tmp:
        tmp.write_bytes(upload.read_bytes())


# --- submitting and approving --------------------------------------------------------


def _unfinished(marks: MarkSheet) -> list[str]:
    problems = []
    for case in marks.sample.cases:
        entry = marks.entries.get(case.no)
        if entry is None or not entry.consistent:
            problems.append(_("case 序號 {no}: not marked").format(no=case.no))
        elif entry.consistent == NO and not entry.remark:
            problems.append(_("case 序號 {no}: a 否 needs a 備註 explaining it").format(no=case.no))
    return problems


def submit_marks(
    workspace: Workspace,
    db: Database,
    period: str,
    unit: str,
    *,
    actor: str,
    pdf: bool = False,
    now: datetime | None = None,
) -> ResultsOutcome:
    """Submit the marks of ``unit``'s current draw for ``period`` as its results (R6.2,
    R6.5): refused (every unmarked case named) until every case is marked and every 否
    explained; then the sheet is written with the marks
    (``out/audit/<period>/網頁填寫/``) and read back by
    :func:`~docgen.services.audit.record_results`, which writes the completed 附件4
    and the referral list and stores the results."""
    marks = mark_sheet(db, period, unit)
    if marks.approved_on is not None:
        raise InputError(
            _("{unit} {period}: the results were approved on {date} already").format(
                unit=unit, period=period, date=format_roc_short(marks.approved_on)
            )
        )
    problems = _unfinished(marks)
    if problems:
        raise InputError(
            _("{unit} {period} cannot be submitted yet: {problems}").format(
                unit=unit, period=period, problems=_("; ").join(problems)
            )
        )
    entries = marks.entries
    filled = {
        case.key: (
            entries[case.no].consistent,
            entries[case.no].remark,
            "、".join(entries[case.no].evidence),
        )
        for case in marks.sample.cases
    }
    target = default_out_dir(workspace, period) / BROWSER_SHEETS / sheet_name(marks.sample)
    write_sheet(marks.sample, target, case_key_secret(workspace), filled)
    return record_results(workspace, db, [target], pdf=pdf, actor=actor, now=now)[0]


def approve_results(
    workspace: Workspace,
    db: Database,
    period: str,
    unit: str,
    *,
    approved_by: str,
    actor: str,
    now: datetime | None = None,
) -> str:
    """The director's approval of ``unit``'s results for ``period``: the day of it is
    the review date of their completed 附件4 (R6.2). Refused until the results are
    submitted. Returns the record ID."""
    marks = mark_sheet(db, period, unit)
    if not marks.submitted or not marks.record_id:
        raise InputError(
            _("{unit} {period}: the results are not submitted yet").format(unit=unit, period=period)
        )
    if marks.approved_on is not None:
        raise InputError(
            _("{unit} {period}: the results were approved on {date} already").format(
                unit=unit, period=period, date=format_roc_short(marks.approved_on)
            )
        )
    if marks.submitted_by == actor:
        raise InputError(
            _(
                "{unit} {period}: the results were submitted by {user}: who submits the "
                "results may not approve them (separation of duties)"
            ).format(unit=unit, period=period, user=actor)
        )
    moment = _now(now)
    record_review(
        workspace,
        db,
        marks.record_id,
        moment.date(),
        reviewed_by=approved_by,
        actor=actor,
        now=moment,
    )
    return marks.record_id
