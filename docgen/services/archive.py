"""Filing into the archive, on record (ISSUE 10 item 3): a scan of the inbox and each
pass of the watcher journal what they filed, the same from every interface."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docgen.archive.classify import find_sidecar
from docgen.archive.context import INBOX, open_archive
from docgen.archive.ingest import PassResult
from docgen.archive.paths import walk
from docgen.archive.plan import Filed
from docgen.archive.reconcile import is_ignored, orphan_sidecars
from docgen.archive.reconcile import scan as scan_inbox
from docgen.config import Workspace
from docgen.journal import Journal
from docgen.privacy import mask_ids_in_text
from docgen.textsafe import escape_controls


@dataclass(frozen=True)
class InboxScan:
    """What one scan of the inbox did, and the sidecars it found without their file."""

    result: PassResult
    orphans: list[str]
    shown_waiting: list[str]


def filed_details(filed: Sequence[Filed]) -> dict[str, Any]:
    """The journal's account of files filed: counts by status, and each file (IDs in
    its name masked, R8)."""
    counts: dict[str, int] = {}
    for item in filed:
        counts[item.status] = counts.get(item.status, 0) + 1
    files = [
        {
            "path": mask_ids_in_text(f.path),
            "record_id": f.record_id,
            "status": f.status,
            "sha256": f.sha256,
        }
        for f in filed
    ]
    return {"counts": counts, "files": files}


def record_filed(workspace: Workspace, command: str, filed: Sequence[Filed]) -> None:
    """Journal a batch of filed files (nothing when none was filed)."""
    if filed:
        Journal(workspace.journal_path, workspace.root).append(
            command, details=filed_details(filed)
        )


def file_inbox(workspace: Workspace, wait: float | None) -> InboxScan:
    """File everything stable in ``archive/inbox/`` once (R6.2–R6.4, 檔案法), under the
    filing lock, and journal what was filed."""
    with open_archive(workspace) as ctx:
        result = scan_inbox(ctx, max_wait=wait)
        orphans = [ctx.shown(p) for p in orphan_sidecars(ctx)]
        waiting = [ctx.shown(p) for p in result.waiting]
    record_filed(workspace, "archive scan", result.filed)
    return InboxScan(result, orphans, waiting)


@dataclass(frozen=True)
class Waiting:
    """A file in the inbox not filed yet: its name there (IDs masked, controls escaped),
    size, last change and whether a sidecar says what it is."""

    name: str
    size: int
    modified: datetime
    classified: bool


def inbox_waiting(workspace: Workspace, limit: int = 500) -> tuple[list[Waiting], int]:
    """What waits in ``archive/inbox/`` (ISSUE 13 item 4), without the archive's lock:
    the first ``limit`` files due to be filed, in path order, and how many there are."""
    inbox = workspace.archive_root / INBOX
    if not inbox.is_dir():
        return [], 0
    files = [p for p in walk(inbox)[0] if not is_ignored(p)]
    shown: list[Waiting] = []
    for path in files[:limit]:
        try:
            st = os.lstat(path)
        except OSError:
            continue
        name = escape_controls(mask_ids_in_text(str(path.relative_to(inbox))))
        modified = datetime.fromtimestamp(st.st_mtime)
        shown.append(Waiting(name, st.st_size, modified, find_sidecar(path) is not None))
    return shown, len(files)
