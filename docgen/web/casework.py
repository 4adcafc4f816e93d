"""The query logs taken in and the samples (ISSUE 12 item 3).

* ``/queries``: per month and unit how many queries the logs taken in hold
  (``docgen queries take-in``), the logs themselves, and every query without a
  justification (R5.1) — the queried person's ID and name stored masked at intake
  (R8), shown as stored. A query whose unit was unknown at intake takes the
  registry's unit of its account, as the missing report counts it
  (:func:`docgen.records.stored.month_units`).
* ``/samples``: the current draw of each period and unit (``docgen audit sample``)
  with its results so far (``docgen audit results``); ``/samples/<period>/<unit>``
  one draw's cases and anomalies, as masked on the sample sheet.

A unit supervisor sees their own unit's rows only; a URL naming another unit is
refused and journalled before the view runs (:func:`docgen.web.permissions.enforce`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from docgen.audit.samples import list_samples, load_results
from docgen.calendar import parse_period
from docgen.db.models.queries import QueryAnomaly, QueryCount, QueryLogFile
from docgen.errors import InputError
from docgen.i18n import translate
from docgen.records.stored import load_registry
from docgen.records.summary import UNKNOWN_UNIT
from docgen.services.spot_check import mark_sheet
from docgen.uploads import MAX_EVIDENCE_BYTES
from docgen.web.app import state
from docgen.web.permissions import in_scope, may_open

bp = Blueprint("casework", __name__)

#: At most this many anomalies are listed on a page.
LISTED = 500
_MONTH_LENGTH = 7  # YYYY-MM


def _units() -> frozenset[str] | None:
    return g.units if g.get("unit") is None else frozenset({g.unit})


def _unit_choice() -> list[str]:
    if g.units is not None:
        return sorted(g.units)
    return [unit.name for unit in state().workspace.config.units]


def _registry_units() -> dict[str, str]:
    web = state()
    try:
        registry = load_registry(web.workspace, web.reader)
    except InputError:
        return {}
    return {a.account_id: a.unit for a in registry.accounts}


def _month() -> str:
    """``?month=`` as ``YYYY-MM`` (a month of any form parse_period takes), or ""."""
    given = request.args.get("month", "").strip()[:20]
    if not given:
        return ""
    try:
        period = parse_period(given)
    except InputError:
        abort(400)
    if period.kind != "month":
        abort(400)
    return period.label


@bp.get("/queries")
def queries() -> Any:
    web, units, month = state(), _units(), _month()
    registry = _registry_units()
    unknown = translate(UNKNOWN_UNIT)
    with web.db.reading() as session:
        counted = select(
            QueryCount.month, QueryCount.unit, QueryCount.account, func.sum(QueryCount.queries)
        ).group_by(QueryCount.month, QueryCount.unit, QueryCount.account)
        anomalies = select(QueryAnomaly).order_by(QueryAnomaly.queried_at, QueryAnomaly.row)
        if month:
            counted = counted.where(QueryCount.month == month)
            anomalies = anomalies.where(QueryAnomaly.month == month)
        per: dict[tuple[str, str], dict[str, Any]] = {}
        months: set[str] = set()
        for row_month, unit, account, total in session.execute(counted):
            unit = unit or registry.get(account, "")
            months.add(row_month)
            if units is not None and unit not in units:
                continue
            entry = per.setdefault(
                (row_month, unit), {"queries": 0, "accounts": set(), "anomalies": 0}
            )
            entry["queries"] += int(total or 0)
            entry["accounts"].add(account)
        listed: list[dict[str, Any]] = []
        for anomaly in session.scalars(anomalies):
            unit = anomaly.unit or registry.get(anomaly.account, "")
            if units is not None and unit not in units:
                continue
            if (anomaly.month, unit) in per:
                per[(anomaly.month, unit)]["anomalies"] += 1
            if len(listed) < LISTED:
                listed.append({"unit": unit or unknown, **_anomaly(anomaly)})
        logs = list(session.scalars(select(QueryLogFile).order_by(QueryLogFile.taken_in_at)))
        shown_logs = [
            {
                "name": log.name,
                "months": log.months,
                "rows": log.rows,
                "bad_rows": log.bad_rows,
                "taken_in_at": log.taken_in_at,
                "taken_in_by": log.taken_in_by,
            }
            for log in logs
        ]
        all_months = sorted(set(session.scalars(select(QueryCount.month).distinct())))
    rows = [
        {
            "month": key[0],
            "unit": key[1] or unknown,
            "queries": value["queries"],
            "accounts": len(value["accounts"]),
            "anomalies": value["anomalies"],
        }
        for key, value in sorted(per.items())
    ]
    total_anomalies = sum(r["anomalies"] for r in rows)
    return render_template(
        "queries.html",
        rows=rows,
        anomalies=listed,
        total_anomalies=total_anomalies,
        logs=shown_logs if units is None else [],
        months=all_months,
        month=month,
        units=_unit_choice(),
        unit=g.get("unit"),
        listed_max=LISTED,
    )


def _anomaly(anomaly: QueryAnomaly) -> dict[str, Any]:
    return {
        "month": anomaly.month,
        "queried_at": anomaly.queried_at,
        "row": anomaly.row,
        "account": anomaly.account,
        "subject_id": anomaly.subject_id,
        "subject_name": anomaly.subject_name,
    }


def _tally(results: Any) -> dict[str, int]:
    if results is None:
        return {}
    counts = Counter(case.consistent for case in results.cases)
    return {"yes": counts.get("是", 0), "no": counts.get("否", 0), "read": len(results.cases)}


@bp.get("/samples")
def samples() -> Any:
    web, units = state(), _units()
    given = request.args.get("period", "").strip()[:20]
    try:
        period = parse_period(given).label if given else None
    except InputError:
        abort(400)
    found = list_samples(web.workspace, period, db=web.reader)
    periods = sorted({s.period for s in list_samples(web.workspace, db=web.reader)}, reverse=True)
    rows = []
    for sample in found:
        if units is not None and sample.unit not in units:
            continue
        results = load_results(web.workspace, sample.period, sample.unit, db=web.reader)
        rows.append(
            {
                "period": sample.period,
                "kind": sample.kind,
                "unit": sample.unit,
                "number": sample.number,
                "drawn_at": sample.drawn_at,
                "drawn_by": sample.drawn_by,
                "population": sample.population,
                "size": len(sample.cases),
                "anomalies": sum(1 for a in sample.anomalies if a.anomaly),
                "results": _tally(results),
                "referred": results.referred if results else 0,
                "read_at": results.read_at if results else None,
            }
        )
    return render_template(
        "samples.html",
        rows=rows,
        periods=periods,
        period=period or "",
        units=_unit_choice(),
        unit=g.get("unit"),
    )


@bp.get("/samples/<period>/<unit>")
def sample(period: str, unit: str) -> Any:
    web = state()
    try:
        label = parse_period(period[:20]).label
    except InputError:
        abort(404)
    if not in_scope(unit):  # enforce() has refused another unit already; belt and braces
        abort(403)
    draws = [s for s in list_samples(web.workspace, label, db=web.reader) if s.unit == unit]
    if not draws:
        abort(404)
    drawn = draws[0]
    results = load_results(web.workspace, label, unit, db=web.reader)
    marks = {case.no: case for case in (results.cases if results else [])}
    entries = mark_sheet(web.reader, label, unit)
    # Marking is the unit's own supervisor's (the permission table's spot-check-mark),
    # of a month's draw, until the director approves the results (R6.2).
    # The auditors (with the ethics officer) mark the half-year's 全處 draw (R6.3).
    if drawn.kind == "month":
        may_mark = may_open(current_user.roles, "spot-check-mark") and current_user.unit == unit
    else:
        may_mark = may_open(current_user.roles, "half-year-mark")
    may_mark = may_mark and entries.approved_on is None
    return render_template(
        "sample.html",
        sample=drawn,
        results=results,
        marks=marks,
        tally=_tally(results),
        entries=entries,
        may_mark=may_mark,
        evidence_limit=MAX_EVIDENCE_BYTES // (1024 * 1024),
    )
