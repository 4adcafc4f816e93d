"""The office database's own use cases: upgrade, check, backup, restore (ISSUE 10 item 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from docgen.archive.fixity import records_on_disk
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.maintenance import backup, check_backup, integrity_problems, restore
from docgen.db.migrate import check_revision, open_database, upgrade
from docgen.db.models.archive import File
from docgen.i18n import _
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text
from docgen.services.takeover import take_over


@dataclass(frozen=True)
class Upgrade:
    """What ``db upgrade`` did: the revision before (``None``: a new database) and after."""

    label: str
    before: str | None
    after: str


def _journal(workspace: Workspace) -> Journal:
    return Journal(workspace.journal_path, workspace.root)


def _database(workspace: Workspace) -> Database:
    return Database(workspace.database_url, workspace.config.database.office)


def upgrade_database(workspace: Workspace) -> Upgrade:
    """Bring the office database to this docgen's revision; a new one takes over the
    state an earlier docgen kept in files."""
    with _database(workspace) as db:
        before, after = upgrade(db, (take_over, workspace))
        result = Upgrade(db.label, before, after)
    if before != after:
        _journal(workspace).append(
            "db upgrade", details={"database": result.label, "from": before, "to": after}
        )
    return result


def orphan_problems(workspace: Workspace, db: Database) -> list[str]:
    """Files under ``records/`` the database does not know, and filed files it knows
    whose bytes are gone."""
    with db.session() as session:
        rows = session.execute(select(File.path, File.status)).all()
    known = {path for path, _status in rows}
    orphan = _("orphan file: {path} is under records/ but not in the database")
    problems = [
        orphan.format(path=path)
        for path in sorted(records_on_disk(workspace.archive_root).keys() - known)
    ]
    root = workspace.archive_root
    missing = _("missing file: {path} is in the database but gone from the archive")
    problems += [
        missing.format(path=path)
        for path, status in sorted(rows)
        if status != "disposed" and not (root / path).exists()
    ]
    return [mask_ids_in_text(line) for line in problems]


def check_database(workspace: Workspace) -> tuple[str, list[str]]:
    """The database's label and every problem found: its revision, the engine's
    integrity and foreign-key checks, and orphan files."""
    with _database(workspace) as db:
        if check_revision(db) is None:
            return db.label, [_("the office database has no tables yet: run `docgen db upgrade`")]
        return db.label, integrity_problems(db) + orphan_problems(workspace, db)


def backup_database(workspace: Workspace, target: Path) -> str:
    """Copy the office database to ``target``; its label."""
    with open_database(workspace) as db:
        backup(db, target)
        label = db.label
    _journal(workspace).append("db backup", outputs=[target], details={"database": label})
    return label


def restore_database(workspace: Workspace, source: Path, now: datetime) -> Path | None:
    """Replace the office database with the backup at ``source``, after keeping the
    current one as a backup in the state folder; returns that backup's path (``None``
    when there was nothing to keep)."""
    with _database(workspace) as db:
        check_backup(db, source)
        kept = None
        if db.revision() is not None:
            suffix = "sqlite" if db.dialect == "sqlite" else "pgdump"
            kept = workspace.state_dir / f"office.before-restore-{now:%Y%m%d-%H%M%S}.{suffix}"
            backup(db, kept)
        restore(db, source)
        label = db.label
    _journal(workspace).append(
        "db restore",
        inputs=[source],
        details={"database": label, "kept": str(kept) if kept else None},
    )
    return kept
