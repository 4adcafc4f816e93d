"""A full pass over the inbox: every stable file filed (ISSUE 6 points 3–4).

The watcher runs one at its start and every ``archive.reconcile_minutes``; events only
hint at which files to look at sooner. ``docgen archive scan`` runs :func:`scan`.

Skipped in the inbox: sidecars (they travel with their file), hidden files, Office
lock files (``~$…``) and files a program is still writing under a temporary name
(``*.part``, ``*.tmp``, ``*.crdownload``).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docgen.archive.classify import is_sidecar
from docgen.archive.context import ArchiveContext
from docgen.archive.ingest import Filed, ingest_file
from docgen.archive.recovery import recover
from docgen.privacy import mask_ids_in_text

log = logging.getLogger("docgen.archive")
_TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp")


@dataclass
class PassResult:
    """What one pass did: files filed, files still being written, files that failed."""

    filed: list[Filed] = field(default_factory=list)
    waiting: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (shown path, message)


def is_ignored(path: Path) -> bool:
    name = path.name
    return (
        name.startswith((".", "~$"))
        or name.lower().endswith(_TEMPORARY_SUFFIXES)
        or is_sidecar(path)
    )


def inbox_files(ctx: ArchiveContext) -> list[Path]:
    """Every file in the inbox that is due to be filed, in path order."""
    found = []
    for folder, dirs, names in os.walk(ctx.inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder, n) for n in sorted(names) if not is_ignored(Path(folder, n))]
    return found


def ingest_one(
    ctx: ArchiveContext, path: Path, result: PassResult, first_seen: datetime | None = None
) -> None:
    """File ``path`` into ``result``; an error is logged and noted, never raised."""
    try:
        filed = ingest_file(ctx, path, first_seen)
    except Exception as error:  # one bad file must not stop the others (ISSUE 6 point 4)
        message = mask_ids_in_text(f"{type(error).__name__}: {error}")
        log.error("could not file %s: %s", ctx.shown(path), message)
        result.failed.append((ctx.shown(path), message))
        return
    if filed is not None:
        result.filed.append(filed)
    elif path.exists():
        result.waiting.append(path)


def reconcile(ctx: ArchiveContext, paths: list[Path] | None = None) -> PassResult:
    """One pass over ``paths`` (default: the whole inbox)."""
    result = PassResult()
    for path in inbox_files(ctx) if paths is None else paths:
        ingest_one(ctx, path, result)
    return result


def scan(ctx: ArchiveContext, max_wait: float | None = None) -> PassResult:
    """Recover, then file the inbox, waiting for files still being written for up to
    ``max_wait`` seconds (default: three times ``archive.stable_seconds`` + 5 s)."""
    recover(ctx)
    stable = ctx.config.archive.stable_seconds
    deadline = time.monotonic() + (3 * stable + 5 if max_wait is None else max_wait)
    total = reconcile(ctx)
    while total.waiting and time.monotonic() < deadline:
        time.sleep(min(1.0, max(stable / 4, 0.05)))
        again = reconcile(ctx, total.waiting)
        total.filed += again.filed
        total.failed += again.failed
        total.waiting = again.waiting
    return total
