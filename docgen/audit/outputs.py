"""The files of a drawn sample, per unit (R6.2, R6.3, R6.5): the filled 附件4, the
supervisor's sheet, the anomaly list (XLSX and CSV with a BOM) and the stored JSON.

Default folder: ``out/audit/<period>/`` in the workspace. Names:
``抽查表_<period>_<unit>.xlsx``, ``異常清單_<period>_<unit>.xlsx``/``.csv``; 附件4 is
named by the forms engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docgen.audit.forms import case_check_data, fill_case_check
from docgen.audit.samples import Anomaly, Sample, save_sample
from docgen.audit.sheet import write_sheet
from docgen.calendar import format_roc_short
from docgen.config import Workspace
from docgen.report import Report, write_report

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
    return workspace.root / "out" / "audit" / period


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


def write_report_pair(report: Report, stem: Path) -> list[Path]:
    """``report`` as ``stem.xlsx`` and ``stem.csv`` (UTF-8 with a BOM)."""
    xlsx, csv = stem.with_suffix(".xlsx"), stem.with_suffix(".csv")
    write_report(report, "xlsx", xlsx)
    write_report(report, "csv", csv)
    return [xlsx, csv]


def write_sample_files(
    workspace: Workspace, sample: Sample, out_dir: Path, pdf: bool = False
) -> list[Path]:
    """Write every file of ``sample`` and store it; returns the paths written."""
    name = f"{sample.period}_{sample.unit}"
    sheet = out_dir / f"抽查表_{name}.xlsx"
    write_sheet(sample, sheet)
    title = f"異常清單 {sample.period} {sample.unit}（R5.1 異常；其餘為提示）"
    report = Report(title, ANOMALY_COLUMNS, anomaly_rows(sample.unit, sample.anomalies))
    lists = write_report_pair(report, out_dir / f"異常清單_{name}")
    data = case_check_data(workspace, sample)
    record_id, forms = fill_case_check(workspace, sample, data, out_dir, pdf)
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
    stored = save_sample(workspace, sample)
    return [*forms, sheet, *lists, stored]


def shown_path(workspace: Workspace, path: Path) -> str:
    """``path`` relative to the workspace when inside it (as stored and journalled)."""
    try:
        return str(path.resolve().relative_to(workspace.root))
    except ValueError:
        return str(path)
