"""Ingest of inbox files, crash-safe (ISSUE 6 point 3), in batches.

The steps, each durable before the next::

    1. each file is stable (unchanged for ``archive.stable_seconds``), hashed,
       checked unchanged, classified (:mod:`docgen.archive.plan`)
    2. one transaction commits an intent row per file (source, target, hash, plan)
    3. each file's content is copied under a temporary name (hashed as it is copied:
       a file changed since step 1 is rolled back and waits), linked to its target and
       its sidecar copied beside it; files and folders fsynced. Never a hard link to
       the inbox file: a record shares its inode with nothing outside ``records/``
    4. one transaction records the records and files and marks the intents ``done``
    5. the inbox copies (and sidecars no other inbox file needs) are removed
    6. the intent rows are deleted

:func:`docgen.archive.recovery.recover` settles what a killed process left. Batching
shares the fsyncs and transactions among the files of a batch; an error with one
file rolls back that file only.

Only regular files are taken, hashed through a descriptor opened without following a
link or blocking on a FIFO (ISSUE 9 item 2). Every target is held inside ``records/``
and every removal inside ``inbox/`` (:func:`docgen.archive.paths.contained`, item 1).
An intent names its inbox file as shown (IDs masked, controls escaped: items 5–6).

A file claiming a **disposed** record is a conflict (ISSUE 9 item 3): filed
unclassified with the disposal in its reason, reported, never merged into the
disposed record, which :func:`merge_record` refuses to change.

Identical content arriving again is a **duplicate**: kept under
``records/duplicates/`` (never lost, and a rebuild sees it), recorded with the record
ID of the first copy and ``duplicate_of`` pointing at the first copy's file row. A
second copy in the same batch waits for the next one. An *unclassified* file
arriving again with what classifies it (a sidecar) is filed, and the old copy
becomes its duplicate (it stays where it is).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from docgen.archive import placement
from docgen.archive.classify import MAX_SIDECAR_BYTES, SIDECAR_SUFFIX, find_sidecar
from docgen.archive.context import ArchiveContext
from docgen.archive.issued import note_issued
from docgen.archive.paths import contained, hash_regular, is_regular, read_small, refusal
from docgen.archive.plan import (
    Filed,
    Names,
    Plan,
    absorb_unclassified,
    file_row,
    first_copies,
    make_intent,
    make_plan,
    merge_record,
)
from docgen.db.models.archive import File, Intent, Record
from docgen.errors import InputError, IntegrityError
from docgen.fsutil import sha256_file
from docgen.i18n import _

log = logging.getLogger("docgen.archive")


@dataclass
class PassResult:
    """What a pass did: files filed, files still being written, files that failed."""

    filed: list[Filed] = field(default_factory=list)
    waiting: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (shown path, message)
    #: The inbox path of each of ``failed``, in the same order (the watcher logs a file
    #: that fails again unchanged only once).
    failed_paths: list[Path] = field(default_factory=list)
    #: Files filed with something to tell, kept unclassified: a conflict with a disposed
    #: record (item 3), or what they claim about themselves refused (item 1).
    notes: list[tuple[str, str]] = field(default_factory=list)  # (shown path, reason)

    def add(self, other: PassResult) -> None:
        self.filed += other.filed
        self.waiting += other.waiting
        self.failed += other.failed
        self.failed_paths += other.failed_paths
        self.notes += other.notes


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


def sidecar_source(ctx: ArchiveContext, intent: Intent) -> Path | None:
    """The inbox sidecar of ``intent``: beside its source, else found by its name."""
    if not intent.sidecar_source:
        return None
    source = ctx.inbox_path(intent.source, intent.sha256)
    sidecar = find_sidecar(source) if source is not None else None
    if sidecar is not None and ctx.shown(sidecar) == intent.sidecar_source:
        return sidecar
    return ctx.inbox_path(intent.sidecar_source)


def place_sidecar(ctx: ArchiveContext, intent: Intent) -> None:
    """The sidecar of ``intent`` beside its target: the inbox one copied, or generated."""
    plan = Plan.from_json(intent.plan_json)
    if intent.sidecar_source:
        sidecar = sidecar_source(ctx, intent)
        if sidecar is None:
            raise InputError(_("{file}: the sidecar vanished").format(file=intent.sidecar_source))
        data = read_small(sidecar, MAX_SIDECAR_BYTES)
    else:
        data = (plan.sidecar_text or "").encode("utf-8")
    placement.write_durably(ctx.target(intent.sidecar_target), data, sync_folder=False)


def place_files(ctx: ArchiveContext, intent: Intent) -> None:
    """Step 3 for one intent (its data and folder are synced by the caller)."""
    source = ctx.inbox_path(intent.source, intent.sha256)
    if source is None:
        raise InputError(_("{file}: vanished before it was filed").format(file=intent.source))
    target = ctx.target(intent.target)
    contained(ctx.records, placement.temp_name(target))
    placement.place(source, target, intent.sha256, sync=False)
    if intent.sidecar_target:
        place_sidecar(ctx, intent)


def sidecar_still_needed(sidecar: Path) -> bool:
    """Whether an inbox file still uses ``sidecar``."""
    base = sidecar.name[: -len(SIDECAR_SUFFIX)]
    escaped = "".join(f"[{c}]" if c in "*?[" else c for c in base)
    siblings = [sidecar.with_name(base), *sidecar.parent.glob(f"{escaped}.*")]
    return any(is_regular(p) and find_sidecar(p) == sidecar for p in siblings if p != sidecar)


def _same_content(source: Path, target: Path, sha256: str) -> bool:
    try:
        a, b = source.stat(), target.stat()
    except FileNotFoundError:
        return source.exists() and sha256_file(source) == sha256
    if a.st_ino == b.st_ino and a.st_dev == b.st_dev:
        return True
    return sha256_file(source) == sha256


def remove_sources(ctx: ArchiveContext, intent: Intent) -> None:
    """Step 5 for one intent: the inbox copy removed if it still has the filed content
    (and only inside the inbox)."""
    sidecar = sidecar_source(ctx, intent)
    source = ctx.inbox_path(intent.source, intent.sha256)
    if source is not None and _same_content(source, ctx.root / intent.target, intent.sha256):
        contained(ctx.inbox, source).unlink()
    if sidecar is not None and is_regular(sidecar) and not sidecar_still_needed(sidecar):
        contained(ctx.inbox, sidecar).unlink()
    ctx.forget(intent.source, intent.sha256)
    ctx.forget(intent.sidecar_source)


def _sync_folders(paths: Iterable[Path]) -> None:
    for folder in {p.parent for p in paths}:
        if folder.exists():
            placement.fsync_dir(folder)


def finish(ctx: ArchiveContext, intents: list[Intent]) -> None:
    """Steps 5–6 for ``intents`` (all done)."""
    sources = [p for i in intents if (p := ctx.inbox_path(i.source, i.sha256)) is not None]
    for intent in intents:
        remove_sources(ctx, intent)
    _sync_folders(sources)
    with ctx.index.session() as session:
        session.execute(delete(Intent).where(Intent.id.in_([i.id for i in intents])))


def _unlink_unknown(ctx: ArchiveContext, session: Session, relative: str) -> None:
    if not relative or session.scalar(select(File.id).where(File.path == relative)) is not None:
        return
    try:
        target = ctx.target(relative)
    except IntegrityError as error:
        log.error(_("did not remove {file}: {error}").format(file=ctx.shown(relative), error=error))
        return
    for path in (target, placement.temp_name(target)):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # never placed
            path.unlink()


def roll_back(ctx: ArchiveContext, intent: Intent) -> None:
    """Undo a pending intent: its targets removed (the index does not know them), the
    intent deleted; the inbox file stays, to be filed again."""
    with ctx.index.session() as session:
        _unlink_unknown(ctx, session, intent.target)
        _unlink_unknown(ctx, session, intent.sidecar_target)
        session.execute(delete(Intent).where(Intent.id == intent.id))
    ctx.forget(intent.source, intent.sha256)
    log.info(_("rolled back the filing of {file}").format(file=ctx.shown(intent.source)))


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
    """(stat, hash) of a stable regular file; None while it is being written or if it
    vanished (ISSUE 9 item 2: never through a link, never blocking on a FIFO)."""
    try:
        before = os.lstat(path)
        if not _stable(ctx, path, before):
            return None
        ctx.observed.pop(path, None)
        during, sha256 = hash_regular(path)
        after = os.lstat(path)
    except FileNotFoundError:
        ctx.observed.pop(path, None)
        return None
    states = {(s.st_size, s.st_mtime_ns, s.st_ino) for s in (before, during, after)}
    return (after, sha256) if len(states) == 1 else None


def report(ctx: ArchiveContext, path: Path, message: str, result: PassResult) -> None:
    """What was wrong with an inbox file, for one line naming it (masked, escaped): the
    scan prints it, the watcher logs it (so either shows it once)."""
    message = ctx.shown(message.replace(f"{ctx.root}{os.sep}", ""))
    result.failed.append((ctx.shown(path), message))
    result.failed_paths.append(path)


def _failed(ctx: ArchiveContext, path: Path, error: BaseException, result: PassResult) -> None:
    text = error.message if isinstance(error, InputError | IntegrityError) else str(error)
    report(ctx, path, f"{type(error).__name__}: {text}", result)


def _check_name(path: Path) -> None:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            _(
                "the file name is not UTF-8 text (written by an old Windows or Big5 "
                "program?): rename it in the inbox"
            )
        ) from None


def _ready_batch(
    ctx: ArchiveContext, items: list[tuple[Path, datetime]], result: PassResult
) -> list[tuple[Path, datetime, str]]:
    """The stable files of ``items`` with their hashes (one per content; the others wait)."""
    ready: dict[str, tuple[Path, datetime, str]] = {}
    for path, first_seen in items:
        try:
            _check_name(path)
            if why := refusal(ctx.inbox, path):
                report(ctx, path, why, result)
                continue
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
        copies = first_copies(session, [sha256 for _path, _seen, sha256 in ready])
        for path, first_seen, sha256 in ready:
            try:
                copy = copies.get(sha256)
                plan, found = make_plan(ctx, session, path, sha256, first_seen, copy)
                intents.append(make_intent(ctx, names, path, plan, found))
            except Exception as error:  # one bad file must not stop the others
                _failed(ctx, path, error, result)
        session.add_all(intents)
    return intents


def _place_batch(ctx: ArchiveContext, intents: list[Intent], result: PassResult) -> list[Intent]:
    """Step 3: every intent's files in place; one that fails is rolled back alone."""
    placed = []
    for intent in intents:
        source = ctx.root / intent.source
        try:
            source = ctx.inbox_path(intent.source, intent.sha256) or source
            place_files(ctx, intent)
            placed.append(intent)
        except placement.ContentChanged:
            roll_back(ctx, intent)  # being written: hashed again when it is stable
            result.waiting.append(source)
        except Exception as error:
            roll_back(ctx, intent)
            _failed(ctx, source, error, result)
    placement.sync_all([ctx.root / i.target for i in placed])
    _sync_folders(ctx.root / i.target for i in placed)
    return placed


def _log_filed(ctx: ArchiveContext, intent: Intent, result: PassResult) -> Filed:
    plan = Plan.from_json(intent.plan_json)
    source, status = plan.record["source"], "conflict" if plan.conflict else plan.status
    shown = ctx.shown(intent.source), ctx.shown(intent.target)
    log.info(
        _("filed {source} -> {target} ({status}, by {by})").format(
            source=shown[0], target=shown[1], status=status, by=source
        )
    )
    if plan.conflict or plan.refused:
        log.warning(
            _("kept unclassified: {file}: {reason}").format(
                file=shown[0], reason=plan.record["reason"]
            )
        )
        result.notes.append((shown[0], plan.record["reason"]))
    return Filed(intent.target, plan.record["record_id"], status, source, plan.sha256)


def _drop_disposed(ctx: ArchiveContext, placed: list[Intent], result: PassResult) -> list[Intent]:
    """The intents whose record was disposed since they were planned are rolled back
    (the next pass files them as conflicts, ISSUE 9 item 3); the others."""
    ids = {Plan.from_json(i.plan_json).record["record_id"] for i in placed}
    with ctx.index.session() as session:
        query = select(Record.record_id).where(Record.record_id.in_(ids))
        gone = set(session.scalars(query.where(Record.status == "disposed")))
    for intent in (i for i in placed if Plan.from_json(i.plan_json).record["record_id"] in gone):
        source = ctx.inbox_path(intent.source, intent.sha256)
        roll_back(ctx, intent)
        result.waiting += [source] if source is not None else []
    return [i for i in placed if Plan.from_json(i.plan_json).record["record_id"] not in gone]


def ingest_batch(ctx: ArchiveContext, items: list[tuple[Path, datetime]]) -> PassResult:
    """File the ready ones of ``items`` (path, when first seen); see the module docstring."""
    result = PassResult()
    placed = _place_batch(ctx, _plan_batch(ctx, items, result), result)
    placed = _drop_disposed(ctx, placed, result) if placed else placed
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
    result.filed += [_log_filed(ctx, intent, result) for intent in placed]
    return result
