"""Deciding what an arriving file is and where it goes, before anything is moved
(ingest step 1; see :mod:`docgen.archive.ingest`)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
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
from docgen.archive.models import File, Intent, Record
from docgen.metadata import RecordMetadata


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
    """The first document file filed with each content (and its record), if any."""
    query = (
        select(File, Record)
        .join(Record, File.record_id == Record.record_id)
        .where(File.sha256.in_(list(hashes)), File.kind == "document")
        .order_by(File.id.desc())
    )
    return {file.sha256: (file, record) for file, record in session.execute(query)}


def _classify(
    ctx: ArchiveContext, path: Path, copy: tuple[File, Record] | None
) -> tuple[Classification, File | None, Record | None]:
    """The classification, and the first copy of the same content with its record."""
    first, record = copy if copy is not None else (None, None)
    if first is None or record is None or record.status == "unclassified":
        rules = ctx.config.archive.path_rules
        found = classify(path, ctx.relative_to_inbox(path), rules, ctx.use_qr)
        if first is None or record is None or found.classified:
            return found, None, record
    meta = RecordMetadata(record_id=first.record_id, category=record.category)
    return Classification(meta, record.source, record.reason, find_sidecar(path)), first, record


def make_plan(
    ctx: ArchiveContext,
    path: Path,
    sha256: str,
    first_seen: datetime,
    copy: tuple[File, Record] | None,
) -> tuple[Plan, Classification]:
    """What the file is and what will be recorded; ``copy``: the first copy of the same
    content already filed, with its record."""
    found, first, record = _classify(ctx, path, copy)
    status = "duplicate" if first else "filed" if found.classified else "unclassified"
    generated = None
    if found.source == "path_rule" and found.sidecar is None and first is None:
        generated = sidecar_text(found.meta, "path_rule")
    plan = Plan(
        record=record_values(found, sha256),
        status=status,
        sha256=sha256,
        original_name=ctx.relative_to_inbox(path),
        first_seen_at=first_seen.isoformat(),
        duplicate_of=first.id if first else None,
        sidecar_text=generated,
        reclassifies=record.record_id if first is None and record is not None else "",
    )
    return plan, found


class Names:
    """Target names: free on disk, unknown to the index, not reserved in this batch."""

    def __init__(self, ctx: ArchiveContext) -> None:
        self.ctx = ctx
        self.reserved: set[str] = set()

    def taken(self, relative: str) -> bool:
        if relative in self.reserved or (self.ctx.root / relative).exists():
            return True
        return relative in self.ctx.known_paths()

    def reserve(self, relative: str) -> str:
        self.reserved.add(relative)
        return relative

    def document(self, path: Path, plan: Plan, found: Classification) -> str:
        folder = placement.folder_for(plan.status, found.meta, date.today())
        if plan.status == "unclassified":
            stem, ext = path.stem, path.suffix
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
        source=ctx.relative(path),
        target=target,
        sidecar_source=ctx.relative(found.sidecar) if found.sidecar else "",
        sidecar_target=names.sidecar(path, target, plan, found),
        sha256=plan.sha256,
        plan_json=plan.to_json(),
        created_at=datetime.now(),
    )
