"""Settling the ingests a killed process left (ISSUE 6 point 3: crash safety).

Run under the archive lock before any filing (scan, watch, rebuild). For each intent:

* ``done`` — the rows are committed: remove the inbox copy (if it still has the
  filed content) and the intent;
* ``pending`` with the inbox file still there — roll back: remove the target (the
  index does not know it) and the intent; the file is ingested again;
* ``pending`` with the inbox file gone but the target in place with the right hash —
  roll forward: record it as the intent planned;
* otherwise nothing is left to settle: the intent is dropped with a warning.

An intent names its inbox file as shown (IDs masked, controls escaped), so the file is
found by :meth:`~docgen.archive.context.ArchiveContext.inbox_path`; a target that
leads outside ``records/`` (an index edited by hand) is never touched (ISSUE 9 item 1).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from docgen.archive.context import ArchiveContext
from docgen.archive.ingest import (
    commit_filing,
    finish,
    mark_done,
    place_sidecar,
    roll_back,
    sidecar_source,
)
from docgen.archive.placement import fsync_dir
from docgen.db.models.archive import Intent
from docgen.errors import IntegrityError
from docgen.fsutil import sha256_file
from docgen.i18n import _

log = logging.getLogger("docgen.archive")


def _drop(ctx: ArchiveContext, intent: Intent) -> None:
    with ctx.index.session() as session:
        session.delete(session.merge(intent))


def _roll_forward(ctx: ArchiveContext, intent: Intent) -> None:
    sidecar = ctx.target(intent.sidecar_target) if intent.sidecar_target else None
    if sidecar is not None and not sidecar.exists():
        source_gone = intent.sidecar_source and sidecar_source(ctx, intent) is None
        if source_gone:
            intent.sidecar_target = ""
        else:
            place_sidecar(ctx, intent)
            fsync_dir(sidecar.parent)
    with ctx.index.session() as session:
        commit_filing(ctx, session, intent)
        mark_done(session, [intent])
    ctx.known_paths().update(p for p in (intent.target, intent.sidecar_target) if p)
    finish(ctx, [intent])
    log.info(_("recovery: completed the filing of {file}").format(file=ctx.shown(intent.target)))


def recover(ctx: ArchiveContext) -> int:
    """Settle every intent left behind; returns how many there were."""
    with ctx.index.session() as session:
        intents = list(session.scalars(select(Intent).order_by(Intent.id)))
    for intent in intents:
        try:
            _settle(ctx, intent)
        except IntegrityError as error:
            log.error(
                _("recovery: dropped the intent for {file}: {error}").format(
                    file=ctx.shown(intent.source), error=error
                )
            )
            _drop(ctx, intent)
    return len(intents)


def _settle(ctx: ArchiveContext, intent: Intent) -> None:
    target = ctx.target(intent.target)
    if intent.state == "done":
        finish(ctx, [intent])
    elif ctx.inbox_path(intent.source, intent.sha256) is not None:
        roll_back(ctx, intent)
    elif target.exists() and sha256_file(target) == intent.sha256:
        _roll_forward(ctx, intent)
    else:
        log.warning(
            _("recovery: {file} vanished before it was filed").format(file=ctx.shown(intent.source))
        )
        _drop(ctx, intent)
