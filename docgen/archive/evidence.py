"""The auditors' evidence check of a month or half-year (R6.2–R6.5, R7.2):

1. every sampled case (the samples stored by ``docgen audit sample``) has a result
   (是/否, read back by ``docgen audit results``);
2. every case's evidence (佐證檔案, named in its result) is in the archive;
3. every case marked 否 and every anomaly (R5.1) is on the referral list for 政風 (R6.5);
4. every document the period requires is filed: each unit's 附件4 月抽查 for a month;
   for a half-year its 附件4 半年抽查, 附件5 and colour-scan package, and the monthly
   checks of its months. A record counts only while one of its files is on disk (one
   indexed whose files are gone is reported as such); a record disposed under an
   approval fulfilled its duty and is named in the summary, not as a problem. Which
   units had queries in a month comes from the query logs taken in (``docgen queries
   take-in``); no log is opened, and a log of ``data/queries/`` not taken in yet is
   named in the summary.

**How evidence is found.** A result's 佐證檔案 may name several items, separated by
``、``, ``,``, ``;`` or a line break. An item is in the archive when it contains a
record ID (``DG-…``) of a filed record whose file is on disk, or when it is the name
(with or without its extension) of a filed file — the name it was filed under or
the name it arrived with in the inbox — whose bytes are on disk. So a scanned
evidence file dropped in ``archive/inbox/`` as ``公文1150001234.pdf`` (classified by
a sidecar or a path rule, or even unclassified) is found by that name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select

from docgen.archive.db import open_index
from docgen.archive.missing import (
    AWAITING_REVIEW,
    DONE,
    LATE,
    UNTAKEN,
    archived_records,
    obligation_rows,
    query_activity,
    untaken_note,
)
from docgen.archive.retention import load_accounts
from docgen.audit import REFERRAL_COLUMNS, list_row
from docgen.audit.samples import Results, Sample, list_samples, load_results
from docgen.calendar import Period, parse_period
from docgen.cells import restore
from docgen.config import Workspace
from docgen.db.models.archive import File
from docgen.errors import DocgenError
from docgen.i18n import N_, _
from docgen.privacy import mask_ids_in_text
from docgen.records.tables import read_table
from docgen.report import Report
from docgen.rules.obligations import Obligation, audit_report, half_year_audit, monthly_check
from docgen.rules.record_id import parse_record_id

EVIDENCE_COLUMNS = {
    "check": N_("Check"),
    "unit": N_("Unit"),
    "case": N_("Case no."),
    "problem": N_("Gap"),
    "detail": N_("Detail"),
}
_SEPARATORS = re.compile(r"[、,，;；\n]+")
#: The supervisor's answers on the results sheet (read back: the same in every language).
_YES, _NO = "是", "否"


@dataclass
class ArchiveNames:
    """What evidence can be matched against: filed record IDs and file names."""

    record_ids: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def has(self, item: str) -> bool:
        """Whether the evidence ``item`` is in the archive (see the module docstring)."""
        record = parse_record_id(item)
        if record is not None and str(record) in self.record_ids:
            return True
        return item.strip().casefold() in self.names


def archive_names(workspace: Workspace) -> ArchiveNames:
    """Record IDs and file names (with and without extension) of every filed file
    that is on disk."""
    found = ArchiveNames()
    root = workspace.archive_root
    query = select(File.record_id, File.path, File.original_name).where(File.status != "disposed")
    with open_index(workspace) as index, index.session() as session:
        rows = session.execute(query).all()
    for record_id, path, original in rows:
        if not (root / path).is_file():
            continue
        found.record_ids.add(record_id)
        for name in (PurePosixPath(path).name, PurePosixPath(original).name if original else ""):
            if name:
                found.names |= {name.casefold(), PurePosixPath(name).stem.casefold()}
    return found


def evidence_items(text: str) -> list[str]:
    """The items a result's 佐證檔案 names."""
    return [item.strip() for item in _SEPARATORS.split(text) if item.strip()]


def _problem(
    check: str, unit: str, problem: str, case: int | str = "", detail: str = ""
) -> dict[str, Any]:
    return {
        "check": check,
        "unit": unit,
        "case": case,
        "problem": problem,
        "detail": mask_ids_in_text(detail),
    }


def case_problems(
    sample: Sample, results: Results | None, names: ArchiveNames
) -> list[dict[str, Any]]:
    """Checks 1 and 2 for one sample: a result and evidence in the archive per case."""
    if results is None:
        return [
            _problem(
                _("sample results"),
                sample.unit,
                _("the sample results are not read back yet"),
                detail=_("run `docgen audit results`"),
            )
        ]
    by_key = {case.key: case for case in results.cases}
    problems = []
    for case in sample.cases:
        result = by_key.get(case.key)
        if result is None or result.consistent not in (_YES, _NO):
            problems.append(
                _problem(
                    _("sample results"),
                    sample.unit,
                    _("no answer whether the query matches the business (是/否)"),
                    case.no,
                )
            )
            continue
        items = evidence_items(result.evidence)
        if not items:
            problems.append(
                _problem(_("evidence"), sample.unit, _("no evidence file listed"), case.no)
            )
        for item in (i for i in items if not names.has(i)):
            problems.append(
                _problem(
                    _("evidence"),
                    sample.unit,
                    _("the evidence file is not in the archive"),
                    case.no,
                    item,
                )
            )
    return problems


def referral_problems(
    workspace: Workspace, sample: Sample, results: Results | None
) -> list[dict[str, Any]]:
    """Check 3: every 否 case and every anomaly (R5.1) is on the referral list (R6.5)."""
    if results is None:
        return []
    # a 否 case's findings on the list begin "序號 N：" in every language (audit.results)
    needed = [(f"序號 {r.no}", r.no) for r in results.cases if r.consistent == _NO]
    anomalies = [a for a in sample.anomalies if a.anomaly]
    if not needed and not anomalies:
        return []
    listed = _referral_list(workspace, results)
    if listed is None:
        return [
            _problem(
                _("referral list"),
                sample.unit,
                _("the list of referrals to the ethics office is not found"),
                detail=results.documents.get("referrals_csv", ""),
            )
        ]
    problems = [
        _problem(
            _("referral list"),
            sample.unit,
            _("a case answered 否 is not on the referral list"),
            no,
        )
        for label, no in needed
        if not any(row.get("findings", "").startswith(f"{label}：") for row in listed)
    ]
    on_list = {(row.get("source", ""), str(row.get("row", ""))) for row in listed}
    problems += [
        _problem(
            _("referral list"),
            sample.unit,
            _("an anomalous query is not on the referral list"),
            detail=_("{file} row {row}").format(file=a.source, row=a.row),
        )
        for a in anomalies
        if (a.source, str(a.row)) not in on_list
    ]
    return problems


def _referral_list(workspace: Workspace, results: Results) -> list[dict[str, str]] | None:
    name = results.documents.get("referrals_csv") or results.documents.get("referrals_xlsx")
    path = workspace.root / name if name else None
    if path is None or not path.is_file():
        return None
    try:
        # docgen wrote this list: its cells carry the quote cells.cell_text added; its
        # headers are in the language it was written in (read back by column key).
        return [
            list_row({k: restore(str(v)) for k, v in row.items()}, REFERRAL_COLUMNS)
            for _number, row in read_table(path)
        ]
    except DocgenError:
        return None


def required_obligations(
    workspace: Workspace, period: Period, samples: Iterable[Sample]
) -> list[Obligation]:
    """Check 4's obligations: the monthly checks of the period's months (each unit with
    queries in the logs taken in, or a sample), and for a half-year its audit and report."""
    activity = query_activity(workspace, load_accounts(workspace))
    for sample in samples:
        if sample.kind == "month":
            activity.setdefault(parse_period(sample.period), set()).add(sample.unit)
    duties = [
        monthly_check(m, unit) for m in period.months() for unit in sorted(activity.get(m, ()))
    ]
    if period.kind == "half":
        duties += [half_year_audit(period), audit_report(period)]
    return duties


def document_rows(
    workspace: Workspace, period: Period, samples: list[Sample], as_of: date, on_disk: set[str]
) -> list[dict[str, Any]]:
    """Check 4's obligation rows. A record counts as filed only while one of its files
    is on disk (``on_disk``: :attr:`ArchiveNames.record_ids`) or once it was disposed
    (row key ``disposed``); a row whose record is indexed but whose files are all gone
    names it under ``lost``."""
    with open_index(workspace) as index, index.session() as session:
        records = archived_records(session)
    duties = required_obligations(workspace, period, samples)
    kept = [r for r in records if r.disposed or r.record_id in on_disk]
    lost = [r for r in records if not (r.disposed or r.record_id in on_disk)]
    disposed = {r.record_id for r in records if r.disposed}
    rows = obligation_rows(duties, kept, as_of)
    for row, gone in zip(rows, obligation_rows(duties, lost, as_of), strict=True):
        row["disposed"] = row["record_id"] in disposed
        row["lost"] = gone["record_id"] if row["status"] not in (DONE, LATE) else ""
    return rows


def _document_gap(row: dict[str, Any]) -> str:
    if row["lost"]:
        return _("filed, but the file is gone")
    if row["status"] == AWAITING_REVIEW:
        return _("filed, awaiting the director's review")
    return _("not in the archive")


def document_problems(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check 4: every document the period requires is filed and on disk."""
    return [
        _problem(
            _("required records"),
            row["unit"],
            _document_gap(row),
            detail=_("{required} ({what}; due {due})").format(
                required=row["required"], what=row["lost"] or row["obligation"], due=row["due"]
            ),
        )
        for row in rows
        if row["status"] not in (DONE, LATE)
    ]


def evidence_report(workspace: Workspace, period: Period, as_of: date) -> Report:
    """Every problem found for ``period``; no rows means the evidence is complete."""
    month_samples = [s for m in period.months() for s in list_samples(workspace, m.label)]
    samples = list_samples(workspace, period.label) if period.kind == "half" else month_samples
    names = archive_names(workspace)
    problems: list[dict[str, Any]] = []
    if not samples:
        problems.append(
            _problem(
                _("sampling"),
                "",
                _("{period} is not sampled yet").format(period=period.label),
                detail=_("run `docgen audit sample`"),
            )
        )
    cases = 0
    for sample in samples:
        results = load_results(workspace, sample.period, sample.unit)
        problems += case_problems(sample, results, names)
        problems += referral_problems(workspace, sample, results)
        cases += len(sample.cases)
    rows = document_rows(workspace, period, month_samples, as_of, names.record_ids)
    problems += document_problems(rows)
    disposed = sorted({row["record_id"] for row in rows if row["disposed"]})
    summary: dict[str, Any] = {
        N_("Period"): period.label,
        N_("Units sampled"): len(samples),
        N_("Cases sampled"): cases,
        N_("Gaps"): len(problems),
        N_("Disposed under an approval"): "、".join(disposed) or "—",
    }
    untaken = untaken_note(workspace)
    if untaken:
        summary[UNTAKEN] = untaken
    title = _("Evidence completeness check {period}").format(period=period.roc_label)
    return Report(title, EVIDENCE_COLUMNS, problems, summary)
