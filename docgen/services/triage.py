"""Triage of an unclassified file by the 檔管人員 (ISSUE 13 item 4; 檔案法): saying what
it is — its retention category, and the period, unit and title it belongs to — so that
the archive files it under its retention; or saying that it is not a record of the
office at all (:func:`reject_file`).

The file goes back through the inbox, the archive's one way in (README: "to file an
unclassified file, put it back in the inbox together with a sidecar"): a copy of its
bytes, under the name it arrived with, with a sidecar holding what the 檔管人員 said
(checked field by field as any sidecar, :func:`docgen.archive.claims.check_metadata`).
The next pass of the archive (``docgen archive watch`` or ``scan``) files it, and the
unclassified copy becomes its duplicate — never lost. Journalled as ``archive
classify``.

A file that is no record (a blank page, a stray or personal file, a scan meant for
another office) is *rejected* with the reason: its record's status becomes
``rejected`` and the reason replaces why it was unclassified. Nothing is moved or
deleted — the archive removes files only by an approved disposal — but the
unclassified report no longer asks anyone to sort it, and it is never a disposal
candidate. Journalled as ``archive reject``, which is what an index rebuild replays
(:mod:`docgen.archive.rebuild_trail`). A wrong rejection is mended by classifying the
file after all: a rejected file may be classified like an unclassified one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select, update

from docgen.archive.claims import check_metadata
from docgen.archive.classify import CATEGORIES, complete
from docgen.archive.context import INBOX
from docgen.archive.db import open_index
from docgen.archive.paths import contained, safe_file_name
from docgen.archive.placement import NOT_CLASSIFIED, REJECTED
from docgen.config import Workspace
from docgen.db.models.archive import File, Record
from docgen.errors import InputError
from docgen.fsutil import atomic_path, atomic_write_text
from docgen.i18n import _
from docgen.journal import Journal
from docgen.metadata import RecordMetadata, sidecar_path, sidecar_yaml
from docgen.privacy import mask_ids_in_text

#: The longest reason kept with a rejection.
MAX_REASON = 500

#: The folder of the inbox files sent back by triage go to.
TRIAGED = "分類"


@dataclass(frozen=True)
class Classified:
    """What triage put in the inbox: the file (inbox-relative) and its metadata."""

    inbox_name: str
    metadata: RecordMetadata


def classify_file(
    workspace: Workspace,
    record_id: str,
    category: str,
    *,
    period: str = "",
    unit: str = "",
    title: str = "",
    by: str,
) -> Classified:
    """Say what the unclassified record ``record_id`` is and send its file back through
    the inbox with that sidecar (see the module)."""
    if category not in CATEGORIES:
        raise InputError(
            _("category {category!r}: not a retention category").format(category=category[:40])
        )
    if unit and unit not in {u.name for u in workspace.config.units}:
        raise InputError(_("單位 {unit}: not a unit of docgen.toml").format(unit=unit[:40]))
    where = _("the classification of {record}").format(record=record_id)
    meta = complete(
        check_metadata(
            RecordMetadata(
                category=category, period=period.strip(), unit=unit, title=title.strip()
            ),
            where,
        )
    )
    with open_index(workspace) as index, index.session() as session:
        record = session.get(Record, record_id)
        if record is None or record.status not in NOT_CLASSIFIED:
            raise InputError(_("{record} is not an unclassified file").format(record=record_id))
        query = select(File).where(File.record_id == record_id, File.status != "disposed")
        stored = session.scalars(query.order_by(File.id)).first()
        if stored is None:
            raise InputError(_("{record} has no file left to classify").format(record=record_id))
        relative, original = stored.path, stored.original_name
    source = workspace.archive_root / relative
    contained(workspace.archive_root, source)  # never through a link out of the archive
    stem, suffix = safe_file_name(PurePosixPath(original or relative).name)
    # The record ID in the name: two unclassified files of one name never meet here.
    target = workspace.archive_root / INBOX / TRIAGED / f"{record_id}_{stem}{suffix}"
    if target.exists() or sidecar_path(target).exists():
        raise InputError(
            _("{record} was sent back to the inbox already: it waits to be filed").format(
                record=record_id
            )
        )
    atomic_write_text(sidecar_path(target), sidecar_yaml(meta))
    with atomic_path(target) as tmp:
        tmp.write_bytes(source.read_bytes())
    shown = f"{TRIAGED}/{target.name}"
    details = {
        "user": by,
        "record_id": record_id,
        "inbox": shown,
        "category": meta.category,
        "period": meta.period,
        "unit": meta.unit,
    }
    Journal(workspace.journal_path, workspace.root).append("archive classify", details=details)
    return Classified(shown, meta)


def reject_file(workspace: Workspace, record_id: str, reason: str, *, by: str) -> str:
    """Say that the unclassified record ``record_id`` is no record of the office, and
    why (see the module): its status becomes ``rejected``. Returns the reason as kept
    (national IDs masked, R8: it is kept for years and shown to every archivist)."""
    kept = mask_ids_in_text(" ".join(reason.split()))[:MAX_REASON]
    if not kept:
        raise InputError(_("say why the file is no record (the reason is kept with it)"))
    with open_index(workspace) as index, index.session() as session:
        # Compare and set: a pass of the archive filing a classified copy of the same
        # file at this moment absorbs the record, and then there is nothing to reject.
        done = session.execute(
            update(Record)
            .where(Record.record_id == record_id, Record.status == "unclassified")
            .values(status=REJECTED, reason=kept)
        )
        if getattr(done, "rowcount", 0) != 1:
            raise InputError(_("{record} is not an unclassified file").format(record=record_id))
    details = {"user": by, "record_id": record_id, "reason": kept}
    Journal(workspace.journal_path, workspace.root).append("archive reject", details=details)
    return kept
