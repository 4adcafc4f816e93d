"""The files of a drawn sample, per unit (R6.2, R6.3, R6.5): the filled 附件4, the
supervisor's sheet and the anomaly list (XLSX and CSV with a BOM); the sample itself
is stored in the office database by :func:`docgen.services.audit.draw_sample`.

Default folder: ``out/audit/<period>/`` in the workspace. Names:
``抽查表_<period>_<unit>.xlsx``, ``異常清單_<period>_<unit>.xlsx``/``.csv``, made by
:func:`docgen.audit.samples.safe_name` and held inside the folder
(:func:`docgen.audit.samples.audit_file`); 附件4 is named by the forms engine.

Every sheet and list carries its record metadata (:func:`evidence_metadata`), so the
archive files it by itself: embedded in the XLSX, in a sidecar
``NAME.csv.meta.yaml`` beside the CSV. Category ``monthly_check`` (R6.2) or
``half_year_audit`` (R6.3), the sample's period and unit, ``record_ids`` the 附件4's
record ID, ``variant`` which list it is (``sheet``, ``anomalies``, ``referrals``:
never taken for the 附件4 or the scan package an obligation asks for), and a title
such as ``企劃室 115年10月 抽查表``.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from docgen.metadata import RecordMetadata, attach_metadata, sidecar_path
from docgen.report import Report, write_report

#: The lists of a sample: ``variant`` in their metadata → name (file name and title).
LISTS = {"sheet": "抽查表", "anomalies": "異常清單", "referrals": "轉介清單"}
_CATEGORIES = {"month": "monthly_check", "half": "half_year_audit"}

ANOMALY_COLUMNS = {
    "unit": "單位",
    "kind": "類別",
    "findings": "說明",
    "queried_at": "查詢日期時間",
    "account": "查詢人員帳號",
    "user_name": "查詢人員",
    "subject_id": "被查詢人身分證統一編號",
    "subject_name": "被查詢人姓名",
    "item": "查詢項目",
    "justification": "查詢事由/依據",
    "source": "來源檔案",
    "row": "列",
}


def default_out_dir(workspace: Workspace, period: str) -> Path:
    return audit_file(workspace.root / "out" / "audit", check_period(period, "output folder"))


def anomaly_rows(unit: str, anomalies: Sequence[Anomaly]) -> list[dict[str, object]]:
    """Rows of the anomaly list: R5.1 anomalies (異常) and hints (提示)."""
    return [
        {
            "unit": unit,
            "kind": "異常" if a.anomaly else "提示",
            "findings": "；".join(a.findings),
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
    """``report`` as the list ``variant`` of ``sample`` in ``out_dir``, XLSX and CSV
    (UTF-8 with a BOM), each carrying ``meta``: returns the XLSX (metadata embedded),
    the CSV and the CSV's sidecar."""
    xlsx = list_path(out_dir, sample, variant, ".xlsx")
    csv = list_path(out_dir, sample, variant, ".csv")
    held(out_dir, sidecar_path(csv).name)
    write_report(report, "xlsx", xlsx)
    attach_metadata(xlsx, meta)
    write_report(report, "csv", csv)
    return [xlsx, csv, attach_metadata(csv, meta)]


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
    title = f"異常清單 {sample.period} {sample.unit}（R5.1 異常；其餘為提示）"
    report = Report(title, ANOMALY_COLUMNS, anomaly_rows(sample.unit, sample.anomalies))
    meta = evidence_metadata(sample, record_id, "anomalies")
    lists = write_report_pair(report, out_dir, sample, "anomalies", meta)
    documents = {
        "form": forms[0],
        "sheet": sheet,
        "anomalies_xlsx": lists[0],
        "anomalies_csv": lists[1],
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
