"""Form data: every invalid row reported before anything is written, --skip-invalid,
ROC and ISO dates, Chinese headers, variants, the CLI with its journal entry."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli.main import cli
from docgen.errors import InputError, UsageError, ValidationFailed
from docgen.forms import BatchOptions, fill_file, fill_one
from docgen.journal import Journal

HEADER = [
    "申請類別",
    "單位",
    "職稱",
    "姓名",
    "身分證統一編號",
    "帳號",
    "角色",
    "使用目的",
    "法令依據",
    "申請日期",
]
GOOD = [
    "新增",
    "企劃室",
    "科員",
    "王小明",
    "A123456789",
    "plan09",
    "一般使用者",
    "審查",
    "條例",
    "115/10/01",
]


def _csv(path: Path, *rows: list[str]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def _bad_rows(tmp_path: Path) -> Path:
    bad_date = [*GOOD[:5], "plan10", *GOOD[6:9], "115/02/30"]
    bad_type = ["借用", *GOOD[1:5], "plan11", *GOOD[6:]]
    missing = [*GOOD[:5], "", *GOOD[6:]]
    return _csv(tmp_path / "a2.csv", GOOD, bad_date, bad_type, missing)


def test_every_invalid_row_is_reported_and_nothing_written(forms_workspace, tmp_path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed) as caught:
        fill_file(forms_workspace, "2", None, _bad_rows(tmp_path), out)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (3, "application_date (申請日期)"),
        (4, "application_type (申請類別)"),
        (5, "account (帳號)"),
    }
    assert "115/02/30" in str(caught.value)
    assert not out.exists() or not any(out.iterdir())


def test_skip_invalid_writes_the_valid_rows(forms_workspace, tmp_path) -> None:
    out = tmp_path / "out"
    result = fill_file(
        forms_workspace, "附件2", None, _bad_rows(tmp_path), out, BatchOptions(skip_invalid=True)
    )
    assert [d.row for d in result.documents] == [2]
    assert sorted(p.row for p in result.skipped) == [3, 4, 5]
    body = json.loads(result.manifest[0].read_text(encoding="utf-8"))
    assert result.manifest[0].name == f"附件2_manifest_{result.batch_id}.json"
    assert [s["row"] for s in body["skipped"]] == [3, 4, 5]


def test_duplicate_rows_are_problems(forms_workspace, tmp_path) -> None:
    with pytest.raises(ValidationFailed, match="same record as row 2"):
        fill_file(forms_workspace, "2", None, _csv(tmp_path / "d.csv", GOOD, GOOD), tmp_path / "o")


def test_iso_and_roc_dates_give_the_same_document(forms_workspace, tmp_path) -> None:
    data = dict(zip(HEADER, GOOD, strict=True))
    roc = fill_one(forms_workspace, "2", None, data, tmp_path / "a")
    iso = fill_one(forms_workspace, "2", None, {**data, "申請日期": "2026-10-01"}, tmp_path / "b")
    assert roc.record_id == iso.record_id
    assert roc.metadata.data_sha256 == iso.metadata.data_sha256


def test_variant_must_match_the_period(forms_workspace, tmp_path, example_dir) -> None:
    with pytest.raises(ValidationFailed, match="半年抽查 needs a half-year"):
        fill_file(forms_workspace, "4", "half", example_dir / "附件4_月抽查.yaml", tmp_path)
    with pytest.raises(UsageError, match="needs --variant"):
        fill_file(forms_workspace, "4", None, example_dir / "附件4_月抽查.yaml", tmp_path)
    with pytest.raises(InputError, match="no such form"):
        fill_file(forms_workspace, "附件9", None, example_dir / "附件4_月抽查.yaml", tmp_path)


def test_audit_contract_fields_for_4_and_5(forms_workspace, tmp_path) -> None:
    data = {
        "period": "2026-10",
        "unit": "企劃室",
        "population": 0,
        "sample_size": 0,
        "rule": "R6.2：無查詢",
        "seed": "s",
        "algorithm": "a",
        "population_sha256": "0" * 64,
        "cases": [],
    }
    document = fill_one(forms_workspace, "4", "monthly", data, tmp_path)
    assert document.record_id.startswith("DG-4M-202610-")
    record = fill_one(forms_workspace, "5", None, {"half": "2026-H2"}, tmp_path)
    assert record.metadata.category == "half_year_audit"
    assert record.record_id.startswith("DG-5-2026H2-")


@pytest.mark.usefixtures("ws_workspace")
def test_cli_fill_writes_journal_and_manifest(tmp_path, example_dir) -> None:
    runner = CliRunner()
    ws, out = tmp_path / "ws", tmp_path / "ws" / "out"
    args = ["-w", str(ws), "forms", "fill", "3", str(example_dir / "附件3_保密切結書.xlsx")]
    result = runner.invoke(cli, [*args, "-d", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 document(s) of 附件3 and 3 PDF(s)" in result.output
    entries = Journal(ws / ".docgen" / "journal.jsonl").entries()
    assert [e["command"] for e in entries] == ["forms fill"]
    assert len(entries[0]["outputs"]) == 3 + 3 + 2
    (manifest,) = out.glob("附件3_manifest_*.json")
    rows = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    assert all(r["pdf"] and len(r["pdf_sha256"]) == 64 for r in rows)


def test_cli_list_shows_forms_variants_fields(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["-w", str(tmp_path), "forms", "list", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    forms = {r["form"] for r in rows}
    assert forms == {f"附件{n}" for n in range(1, 7)}
    national = next(r for r in rows if r["form"] == "附件2" and r["field"] == "national_id")
    assert national["required"] is True and national["personal"] == "signer's ID, masked by default"
    assert any("half" in r["variants"] for r in rows if r["form"] == "附件4")


@pytest.mark.usefixtures("ws_workspace")
def test_cli_reports_bad_rows_in_one_message_without_traceback(tmp_path, capsys) -> None:
    from docgen.cli.main import main

    bad = _bad_rows(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(
            ["-w", str(tmp_path / "ws"), "forms", "fill", "2", str(bad), "-d", str(tmp_path / "o")]
        )
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert err.startswith("Error: 3 invalid row(s)")
    assert "row 3, column application_date" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_parallel_jobs_write_the_same_documents(forms_workspace, tmp_path) -> None:
    from docgen.forms import fill_rows

    rows = []
    for number in range(40):
        data = dict(zip(HEADER, GOOD, strict=True))
        rows.append((number + 2, {**data, "帳號": f"u{number:03d}"}))
    one = fill_rows(
        forms_workspace, "2", None, rows, tmp_path / "one", options=BatchOptions(jobs=1)
    )
    two = fill_rows(
        forms_workspace, "2", None, rows, tmp_path / "two", options=BatchOptions(jobs=2)
    )
    assert [d.docx.name for d in one.documents] == [d.docx.name for d in two.documents]
    for a, b in zip(one.documents, two.documents, strict=True):
        assert a.docx.read_bytes() == b.docx.read_bytes()


def test_yaml_list_under_one_key_and_single_field_mappings(forms_workspace, tmp_path) -> None:
    listed = tmp_path / "many.yaml"
    listed.write_text("records:\n  - half: 2026-H1\n  - 半年度: 2026-H2\n", encoding="utf-8")
    result = fill_file(forms_workspace, "5", None, listed, tmp_path / "a")
    assert [d.metadata.period for d in result.documents] == ["2026-H1", "2026-H2"]
    single = tmp_path / "one.yaml"
    single.write_text("findings:\n  - finding: x\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="half"):
        fill_file(forms_workspace, "5", None, single, tmp_path / "b")
