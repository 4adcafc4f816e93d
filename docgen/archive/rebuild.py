"""A new index from the files alone (ISSUE 6 point 8): ``docgen archive rebuild``.

Every file under ``records/`` is hashed and classified the way the ingest did it —
embedded metadata, else the record-ID QR code, else its filed sidecar (a sidecar
docgen wrote for a path-rule filing keeps that origin) — and files of identical
content are grouped: the copy in a category folder is the record's file, the others
are its duplicates (an unclassified copy only stands alone when nothing classifies
it). Tombstones (``records/.tombstones/*.json``, :mod:`docgen.archive.tombstones`)
give the disposed records and their approvals, and are read first: a file claiming a
disposed record is a conflict, reported and not filed (ISSUE 9 item 2). Hold files
(``records/.holds/*.json``, :mod:`docgen.archive.holds`) give the holds (ISSUE 9
item 1); filed forms manifests the forms issued. What no file holds — holds placed
before hold files existed, forms issued that no filed manifest lists, disposal plans
— is carried over from the archive's current rows in the office database
(:mod:`docgen.archive.rebuild_trail`); :mod:`docgen.archive.rebuild_replace` then puts
the rebuilt rows in their place. A tombstone or hold file that fails validation
is reported as a problem, never a traceback. The journal is the authority for holds
and disposals: a tombstone or hold file it does not record is a problem and not
believed (an unrecorded hold still holds), and what it records counts without its
file (:mod:`docgen.archive.rebuild_trail`).

What the files cannot tell — when a file was first seen and filed, its name in the
inbox — is not restored; :func:`compare` ignores it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.archive.classify import SIDECAR_SUFFIX, Classification, classify, find_sidecar
from docgen.archive.context import ArchiveContext
from docgen.archive.db import Index
from docgen.archive.fixity import records_on_disk
from docgen.archive.issued import note_issued
from docgen.archive.placement import DUPLICATES, UNCLASSIFIED
from docgen.archive.plan import (
    disposal_note,
    merge_record,
    record_id_for,
    record_values,
    refuse_disposed,
)
from docgen.archive.rebuild_trail import (
    Disposed,
    JournalTrail,
    RebuildResult,
    apply_holds,
    apply_rejections,
    apply_tombstones,
    carry_disposals,
    carry_plans,
    journal_problem,
    read_journal,
)
from docgen.archive.tombstones import TOMBSTONE_FORMAT
from docgen.db.models.archive import Disposal, File, FormIssued, Hold, Record
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.journal import Journal
from docgen.metadata import RecordMetadata
from docgen.privacy import mask_ids_in_text

__all__ = [
    "TOMBSTONE_FORMAT",
    "JournalTrail",
    "RebuildResult",
    "compare",
    "fill",
    "rebuild_into",
    "remove_database",
    "scratch_path",
    "workspace_journal",
]


def _rank(path: str) -> tuple[int, str]:
    """Which copy of identical content is the record's own: category folders first."""
    folder = path.split("/")[1] if path.count("/") >= 2 else ""
    order = {UNCLASSIFIED: 1, DUPLICATES: 2}.get(folder, 0)
    return order, path


def _file(root: Path, path: str, record_id: str, status: str, kind: str, sha256: str) -> File:
    st = os.stat(root / path)
    return File(
        record_id=record_id,
        path=path,
        kind=kind,
        status=status,
        sha256=sha256,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        inode=st.st_ino,
        filed_at=datetime.fromtimestamp(st.st_mtime),
        verified_at=datetime.now(),
    )


def _add_with_sidecar(session: Session, root: Path, document: File, sidecars: set[str]) -> File:
    session.add(document)
    sidecar = find_sidecar(root / document.path)
    relative = sidecar.relative_to(root).as_posix() if sidecar else ""
    if relative in sidecars:
        sidecars.discard(relative)
        sha256 = sha256_file(root / relative)
        session.add(_file(root, relative, document.record_id, document.status, "sidecar", sha256))
    return document


def _file_group(
    ctx: ArchiveContext,
    session: Session,
    sha256: str,
    paths: list[str],
    sidecars: set[str],
    disposed: Disposed,
    result: RebuildResult,
) -> None:
    """One content: its record's file, then the duplicates of it. A file claiming a
    disposed record (or having a disposed file's content) is a conflict, filed as the
    ingest files it — unclassified, the disposal in its reason — and reported; one at
    a disposed file's path is not filed at all (ISSUE 9 item 2: the tombstone wins)."""
    primary, *copies = sorted(paths, key=_rank)
    taken = [p for p in paths if p in disposed.paths]
    if taken:
        why = _(
            "sits where a disposed file of {record_id} was: not filed; move it out of records/"
        ).format(record_id=disposed.paths[taken[0]])
        _conflicts(result, paths, why)
        return
    found = _refuse_disposed(
        session, classify(ctx.root / primary, primary, [], ctx.use_qr), sha256, disposed
    )
    values = record_values(found, sha256)
    if found.conflict:
        _conflicts(
            result, paths, _("{reason}; move it out of records/").format(reason=found.reason)
        )
    merge_record(session, values, datetime.now())
    status = "filed" if found.classified else "unclassified"
    document = _file(ctx.root, primary, values["record_id"], status, "document", sha256)
    _add_with_sidecar(session, ctx.root, document, sidecars)
    if found.source == "manifest":
        note_issued(session, ctx.root / primary)
    session.flush()
    for path in copies:
        copy = _file(ctx.root, path, values["record_id"], "duplicate", "document", sha256)
        copy.duplicate_of = document.id
        _add_with_sidecar(session, ctx.root, copy, sidecars)


def _conflicts(result: RebuildResult, paths: list[str], why: str) -> None:
    result.conflicts += [
        mask_ids_in_text(_("{path}: {why}").format(path=path, why=why)) for path in sorted(paths)
    ]


def _refuse_disposed(
    session: Session, found: Classification, sha256: str, disposed: Disposed
) -> Classification:
    """``found``, or a conflict with the disposed record it claims (as the ingest
    judges it, :func:`docgen.archive.plan.refuse_disposed`), including a record known
    disposed only by the name of a tombstone that cannot be read."""
    claimed_by: str | None
    if sha256 in disposed.hashes:
        claimed_by, record_id = None, disposed.hashes[sha256]
    elif found.classified and record_id_for(found.meta, sha256, True) in disposed.record_ids:
        claimed_by, record_id = found.source, record_id_for(found.meta, sha256, True)
    else:
        return refuse_disposed(session, found, sha256)
    reason = disposal_note(session, record_id, claimed_by)
    return Classification(RecordMetadata(), "none", reason, found.sidecar, conflict=record_id)


def _carry_forms(old: Index, session: Session) -> None:
    """Forms issued from the old index that no filed manifest lists."""
    with old.session() as previous:
        for form in previous.scalars(select(FormIssued)):
            if session.get(FormIssued, form.record_id) is not None:
                continue
            form_columns = ("record_id", "form", "variant", "period", "unit", "subject")
            issued = {c: getattr(form, c) for c in form_columns}
            session.add(
                FormIssued(
                    **issued, category=form.category, title=form.title, issued_at=form.issued_at
                )
            )


def fill(
    ctx: ArchiveContext, target: Index, old: Index | None, trail: JournalTrail | None = None
) -> RebuildResult:
    """Fill the empty index ``target`` from the files under ``ctx.root``, checking the
    trail files against ``trail`` (the journal's holds and disposals, read here when
    not given)."""
    if trail is None:
        trail = workspace_journal(ctx)
    on_disk = records_on_disk(ctx.root)
    sidecars = {p for p in on_disk if p.endswith(SIDECAR_SUFFIX)}
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(set(on_disk) - sidecars):
        groups[sha256_file(ctx.root / path)].append(path)
    result = RebuildResult()
    if not trail.verified:
        result.journal_verified = False
        result.problems.append(journal_problem(trail))
    with target.session() as session:
        disposed = apply_tombstones(session, ctx.root, result, trail)
        if old is not None:
            carry_disposals(old, session, disposed, result)
        sidecars -= set(disposed.paths)
        for sha256, paths in sorted(groups.items(), key=lambda item: min(item[1], key=_rank)):
            _file_group(ctx, session, sha256, paths, sidecars, disposed, result)
        session.flush()
        apply_holds(session, ctx.root, old, result, trail)
        apply_rejections(session, old, trail)
        if old is not None:
            _carry_forms(old, session)
            carry_plans(old, session)
        session.flush()
        result.records = len(list(session.scalars(select(Record.record_id))))
        result.files = len(list(session.scalars(select(File.id))))
    return result


_RECORD_COLUMNS = (
    "category", "form", "variant", "period", "unit", "subject", "trigger", "review_date",
    "title", "record_ids", "status", "source", "reason",
)  # fmt: skip


def _snapshot(index: Index) -> dict[str, dict[str, tuple[Any, ...]]]:
    """What the files determine, keyed for comparison (no row IDs, no ingest times)."""
    with index.session() as session:
        records = {
            r.record_id: tuple(getattr(r, c) for c in _RECORD_COLUMNS)
            for r in session.scalars(select(Record))
        }
        files = list(session.scalars(select(File)))
        paths = {f.id: f.path for f in files}
        by_path = {
            f.path: (
                f.record_id,
                f.kind,
                f.status,
                f.sha256,
                f.size,
                paths.get(f.duplicate_of or 0),
            )
            for f in files
        }
        disposals = {
            d.tombstone_path: (
                d.record_id,
                d.approval,
                d.approved_by,
                d.approved_on,
                d.plan_id,
                d.disposed_by,
                d.disposed_at,
            )
            for d in session.scalars(select(Disposal))
        }
        holds = {
            f"{h.record_id} placed {h.placed_at.isoformat()}": (
                h.reason,
                h.placed_by,
                h.released_by,
                h.released_at,
            )
            for h in session.scalars(select(Hold))
        }
        issued = {
            f.record_id: (f.form, f.variant, f.period, f.unit, f.subject, f.category, f.issued_at)
            for f in session.scalars(select(FormIssued))
        }
    return {
        "record": records,
        "file": by_path,
        "disposal": disposals,
        "hold": holds,
        "form issued": issued,
    }


def compare(old: Index, new: Index) -> list[str]:
    """Every difference between two indexes in what the files determine."""
    before, after = _snapshot(old), _snapshot(new)
    differences = []
    for table, rows in before.items():
        for key in sorted(set(rows) | set(after[table])):
            if rows.get(key) != after[table].get(key):
                differences.append(
                    _("{table} {key}: before {before}, rebuilt {after}").format(
                        table=table, key=key, before=rows.get(key), after=after[table].get(key)
                    )
                )
    return differences


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def workspace_journal(ctx: ArchiveContext) -> JournalTrail:
    """The holds and disposals the workspace's journal records."""
    return read_journal(Journal(ctx.workspace.journal_path, ctx.workspace.root))


def scratch_path(ctx: ArchiveContext) -> Path:
    """Where ``archive rebuild`` fills its scratch database (in the state folder)."""
    return ctx.workspace.state_dir / "archive-rebuild.sqlite"


def rebuild_into(
    ctx: ArchiveContext, target: Path, trail: JournalTrail | None = None
) -> RebuildResult:
    """A new scratch index at ``target`` (replaced if it exists) from the files of
    ``ctx``; open it again with :meth:`Index.scratch`."""
    remove_database(target)
    with Index.scratch(target) as new:
        return fill(ctx, new, ctx.index, trail)
