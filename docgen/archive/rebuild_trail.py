"""What a rebuild takes from the archive's trail rather than from the records
themselves (ISSUE 9 items 1 and 2): the journal, tombstones, hold files, and what
only the old index knows.

* **The journal is the authority** for holds and disposals (``records/`` is on a
  share anyone with access may touch; the journal is a hash chain on local disk,
  docs/SECURITY.md). Its ``archive hold``/``archive release`` and ``archive dispose``
  entries are replayed (:func:`read_journal`); entries since the review also carry a
  hold's ``placed_at``, a release's ``released_at``, and a disposal's files (size,
  kind), metadata and ``disposed_at``, and older entries count as far as they go. A
  tombstone counts only if it is that of a disposal the journal records
  (:func:`tombstone_mismatch`): any other is a problem, and its record stays as its
  files say. A disposal the journal records counts without its tombstone, which is
  written again from the journal when it holds all a tombstone says
  (:func:`rewrite_tombstones`), else reported. A hold the journal records counts
  without its hold file; a hold file's hold the journal does not record still holds
  (a hold only errs toward keeping) but is a problem, and a release the journal does
  not record is not believed. If the journal does not verify, that is a problem and
  the trail files are believed as they are (the behaviour before the review).

* **Tombstones first.** A disposed record ID is final (DESIGN.md, Retention): a file
  under ``records/`` that claims a disposed record ID, has the content of a disposed
  file or sits at a disposed file's path is a *conflict* — reported, never merged;
  the record stays disposed (:func:`docgen.archive.rebuild._file_group`).
* **Hold files** (:mod:`docgen.archive.holds`) give the holds; those of the old index
  that no hold file lists are carried over, when it can be read.
* **Rejections** (``archive reject``: a file the 檔管人員 said is no record) are
  replayed from the journal, or carried over from the old index when the journal does
  not verify (:func:`apply_rejections`).
* A tombstone or hold file that cannot be trusted (:mod:`docgen.archive.untrusted`)
  is a *problem*, reported with its file; the old index's disposals and holds of that
  record are carried over instead, and a tombstone's name alone still keeps files
  from claiming its record ID.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docgen.archive.approval import Approval
from docgen.archive.db import Index
from docgen.archive.holds import HoldEntry, read_hold_files
from docgen.archive.placement import RECORDS, REJECTED, TOMBSTONES, UNCLASSIFIED
from docgen.archive.tombstones import (
    Tombstone,
    read_tombstones,
    tombstone_ids,
    write_tombstone,
)
from docgen.archive.untrusted import HOLDS, is_record_id
from docgen.db.models.archive import (
    Base,
    Disposal,
    DisposalPlan,
    DisposalPlanItem,
    File,
    Hold,
    Record,
)
from docgen.errors import IntegrityError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text


@dataclass
class RebuildResult:
    """What the new index holds, and what needs a person's attention."""

    records: int = 0
    files: int = 0
    disposals: int = 0
    holds_carried: int = 0
    holds_dropped: int = 0
    holds_from_files: int = 0
    holds_from_journal: int = 0
    journal_verified: bool = True  # False: trail files believed unchecked (a problem)
    tombstones_to_rewrite: list[str] = field(default_factory=list)  # from the journal
    conflicts: list[str] = field(default_factory=list)  # files not filed (item 2)
    problems: list[str] = field(default_factory=list)  # trail files not trusted


@dataclass
class Disposed:
    """The disposed record IDs, and the content and paths of their files."""

    record_ids: set[str] = field(default_factory=set)
    hashes: dict[str, str] = field(default_factory=dict)  # SHA-256 → record ID
    paths: dict[str, str] = field(default_factory=dict)  # path → record ID

    def add(self, record_id: str, files: list[dict[str, object]]) -> None:
        self.record_ids.add(record_id)
        for entry in files:
            if entry.get("sha256"):
                self.hashes.setdefault(str(entry["sha256"]), record_id)
            self.paths.setdefault(str(entry["path"]), record_id)


# --- the journal: the authority for holds and disposals (ISSUE 9, review) -------------

#: How long after a hold file's ``placed_at`` the journal entry of that hold may be
#: written, for entries older than the ``placed_at`` detail (the file comes first).
_HOLD_WINDOW = timedelta(minutes=10)


@dataclass
class JournalDisposal:
    """A disposal as the journal's ``archive dispose`` entries record it: ``done`` once
    a completion entry lists the record, else planned by an unfinished plan."""

    record_id: str
    plan_id: str
    approval: str
    approved_by: str
    approved_on: date | None
    disposed_by: str
    disposed_at: datetime
    files: list[dict[str, Any]]  # "path", and "sha256", "size", "kind" where recorded
    metadata: dict[str, Any] | None  # recorded since the review; None in older entries
    done: bool

    @property
    def rewritable(self) -> bool:
        """Whether the journal holds all a tombstone says."""
        needed = ("path", "sha256", "size", "kind")
        return self.metadata is not None and all(all(k in f for k in needed) for f in self.files)

    def tombstone(self) -> Tombstone:
        return Tombstone(
            path=f"{RECORDS}/{TOMBSTONES}/{self.record_id}.json",
            record_id=self.record_id,
            metadata=dict(self.metadata or {}),
            files=[
                {
                    "path": f["path"],
                    "sha256": f["sha256"],
                    "size": int(f.get("size", 0)),
                    "kind": str(f.get("kind", "document")),
                }
                for f in self.files
                if "sha256" in f
            ],
            approval=self.approval,
            approved_by=self.approved_by,
            approved_on=self.approved_on,
            disposed_by=self.disposed_by,
            disposed_at=self.disposed_at,
            plan_id=self.plan_id,
        )


@dataclass
class JournalHold:
    """A hold as the journal's ``archive hold`` and ``archive release`` entries record it.
    ``exact``: ``placed_at`` is the hold's own time (recorded since the review), not
    the time of its journal entry."""

    record_id: str
    reason: str
    placed_by: str
    placed_at: datetime
    exact: bool
    released_by: str = ""
    released_at: datetime | None = None


@dataclass
class JournalTrail:
    """What the journal says about holds and disposals; ``verified`` False (and
    ``why``) when its hash chain does not verify, and then nothing else is known."""

    verified: bool
    why: str = ""
    disposals: dict[str, JournalDisposal] = field(default_factory=dict)
    holds: dict[str, list[JournalHold]] = field(default_factory=dict)
    #: releases of holds the journal never saw placed: (record ID, placed_at) → by, when
    releases: dict[tuple[str, datetime], tuple[str, datetime]] = field(default_factory=dict)
    #: files the 檔管人員 rejected as no record (``archive reject``): record ID → reason
    rejections: dict[str, str] = field(default_factory=dict)


def _naive(text: object) -> datetime | None:
    """A journal time as local wall-clock time (how the index stores times)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _day_of(text: object) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


def _text(details: dict[str, Any], key: str) -> str:
    value = details.get(key, "")
    return value if isinstance(value, str) else ""


def _files_of(value: object) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, str):
            found.append({"path": entry})
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
            found.append(dict(entry))
    return found


def _records_of(details: dict[str, Any]) -> list[dict[str, Any]]:
    listed = details.get("records")
    if not isinstance(listed, list):
        return []
    return [r for r in listed if isinstance(r, dict) and is_record_id(r.get("record_id"))]


def _dispose_entry(trail: JournalTrail, details: dict[str, Any], when: datetime) -> None:
    step, plan = details.get("step"), _text(details, "plan")
    for record in _records_of(details):
        rid = str(record["record_id"])
        known = trail.disposals.get(rid)
        if known is not None and known.done:
            continue  # a disposed record ID is final
        planned = known if known is not None and known.plan_id == plan else None
        metadata = record.get("metadata")
        trail.disposals[rid] = JournalDisposal(
            record_id=rid,
            plan_id=plan,
            approval=_text(details, "approval"),
            approved_by=_text(details, "approved_by"),
            approved_on=_day_of(details.get("approved_on")),
            disposed_by=_text(details, "by"),
            disposed_at=_naive(record.get("disposed_at")) or when,
            files=planned.files if planned is not None else _files_of(record.get("files")),
            metadata=(
                planned.metadata
                if planned is not None
                else dict(metadata)
                if isinstance(metadata, dict)
                else None
            ),
            done=step != "plan",  # "done", or an entry from before plans ("step" absent)
        )
    for kept in (details.get("kept") or []) if step == "done" else []:
        kept_id = kept.get("record_id") if isinstance(kept, dict) else None
        known = trail.disposals.get(kept_id) if isinstance(kept_id, str) else None
        if known is not None and not known.done and known.plan_id == plan:
            del trail.disposals[known.record_id]


def _hold_entry(trail: JournalTrail, command: str, details: dict[str, Any], when: datetime) -> None:
    rid = details.get("record_id")
    if not is_record_id(rid):
        return
    assert isinstance(rid, str)
    history = trail.holds.setdefault(rid, [])
    placed_at = _naive(details.get("placed_at"))
    if command == "archive hold":
        reason = mask_ids_in_text(_text(details, "reason"))
        history.append(
            JournalHold(rid, reason, _text(details, "by"), placed_at or when, placed_at is not None)
        )
        return
    released_at = _naive(details.get("released_at")) or when
    active = [h for h in history if h.released_at is None]
    if placed_at is not None:
        active = [h for h in active if not h.exact or h.placed_at == placed_at]
    if active:
        active[-1].released_by, active[-1].released_at = _text(details, "by"), released_at
    elif placed_at is not None:
        trail.releases[(rid, placed_at)] = (_text(details, "by"), released_at)


def read_journal(journal: Journal) -> JournalTrail:
    """The holds and disposals the journal records, once its hash chain verifies."""
    try:
        journal.verify()
        entries = journal.entries()
    except IntegrityError as error:
        return JournalTrail(False, error.message)
    trail = JournalTrail(True)
    for entry in entries:
        details, when = entry.get("details"), _naive(entry.get("time"))
        if not isinstance(details, dict) or when is None:
            continue
        command = entry.get("command")
        if command == "archive dispose":
            _dispose_entry(trail, details, when)
        elif command in ("archive hold", "archive release"):
            _hold_entry(trail, str(command), details, when)
        elif command == "archive reject" and is_record_id(details.get("record_id")):
            trail.rejections[str(details["record_id"])] = mask_ids_in_text(_text(details, "reason"))
    return trail


def apply_rejections(session: Session, old: Index | None, trail: JournalTrail) -> None:
    """Files rejected as no record (:func:`docgen.services.triage.reject_file`) stay
    rejected: as the journal records them, or — when it does not verify — as the old
    index has them. Only a record still unclassified in the rebuilt index is changed (a
    file classified after its rejection is filed now)."""
    rejected = dict(trail.rejections) if trail.verified else _old_rejections(old)
    for record_id, reason in sorted(rejected.items()):
        session.execute(
            update(Record)
            .where(Record.record_id == record_id, Record.status == UNCLASSIFIED)
            .values(status=REJECTED, reason=reason)
        )


def _old_rejections(old: Index | None) -> dict[str, str]:
    if old is None:
        return {}
    with old.session() as previous:
        query = select(Record.record_id, Record.reason).where(Record.status == REJECTED)
        return {rid: reason for rid, reason in previous.execute(query)}


def tombstone_mismatch(stone: Tombstone, trail: JournalTrail) -> str:
    """Why ``stone`` is not the tombstone of a disposal the journal records ("" if it is):
    the journal's disposal (or unfinished plan) of its record, under its approval, of
    exactly the files it lists."""
    facts = trail.disposals.get(stone.record_id)
    if facts is None:
        return _("no `archive dispose` in the journal disposes of {record_id}").format(
            record_id=stone.record_id
        )
    pairs = (
        ("approval", stone.approval, facts.approval),
        ("approved_by", stone.approved_by, facts.approved_by),
        ("plan", stone.plan_id, facts.plan_id),
    )
    for name, said, recorded in pairs:
        if recorded and said != recorded:
            return _("its {field} {value!r} is not the journal's {recorded!r}").format(
                field=name, value=said, recorded=recorded
            )
    if facts.approved_on and stone.approved_on != facts.approved_on:
        return _("its approved_on is not the journal's {date}").format(
            date=facts.approved_on.isoformat()
        )
    recorded_files = {mask_ids_in_text(f["path"]): f.get("sha256") for f in facts.files}
    for entry in stone.files:
        path = mask_ids_in_text(entry["path"])
        if path not in recorded_files:
            return _("it lists {path}, which the journal's disposal does not").format(path=path)
        if recorded_files[path] not in (None, entry["sha256"]):
            return _("its SHA-256 of {path} is not the journal's").format(path=path)
    return ""


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _add_tombstone(session: Session, stone: Tombstone) -> None:
    meta = stone.metadata
    fields = ("category", "form", "variant", "period", "unit", "subject", "title")
    session.add(
        Record(
            record_id=stone.record_id,
            **{name: str(meta.get(name, "")) for name in fields},
            trigger=_day(meta.get("trigger", "")),
            review_date=_day(meta.get("review_date", "")),
            record_ids=" ".join(meta.get("record_ids", [])),
            status="disposed",
            source=str(meta.get("source", "")),
        )
    )
    for entry in stone.files:
        if session.scalar(select(File.id).where(File.path == entry["path"])) is None:
            session.add(
                File(
                    record_id=stone.record_id,
                    path=entry["path"],
                    kind=entry["kind"],
                    status="disposed",
                    sha256=entry["sha256"],
                    size=entry["size"],
                    mtime_ns=0,
                    inode=0,
                )
            )
    session.add(
        Disposal(
            record_id=stone.record_id,
            files_json=json.dumps(stone.files, ensure_ascii=False),
            metadata_json=json.dumps(meta, ensure_ascii=False),
            approval=stone.approval,
            approved_by=stone.approved_by,
            approved_on=stone.approved_on,
            plan_id=stone.plan_id,
            disposed_by=stone.disposed_by,
            disposed_at=stone.disposed_at,
            tombstone_path=stone.path,
        )
    )
    session.flush()


def journal_problem(trail: JournalTrail) -> str:
    """The problem line of a journal that does not verify."""
    return _(
        "the journal does not verify ({why}): tombstones and hold files are believed as "
        "they are, unchecked against it; run `docgen journal verify` and restore the "
        "journal from backup"
    ).format(why=trail.why)


def apply_tombstones(
    session: Session, root: Path, result: RebuildResult, trail: JournalTrail | None = None
) -> Disposed:
    """The disposed records. With a journal that verifies, it is the authority: a
    tombstone counts only if it is that of a disposal the journal records
    (:func:`tombstone_mismatch`), and a disposal the journal records counts even
    without its tombstone. Without one (``trail`` None or not verified), every
    readable tombstone counts, and a tombstone's name alone keeps its record ID
    disposed. A bad tombstone is a problem either way."""
    stones, problems = read_tombstones(root)
    disposed = Disposed()
    reported = set()
    for path, why in problems:
        result.problems.append(
            mask_ids_in_text(
                _("{path}: not a trustworthy tombstone ({why})").format(path=path, why=why)
            )
        )
        reported.add(path)
    believed = set()
    for stone in stones:
        why = tombstone_mismatch(stone, trail) if trail is not None and trail.verified else ""
        if why:
            result.problems.append(
                mask_ids_in_text(
                    _(
                        "{path}: not believed ({why}): {record_id} stays as its files say; "
                        "move this file out of {folder}/"
                    ).format(
                        path=stone.path,
                        why=why,
                        record_id=stone.record_id,
                        folder=f"{RECORDS}/{TOMBSTONES}",
                    )
                )
            )
            reported.add(stone.path)
            continue
        _add_tombstone(session, stone)
        disposed.add(stone.record_id, stone.files)
        believed.add(stone.record_id)
        result.disposals += 1
    if trail is None or not trail.verified:
        disposed.record_ids |= tombstone_ids(root)  # its name alone keeps a record ID disposed
        return disposed
    for rid, facts in sorted(trail.disposals.items()):
        if facts.done and rid not in believed:
            _journal_disposal(session, root, facts, disposed, result, reported)
    return disposed


def _journal_disposal(
    session: Session,
    root: Path,
    facts: JournalDisposal,
    disposed: Disposed,
    result: RebuildResult,
    reported: set[str],
) -> None:
    """A disposal the journal records whose tombstone is missing or not believed: the
    record is disposed all the same, and its tombstone written again where it is
    missing and the journal holds all it says."""
    stone = facts.tombstone()
    _add_tombstone(session, stone)
    disposed.add(facts.record_id, facts.files)
    result.disposals += 1
    present = (root / stone.path).exists() or (root / stone.path).is_symlink()
    if present and stone.path in reported:
        line = _(
            "{path} is not believed (above): the disposal of {record_id} is taken from the journal"
        )
    elif present:
        line = _("{path} is not its own: the disposal of {record_id} is taken from the journal")
    elif facts.rewritable:
        result.tombstones_to_rewrite.append(facts.record_id)
        line = _(
            "{path} is missing: the disposal of {record_id} is taken from the journal, and "
            "its tombstone written again from it"
        )
    else:
        line = _(
            "{path} is missing: the disposal of {record_id} is taken from the journal, whose "
            "older entry does not hold all a tombstone says: restore it from backup"
        )
    result.problems.append(
        mask_ids_in_text(line.format(path=stone.path, record_id=facts.record_id))
    )


def rewrite_tombstones(root: Path, trail: JournalTrail, record_ids: list[str]) -> list[Path]:
    """Write again, from the journal, the missing tombstones a rebuild listed."""
    written = []
    for rid in record_ids:
        facts = trail.disposals[rid]
        stone = facts.tombstone()
        target = root / stone.path
        if target.exists() or target.is_symlink():
            continue
        approval = Approval(stone.approval, stone.approved_by, stone.approved_on)
        written.append(
            write_tombstone(
                root,
                rid,
                stone.files,
                stone.metadata,
                approval,
                stone.disposed_by,
                stone.disposed_at,
                stone.plan_id,
            )
        )
    return written


def _columns(row: Base, *leave_out: str) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in leave_out}


def carry_disposals(
    old: Index, session: Session, disposed: Disposed, result: RebuildResult
) -> None:
    """Disposals the old index knows and no readable tombstone gives (a problem)."""
    with old.session() as previous:
        for record in previous.scalars(select(Record).where(Record.status == "disposed")):
            rid = record.record_id
            if session.get(Record, rid) is not None:
                continue
            session.add(Record(**_columns(record)))
            files = list(previous.scalars(select(File).where(File.record_id == rid)))
            for file in files:
                if session.scalar(select(File.id).where(File.path == file.path)) is None:
                    values = _columns(file, "id", "duplicate_of")
                    session.add(File(**{**values, "status": "disposed"}))
            for row in previous.scalars(select(Disposal).where(Disposal.record_id == rid)):
                session.add(Disposal(**_columns(row, "id")))
                result.disposals += 1
            disposed.add(rid, [{"sha256": f.sha256, "path": f.path} for f in files])
            result.problems.append(
                _(
                    "{path} is missing or unreadable: the disposal of {record_id} is carried "
                    "over from the previous index; restore the tombstone from backup"
                ).format(path=f"{RECORDS}/{TOMBSTONES}/{rid}.json", record_id=rid)
            )
    session.flush()


def apply_holds(
    session: Session,
    root: Path,
    old: Index | None,
    result: RebuildResult,
    trail: JournalTrail | None = None,
) -> None:
    """Holds from the hold files, then those of the old index no hold file lists —
    or, with a journal that verifies, from the journal (:func:`_journal_holds`)."""
    on_file, problems = read_hold_files(root)
    for path, why in problems:
        result.problems.append(
            mask_ids_in_text(
                _(
                    "{path}: not a trustworthy hold file ({why}); the record is treated as "
                    "held until it is fixed, and the previous index's holds of it are kept"
                ).format(path=path, why=why)
            )
        )
    known = set(session.scalars(select(Record.record_id)))
    previous_holds = _old_holds(old)
    if trail is not None and trail.verified:
        _journal_holds(session, trail, on_file, previous_holds, known, result)
        return
    covered: set[tuple[str, datetime]] = set()
    for rid, entries in sorted(on_file.items()):
        if rid not in known:
            result.holds_dropped += len(entries)
            result.problems.append(
                _(
                    "{path} holds {record_id}, which is not in the archive: restore its "
                    "files from backup"
                ).format(path=f"{RECORDS}/{HOLDS}/{rid}.json", record_id=rid)
            )
            continue
        for entry in entries:
            session.add(_hold_row(rid, entry))
            covered.add((rid, entry.placed_at))
            result.holds_from_files += 1
    _carry_holds(session, previous_holds, covered, known, result)


def _old_holds(old: Index | None) -> list[tuple[str, HoldEntry]]:
    if old is None:
        return []
    with old.session() as previous:
        return [(h.record_id, HoldEntry.of(h)) for h in previous.scalars(select(Hold))]


def _hold_row(rid: str, entry: HoldEntry) -> Hold:
    return Hold(
        record_id=rid,
        reason=entry.reason,
        placed_by=entry.placed_by,
        placed_at=entry.placed_at,
        released_by=entry.released_by,
        released_at=entry.released_at,
    )


def _carry_holds(
    session: Session,
    previous: list[tuple[str, HoldEntry]],
    covered: set[tuple[str, datetime]],
    known: set[str],
    result: RebuildResult,
) -> None:
    """The old index's holds that nothing else gave (a hold only errs toward keeping)."""
    for rid, entry in previous:
        if (rid, entry.placed_at) in covered:
            continue
        if rid not in known:
            result.holds_dropped += 1
            continue
        session.add(_hold_row(rid, entry))
        result.holds_carried += 1


def _same_hold(recorded: JournalHold, entry: HoldEntry) -> bool:
    """Whether a hold file's (or the old index's) hold is the one the journal recorded:
    the same time placed, or — for an entry older than the ``placed_at`` detail —
    journalled shortly after it was placed."""
    if recorded.exact:
        return entry.placed_at == recorded.placed_at
    return entry.placed_at <= recorded.placed_at <= entry.placed_at + _HOLD_WINDOW


def _journal_holds(
    session: Session,
    trail: JournalTrail,
    on_file: dict[str, list[HoldEntry]],
    previous: list[tuple[str, HoldEntry]],
    known: set[str],
    result: RebuildResult,
) -> None:
    """The journal's holds and releases (the authority), then the hold files' holds it
    does not record — still holding, since a hold only ever errs toward keeping, but
    each a problem (a release it does not record is not believed) — then the old
    index's holds that neither gave."""
    covered: set[tuple[str, datetime]] = set()
    used: set[int] = set()  # the hold files' and old index's entries matched, by id()
    for rid, history in sorted(trail.holds.items()):
        if rid not in known:
            result.holds_dropped += len(history)
            if any(h.released_at is None for h in history):
                result.problems.append(
                    _(
                        "the journal holds {record_id}, which is not in the archive: restore "
                        "its files from backup"
                    ).format(record_id=rid)
                )
            continue
        files = on_file.get(rid, [])
        candidates = files + [e for r, e in previous if r == rid]
        for recorded in history:
            match = next(
                (e for e in candidates if id(e) not in used and _same_hold(recorded, e)), None
            )
            placed_at = match.placed_at if match is not None else recorded.placed_at
            if match is not None:
                used.add(id(match))
            entry = HoldEntry(
                recorded.reason,
                recorded.placed_by,
                placed_at,
                recorded.released_by,
                recorded.released_at,
            )
            session.add(_hold_row(rid, entry))
            covered.add((rid, placed_at))
            result.holds_from_journal += 1
            on_disk = match if any(match is e for e in files) else None
            if on_disk is not None and on_disk.released_at and recorded.released_at is None:
                result.problems.append(
                    _(
                        "{path} says the hold of {record_id} was released, but the journal "
                        "records no release: the record stays on hold"
                    ).format(path=f"{RECORDS}/{HOLDS}/{rid}.json", record_id=rid)
                )
    for rid, entries in sorted(on_file.items()):
        for entry in entries:
            if id(entry) in used or (rid, entry.placed_at) in covered:
                continue
            _unjournalled_hold(session, trail, rid, entry, known, result)
            covered.add((rid, entry.placed_at))
    _carry_holds(session, [p for p in previous if id(p[1]) not in used], covered, known, result)


def _unjournalled_hold(
    session: Session,
    trail: JournalTrail,
    rid: str,
    entry: HoldEntry,
    known: set[str],
    result: RebuildResult,
) -> None:
    """A hold of a hold file that no ``archive hold`` in the journal records."""
    shown = f"{RECORDS}/{HOLDS}/{rid}.json"
    if rid not in known:
        result.holds_dropped += 1
        result.problems.append(
            _(
                "{path} holds {record_id}, which is not in the archive: restore its "
                "files from backup"
            ).format(path=shown, record_id=rid)
        )
        return
    released = trail.releases.get((rid, entry.placed_at))
    if released is not None:  # released with `archive release`, which the journal has
        by, when = released
        session.add(_hold_row(rid, dataclasses.replace(entry, released_by=by, released_at=when)))
        result.holds_from_files += 1
        return
    session.add(_hold_row(rid, dataclasses.replace(entry, released_by="", released_at=None)))
    result.holds_from_files += 1
    result.problems.append(
        mask_ids_in_text(
            _(
                "{path}: its hold of {record_id} placed {placed_at} matches no `archive "
                "hold` in the journal: it still holds (a hold only errs toward keeping), "
                "and any release in the file is not believed; if it is not a real hold, "
                "`docgen archive release {record_id}`"
            ).format(path=shown, record_id=rid, placed_at=entry.placed_at.isoformat())
        )
    )


def carry_plans(old: Index, session: Session) -> None:
    """The disposal plans (not in any file) whose records are all in the new index."""
    known = set(session.scalars(select(Record.record_id)))
    with old.session() as previous:
        for plan in previous.scalars(select(DisposalPlan)):
            query = select(DisposalPlanItem).where(DisposalPlanItem.plan_id == plan.plan_id)
            items = list(previous.scalars(query))
            if any(item.record_id not in known for item in items):
                continue
            session.add(DisposalPlan(**_columns(plan)))
            session.flush()
            session.add_all(DisposalPlanItem(**_columns(item, "id")) for item in items)
