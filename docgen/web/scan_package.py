"""The package from the returned scans, in the browser (ISSUE 13 items 1 and 2;
R6.2–R6.4).

* ``POST /spot-check/<month>/<unit>/package``: once a unit's results are approved
  and the signed colour scan of its completed 附件4 is filed, the 管理者 or the
  檔管人員 builds the unit's package of the month;
* ``POST /half-year/<half>/package``: once the director reviewed the half's 附件4
  半年抽查 and 附件5 and their scans are filed, the 稽核人員 or the 管理者 builds the
  half's package (the colour scans R6.4 sends to 民政局).

Each is one call of :func:`docgen.services.scan_package.build_returned_package`
(which journals it); a refusal is its one line, shown on the page the person came
from. The package goes into the archive's inbox, and once the archive files it the
page links to its record. Who may build is the permission table's
(:mod:`docgen.web.permissions`); the spot-check and half-year pages show each unit's
scans and packages (:func:`docgen.services.scan_package.returned`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from docgen.calendar import format_roc_short
from docgen.errors import DocgenError
from docgen.i18n import _
from docgen.rules.obligations import WHOLE_OFFICE
from docgen.services.scan_package import ReturnedPackage, build_returned_package
from docgen.web.app import state
from docgen.web.spot_check import period_of

bp = Blueprint("scan_package", __name__)


def _build(period: str, unit: str) -> None:
    """Build the package and say what was built, or why not."""
    web = state()
    try:
        built = build_returned_package(
            web.workspace, web.db, period, unit, by=str(current_user.username)
        )
    except DocgenError as error:
        flash(_("Not built: {problem}").format(problem=error.message), "problem")
        return
    flash(_built(built))


def _built(built: ReturnedPackage) -> str:
    result = built.result
    return _(
        "Built the package {name} (version {version}): {pages} pages from {files} files, "
        "review date {date}. It waits in archive/inbox/ to be filed; once filed, its "
        "record is linked on this page."
    ).format(
        name=built.inbox.name,
        version=built.version,
        pages=result.pages,
        files=len(result.sources),
        date=format_roc_short(built.review_date),
    )


@bp.post("/spot-check/<month>/<unit>/package")
def build_month(month: str, unit: str) -> Any:
    period = period_of(month)
    _build(period.label, unit)
    return redirect(url_for("spot_check.overview", month=period.label))


@bp.post("/half-year/<half>/package")
def build_half(half: str) -> Any:
    period = period_of(half, "half")
    _build(period.label, WHOLE_OFFICE)
    return redirect(url_for("half_year.overview", half=period.label))
