"""Names on the forms people sign (ISSUE 11 item 8): the signer's name in full on 附件2,
附件3 and the signature rows of 附件4/附件5; the signer's ID on 附件2/附件3 masked unless
``[masking] print_signer_id``; the persons whose data was queried (被查詢人) masked
always, in the office's ``name_style`` ("middle" 王○明 or "surname" 王○○). Checked in
the text of the DOCX files written (python-docx and the package's XML)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docgen.cli.main import cli
from docgen.config import Workspace, open_workspace
from docgen.forms import fill_one
from docgen.forms.describe import all_rows
from docgen.forms.environment import make_environment
from docgen.journal import Journal
from docgen.metadata import read_docx_metadata
from docgen.privacy import MaskingPolicy, find_unmasked_ids
from tests.forms.conftest import docx_text

APPLICATION = {
    "application_type": "新增",
    "unit": "企劃室",
    "title": "科員",
    "name": "王小明",
    "national_id": "A123456789",
    "account": "plan09",
    "role": "一般使用者",
    "purpose": "辦理零售市場攤位使用人資格審查",
    "legal_basis": "零售市場管理條例第12條",
    "application_date": "115/10/01",
}
PLEDGE = {
    "name": "歐陽娜娜",
    "unit": "企劃室",
    "title": "科員",
    "national_id": "F231234567",
    "account": "plan10",
    "date": "115/10/01",
}
SIGNER_FORMS = [("2", APPLICATION, "王小明", "A123456789"), ("3", PLEDGE, "歐陽娜娜", "F231234567")]


def _case(no: int, subject_id: str, subject_name: str) -> dict[str, Any]:
    return {
        "no": no,
        "queried_at": "115/10/02 09:30",
        "account": "plan01",
        "user_name": "陳○華",  # 查詢人員, as the audit code gives it
        "subject_id": subject_id,
        "subject_name": subject_name,
        "item": "戶籍資料",
        "justification": "北市場企字第1153025174號",
    }


CASE_CHECK = {
    "period": "2026-10",
    "unit": "企劃室",
    "population": 60,
    "sample_size": 2,
    "rule": "R6.2",
    "seed": "s1",
    "algorithm": "docgen-rank-v2",
    "population_sha256": "0" * 64,
    "cases": [_case(1, "A123456789", "林美華"), _case(2, "B287654321", "歐陽娜娜")],
    "checker": "張雅婷",
    "supervisor": "陳建宏",
    "reviewer": "李國華",
    "check_date": "115/11/05",
}
AUDIT_RECORD = {
    "half": "2026-H1",
    "audit_date": "115/08/15",
    "auditors": ["周怡君", "許文傑"],
    "ethics_officer": "蔡明哲",
    "director": "李國華",
}


def _workspace(root: Path, masking: str = "") -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    (root / "docgen.toml").write_text(f"[masking]\n{masking}", encoding="utf-8")
    return open_workspace(root, environ={})


def _xml_text(path: Path) -> str:
    """Every XML part of the DOCX (body, properties, headers) as one text."""
    with zipfile.ZipFile(path) as package:
        names = [n for n in package.namelist() if n.endswith(".xml") or n.endswith(".rels")]
        return "\n".join(package.read(name).decode("utf-8") for name in names)


def _fill(workspace: Workspace, form: str, data: dict[str, Any], out: Path) -> Path:
    variant = "monthly" if form == "4" else None
    return fill_one(workspace, form, variant, data, out).docx


# --- 附件2 and 附件3: the signer's name in full, the ID masked unless printed ---------


@pytest.mark.parametrize(("form", "data", "name", "national_id"), SIGNER_FORMS)
def test_the_signer_is_named_in_full_and_the_id_masked_by_default(
    tmp_path: Path, form: str, data: dict[str, Any], name: str, national_id: str
) -> None:
    docx = _fill(_workspace(tmp_path / "ws"), form, data, tmp_path / "out")
    text = docx_text(docx)
    assert name in text
    assert f"{national_id[:6]}****" in text
    assert national_id not in _xml_text(docx)
    assert find_unmasked_ids(_xml_text(docx)) == []


@pytest.mark.parametrize(("form", "data", "name", "national_id"), SIGNER_FORMS)
def test_print_signer_id_prints_the_signers_id_in_full(
    tmp_path: Path, form: str, data: dict[str, Any], name: str, national_id: str
) -> None:
    workspace = _workspace(tmp_path / "ws", "print_signer_id = true\n")
    docx = _fill(workspace, form, data, tmp_path / "out")
    text = docx_text(docx)
    assert name in text and national_id in text
    assert f"{national_id[:6]}****" not in text
    # only on the page: the embedded properties and the data hash do not carry it
    meta = read_docx_metadata(docx)
    masked = _fill(_workspace(tmp_path / "ws2"), form, data, tmp_path / "out2")
    assert meta.data_sha256 == read_docx_metadata(masked).data_sha256
    with zipfile.ZipFile(docx) as package:
        properties = package.read("docProps/custom.xml").decode("utf-8")
    assert find_unmasked_ids(properties) == []


def test_the_signer_is_in_full_in_either_name_style(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path / "ws", 'name_style = "surname"\n')
    text = docx_text(_fill(workspace, "3", PLEDGE, tmp_path / "out"))
    assert "立切結書人" in text and "歐陽娜娜" in text and "歐○○○" not in text


def test_print_signer_id_through_the_cli_keeps_the_journal_and_manifest_masked(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(cli, ["init", str(ws)]).exit_code == 0
    config = ws / "docgen.toml"
    text = config.read_text(encoding="utf-8")
    assert "print_signer_id = false" in text  # the setting is offered, off
    config.write_text(text.replace("print_signer_id = false", "print_signer_id = true"))
    data = tmp_path / "a2.csv"
    header = ",".join(APPLICATION)
    data.write_text(header + "\n" + ",".join(APPLICATION.values()) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["-w", str(ws), "forms", "fill", "2", str(data), "-d", str(out)])
    assert result.exit_code == 0, result.output
    (docx,) = out.glob("附件2_*.docx")
    assert "A123456789" in docx_text(docx) and "王小明" in docx_text(docx)
    (manifest,) = out.glob("附件2_manifest_*.json")
    assert find_unmasked_ids(manifest.read_text(encoding="utf-8")) == []
    journal = (ws / ".docgen" / "journal.jsonl").read_text(encoding="utf-8")
    assert find_unmasked_ids(journal) == [] and "王小明" not in journal
    assert [e["command"] for e in Journal(ws / ".docgen" / "journal.jsonl").entries()][-1] == (
        "forms fill"
    )


# --- 附件4 and 附件5: signature rows in full, the 被查詢人 masked in the chosen style ---


@pytest.mark.parametrize(
    ("masking", "subjects", "not_shown"),
    [
        ("", ["林○華", "歐○○娜"], ["林○○", "歐○○○"]),
        ('name_style = "middle"\n', ["林○華", "歐○○娜"], ["林○○", "歐○○○"]),
        ('name_style = "surname"\n', ["林○○", "歐○○○"], ["林○華", "歐○○娜"]),
    ],
)
def test_case_check_names_its_signers_in_full_and_masks_the_queried(
    tmp_path: Path, masking: str, subjects: list[str], not_shown: list[str]
) -> None:
    docx = _fill(_workspace(tmp_path / "ws", masking), "4", CASE_CHECK, tmp_path / "out")
    text = docx_text(docx)
    for signer in ("張雅婷", "陳建宏", "李國華"):  # 抽查人員, 單位主管, 核閱人員
        assert signer in text
    for shown in subjects:
        assert shown in text
    for other in [*not_shown, "林美華", "歐陽娜娜"]:
        assert other not in _xml_text(docx)
    assert "A12345****" in text and "B28765****" in text
    assert find_unmasked_ids(_xml_text(docx)) == []


def test_print_signer_id_never_unmasks_the_queried(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path / "ws", 'print_signer_id = true\nname_style = "surname"\n')
    docx = _fill(workspace, "4", CASE_CHECK, tmp_path / "out")
    assert find_unmasked_ids(_xml_text(docx)) == []
    assert "林○○" in docx_text(docx) and "張雅婷" in docx_text(docx)


def test_a_case_check_masked_in_the_middle_style_is_masked_again_in_the_surname(
    tmp_path: Path,
) -> None:
    """A sample stored with 王○明 (drawn before the setting changed) is filled 王○○."""
    stored = {**CASE_CHECK, "cases": [_case(1, "A12345****", "林○華")]}
    workspace = _workspace(tmp_path / "ws", 'name_style = "surname"\n')
    text = docx_text(_fill(workspace, "4", stored, tmp_path / "out"))
    assert "林○○" in text and "林○華" not in text


@pytest.mark.parametrize("masking", ["", 'name_style = "surname"\n'])
def test_audit_record_names_its_signers_in_full(tmp_path: Path, masking: str) -> None:
    docx = _fill(_workspace(tmp_path / "ws", masking), "5", AUDIT_RECORD, tmp_path / "out")
    text = docx_text(docx)
    for signer in ("周怡君、許文傑", "蔡明哲", "李國華"):  # 稽核人員, 政風人員, 處長
        assert signer in text


# --- the vocabulary and the template filter ------------------------------------------


def test_forms_list_tells_signers_from_the_queried() -> None:
    rows = {(r["form"], r["field"]): r["personal"] for r in all_rows()}
    for form in ("附件2", "附件3"):
        assert rows[(form, "name")] == "signer's name, in full"
        assert rows[(form, "national_id")] == "signer's ID, masked by default"
    for field in ("checker", "supervisor", "reviewer"):
        assert rows[("附件4", field)] == "signer's name, in full"
    for field in ("auditors", "ethics_officer", "director"):
        assert rows[("附件5", field)] == "signer's name, in full"
    assert rows[("附件4", "cases.subject_name")] == "masked name"
    assert rows[("附件4", "cases.subject_id")] == "masked ID"


def test_the_mask_name_filter_follows_the_style() -> None:
    def render(policy: MaskingPolicy) -> str:
        return make_environment(policy).from_string("{{ n|mask_name }}").render(n="王小明")

    assert render(MaskingPolicy()) == "王○明"
    assert render(MaskingPolicy(name_style="surname")) == "王○○"
