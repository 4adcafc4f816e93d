"""Deciding what an arriving file is and where it goes, before anything is moved
(ingest step 1; see :mod:`docgen.archive.ingest`), and the rows a plan becomes (step 4).

ISSUE 9: an unclassified file keeps its original name, made safe
(:func:`docgen.archive.paths.safe_file_name`: IDs masked, no separators, ``..`` or
controls, bounded); the name stored in the index is masked and escaped (items 1, 5,
6). A file that claims a disposed record — by its metadata, QR code, sidecar, or
by having the content of a disposed file — is a **conflict** (item 3): unclassified,
its reason naming when and under which approval the record was disposed.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from docgen.archive import placement
from docgen.archive.classify import (
    SIDECAR_SUFFIX,
    Classification,
    classify,
    content_record_id,
    find_sidecar,
    sidecar_text,
)
from docgen.archive.context import ArchiveContext
from docgen.archive.paths import safe_file_name, stored_name
from docgen.calendar import format_roc_short
from docgen.db.models.archive import Disposal, File, Hold, Intent, Record
from docgen.db.models.audit import RecordReview
from docgen.errors import IntegrityError
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.metadata import RecordMetadata

#: A record filed from several files names the most telling way one was classified.
SOURCE_RANK = {"none": 0, "path_rule": 1, "manifest": 1, "qr": 2, "sidecar": 3, "metadata": 4}


@dataclass(frozen=True)
class Filed:
    """One file filed: ``path`` relative to the archive root."""

    path: str
    record_id: str
    status: str  # filed | duplicate | unclassified | conflict (unclassified: ISSUE 9 item 3)
    source: str  # metadata | qr | sidecar | path_rule | none
    sha256: str


@dataclass
class Plan:
    """What to record once the file is in place (stored as JSON in the intent row)."""

    record: dict[str, str]  # Record columns; dates as ISO text
    status: str
    sha256: str
    original_name: str
    first_seen_at: str
    duplicate_of: int | None = None
    sidecar_text: str | None = None  # a generated sidecar (path-rule classification)
    reclassifies: str = ""  # record ID of an unclassified copy this file now classifies
    conflict: str = ""  # the disposed record this file claims (ISSUE 9 item 3)
    refused: bool = False  # what it claims was refused (ISSUE 9 item 1)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls(**json.loads(text))


def disposal_note(session: Session, record_id: str, claimed_by: str | None) -> str:
    """Why a file is a conflict with the disposed ``record_id`` (ISSUE 9 item 3): it
    claims the record (by ``claimed_by``: metadata, qr, sidecar …), or, with None, it
    has the content of one of its files."""
    query = select(Disposal).where(Disposal.record_id == record_id)
    disposal = session.scalars(query.order_by(Disposal.disposed_at.desc())).first()
    when = format_roc_short(disposal.disposed_at.date()) if disposal else _("an unknown date")
    approval = stored_name(disposal.approval) if disposal else _("an unknown approval")
    if claimed_by is None:
        note = _(
            "conflict: has the content of record {record_id}, disposed on {date} under "
            "approval {approval}; a disposed record ID is final, so this file is kept "
            "unclassified and not merged into it"
        )
    else:
        note = _(
            "conflict: claims (by {source}) the record {record_id}, disposed on {date} "
            "under approval {approval}; a disposed record ID is final, so this file is "
            "kept unclassified and not merged into it"
        )
    return note.format(source=claimed_by, record_id=record_id, date=when, approval=approval)


def _conflict(
    session: Session, found: Classification, record_id: str, claimed_by: str | None
) -> Classification:
    reason = disposal_note(session, record_id, claimed_by)
    return Classification(RecordMetadata(), "none", reason, found.sidecar, conflict=record_id)


def refuse_disposed(session: Session, found: Classification, sha256: str) -> Classification:
    """``found``, or a conflict if the record it names was disposed (ISSUE 9 item 3)."""
    if not found.classified:
        return found
    record_id = record_id_for(found.meta, sha256, True)
    record = session.get(Record, record_id)
    if record is None or record.status != "disposed":
        return found
    return _conflict(session, found, record_id, found.source)


def record_id_for(meta: RecordMetadata, sha256: str, classified: bool) -> str:
    """The record's own ID, else ``F-`` (classified) / ``U-`` (unclassified) and the
    first 16 hex digits of the content hash: stable, so a rebuild finds the same."""
    return meta.record_id or content_record_id(sha256, classified)


def record_values(found: Classification, sha256: str) -> dict[str, str]:
    """The Record columns of a classification."""
    meta = found.meta
    values = {f.name: getattr(meta, f.name) for f in fields(RecordMetadata)}
    del values["data_sha256"], values["template_sha256"]
    values["record_ids"] = " ".join(meta.record_ids)
    values["record_id"] = record_id_for(meta, sha256, found.classified)
    values["status"] = "filed" if found.classified else "unclassified"
    values["source"] = found.source
    values["reason"] = found.reason
    return values


def first_copies(session: Session, hashes: Collection[str]) -> dict[str, tuple[File, Record]]:
    """The first document file filed with each content (and its record), if any; a
    disposed one only when no other copy is left."""
    query = (
        select(File, Record)
        .join(Record, File.record_id == Record.record_id)
        .where(File.sha256.in_(list(hashes)), File.kind == "document")
        .order_by((Record.status == "disposed").desc(), File.id.desc())
    )
    return {file.sha256: (file, record) for file, record in session.execute(query)}


def _classify(
    ctx: ArchiveContext,
    session: Session,
    path: Path,
    sha256: str,
    copy: tuple[File, Record] | None,
) -> tuple[Classification, File | None, Record | None]:
    """The classification, and the first copy of the same content with its record."""
    first, record = copy if copy is not None else (None, None)
    if record is not None and record.status == "disposed":
        found = Classification(RecordMetadata(), "none", sidecar=find_sidecar(path))
        return _conflict(session, found, record.record_id, None), None, None
    if first is None or record is None or record.status in placement.NOT_CLASSIFIED:
        rules = ctx.config.archive.path_rules
        found = classify(path, ctx.relative_to_inbox(path), rules, ctx.use_qr)
        found = refuse_disposed(session, found, sha256)
        if first is None or record is None or found.classified:
            return found, None, record
    meta = RecordMetadata(record_id=first.record_id, category=record.category)
    return Classification(meta, record.source, record.reason, find_sidecar(path)), first, record


def make_plan(
    ctx: ArchiveContext,
    session: Session,
    path: Path,
    sha256: str,
    first_seen: datetime,
    copy: tuple[File, Record] | None,
) -> tuple[Plan, Classification]:
    """What the file is and what will be recorded; ``copy``: the first copy of the same
    content already filed, with its record."""
    found, first, record = _classify(ctx, session, path, sha256, copy)
    status = "duplicate" if first else "filed" if found.classified else "unclassified"
    generated = None
    if found.source == "path_rule" and found.sidecar is None and first is None:
        generated = sidecar_text(found.meta, "path_rule")
    plan = Plan(
        record=record_values(found, sha256),
        status=status,
        sha256=sha256,
        original_name=ctx.shown(ctx.relative_to_inbox(path)),
        first_seen_at=first_seen.isoformat(),
        duplicate_of=first.id if first else None,
        sidecar_text=generated,
        reclassifies=record.record_id if first is None and record is not None else "",
        conflict=found.conflict,
        refused=found.refused,
    )
    return plan, found


class Names:
    """Target names: free on disk, unknown to the index, not reserved in this batch."""

    def __init__(self, ctx: ArchiveContext) -> None:
        self.ctx = ctx
        self.reserved: set[str] = set()
        # read now, before the batch's session: a second session would wait for it
        self.known = ctx.known_paths()

    def taken(self, relative: str) -> bool:
        if relative in self.reserved or (self.ctx.root / relative).exists():
            return True
        return relative in self.known

    def reserve(self, relative: str) -> str:
        self.reserved.add(relative)
        return relative

    def document(self, path: Path, plan: Plan, found: Classification) -> str:
        folder = placement.folder_for(plan.status, found.meta, date.today())
        if plan.status == "unclassified":
            stem, ext = safe_file_name(path.name)
        else:
            stem, ext = plan.record["record_id"], placement.filed_suffix(path.name)
        return self.reserve(placement.unique_name(self.ctx.root, folder, stem, ext, self.taken))

    def sidecar(self, path: Path, target: str, plan: Plan, found: Classification) -> str:
        """``TARGET.meta.yaml``; for an unclassified file whose sidecar is named after its
        stem, ``STEM.meta.yaml`` (so the reason, which names the sidecar, stays true)."""
        if found.sidecar is None and plan.sidecar_text is None:
            return ""
        stem_style = found.sidecar is not None and found.sidecar.name == path.stem + SIDECAR_SUFFIX
        if plan.status == "unclassified" and stem_style:
            candidate = str(Path(target).with_suffix("")) + SIDECAR_SUFFIX
            if not self.taken(candidate):
                return self.reserve(candidate)
        return self.reserve(target + SIDECAR_SUFFIX)


def make_intent(
    ctx: ArchiveContext, names: Names, path: Path, plan: Plan, found: Classification
) -> Intent:
    """The intent row of one filing (not yet added to a session)."""
    target = names.document(path, plan, found)
    return Intent(
        source=ctx.remember(path, plan.sha256),
        target=target,
        sidecar_source=ctx.remember(found.sidecar) if found.sidecar else "",
        sidecar_target=names.sidecar(path, target, plan, found),
        sha256=plan.sha256,
        plan_json=plan.to_json(),
        created_at=datetime.now(),
    )


# --- the rows of a plan (ingest step 4) ------------------------------------------


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _recorded_review(session: Session, record_id: str) -> date | None:
    """The director's review recorded in the office database (``audit review``) for a
    record whose file carries none (R6.2, R6.3: the day its retention counts from)."""
    review = session.get(RecordReview, record_id)
    return review.reviewed_on if review is not None else None


def merge_record(session: Session, values: dict[str, str], when: datetime) -> None:
    """Create the record, or fill the empty fields of the one already there. A disposed
    record is final: :class:`IntegrityError` (ISSUE 9 item 3; the planner files such a
    file as a conflict, so this is only reached in a race with a disposal)."""
    columns: dict[str, Any] = dict(values)
    columns["trigger"] = _day(values.get("trigger", ""))
    columns["review_date"] = _day(values.get("review_date", "")) or _recorded_review(
        session, values["record_id"]
    )
    record = session.get(Record, values["record_id"])
    if record is None:
        session.add(Record(**columns, first_filed_at=when))
        session.flush()  # so that another file of this record in the batch finds it
        return
    if record.status == "disposed":
        raise IntegrityError(
            _("record {record_id} was disposed: a file claiming it is not merged into it").format(
                record_id=record.record_id
            )
        )
    for key, value in columns.items():
        if value and not getattr(record, key):
            setattr(record, key, value)
    if SOURCE_RANK.get(columns["source"], 0) > SOURCE_RANK.get(record.source, 0):
        record.source = columns["source"]


def file_row(root: Path, relative: str, plan: Plan, kind: str, when: datetime) -> File:
    """The File row of a file now at ``relative`` (stat taken from the disk)."""
    st = (root / relative).stat()
    document = kind == "document"
    return File(
        record_id=plan.record["record_id"],
        path=relative,
        kind=kind,
        status=plan.status,
        sha256=plan.sha256 if document else sha256_file(root / relative),
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        inode=st.st_ino,
        duplicate_of=plan.duplicate_of if document else None,
        original_name=plan.original_name,
        first_seen_at=datetime.fromisoformat(plan.first_seen_at),
        filed_at=when,
        verified_at=when,
    )


def absorb_unclassified(session: Session, old_record_id: str, document: File) -> None:
    """The old unclassified (or rejected) copy becomes a duplicate of ``document``; its
    ``U-`` record goes (it has no files left) unless it is on hold."""
    old = session.get(Record, old_record_id)
    if old is None or old.status not in placement.NOT_CLASSIFIED:
        return
    moved = File.record_id == old_record_id
    session.execute(
        update(File).where(moved, File.kind == "document").values(duplicate_of=document.id)
    )
    session.execute(
        update(File).where(moved).values(record_id=document.record_id, status="duplicate")
    )
    held = session.scalar(select(Hold.id).where(Hold.record_id == old_record_id).limit(1))
    if held is None:
        session.execute(delete(Record).where(Record.record_id == old_record_id))
    session.expire_all()
