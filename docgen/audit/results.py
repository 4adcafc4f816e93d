"""Reading the supervisors' sheets back (R6.2, R6.3) and the referral list for 政風 (R6.5).

Every sheet (the XLSX docgen wrote, or that workbook saved as ODS in LibreOffice) is
checked against its stored sample (:func:`docgen.audit.sheet.check_marks`); all
problems of all sheets are reported together and nothing is written unless every
sheet is right. Then, per sheet: the completed 附件4 (with 是/否 and 備註) in
``<out>/結果/``, the referral list ``轉介清單_<period>_<unit>.xlsx``/``.ods``/``.csv``
— every case marked 否, every query without justification (R5.1) and, labelled as such, the
hints; with its record metadata, :func:`docgen.audit.outputs.evidence_metadata`. The
results are stored in the office database by
:func:`docgen.services.audit.record_results`, only against the current draw: a sheet
of a superseded draw is refused in one line naming the draw that replaced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docgen.audit import store
from docgen.audit.forms import case_check_data, fill_case_check
from docgen.audit.outputs import (
    ANOMALY_COLUMNS,
    NOT_CONSISTENT,
    anomaly_rows,
    evidence_metadata,
    shown_path,
    write_report_pair,
)
from docgen.audit.samples import (
    CaseResult,
    Results,
    Sample,
    Source,
    audit_file,
    case_key_secret,
)
from docgen.audit.sheet import (
    NO,
    FilledSheet,
    Mark,
    check_marks,
    read_sheet,
    same_draw,
    sheet_name,
)
from docgen.calendar import format_roc_short
from docgen.config import Workspace
from docgen.db import Database
from docgen.errors import InputError, RowProblem, ValidationFailed
from docgen.fsutil import sha256_file
from docgen.i18n import N_, _, translate
from docgen.report import Report

REFERRAL_COLUMNS = {**ANOMALY_COLUMNS, "evidence": N_("Evidence file")}


@dataclass
class ReadBack:
    """A checked sheet with its sample and marks."""

    path: Path
    sample: Sample
    marks: list[Mark]


def read_back(workspace: Workspace, db: Database, sheets: list[Path]) -> list[ReadBack]:
    """Every sheet checked against the current draw of its period and unit;
    :class:`ValidationFailed` lists all problems, :class:`InputError` names a sheet of
    a superseded draw."""
    done: list[ReadBack] = []
    problems: list[RowProblem] = []
    secret = case_key_secret(workspace)
    for path in sheets:
        filled = read_sheet(workspace, path, secret)
        sample = current_sample(db, filled)
        try:
            done.append(ReadBack(path, sample, check_marks(filled, sample, secret)))
        except ValidationFailed as failed:
            problems += failed.problems
    if problems:
        raise ValidationFailed(problems)
    return done


def current_sample(db: Database, filled: FilledSheet) -> Sample:
    """The current draw ``filled`` is to be checked against; :class:`InputError` when
    there is none, or when the sheet is of a draw superseded since."""
    period, unit = filled.period, filled.unit
    with db.session() as session:
        sample = store.current_sample(session, period, unit)
        if sample is None:
            raise InputError(
                _("no sample drawn for {unit} in {period}: run `docgen audit sample` first").format(
                    unit=unit, period=period
                )
            )
        if same_draw(filled, sample):
            return sample
        history = store.all_draws(session, period, unit)
    earlier = next((s for s in history if s.superseded_at and same_draw(filled, s)), None)
    if earlier is None or earlier.superseded_at is None:
        return sample  # check_marks names the mismatch
    later = history[earlier.number]  # draws are numbered 1, 2, … in order
    raise InputError(
        _(
            "{file}: the sheet is of draw {draw} of {unit} {period}, superseded by draw "
            "{later} on {date} ({reason}): results are recorded only against the current "
            "draw {current}; fill its sheet {sheet}"
        ).format(
            file=filled.path,
            draw=earlier.number,
            unit=unit,
            period=period,
            later=later.number,
            date=f"{earlier.superseded_at:%Y-%m-%d}",
            reason=later.reason,
            current=sample.number,
            sheet=sheet_name(sample),
        )
    )


def referral_rows(sample: Sample, marks: list[Mark]) -> list[dict[str, object]]:
    """The 否 cases, then the anomalies and hints of the sample's period and unit."""
    by_no = {c.no: c for c in sample.cases}
    rows: list[dict[str, object]] = []
    for mark in (m for m in marks if m.consistent == NO):
        case = by_no[mark.no]
        rows.append(
            {
                "unit": sample.unit,
                "kind": translate(NOT_CONSISTENT),
                # read back by docgen.archive.evidence; 序號 is the sheet's own column
                "findings": f"序號 {case.no}：{mark.remark}",
                "queried_at": f"{format_roc_short(case.queried_at.date())} {case.queried_at:%H:%M:%S}",
                "account": case.account,
                "user_name": case.user_name,
                "subject_id": case.subject_id,
                "subject_name": case.subject_name,
                "item": case.item,
                "justification": case.justification,
                "source": case.source,
                "row": case.row,
                "evidence": mark.evidence,
            }
        )
    listed = sorted(sample.anomalies, key=lambda a: not a.anomaly)
    return rows + anomaly_rows(sample.unit, listed)


def write_results(
    workspace: Workspace, done: ReadBack, out_dir: Path, pdf: bool, now: datetime
) -> tuple[Results, list[Path]]:
    """The completed 附件4 and the referral list of one sheet, and its results (to store)."""
    sample, marks = done.sample, done.marks
    data = case_check_data(workspace, sample, marks)
    record_id, forms = fill_case_check(workspace, sample, data, audit_file(out_dir, "結果"), pdf)
    rows = referral_rows(sample, marks)
    title = _("Referral list for the ethics office {period} {unit} (R6.5)").format(
        period=sample.period, unit=sample.unit
    )
    report = Report(title, REFERRAL_COLUMNS, rows)
    meta = evidence_metadata(sample, record_id, "referrals")
    lists = write_report_pair(report, out_dir, sample, "referrals", meta)
    documents = {
        "form": forms[0],
        "referrals_xlsx": lists[0],
        "referrals_ods": lists[1],
        "referrals_csv": lists[2],
    }
    if len(forms) > 1:
        documents["form_pdf"] = forms[1]
    shown = {k: shown_path(workspace, v) for k, v in documents.items()}
    results = Results(
        period=sample.period,
        unit=sample.unit,
        read_at=now,
        sheet=Source(path=shown_path(workspace, done.path), sha256=sha256_file(done.path)),
        cases=[CaseResult(**vars(m)) for m in marks],
        documents={**shown, "record_id": record_id},
        referred=sum(1 for m in marks if m.consistent == NO)
        + sum(1 for a in sample.anomalies if a.anomaly),
    )
    return results, [*forms, *lists]
