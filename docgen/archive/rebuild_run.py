"""``docgen archive rebuild`` as one use case (ISSUE 6 point 8, ISSUE 9, ISSUE 10 item 1):
:func:`rebuild_archive` takes the locks, fills a scratch database from the files
(:mod:`docgen.archive.rebuild`), and then compares it (``--check``), writes it to a file
(``-o``), or puts it in place of the archive's rows in the office database
(:mod:`docgen.archive.rebuild_replace`) — then writes again the tombstones and hold
files the journal gives, and journals the rebuild. The CLI prints what it returns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from docgen.archive.context import open_archive
from docgen.archive.db import Index
from docgen.archive.disposal import disposal_lock
from docgen.archive.holds import export_holds
from docgen.archive.rebuild import (
    RebuildResult,
    compare,
    rebuild_into,
    remove_database,
    scratch_path,
    workspace_journal,
)
from docgen.archive.rebuild_replace import Kept, apply_recorded_reviews, replace_archive
from docgen.archive.rebuild_trail import rewrite_tombstones
from docgen.archive.recovery import recover
from docgen.config import Workspace
from docgen.i18n import _
from docgen.journal import Journal


@dataclass
class Rebuilt:
    """What a rebuild did: its result, the database it rebuilt (``label``), and — by
    mode — the differences found (``--check``), or where the replaced rows are kept,
    and the trail files written again from the journal."""

    result: RebuildResult
    database: str
    differences: list[str] | None = None
    kept: Kept | None = None
    output: Path | None = None
    tombstones: list[Path] = field(default_factory=list)
    hold_files: list[Path] = field(default_factory=list)


def rebuild_archive(
    workspace: Workspace, now: datetime, check: bool = False, output: Path | None = None
) -> Rebuilt:
    """Rebuild the archive index of ``workspace`` from its files (see the module
    docstring); ``check`` only compares, ``output`` writes the new index there and
    leaves the office database alone. Not while a disposal runs, nor while anything
    files (the disposal and archive locks)."""
    # the disposal lock too: no disposal may change the trail while it is read back
    with disposal_lock(workspace, _("nothing was rebuilt")), open_archive(workspace) as ctx:
        recover(ctx)
        trail = workspace_journal(ctx)
        target = output or scratch_path(ctx)
        try:
            result = rebuild_into(ctx, target, trail)
            done = Rebuilt(result, ctx.index.label, output=output)
            with Index.scratch(target) as new:
                apply_recorded_reviews(ctx.index, new)
                if check:
                    done.differences = compare(ctx.index, new)
                    return done
                if output is None:
                    done.kept = replace_archive(ctx.index, new, workspace.state_dir, now)
        finally:
            if output is None:
                remove_database(target)
        if done.kept is not None:
            done.tombstones = rewrite_tombstones(ctx.root, trail, result.tombstones_to_rewrite)
            done.hold_files = export_holds(ctx.index, ctx.root)
    written = [output] if output is not None else [done.kept.path] if done.kept else []
    Journal(workspace.journal_path, workspace.root).append(
        "archive rebuild",
        outputs=[*written, *done.tombstones, *done.hold_files],
        details={**asdict(result), "database": done.database},
    )
    return done
