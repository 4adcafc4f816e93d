"""The archive's reports for archive staff and auditors (DESIGN.md, The cycle, step 6):
``retention`` (the draft destruction list, :mod:`docgen.archive.destruction_list`),
``missing`` (:mod:`docgen.archive.missing`), ``fixity`` and ``unclassified``
(:mod:`docgen.archive.fixity`), ``disposals`` (every disposal, the unfinished first:
:mod:`docgen.archive.disposal_report`).

A report that finds a problem says so with :func:`report_problem` (ISSUE 9 item 5),
the error the CLI exits with once the report is printed or written in full — the
exit codes ``evidence check`` uses: 6 (:class:`IncompleteError`) for something
missing (``missing``: 缺漏, 檔案遺失, 待核閱) and for an unfinished disposal
(``disposals``, ``retention``); 5 (:class:`IntegrityError`) for fixity findings.
"""

from __future__ import annotations

from datetime import date

from docgen.archive.db import open_index
from docgen.archive.destruction_list import retention_report
from docgen.archive.disposal_plan import pending_plan as find_pending_plan
from docgen.archive.disposal_report import FINISH_HINT, ORPHAN, UNFINISHED, disposals_report
from docgen.archive.fixity import fixity_report, unclassified_report
from docgen.archive.holds import holds_on_file
from docgen.archive.missing import AWAITING_REVIEW, GONE, MISSING, build_missing_report
from docgen.archive.retention import (
    load_accounts,
    load_workspace_schedule,
)
from docgen.config import Workspace
from docgen.errors import DocgenError, IncompleteError, InputError, IntegrityError
from docgen.i18n import N_, _, translate
from docgen.report import Report

#: The retention report's summary line for an unfinished disposal.
UNFINISHED_DISPOSAL = N_("Unfinished disposal")


def build_retention_report(workspace: Workspace, as_of: date, list_all: bool = False) -> Report:
    """``docgen archive report retention``: the draft destruction list."""
    schedule = load_workspace_schedule(workspace)
    accounts = load_accounts(workspace)
    on_file = holds_on_file(workspace.archive_root)
    with open_index(workspace) as index:
        pending = find_pending_plan(index)
        with index.session() as session:
            report = retention_report(
                session,
                schedule,
                accounts,
                as_of,
                workspace.config.office.name,
                list_all,
                on_file,
                workspace.config.correspondence.classification,
            )
    if pending is not None:
        report.summary = {**report.summary, UNFINISHED_DISPOSAL: pending.plan_id}
    return report


def build_disposals_report(workspace: Workspace) -> Report:
    """``docgen archive report disposals``: every disposal, the unfinished first."""
    with open_index(workspace) as index:
        return disposals_report(index, workspace.archive_root)


REPORT_KINDS = ("retention", "missing", "fixity", "unclassified", "disposals")


def build_report(
    workspace: Workspace,
    kind: str,
    as_of: date,
    *,
    full: bool = False,
    list_all: bool = False,
    calendar: bool = False,
) -> Report:
    """The archive report of ``kind`` (one of :data:`REPORT_KINDS`)."""
    if kind == "retention":
        return build_retention_report(workspace, as_of, list_all)
    if kind == "missing":
        return build_missing_report(workspace, as_of, calendar)
    if kind == "fixity":
        return fixity_report(workspace, full)
    if kind == "unclassified":
        return unclassified_report(workspace)
    if kind == "disposals":
        return build_disposals_report(workspace)
    raise InputError(
        _("unknown report {kind!r}: choose one of {kinds}").format(
            kind=kind, kinds=", ".join(REPORT_KINDS)
        )
    )


def _count(report: Report, *states: str, column: str) -> dict[str, int]:
    return {s: sum(1 for row in report.rows if row.get(column) == s) for s in states}


def _listed(counts: dict[str, int]) -> str:
    """``2 missing, 1 lost``: each count with its state (a message ID or a label)."""
    return _(", ").join(
        _("{count} {state}").format(count=count, state=translate(state))
        for state, count in counts.items()
        if count
    )


def report_problem(kind: str, report: Report) -> DocgenError | None:
    """The error a report's findings amount to (None when it found no problem).
    Unclassified files are work to do, not a problem; so are retention candidates."""
    if kind == "missing":
        counts = {s: int(report.summary.get(s, 0)) for s in (MISSING, GONE, AWAITING_REVIEW)}
        if sum(counts.values()):
            return IncompleteError(
                _(
                    "the missing report found {count} problem(s) ({listed}): file the "
                    "missing records or restore the lost files"
                ).format(count=sum(counts.values()), listed=_listed(counts))
            )
    if kind == "fixity" and report.rows:
        counts = _count(report, *sorted({r["problem"] for r in report.rows}), column="problem")
        return IntegrityError(
            _(
                "the fixity check found {count} problem(s) ({listed}): restore changed or "
                "lost files from backup; file or remove unknown ones"
            ).format(count=len(report.rows), listed=_listed(counts))
        )
    if kind == "disposals":
        counts = _count(report, UNFINISHED, ORPHAN, column="kind")
        if sum(counts.values()):
            return IncompleteError(
                _(
                    "the disposals report found {count} record(s) whose disposal is "
                    "unfinished ({listed}): {hint}"
                ).format(
                    count=sum(counts.values()), listed=_listed(counts), hint=translate(FINISH_HINT)
                )
            )
    if kind == "retention" and UNFINISHED_DISPOSAL in report.summary:
        return IncompleteError(
            _(
                "the disposal {plan} is unfinished: {hint} (`docgen archive report "
                "disposals` lists its records)"
            ).format(plan=report.summary[UNFINISHED_DISPOSAL], hint=translate(FINISH_HINT))
        )
    return None
