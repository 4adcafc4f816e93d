"""The account registry in the office database (ISSUE 10 items 1, 3 and 4).

The office keeps editing its registry in Excel. :func:`import_registry` reads a
registry file (CSV/XLSX/YAML/JSON, checked as :func:`~docgen.records.accounts.read_registry`
checks it: every bad row at once, and then nothing is written), compares it with
the database and applies the difference in one transaction, with the account's
history (``account_events``) and one journal entry. Importing the same file again
changes nothing and journals nothing. :func:`export_registry` writes the registry
as a file that imports back without a change. Every other command reads
:func:`load_registry`.

An account in the database that the file does not list is reported as "not in the
file" and kept, unless the import is told to remove such accounts (``--remove``): a
registry row carries the R4.2 retention trigger (註銷日期) of its holder's papers,
so a shorter file — one unit's rows, the cancelled accounts filtered out in Excel —
must not drop it by accident. A removed account's history stays.

Account reviews (清查, R4.1a) are recorded with :func:`record_account_review`; the
calendar reads their dates with :func:`account_review_dates`. An earlier docgen's
registry file and the review dates in its journal move in with ``docgen db upgrade``
(:func:`take_over_accounts`).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from docgen.calendar import parse_date
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.accounts import AccountEvent, AccountReview, RegistryAccount
from docgen.errors import ConfigError, InputError
from docgen.fsutil import sha256_file
from docgen.i18n import N_, _
from docgen.journal import Journal
from docgen.privacy import MaskingPolicy, mask_id
from docgen.records.accounts import ACCOUNT_HEADERS, Registry, read_registry
from docgen.records.models import Account, Role, Status
from docgen.records.stored import (
    FIELDS,
    load_registry,
    registry_file,
    stored_account,
    stored_accounts,
)
from docgen.report import Report, write_report

#: The registry's fields, in its column order.
#: The formats :func:`export_registry` writes.
EXPORT_FORMATS = ("xlsx", "csv")
IMPORT_COMMAND = "accounts import"
REVIEW_COMMAND = "accounts review"
#: The event a change of state is (R4.1b, R4.1c, R4.2), and the date field it carries.
_STATE_EVENTS = {
    Status.ACTIVE: ("resumed", None),
    Status.SUSPENDED: ("suspended", "suspended_on"),
    Status.CANCELLED: ("cancelled", "cancelled_on"),
}
_PAPERS = ("application_on", "pledge_on")  # 附件2, 附件3 (R3.2, R3.3)


@dataclass(frozen=True)
class AccountChange:
    """An account whose fields differ: field → (in the database, in the file)."""

    account_id: str
    fields: dict[str, tuple[Any, Any]]


@dataclass
class RegistryChanges:
    """What an import found: accounts added, changed, not in the file (and, when the
    import removes those, removed), how many are unchanged, and whether it applied."""

    source: Path
    sha256: str
    added: list[Account] = field(default_factory=list)
    changed: list[AccountChange] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    applied: bool = False

    @property
    def any(self) -> bool:
        """Whether the import changes the registry at all."""
        return bool(self.added or self.changed or self.removed)

    def counts(self) -> dict[str, int]:
        """The counts the journal records."""
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "not_in_file": len(self.not_in_file),
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class _Stamp:
    """Where events come from: the file, when, who, and the policy that masks IDs."""

    source: str
    sha256: str
    at: datetime
    by: str
    policy: MaskingPolicy

    def today(self) -> date:
        return self.at.date()


# ---------------------------------------------------------------- reading


def _column(value: Any) -> Any:
    """A field's value as its column stores it (a role or state as its word)."""
    return value.value if isinstance(value, Role | Status) else value


# ---------------------------------------------------------------- importing


def _compare(session: Session, registry: Registry, remove: bool) -> RegistryChanges:
    """The difference between the database (read in ``session``) and ``registry``."""
    assert registry.path is not None
    stored = stored_accounts(session)
    changes = RegistryChanges(registry.path, "")
    listed = set()
    for account in registry.accounts:
        listed.add(account.account_id)
        row = stored.get(account.account_id)
        if row is None:
            changes.added.append(account)
            continue
        before = stored_account(row)
        differ = {
            name: (getattr(before, name), getattr(account, name))
            for name in FIELDS
            if getattr(before, name) != getattr(account, name)
        }
        if differ:
            changes.changed.append(AccountChange(account.account_id, differ))
        else:
            changes.unchanged += 1
    changes.not_in_file = [account_id for account_id in stored if account_id not in listed]
    if remove:
        changes.removed = list(changes.not_in_file)
    return changes


def _shown(name: str, value: Any, policy: MaskingPolicy) -> Any:
    """A value as an event keeps it: dates ISO, a national ID masked."""
    if isinstance(value, date):
        return value.isoformat()
    if name == "national_id" and isinstance(value, str):
        return mask_id(value, policy)
    return _column(value)


Event = tuple[str, date | None, dict[str, tuple[Any, Any]]]


def _events_of_new(account: Account) -> list[Event]:
    """A new account: taken in, opened, its state and its papers as the file gives them."""
    events: list[Event] = [("imported", None, {}), ("opened", account.opened, {})]
    kind, dated = _STATE_EVENTS[account.status]
    if dated is not None:
        on = getattr(account, dated)
        events.append((kind, on, {"status": (None, account.status), dated: (None, on)}))
    for name in _PAPERS:
        if (on := getattr(account, name)) is not None:
            events.append(("papers-on-file", on, {name: (None, on)}))
    return events


def _events_of_change(after: Account, differ: Mapping[str, tuple[Any, Any]]) -> list[Event]:
    """A changed account: a change of state, papers on file, then any other field."""
    rest = dict(differ)
    events: list[Event] = []
    if "status" in rest:
        kind, dated = _STATE_EVENTS[after.status]
        own = {"status", dated}
        events.append(
            (
                kind,
                getattr(after, dated) if dated else None,
                {name: rest.pop(name) for name in list(rest) if name in own},
            )
        )
    papers = {name: rest.pop(name) for name in _PAPERS if name in rest}
    if papers:
        dates = [new for _old, new in papers.values() if new is not None]
        events.append(("papers-on-file", max(dates) if dates else None, papers))
    if rest:
        events.append(("changed", None, rest))
    return events


def _event(account_id: str, event: Event, stamp: _Stamp) -> AccountEvent:
    kind, on, differ = event
    shown = {
        name: [_shown(name, old, stamp.policy), _shown(name, new, stamp.policy)]
        for name, (old, new) in differ.items()
    }
    return AccountEvent(
        account_id=account_id,
        kind=kind,
        on=on or stamp.today(),
        changes_json=json.dumps(shown, ensure_ascii=False, sort_keys=True),
        source=stamp.source,
        source_sha256=stamp.sha256,
        recorded_at=stamp.at,
        recorded_by=stamp.by,
    )


def _write(session: Session, registry: Registry, changes: RegistryChanges, stamp: _Stamp) -> None:
    """Apply ``changes`` (found by :func:`_compare` in this session) with their events."""
    stored = stored_accounts(session)
    position = {account.account_id: n for n, account in enumerate(registry.accounts, 1)}
    by_id = {account.account_id: account for account in registry.accounts}
    events = []
    for account in changes.added:
        values = {name: _column(getattr(account, name)) for name in FIELDS}
        session.add(RegistryAccount(**values, position=position[account.account_id]))
        events += [_event(account.account_id, e, stamp) for e in _events_of_new(account)]
    for change in changes.changed:
        row = stored[change.account_id]
        for name, (_old, new) in change.fields.items():
            setattr(row, name, _column(new))
        after = by_id[change.account_id]
        events += [
            _event(change.account_id, e, stamp) for e in _events_of_change(after, change.fields)
        ]
    for account_id in changes.removed:
        session.delete(stored.pop(account_id))
        events.append(_event(account_id, ("removed", None, {}), stamp))
    for account_id, row in stored.items():
        if account_id in position and row.position != position[account_id]:
            row.position = position[account_id]
    session.add_all(events)


def _lock(session: Session, db: Database) -> None:
    """On PostgreSQL, one import of an office's registry at a time (SQLite's write
    transaction already is one: ``BEGIN IMMEDIATE``)."""
    if db.dialect == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('docgen-accounts:' || current_schema()))")
        )


def import_registry(
    workspace: Workspace,
    db: Database,
    path: Path,
    *,
    apply: bool = True,
    remove: bool = False,
    actor: str = "",
) -> RegistryChanges:
    """Import the registry file at ``path`` into the office database (ISSUE 10 item 4).

    The file is checked whole first (a :class:`~docgen.errors.ValidationFailed` listing
    every bad row, and nothing written). Accounts new to the database are added,
    changed ones updated field by field, each with its history events; accounts the
    file does not list are kept (``not_in_file``) unless ``remove``. With ``apply``
    False nothing is written (a dry run). A change is journaled as ``accounts import``
    with the file's hash; an import that changes nothing writes and journals nothing.
    """
    path = Path(path)
    registry = read_registry(path)
    digest = sha256_file(path)
    stamp = _Stamp(
        path.name, digest, datetime.now(), actor or getpass.getuser(),
        workspace.config.masking.policy(),
    )  # fmt: skip
    with db.session() as session:
        _lock(session, db)
        changes = _compare(session, registry, remove)
        changes.sha256 = digest
        if apply and changes.any:
            _write(session, registry, changes, stamp)
            changes.applied = True
    if changes.applied:
        Journal(workspace.journal_path, workspace.root).append(
            IMPORT_COMMAND, inputs=[path], hashes={path: digest}, details=changes.counts()
        )
    return changes


def init_registry(workspace: Workspace, *, actor: str = "") -> RegistryChanges | None:
    """For ``docgen init``: make the new workspace's office database, and import the
    registry file it was laid out with (the example office's), journaled; ``None``
    when it has none. A database that already holds a registry (a shared server's
    office schema) is never overwritten with the example's."""
    from docgen.db.migrate import upgrade

    with Database(workspace.database_url, workspace.config.database.office) as db:
        upgrade(db)  # a new workspace: nothing to take over
        path = registry_file(workspace)
        if path is None:
            return None
        with db.session() as session:
            if stored_accounts(session):
                raise ConfigError(
                    _(
                        "{database}: the office database already holds an account registry; "
                        "{file} was laid out but not imported"
                    ).format(database=db.label, file=path)
                )
        return import_registry(workspace, db, path, actor=actor)


# ---------------------------------------------------------------- exporting


def export_registry(workspace: Workspace, db: Database, fmt: str, path: Path) -> int:
    """Write the registry to ``path`` as XLSX or CSV (UTF-8 with BOM) with the Chinese
    headers, in the format :func:`import_registry` reads back without a change; every
    text cell neutralised (:mod:`docgen.cells`), written atomically, journaled as
    ``accounts export``. The national IDs are written whole: the file is the
    registry (附件2/附件3 need them). Returns the number of accounts written."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(
            _("unknown format {format!r}: choose one of {formats}").format(
                format=fmt, formats=", ".join(EXPORT_FORMATS)
            )
        )
    registry = load_registry(workspace, db)
    rows = [{name: _column(getattr(a, name)) for name in FIELDS} for a in registry.accounts]
    # The file imports back: its headers are the registry's Chinese ones in every language.
    write_report(Report(N_("Account registry"), ACCOUNT_HEADERS, rows), fmt, path)
    Journal(workspace.journal_path, workspace.root).append(
        "accounts export", outputs=[path], details={"format": fmt, "accounts": len(rows)}
    )
    return len(rows)


# ---------------------------------------------------------------- reviews


def record_account_review(
    workspace: Workspace,
    db: Database,
    as_of: date,
    counts: Mapping[str, int],
    *,
    findings: int,
    outputs: Iterable[Path] = (),
    actor: str = "",
) -> None:
    """Record the account review (R4.1a) as of ``as_of`` — ``counts``: 帳號數 and the
    accounts in each category; ``findings``: its rows — and journal it as
    ``accounts review`` with the files written."""
    with db.session() as session:
        session.add(
            AccountReview(
                as_of=as_of,
                findings=findings,
                counts_json=json.dumps(dict(counts), ensure_ascii=False, sort_keys=True),
                recorded_at=datetime.now(),
                recorded_by=actor or getpass.getuser(),
            )
        )
    details = {"as_of": as_of.isoformat(), "findings": findings, "counts": dict(counts)}
    Journal(workspace.journal_path, workspace.root).append(
        REVIEW_COMMAND, outputs=outputs, details=details
    )


# ---------------------------------------------------------------- take-over


def _journal_reviews(workspace: Workspace) -> list[AccountReview]:
    """The account reviews an earlier docgen recorded only in the journal."""
    journal = Journal(workspace.journal_path, workspace.root)
    reviews = []
    for number, entry in enumerate(journal.entries(), 1):
        if entry.get("command") != REVIEW_COMMAND:
            continue
        details = entry.get("details") or {}
        counts = details.get("counts") or {}
        try:
            as_of = parse_date(str(details.get("as_of", "")))
            at = datetime.fromisoformat(str(entry.get("time", "")))
        except (InputError, ValueError) as error:
            raise InputError(
                _("{file}: entry {number} ({command}): {error}").format(
                    file=journal.path, number=number, command=REVIEW_COMMAND, error=error
                )
            ) from error
        reviews.append(
            AccountReview(
                as_of=as_of,
                findings=int(details.get("findings", 0)),
                counts_json=json.dumps(counts, ensure_ascii=False, sort_keys=True),
                recorded_at=at.astimezone().replace(tzinfo=None) if at.tzinfo else at,
                recorded_by="",
            )
        )
    return reviews


def take_over_accounts(conn: Connection, workspace: Workspace) -> None:
    """``docgen db upgrade``: import the workspace's registry file (if it has one) and
    the review dates of its journal, inside the migration's transaction (flushed,
    never committed here). A registry file with a bad row stops the upgrade with
    every bad row listed."""
    session = Session(bind=conn)
    try:
        path = registry_file(workspace)
        if path is not None:
            registry = read_registry(path)
            stamp = _Stamp(
                path.name, sha256_file(path), datetime.now(), "docgen db upgrade",
                workspace.config.masking.policy(),
            )  # fmt: skip
            _write(session, registry, _compare(session, registry, remove=False), stamp)
        session.add_all(_journal_reviews(workspace))
        session.flush()
    finally:
        session.close()
