"""Reports kept to the units a person sees (ISSUE 12 item 2: a unit supervisor sees
only their own unit's cases), and the obligations calendar shared between requests.

A row is kept by the unit the report's library function put in it — never by
reading display text: the row's ``unit_key`` when the library gives one, else its
``unit`` when that is a unit of docgen.toml or the whole office (全處). A row whose
unit is neither (the missing report's account rows hold ``unit account`` today) is
not shown to a person kept to a unit; the whole office sees every row.

The missing report a person sees is built by the library's own
:func:`docgen.archive.missing.missing_report` from the calendar's rows they may see,
so its counts are theirs, and it is the report ``docgen archive report missing``
writes when they see the whole office.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from docgen.archive.missing import build_missing_report, missing_report
from docgen.report import Report
from docgen.rules.obligations import WHOLE_OFFICE
from docgen.web.app import state


def row_unit(row: Mapping[str, Any]) -> str | None:
    """The unit a report's row belongs to (None: not known without reading text)."""
    if "unit_key" in row:
        return str(row["unit_key"] or "") or None
    unit = str(row.get("unit") or "")
    names = {u.name for u in state().workspace.config.units}
    return unit if unit in names or unit == WHOLE_OFFICE else None


def keep(rows: Iterable[Mapping[str, Any]], units: frozenset[str] | None) -> list[Any]:
    """The rows of ``units`` (None: every row)."""
    return [r for r in rows if units is None or row_unit(r) in units]


def calendar(today: date) -> Report:
    """The whole office's obligations calendar as of ``today`` (``docgen archive
    report missing --calendar``), shared between requests for a short while."""
    return calendar_dated(today)[0]


def calendar_dated(today: date) -> tuple[Report, float]:
    """:func:`calendar`, with when it was built (:meth:`docgen.web.facts.Facts.dated`)."""
    workspace = state().workspace
    return state().facts.dated(
        ("calendar", today), lambda: build_missing_report(workspace, today, calendar=True)
    )


def missing(as_of: date, units: frozenset[str] | None, *, whole_calendar: bool) -> Report:
    """The missing report (or with ``whole_calendar`` the obligations calendar) as of
    ``as_of``, of the rows of ``units``."""
    return missing_dated(as_of, units, whole_calendar=whole_calendar)[0]


def missing_dated(
    as_of: date, units: frozenset[str] | None, *, whole_calendar: bool
) -> tuple[Report, float]:
    """:func:`missing`, with when the calendar it is made from was built."""
    full, built = calendar_dated(as_of)
    return _kept(full, as_of, units, whole_calendar), built


def _kept(full: Report, as_of: date, units: frozenset[str] | None, whole_calendar: bool) -> Report:
    if units is None and whole_calendar:
        return full
    rows = [{**r, "status": r.get("kind", r["status"])} for r in keep(full.rows, units)]
    for row in rows:
        row.pop("kind", None)
    built = missing_report(rows, as_of, whole_calendar)
    notes = {k: v for k, v in full.summary.items() if k not in built.summary}
    return replace(built, summary={**built.summary, **notes})
