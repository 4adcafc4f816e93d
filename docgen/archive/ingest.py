"""Ingest of inbox files, crash-safe (ISSUE 6 point 3), in batches.

The steps, each durable before the next::

    1. each file is stable (unchanged for ``archive.stable_seconds``), hashed,
       checked unchanged, classified (:mod:`docgen.archive.plan`)
    2. one transaction commits an intent row per file (source, target, hash, plan)
    3. each file's content is linked (or copied, fsynced, linked) to its target and
       its sidecar copied beside it; files and folders fsynced
    4. one transaction records the records and files and marks the intents ``done``
    5. the inbox copies (and sidecars no other inbox file needs) are removed
    6. the intent rows are deleted

:func:`docgen.archive.recovery.recover` settles what a killed process left. Batching
shares the fsyncs and transactions among the files of a batch; an error with one
file rolls back that file only.

Identical content arriving again is a **duplicate**: kept under
``records/duplicates/`` (never lost, and a rebuild sees it), recorded with the record
ID of the first copy and ``duplicate_of`` pointing at the first copy's file row. A
second copy in the same batch waits for the next one. An *unclassified* file
arriving again with what classifies it (a sidecar) is filed, and the old copy
becomes its duplicate (it stays where it is).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from docgen.archive import placement
from docgen.archive.classify import SIDECAR_SUFFIX, find_sidecar
from docgen.archive.context import ArchiveContext
from docgen.archive.issued import note_issued
from docgen.archive.models import File, Hold, Intent, Record
from docgen.archive.plan import Filed, Names, Plan, first_copies, make_intent, make_plan
from docgen.errors import InputError
from docgen.fsutil import sha256_file
from docgen.privacy import mask_ids_in_text

log = logging.getLogger("docgen.archive")
#: A record filed from several files names the most telling way one was classified.
SOURCE_RANK = {"none": 0, "path_rule": 1, "manifest": 1, "qr": 2, "sidecar": 3, "metadata": 4}


@dataclass
class PassResult:
    """What a pass did: files filed, files still being written, files that failed."""

    filed: list[Filed] = field(default_factory=list)
    waiting: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (shown path, message)

    def add(self, other: PassResult) -> None:
        self.filed += other.filed
        self.waiting += other.waiting
        self.failed += other.failed


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
        session.flush()  # so that another file of this record in the batch finds it
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


def absorb_unclassified(session: Session, old_record_id: str, document: File) -> None:
    """The old unclassified copy becomes a duplicate of ``document``; its ``U-`` record
    goes (it has no files left) unless it is on hold."""
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


def commit_filing(ctx: ArchiveContext, session: Session, intent: Intent) -> None:
    """Step 4 for one intent: its record and file rows (then :func:`mark_done`)."""
    plan, when = Plan.from_json(intent.plan_json), datetime.now()
    merge_record(session, plan.record, when)
    document = file_row(ctx.root, intent.target, plan, "document", when)
    session.add(document)
    if intent.sidecar_target:
        session.add(file_row(ctx.root, intent.sidecar_target, plan, "sidecar", when))
    if plan.reclassifies:
        session.flush()
        absorb_unclassified(session, plan.reclassifies, document)
    if plan.record["source"] == "manifest" and plan.status == "filed":
        note_issued(session, ctx.root / intent.target)


def mark_done(session: Session, intents: list[Intent]) -> None:
    """The end of step 4: the intents marked done (in the transaction of their rows)."""
    ids = [i.id for i in intents]
    session.execute(update(Intent).where(Intent.id.in_(ids)).values(state="done"))


def place_sidecar(ctx: ArchiveContext, intent: Intent) -> None:
    """The sidecar of ``intent`` beside its target: the inbox one copied, or generated."""
    plan = Plan.from_json(intent.plan_json)
    if intent.sidecar_source:
        data = (ctx.root / intent.sidecar_source).read_bytes()
    else:
        data = (plan.sidecar_text or "").encode("utf-8")
    placement.write_durably(ctx.root / intent.sidecar_target, data, sync_folder=False)


def place_files(ctx: ArchiveContext, intent: Intent) -> None:
    """Step 3 for one intent (its data and folder are synced by the caller)."""
    placement.place(ctx.root / intent.source, ctx.root / intent.target, sync=False)
    if intent.sidecar_target:
        place_sidecar(ctx, intent)


def sidecar_still_needed(sidecar: Path) -> bool:
    """Whether an inbox file still uses ``sidecar``."""
    base = sidecar.name[: -len(SIDECAR_SUFFIX)]
    escaped = "".join(f"[{c}]" if c in "*?[" else c for c in base)
    siblings = [sidecar.with_name(base), *sidecar.parent.glob(f"{escaped}.*")]
    return any(p.is_file() and find_sidecar(p) == sidecar for p in siblings if p != sidecar)


def _same_content(source: Path, target: Path, sha256: str) -> bool:
    try:
        a, b = source.stat(), target.stat()
    except FileNotFoundError:
        return source.exists() and sha256_file(source) == sha256
    if a.st_ino == b.st_ino and a.st_dev == b.st_dev:
        return True
    return sha256_file(source) == sha256


def remove_sources(ctx: ArchiveContext, intent: Intent) -> None:
    """Step 5 for one intent: the inbox copy removed if it still has the filed content."""
    source = ctx.root / intent.source
    if source.exists() and _same_content(source, ctx.root / intent.target, intent.sha256):
        source.unlink()
    if intent.sidecar_source:
        sidecar = ctx.root / intent.sidecar_source
        if sidecar.exists() and not sidecar_still_needed(sidecar):
            sidecar.unlink()


def _sync_folders(paths: Iterable[Path]) -> None:
    for folder in {p.parent for p in paths}:
        if folder.exists():
            placement.fsync_dir(folder)


def finish(ctx: ArchiveContext, intents: list[Intent]) -> None:
    """Steps 5–6 for ``intents`` (all done)."""
    for intent in intents:
        remove_sources(ctx, intent)
    _sync_folders(ctx.root / i.source for i in intents)
    with ctx.index.session() as session:
        session.execute(delete(Intent).where(Intent.id.in_([i.id for i in intents])))


def _unlink_unknown(ctx: ArchiveContext, session: Session, relative: str) -> None:
    target = ctx.root / relative
    if relative and session.scalar(select(File.id).where(File.path == relative)) is None:
        target.unlink(missing_ok=True)
        placement.temp_name(target).unlink(missing_ok=True)


def roll_back(ctx: ArchiveContext, intent: Intent) -> None:
    """Undo a pending intent: its targets removed (the index does not know them), the
    intent deleted; the inbox file stays, to be filed again."""
    with ctx.index.session() as session:
        _unlink_unknown(ctx, session, intent.target)
        _unlink_unknown(ctx, session, intent.sidecar_target)
        session.execute(delete(Intent).where(Intent.id == intent.id))
    log.info("rolled back the filing of %s", ctx.shown(intent.source))


def _stable(ctx: ArchiveContext, path: Path, st: os.stat_result) -> bool:
    """Unchanged for ``stable_seconds``: by its mtime, or — when the mtime cannot be
    trusted (a file server's clock ahead of ours) — by what this process has seen."""
    now, delay = ctx.clock(), ctx.config.archive.stable_seconds
    state = (st.st_size, st.st_mtime_ns)
    seen = ctx.observed.get(path)
    if seen is None or seen[0] != state:
        ctx.observed[path] = seen = (state, now)
    return now - st.st_mtime >= delay or now - seen[1] >= delay


def _ready(ctx: ArchiveContext, path: Path) -> tuple[os.stat_result, str] | None:
    """(stat, hash) of a stable file; None while it is being written or if it vanished."""
    try:
        before = path.stat()
        if not _stable(ctx, path, before):
            return None
        ctx.observed.pop(path, None)
        sha256 = sha256_file(path)
        after = path.stat()
    except FileNotFoundError:
        ctx.observed.pop(path, None)
        return None
    same = (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    return (after, sha256) if same else None


def _failed(ctx: ArchiveContext, path: Path, error: BaseException, result: PassResult) -> None:
    message = mask_ids_in_text(f"{type(error).__name__}: {error}")
    log.error("could not file %s: %s", ctx.shown(path), message)
    result.failed.append((ctx.shown(path), message))


def _check_name(path: Path) -> None:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            "the file name is not UTF-8 text (written by an old Windows or Big5 program?): "
            "rename it in the inbox"
        ) from None


def _ready_batch(
    ctx: ArchiveContext, items: list[tuple[Path, datetime]], result: PassResult
) -> list[tuple[Path, datetime, str]]:
    """The stable files of ``items`` with their hashes (one per content; the others wait)."""
    ready: dict[str, tuple[Path, datetime, str]] = {}
    for path, first_seen in items:
        try:
            _check_name(path)
            found = _ready(ctx, path)
        except (OSError, InputError) as error:
            _failed(ctx, path, error, result)
            continue
        if found is None or found[1] in ready:
            result.waiting.append(path)
        else:
            ready[found[1]] = (path, first_seen, found[1])
    return list(ready.values())


def _plan_batch(
    ctx: ArchiveContext, items: list[tuple[Path, datetime]], result: PassResult
) -> list[Intent]:
    """Steps 1–2: the intents of every ready file, committed."""
    ready = _ready_batch(ctx, items, result)
    intents: list[Intent] = []
    names = Names(ctx)
    with ctx.index.session() as session:
        copies = first_copies(session, [sha256 for _, _, sha256 in ready])
        for path, first_seen, sha256 in ready:
            try:
                plan, found = make_plan(ctx, path, sha256, first_seen, copies.get(sha256))
                intents.append(make_intent(ctx, names, path, plan, found))
            except Exception as error:  # one bad file must not stop the others
                _failed(ctx, path, error, result)
        session.add_all(intents)
    return intents


def _place_batch(ctx: ArchiveContext, intents: list[Intent], result: PassResult) -> list[Intent]:
    """Step 3: every intent's files in place; one that fails is rolled back alone."""
    placed = []
    for intent in intents:
        try:
            place_files(ctx, intent)
            placed.append(intent)
        except Exception as error:
            roll_back(ctx, intent)
            _failed(ctx, ctx.root / intent.source, error, result)
    placement.sync_all([ctx.root / i.target for i in placed])
    _sync_folders(ctx.root / i.target for i in placed)
    return placed


def _log_filed(ctx: ArchiveContext, intent: Intent) -> Filed:
    plan = Plan.from_json(intent.plan_json)
    source = plan.record["source"]
    log.info(
        "filed %s -> %s (%s, by %s)",
        ctx.shown(intent.source),
        ctx.shown(intent.target),
        plan.status,
        source,
    )
    return Filed(intent.target, plan.record["record_id"], plan.status, source, plan.sha256)


def ingest_batch(ctx: ArchiveContext, items: list[tuple[Path, datetime]]) -> PassResult:
    """File the ready ones of ``items`` (path, when first seen); see the module docstring."""
    result = PassResult()
    placed = _place_batch(ctx, _plan_batch(ctx, items, result), result)
    if not placed:
        return result
    try:
        with ctx.index.session() as session, session.no_autoflush:
            ids = {Plan.from_json(i.plan_json).record["record_id"] for i in placed}
            list(session.scalars(select(Record).where(Record.record_id.in_(ids))))
            for intent in placed:
                commit_filing(ctx, session, intent)
            mark_done(session, placed)
    except BaseException:
        for intent in placed:
            roll_back(ctx, intent)
        raise
    ctx.known_paths().update(p for i in placed for p in (i.target, i.sidecar_target) if p)
    finish(ctx, placed)
    result.filed += [_log_filed(ctx, intent) for intent in placed]
    return result
