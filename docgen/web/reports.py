"""The reports in the browser (ISSUE 12 item 3): missing, retention (the draft
銷毀目錄), fixity, unclassified and the evidence check — each shown as a page and
downloadable as XLSX and CSV written by :func:`docgen.report.write_report` from the
report the CLI's command builds with the same library function
(``docgen archive report KIND``: :func:`docgen.archive.reports.build_report`;
``docgen evidence check``: :func:`docgen.archive.evidence.evidence_report`).

A unit supervisor sees the missing report and the evidence check of their own unit
only (:mod:`docgen.web.scope`); the other reports are the archive's, office-wide, and
the permission table opens them only to office-wide roles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from io import BytesIO
from typing import Any

from flask import Blueprint, abort, g, render_template, request, send_file, url_for

from docgen.archive.db import open_index
from docgen.archive.disposal_report import ORPHAN, disposals_report
from docgen.archive.evidence import evidence_report
from docgen.archive.reports import UNFINISHED_DISPOSAL, build_report
from docgen.audit.samples import list_samples
from docgen.calendar import Period, parse_date, parse_period
from docgen.errors import InputError
from docgen.i18n import N_, _
from docgen.journal import Journal
from docgen.report import Report
from docgen.web import scope
from docgen.web.app import state
from docgen.web.pages import DOWNLOADS, written
from docgen.web.permissions import PAGES, may_open

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: The reports, in the order the index lists them: page key, endpoint, what it is.
REPORTS = (
    (
        "report-missing",
        "reports.missing",
        N_("Obligations without their record, lost files, records awaiting the review."),
    ),
    (
        "report-retention",
        "reports.retention",
        N_("The draft destruction list: records past their retention period."),
    ),
    ("report-fixity", "reports.fixity", N_("Changed, lost or unknown files in the archive.")),
    ("report-unclassified", "reports.unclassified", N_("Files to sort by hand.")),
    (
        "report-evidence",
        "reports.evidence",
        N_("Is the evidence of a month or half-year complete (R6.2–R6.5, R7.2)?"),
    ),
)


def _as_of() -> date:
    """``?as_of=`` (ISO or ROC, as the CLI's --as-of), else today."""
    given = request.args.get("as_of", "").strip()[:20]
    if not given:
        return date.today()
    try:
        return parse_date(given)
    except InputError:
        abort(400)


def _units() -> frozenset[str] | None:
    return g.units if g.get("unit") is None else frozenset({g.unit})


def _unit_choice() -> list[str]:
    if g.units is not None:
        return sorted(g.units)
    return [unit.name for unit in state().workspace.config.units]


def _page(
    report: Report,
    key: str,
    download: str,
    params: dict[str, Any],
    *,
    scoped: bool = False,
    **extra: Any,
) -> str:
    return render_template(
        "report.html",
        report=report,
        page_title=PAGES[key].title,
        key=key,
        endpoint=request.endpoint,
        download=download,
        params={k: v for k, v in params.items() if v},
        units=_unit_choice() if scoped else [],
        unit=g.get("unit"),
        **extra,
    )


def report_download(report: Report, name: str, details: dict[str, Any]) -> Any:
    """``report`` as the CLI's ``--format xlsx|csv -o FILE`` writes it; the download is
    journalled (who, which report, rows, SHA-256) on the way out."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in DOWNLOADS:
        abort(404)
    data = written(report, fmt)
    g.download = {
        **details,
        "format": fmt,
        "rows": len(report.rows),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return send_file(
        BytesIO(data), mimetype=DOWNLOADS[fmt], as_attachment=True, download_name=f"{name}.{fmt}"
    )


@bp.get("/")
def index() -> Any:
    from flask_login import current_user

    shown = [
        (PAGES[key].title, url_for(endpoint), about)
        for key, endpoint, about in REPORTS
        if may_open(current_user.roles, key)
    ]
    return render_template("reports.html", reports=shown)


# --- missing ---------------------------------------------------------------------------


def _missing() -> tuple[Report, date]:
    as_of = _as_of()
    return scope.missing(as_of, _units(), whole_calendar=False), as_of


@bp.get("/missing")
def missing() -> Any:
    report, _as_of_date = _missing()
    params = {"as_of": request.args.get("as_of", "")[:20], "unit": g.get("unit")}
    return _page(report, "report-missing", "reports.missing_download", params, scoped=True)


@bp.get("/missing/download")
def missing_download() -> Any:
    report, as_of = _missing()
    details = {"report": "missing", "as_of": as_of.isoformat()}
    return report_download(report, f"missing-{as_of.isoformat()}", details)


# --- retention, fixity, unclassified (the archive's, office-wide) ---------------------


def _retention() -> tuple[Report, date, bool]:
    as_of, list_all = _as_of(), request.args.get("all") == "1"
    report = build_report(state().workspace, "retention", as_of, list_all=list_all)
    return _note_tombstone_only(report), as_of, list_all


def _note_tombstone_only(report: Report) -> Report:
    """As ``docgen archive report retention`` notes it (docgen/cli/archive_reports.py
    ``_note_tombstone_only``): a disposal left with only its tombstone is unfinished."""
    if UNFINISHED_DISPOSAL in report.summary:
        return report
    workspace = state().workspace
    book = Journal(workspace.journal_path, workspace.root)
    with open_index(workspace) as index:
        rows = disposals_report(index, workspace.archive_root, book).rows
    orphans = [r["record_id"] for r in rows if r.get("kind") == ORPHAN]
    if not orphans:
        return report
    shown = _("of {records} (tombstone only)").format(records=" ".join(orphans))
    return replace(report, summary={**report.summary, UNFINISHED_DISPOSAL: shown})


@bp.get("/retention")
def retention() -> Any:
    report, _as_of_date, list_all = _retention()
    params = {"as_of": request.args.get("as_of", "")[:20], "all": "1" if list_all else ""}
    return _page(report, "report-retention", "reports.retention_download", params, list_all=True)


@bp.get("/retention/download")
def retention_download() -> Any:
    report, as_of, list_all = _retention()
    details = {"report": "retention", "as_of": as_of.isoformat(), "all": list_all}
    return report_download(report, f"retention-{as_of.isoformat()}", details)


def _archive_report(kind: str) -> Report:
    return build_report(state().workspace, kind, date.today())


def _simple(kind: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
    key = f"report-{kind}"

    def page() -> Any:
        return _page(_archive_report(kind), key, f"reports.{kind}_download", {})

    def download() -> Any:
        details = {"report": kind, "as_of": date.today().isoformat()}
        return report_download(_archive_report(kind), f"{kind}-{date.today().isoformat()}", details)

    return page, download


for _kind in ("fixity", "unclassified"):
    _view, _get = _simple(_kind)
    bp.add_url_rule(f"/{_kind}", _kind, _view, methods=["GET"])
    bp.add_url_rule(f"/{_kind}/download", f"{_kind}_download", _get, methods=["GET"])


# --- the evidence check ---------------------------------------------------------------


def _sampled_periods() -> list[str]:
    web = state()
    return sorted({s.period for s in list_samples(web.workspace, db=web.reader)}, reverse=True)


def _period(choices: list[str]) -> Period | None:
    given = request.args.get("period", "").strip()[:20]
    if not given:
        return parse_period(choices[0]) if choices else None
    try:
        return parse_period(given)
    except InputError:
        abort(400)


def _evidence(period: Period) -> Report:
    """``docgen evidence check`` of ``period`` as of ``?as_of=``, kept to the units seen."""
    report = evidence_report(state().workspace, period, _as_of())
    units = _units()
    if units is None:
        return report
    rows = scope.keep(report.rows, units)
    summary = {**report.summary, N_("Gaps"): len(rows)}
    return replace(report, rows=rows, summary=summary)


@bp.get("/evidence")
def evidence() -> Any:
    choices = _sampled_periods()
    period = _period(choices)
    if period is None:
        return render_template("evidence_none.html")
    report = _evidence(period)
    params = {
        "period": period.label,
        "as_of": request.args.get("as_of", "")[:20],
        "unit": g.get("unit"),
    }
    return _page(
        report,
        "report-evidence",
        "reports.evidence_download",
        params,
        scoped=True,
        periods=choices,
        period=period.label,
    )


@bp.get("/evidence/download")
def evidence_download() -> Any:
    period = _period(_sampled_periods())
    if period is None:
        abort(404)
    report = _evidence(period)
    details = {"report": "evidence", "period": period.label}
    return report_download(report, f"evidence-{period.label}", details)
