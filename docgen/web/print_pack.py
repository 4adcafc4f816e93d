"""The month's print pack of the monthly spot check (ISSUE 13 item 1; R6.2).

``/spot-check/<month>/print-pack``: the 管理者 (or the 處長) downloads one PDF with the
completed 附件4 of every unit of the month whose results are submitted, a bookmark
per unit (:func:`docgen.services.print_pack.print_pack`, which writes it to
``out/audit/<month>/列印/`` and journals it). The download itself is journalled by the
application (``web download``). A refusal — no unit has submitted yet — is the
service's one line, shown on the month's spot-check page, which also names the units
not submitted (they are not in the pack).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, send_file, url_for
from flask_login import current_user

from docgen.audit.outputs import shown_path
from docgen.errors import DocgenError
from docgen.services.print_pack import print_pack
from docgen.web.app import state
from docgen.web.spot_check import period_of

bp = Blueprint("print_pack", __name__)


@bp.get("/spot-check/<month>/print-pack")
def download(month: str) -> Any:
    web, period = state(), period_of(month)
    try:
        pack = print_pack(web.workspace, web.reader, period.label, actor=str(current_user.username))
    except DocgenError as error:
        flash(error.message, "problem")
        return redirect(url_for("spot_check.overview", month=period.label))
    handle = open(pack.path, "rb")  # noqa: SIM115 (send_file closes it)
    g.download = {
        "month": period.label,
        "file": shown_path(web.workspace, pack.path),
        "format": "pdf",
        "units": list(pack.units),
        "record_ids": list(pack.record_ids),
        "sha256": pack.sha256,
    }
    return send_file(
        handle, mimetype="application/pdf", as_attachment=True, download_name=pack.path.name
    )
