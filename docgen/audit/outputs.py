"""The files of a drawn sample, per unit (R6.2, R6.3, R6.5): the filled 附件4, the
supervisor's sheet and the anomaly list (XLSX, ODS and CSV with a BOM); the sample
itself is stored in the office database by :func:`docgen.services.audit.draw_sample`.

Default folder: ``out/audit/<period>/`` in the workspace. Names:
``抽查表_<period>_<unit>.xlsx``, ``異常清單_<period>_<unit>.xlsx``/``.ods``/``.csv``,
made by :func:`docgen.audit.samples.safe_name` and held inside the folder
(:func:`docgen.audit.samples.audit_file`); 附件4 is named by the forms engine. The
lists come as ODS too (the OpenDocument spreadsheet of the government's document
standard ODF-CNS15251; ISSUE 11 item 10: :func:`docgen.report_ods.save_ods`, the same
report as the XLSX); the supervisor's sheet stays XLSX (its 是/否 list and sealed
metadata sheet are the workbook's), but is read back from an ODS the supervisor saved
in LibreOffice too (:func:`docgen.audit.sheet.read_sheet`).

Every sheet and list carries its record metadata (:func:`evidence_metadata`), so the
archive files it by itself: embedded in the XLSX and the ODS, in a sidecar
``NAME.csv.meta.yaml`` beside the CSV. Category ``monthly_check`` (R6.2) or
``half_year_audit`` (R6.3), the sample's period and unit, ``record_ids`` the 附件4's
record ID, ``variant`` which list it is (``sheet``, ``anomalies``, ``referrals``:
never taken for the 附件4 or the scan package an obligation asks for), and a title
such as ``企劃室 115年10月 抽查表``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from docgen.audit.forms import case_check_data, fill_case_check
from docgen.audit.samples import (
    Anomaly,
    Sample,
    audit_file,
    case_key_secret,
    check_period,
    held,
)
from docgen.audit.sheet import write_sheet
from docgen.calendar import format_roc_short, parse_period
from docgen.config import Workspace
from docgen.i18n import LANGUAGES, N_, _, translate, translations
from docgen.metadata import RecordMetadata, attach_metadata, sidecar_path
from docgen.report import Report, write_report
from docgen.rules.justification import Finding

#: The lists of a sample: ``variant`` in their metadata → name (the file name docgen
#: writes, and the metadata title the archive shows): the same in every language.
LISTS = {"sheet": "抽查表", "anomalies": "異常清單", "referrals": "轉介清單"}
_CATEGORIES = {"month": "monthly_check", "half": "half_year_audit"}

#: The anomaly list's columns (the referral list's too), headers in the language of the
#: run: :func:`list_row` reads a list back whichever language it was written in.
ANOMALY_COLUMNS = {
    "unit": N_("Unit"),
    "kind": N_("Category"),
    "findings": N_("Detail"),
    "queried_at": N_("Queried at"),
    "account": N_("Querying account"),
    "user_name": N_("Queried by"),
    "subject_id": N_("National ID of the person queried"),
    "subject_name": N_("Name of the person queried"),
    "item": N_("Query item"),
    "justification": N_("Justification / basis"),
    "source": N_("Source file"),
    "row": N_("Row"),
}
#: The kinds of entries on the anomaly and referral lists.
ANOMALY, HINT, NOT_CONSISTENT = N_("anomaly"), N_("hint"), N_("not consistent with the business")


def default_out_dir(workspace: Workspace, period: str) -> Path:
    return audit_file(workspace.root / "out" / "audit", check_period(period, _("output folder")))


def finding_label(finding: str) -> str:
    """A stored finding (the :class:`~docgen.rules.justification.Finding`'s value,
    Chinese, as the sample keeps it) in the current language; other text as it is."""
    try:
        return Finding(finding).label
    except ValueError:
        return finding


def anomaly_rows(unit: str, anomalies: Sequence[Anomaly]) -> list[dict[str, object]]:
    """Rows of the anomaly list: R5.1 anomalies (異常) and hints (提示), their findings
    in the current language."""
    return [
        {
            "unit": unit,
            "kind": translate(ANOMALY) if a.anomaly else translate(HINT),
            "findings": "；".join(finding_label(f) for f in a.findings),
            "queried_at": f"{format_roc_short(a.queried_at.date())} {a.queried_at:%H:%M:%S}",
            "account": a.account,
            "user_name": a.user_name,
            "subject_id": a.subject_id,
            "subject_name": a.subject_name,
            "item": a.item,
            "justification": a.justification,
            "source": a.source,
            "row": a.row,
        }
        for a in anomalies
    ]


def list_row(row: Mapping[str, str], columns: Mapping[str, str]) -> dict[str, str]:
    """A row of an anomaly or referral list docgen wrote (``columns``:
    :data:`ANOMALY_COLUMNS` or the referral list's), read back keyed by column key
    (``findings``, ``source``, ``row`` …) whichever language its headers were written
    in; a header it does not know keeps its name."""
    keys = {
        translations(language).gettext(header): key
        for key, header in columns.items()
        for language in LANGUAGES
    }
    return {keys.get(name, name): value for name, value in row.items()}


def evidence_metadata(sample: Sample, record_id: str, variant: str) -> RecordMetadata:
    """What a sheet or list of ``sample`` is for the archive: evidence of the monthly
    check (R6.2) or half-year audit (R6.3) of its period and unit, belonging to the
    附件4 record ``record_id``; ``variant`` one of :data:`LISTS`."""
    period = parse_period(sample.period)
    return RecordMetadata(
        variant=variant,
        period=sample.period,
        unit=sample.unit,
        category=_CATEGORIES[sample.kind],
        title=f"{sample.unit} {period.roc_label} {LISTS[variant]}",
        record_ids=[record_id],
    )


def list_path(out_dir: Path, sample: Sample, variant: str, suffix: str) -> Path:
    """``<out_dir>/<list name>_<period>_<unit><suffix>``, a safe name inside ``out_dir``."""
    return audit_file(out_dir, LISTS[variant], sample.period, sample.unit, suffix=suffix)


def write_report_pair(
    report: Report, out_dir: Path, sample: Sample, variant: str, meta: RecordMetadata
) -> list[Path]:
    """``report`` as the list ``variant`` of ``sample`` in ``out_dir``, XLSX, ODS and
    CSV (UTF-8 with a BOM), each carrying ``meta``: returns the XLSX and the ODS
    (metadata embedded), the CSV and the CSV's sidecar."""
    xlsx = list_path(out_dir, sample, variant, ".xlsx")
    ods = list_path(out_dir, sample, variant, ".ods")
    csv = list_path(out_dir, sample, variant, ".csv")
    held(out_dir, sidecar_path(csv).name)
    for path in (xlsx, ods):
        write_report(report, path.suffix[1:], path)
        attach_metadata(path, meta)
    write_report(report, "csv", csv)
    return [xlsx, ods, csv, attach_metadata(csv, meta)]


def write_sample_files(
    workspace: Workspace, sample: Sample, out_dir: Path, pdf: bool = False
) -> list[Path]:
    """Write every file of ``sample`` and note them in its ``documents``; returns the
    paths written."""
    data = case_check_data(workspace, sample)
    record_id, forms = fill_case_check(workspace, sample, data, out_dir, pdf)
    sheet = list_path(out_dir, sample, "sheet", ".xlsx")
    write_sheet(sample, sheet, case_key_secret(workspace))
    attach_metadata(sheet, evidence_metadata(sample, record_id, "sheet"))
    title = _("Anomaly list {period} {unit} (R5.1 anomalies; the others are hints)").format(
        period=sample.period, unit=sample.unit
    )
    report = Report(title, ANOMALY_COLUMNS, anomaly_rows(sample.unit, sample.anomalies))
    meta = evidence_metadata(sample, record_id, "anomalies")
    lists = write_report_pair(report, out_dir, sample, "anomalies", meta)
    documents = {
        "form": forms[0],
        "sheet": sheet,
        "anomalies_xlsx": lists[0],
        "anomalies_ods": lists[1],
        "anomalies_csv": lists[2],
    }
    if len(forms) > 1:
        documents["form_pdf"] = forms[1]
    sample.documents = {k: shown_path(workspace, v) for k, v in documents.items()}
    sample.documents["record_id"] = record_id
    return [*forms, sheet, *lists]


def shown_path(workspace: Workspace, path: Path) -> str:
    """``path`` relative to the workspace when inside it (as stored and journalled)."""
    try:
        return str(path.resolve().relative_to(workspace.root))
    except ValueError:
        return str(path)
