"""Ingest of one inbox file, crash-safe (ISSUE 6 point 3).

The steps, each durable before the next::

    1. the file is stable (mtime older than ``archive.stable_seconds``), hashed,
       checked unchanged, classified
    2. an intent row (source, target, hash, what to record) is committed
    3. the content is linked (or copied, fsynced, linked) to its target; the sidecar
       copied beside it
    4. one transaction records the record and file rows and marks the intent ``done``
    5. the inbox copy (and its sidecar, if no other inbox file needs it) is removed
    6. the intent row is deleted

:func:`docgen.archive.recovery.recover` settles what a killed process left. Identical
content arriving again is a **duplicate**: kept under ``records/duplicates/`` (never
lost, and a rebuild sees it), recorded with the record ID of the first copy and
``duplicate_of`` pointing at the first copy's file row.
"""

from __future__ import annotations

import json
import logging
import os
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
    find_sidecar,
    sidecar_text,
)
from docgen.archive.context import ArchiveContext
from docgen.archive.models import File, Hold, Intent, Record
from docgen.fsutil import sha256_file
from docgen.metadata import RecordMetadata

log = logging.getLogger("docgen.archive")
#: A record filed from several files names the most telling way one was classified.
SOURCE_RANK = {"none": 0, "path_rule": 1, "qr": 2, "sidecar": 3, "metadata": 4}


@dataclass(frozen=True)
class Filed:
    """One file filed: ``path`` relative to the archive root."""

    path: str
    record_id: str
    status: str  # filed | duplicate | unclassified
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

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls(**json.loads(text))


def record_id_for(meta: RecordMetadata, sha256: str, classified: bool) -> str:
    """The record's own ID, else ``F-`` (classified) / ``U-`` (unclassified) and the
    first 16 hex digits of the content hash: stable, so a rebuild finds the same."""
    if meta.record_id:
        return meta.record_id
    return ("F-" if classified else "U-") + sha256[:16].upper()


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


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def merge_record(session: Session, values: dict[str, str], when: datetime) -> None:
    """Create the record, or fill the empty fields of the one already there."""
    columns: dict[str, Any] = dict(values)
    columns["trigger"] = _day(values.get("trigger", ""))
    columns["review_date"] = _day(values.get("review_date", ""))
    record = session.get(Record, values["record_id"])
    if record is None:
        session.add(Record(**columns, first_filed_at=when))
        session.flush()
        return
    for key, value in columns.items():
        if value and not getattr(record, key):
            setattr(record, key, value)
    if SOURCE_RANK.get(columns["source"], 0) > SOURCE_RANK.get(record.source, 0):
        record.source = columns["source"]
    if record.status == "disposed":
        record.status = columns["status"]


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


def commit_filing(ctx: ArchiveContext, session: Session, intent: Intent) -> None:
    """Step 4: the record and file rows of ``intent``; the intent marked done."""
    plan, when = Plan.from_json(intent.plan_json), datetime.now()
    merge_record(session, plan.record, when)
    document = file_row(ctx.root, intent.target, plan, "document", when)
    session.add(document)
    if intent.sidecar_target:
        session.add(file_row(ctx.root, intent.sidecar_target, plan, "sidecar", when))
    if plan.reclassifies:
        session.flush()
        absorb_unclassified(session, plan.reclassifies, document)
    intent.state = "done"


def absorb_unclassified(session: Session, old_record_id: str, document: File) -> None:
    """An unclassified file arrived again with what classifies it (a sidecar): the old
    copy stays where it is, now a duplicate of the newly filed one, and its
    ``U-`` record goes (it has no files left)."""
    old = session.get(Record, old_record_id)
    if old is None or old.status != "unclassified":
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


def _first_copy(session: Session, sha256: str) -> File | None:
    query = select(File).where(File.sha256 == sha256, File.kind == "document").order_by(File.id)
    return session.scalars(query.limit(1)).first()


def _classify(
    ctx: ArchiveContext, path: Path, sha256: str
) -> tuple[Classification, File | None, Record | None]:
    """The classification, and the first copy of the same content with its record."""
    with ctx.index.session() as session:
        first = _first_copy(session, sha256)
        record = session.get(Record, first.record_id) if first is not None else None
    if first is None or record is None or record.status == "unclassified":
        found = classify(
            path, ctx.relative_to_inbox(path), ctx.config.archive.path_rules, ctx.use_qr
        )
        if first is None or record is None or found.classified:
            return found, None, record
    meta = RecordMetadata(record_id=first.record_id, category=record.category)
    return Classification(meta, record.source, record.reason, find_sidecar(path)), first, record


def make_plan(
    ctx: ArchiveContext, path: Path, sha256: str, first_seen: datetime
) -> tuple[Plan, Classification]:
    """Steps 1–2's decision: what the file is and what will be recorded."""
    found, first, record = _classify(ctx, path, sha256)
    status = "duplicate" if first else "filed" if found.classified else "unclassified"
    generated = None
    if found.source == "path_rule" and found.sidecar is None and first is None:
        generated = sidecar_text(found.meta, "path_rule")
    absorbs = record.record_id if first is None and record is not None else ""
    plan = Plan(
        record=record_values(found, sha256),
        status=status,
        sha256=sha256,
        original_name=ctx.relative_to_inbox(path),
        first_seen_at=first_seen.isoformat(),
        duplicate_of=first.id if first else None,
        sidecar_text=generated,
        reclassifies=absorbs,
    )
    return plan, found


def _name_taken(session: Session, relative: str) -> bool:
    return session.scalar(select(File.id).where(File.path == relative)) is not None


def _target(
    ctx: ArchiveContext, session: Session, path: Path, plan: Plan, found: Classification
) -> str:
    folder = placement.folder_for(plan.status, found.meta, date.today())
    if plan.status == "unclassified":
        stem, ext = path.stem, path.suffix
    else:
        stem, ext = plan.record["record_id"], path.suffix.lower()
    return placement.unique_name(
        ctx.root, folder, stem, ext, lambda relative: _name_taken(session, relative)
    )


def _sidecar_target(
    ctx: ArchiveContext,
    session: Session,
    path: Path,
    target: str,
    plan: Plan,
    found: Classification,
) -> str:
    """``TARGET.meta.yaml``; for an unclassified file whose sidecar is named after its stem,
    ``STEM.meta.yaml`` (so the reason, which names the sidecar, stays true)."""
    if found.sidecar is None and plan.sidecar_text is None:
        return ""
    stem_style = found.sidecar is not None and found.sidecar.name == path.stem + SIDECAR_SUFFIX
    if plan.status == "unclassified" and stem_style:
        candidate = str(Path(target).with_suffix("")) + SIDECAR_SUFFIX
        if not (ctx.root / candidate).exists() and not _name_taken(session, candidate):
            return candidate
    return target + SIDECAR_SUFFIX


def start_intent(ctx: ArchiveContext, path: Path, plan: Plan, found: Classification) -> Intent:
    """Step 2: choose the target and commit the intent."""
    with ctx.index.session() as session:
        target = _target(ctx, session, path, plan, found)
        intent = Intent(
            source=ctx.relative(path),
            target=target,
            sidecar_source=ctx.relative(found.sidecar) if found.sidecar else "",
            sidecar_target=_sidecar_target(ctx, session, path, target, plan, found),
            sha256=plan.sha256,
            plan_json=plan.to_json(),
            created_at=datetime.now(),
        )
        session.add(intent)
    return intent


def place_files(ctx: ArchiveContext, intent: Intent) -> None:
    """Step 3: the document and its sidecar in place under ``records/``."""
    placement.place(ctx.root / intent.source, ctx.root / intent.target)
    if intent.sidecar_target:
        place_sidecar(ctx, intent)


def place_sidecar(ctx: ArchiveContext, intent: Intent) -> None:
    """The sidecar of ``intent`` beside its target: the inbox one copied, or generated."""
    plan = Plan.from_json(intent.plan_json)
    if intent.sidecar_source:
        data = (ctx.root / intent.sidecar_source).read_bytes()
    else:
        data = (plan.sidecar_text or "").encode("utf-8")
    placement.write_durably(ctx.root / intent.sidecar_target, data)


def sidecar_still_needed(ctx: ArchiveContext, sidecar: Path) -> bool:
    """Whether an inbox file other than those filed still uses ``sidecar``."""
    base = sidecar.name[: -len(SIDECAR_SUFFIX)]
    siblings = [sidecar.with_name(base), *sidecar.parent.glob(f"{_glob_escape(base)}.*")]
    return any(p.is_file() and find_sidecar(p) == sidecar for p in siblings if p != sidecar)


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def remove_sources(ctx: ArchiveContext, intent: Intent) -> None:
    """Step 5: the inbox copy gone (only if it still has the filed content)."""
    source = ctx.root / intent.source
    if source.exists() and sha256_file(source) == intent.sha256:
        source.unlink()
    if intent.sidecar_source:
        sidecar = ctx.root / intent.sidecar_source
        if sidecar.exists() and not sidecar_still_needed(ctx, sidecar):
            sidecar.unlink()
    if source.parent.exists():
        placement.fsync_dir(source.parent)


def finish(ctx: ArchiveContext, intent: Intent) -> None:
    """Steps 5–6."""
    remove_sources(ctx, intent)
    with ctx.index.session() as session:
        session.delete(session.merge(intent))


def _unlink_unknown(ctx: ArchiveContext, relative: str) -> None:
    if not relative:
        return
    with ctx.index.session() as session:
        known = _name_taken(session, relative)
    target = ctx.root / relative
    if not known:
        target.unlink(missing_ok=True)
        placement.temp_name(target).unlink(missing_ok=True)


def roll_back(ctx: ArchiveContext, intent: Intent) -> None:
    """Undo a pending intent: its targets removed (the index does not know them), the
    intent deleted; the inbox file stays to be filed again."""
    _unlink_unknown(ctx, intent.target)
    _unlink_unknown(ctx, intent.sidecar_target)
    with ctx.index.session() as session:
        session.delete(session.merge(intent))
    log.info("rolled back the filing of %s", ctx.shown(intent.source))


def _unchanged(path: Path, before: os.stat_result) -> bool:
    try:
        after = path.stat()
    except FileNotFoundError:
        return False
    return (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def ingest_file(
    ctx: ArchiveContext, path: Path, first_seen: datetime | None = None
) -> Filed | None:
    """File one inbox file; None if it is not stable yet (or vanished meanwhile)."""
    try:
        before = path.stat()
    except FileNotFoundError:
        return None
    if ctx.clock() - before.st_mtime < ctx.config.archive.stable_seconds:
        return None
    sha256 = sha256_file(path)
    plan, found = make_plan(ctx, path, sha256, first_seen or datetime.now())
    if not _unchanged(path, before):
        return None
    intent = start_intent(ctx, path, plan, found)
    try:
        place_files(ctx, intent)
        with ctx.index.session() as session:
            commit_filing(ctx, session, session.merge(intent))
    except BaseException:
        roll_back(ctx, intent)
        raise
    finish(ctx, intent)
    log.info(
        "filed %s -> %s (%s, by %s)",
        ctx.shown(path),
        ctx.shown(intent.target),
        plan.status,
        found.source,
    )
    return Filed(intent.target, plan.record["record_id"], plan.status, found.source, sha256)
