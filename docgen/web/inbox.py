"""The archive's inbox in the browser (ISSUE 13 item 4): what waits to be filed
(:func:`docgen.services.archive.inbox_waiting`) and, for the 檔管人員, *File the inbox
now* — one pass of the archive (:func:`docgen.services.archive.file_inbox`, as
``docgen archive scan``), for when no watcher runs or a file should not wait for it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from docgen.errors import DocgenError
from docgen.i18n import _
from docgen.services.archive import file_inbox, inbox_waiting
from docgen.web.app import state

bp = Blueprint("inbox", __name__)

#: The longest a pass started from the page waits for files still being written.
WAIT_SECONDS = 15.0


@bp.get("/archive/inbox")
def waiting() -> Any:
    shown, total = inbox_waiting(state().workspace)
    return render_template("inbox.html", waiting=shown, total=total)


@bp.post("/archive/inbox/scan")
def scan() -> Any:
    workspace = state().workspace
    wait = min(WAIT_SECONDS, workspace.config.archive.stable_seconds * 2 + 1)
    try:
        done = file_inbox(workspace, wait)
    except DocgenError as error:
        flash(error.message, "problem")
        return redirect(url_for("inbox.waiting"))
    result = done.result
    flash(
        _("{filed} files filed, {waiting} still being written, {failed} refused.").format(
            filed=len(result.filed), waiting=len(result.waiting), failed=len(result.failed)
        )
    )
    for name, why in result.failed[:20]:
        flash(_("{file}: {problem}").format(file=name, problem=why), "problem")
    return redirect(url_for("inbox.waiting"))
