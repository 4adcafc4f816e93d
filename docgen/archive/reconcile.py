"""A full pass over the inbox: every stable file filed (ISSUE 6 points 3–4).

The watcher runs one at its start and every ``archive.reconcile_minutes``; events only
hint at which files to look at sooner. ``docgen archive scan`` runs :func:`scan`.

Skipped in the inbox: sidecars (they travel with their file), hidden files, Office
lock files (``~$…``) and files a program is still writing under a temporary name
(``*.part``, ``*.tmp``, ``*.crdownload``, ``*.partial``, ``*.swp``).

Only regular files are filed (ISSUE 9 item 2): a symbolic link (to a file or a
folder), a device, a FIFO or a socket is reported — one line naming it — and left
alone, never opened; a linked folder is not descended into.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from docgen.archive.classify import is_sidecar
from docgen.archive.context import ArchiveContext
from docgen.archive.ingest import PassResult, ingest_batch, report, sidecar_still_needed
from docgen.archive.paths import refusal, walk
from docgen.archive.recovery import recover

_TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp")
#: Files filed per batch (they share transactions and fsyncs).
BATCH = 200


def is_ignored(path: Path) -> bool:
    name = path.name
    return (
        name.startswith((".", "~$"))
        or name.lower().endswith(_TEMPORARY_SUFFIXES)
        or is_sidecar(path)
    )


def list_inbox(ctx: ArchiveContext) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(every regular file due to be filed, in path order; every other entry with why
    it is left alone: links, devices, FIFOs, sockets — ISSUE 9 item 2)."""
    files, others = walk(ctx.inbox)
    refused = [(p, refusal(ctx.inbox, p)) for p in others if not _hidden_or_temporary(p)]
    return [p for p in files if not is_ignored(p)], [(p, why) for p, why in refused if why]


def _hidden_or_temporary(path: Path) -> bool:
    return is_ignored(path) and not is_sidecar(path)


def inbox_files(ctx: ArchiveContext) -> list[Path]:
    """Every regular file in the inbox that is due to be filed, in path order."""
    return list_inbox(ctx)[0]


def orphan_sidecars(ctx: ArchiveContext) -> list[Path]:
    """Sidecars in the inbox whose file is not there (it was filed before the sidecar
    came, or never arrived): they wait, and :func:`scan` names them."""
    return [p for p in walk(ctx.inbox)[0] if is_sidecar(p) and not sidecar_still_needed(p)]


def file_paths(
    ctx: ArchiveContext,
    items: Sequence[tuple[Path, datetime]],
    stop: threading.Event | None = None,
) -> PassResult:
    """File ``items`` (path, when first seen) in batches; stops early when ``stop`` is set."""
    result = PassResult()
    for start in range(0, len(items), BATCH):
        if stop is not None and stop.is_set():
            result.waiting += [p for p, _ in items[start:]]
            break
        result.add(ingest_batch(ctx, list(items[start : start + BATCH])))
    return result


def reconcile(ctx: ArchiveContext, paths: list[Path] | None = None) -> PassResult:
    """One pass over ``paths`` (default: the whole inbox, whose entries that are not
    regular files are reported as failed, and left alone)."""
    now = datetime.now()
    if paths is not None:
        return file_paths(ctx, [(p, now) for p in paths])
    files, refused = list_inbox(ctx)
    result = PassResult()
    for path, why in refused:
        report(ctx, path, why, result)
    result.add(file_paths(ctx, [(p, now) for p in files]))
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
        again = reconcile(ctx, [p for p in total.waiting if os.path.lexists(p)])
        total.filed += again.filed
        total.failed += again.failed
        total.failed_paths += again.failed_paths
        total.notes += again.notes
        total.waiting = again.waiting
    return total
