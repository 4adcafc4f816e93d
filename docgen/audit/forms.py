"""附件4 案件抽查表 (月抽查/半年抽查) from a sample, through the forms engine (R6.2, R6.3).

The data follows the 附件4 schema of contracts.md; the engine masks personal fields
itself, and the cases given here are already masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docgen.audit.samples import Sample
from docgen.audit.sheet import Mark
from docgen.config import Workspace

VARIANTS = {"month": "monthly", "half": "half"}
#: 查詢人員 of an account the registry does not know. The forms' content (附件4 values,
#: like （未記載） below) is the regulation's Chinese in every language.
UNKNOWN_USER = "（不在使用者清冊）"


def case_check_data(
    workspace: Workspace,
    sample: Sample,
    marks: Sequence[Mark] = (),
    check_date: date | None = None,
) -> dict[str, Any]:
    """The 附件4 data of ``sample``; with ``marks``, the supervisor's 是/否 and 備註."""
    by_no = {m.no: m for m in marks}
    unit = workspace.config.unit(sample.unit)
    cases = []
    for case in sample.cases:
        mark = by_no.get(case.no)
        cases.append(
            {
                "no": case.no,
                "queried_at": case.queried_at,
                "account": case.account,
                "user_name": case.user_name or UNKNOWN_USER,
                "subject_id": case.subject_id,
                "subject_name": case.subject_name,
                "item": case.item,
                "justification": case.justification or "（未記載）",
                "consistent": mark.consistent if mark else "",
                "remark": mark.remark if mark else "",
                # 佐證<序號> in the table, the files listed after it
                "evidence": mark.evidence if mark else "",
            }
        )
    data: dict[str, Any] = {
        "period": sample.period,
        "unit": sample.unit,
        "population": sample.population,
        "sample_size": sample.sample_size,
        "rule": _rule(sample),
        "seed": sample.seed,
        # the algorithm's name: README and the journal (``algorithm_text``) describe it
        "algorithm": sample.algorithm,
        "population_sha256": sample.population_sha256,
        "draw": sample.number,
        "cases": cases,
        "supervisor": unit.supervisor if unit else "",
    }
    if check_date is not None:
        data["check_date"] = check_date
    return data


def _rule(sample: Sample) -> str:
    """抽查規則, followed by which draw it is when it was drawn again (ISSUE 10 item 1):
    ``…；第2次抽樣（取代第1次：<reason>）``."""
    return f"{sample.rule}；{sample.draw_label}" if sample.replaces else sample.rule


def fill_case_check(
    workspace: Workspace, sample: Sample, data: dict[str, Any], out_dir: Path, pdf: bool
) -> tuple[str, list[Path]]:
    """Fill 附件4 into ``out_dir``; returns the record ID and the files written."""
    from docgen.forms import fill_one

    document = fill_one(workspace, "4", VARIANTS[sample.kind], data, out_dir, pdf=pdf)
    files = [document.docx] + ([document.pdf] if document.pdf else [])
    return str(document.record_id), files


def fill_audit_record(
    workspace: Workspace, data: dict[str, Any], out_dir: Path, pdf: bool
) -> tuple[str, list[Path]]:
    """Fill 附件5 into ``out_dir``; returns the record ID and the files written."""
    from docgen.forms import fill_one

    document = fill_one(workspace, "5", "", data, out_dir, pdf=pdf)
    files = [document.docx] + ([document.pdf] if document.pdf else [])
    return str(document.record_id), files
