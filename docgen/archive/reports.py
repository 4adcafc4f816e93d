"""The archive's reports for archive staff and auditors (DESIGN.md, The cycle, step 6):
``retention`` (the draft destruction list, :mod:`docgen.archive.destruction_list`),
``missing`` (:mod:`docgen.archive.missing`), ``fixity`` and ``unclassified``
(:mod:`docgen.archive.fixity`).
"""

from __future__ import annotations

from datetime import date

from docgen.archive.db import open_index
from docgen.archive.destruction_list import retention_report
from docgen.archive.fixity import fixity_report, unclassified_report
from docgen.archive.missing import build_missing_report
from docgen.archive.retention import (
    load_accounts,
    load_workspace_schedule,
)
from docgen.config import Workspace
from docgen.errors import InputError
from docgen.report import Report


def build_retention_report(workspace: Workspace, as_of: date, list_all: bool = False) -> Report:
    """``docgen archive report retention``: the draft destruction list."""
    schedule = load_workspace_schedule(workspace)
    accounts = load_accounts(workspace)
    with open_index(workspace) as index, index.session() as session:
        return retention_report(
            session, schedule, accounts, as_of, workspace.config.office.name, list_all
        )


REPORT_KINDS = ("retention", "missing", "fixity", "unclassified")


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
    raise InputError(f"unknown report {kind!r}: choose one of {', '.join(REPORT_KINDS)}")
