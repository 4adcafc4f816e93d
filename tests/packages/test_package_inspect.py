"""docgen package inspect: outline, labels, metadata, and whether the manifest matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.errors import ExitCode
from docgen.metadata import RecordMetadata


@pytest.fixture
def package(make, docgen, tmp_path: Path) -> Path:
    meta = RecordMetadata(record_id="DG-4M-202610-0000BEEF", period="2026-10", unit="資訊室",
                          category="monthly_check")  # fmt: skip
    form = make.text_pdf("form.pdf", "Form", pages=2, meta=meta)
    out = tmp_path / "package.pdf"
    run = docgen("package", "build", "--document", f"附件4 抽查表={form}",
                 "--evidence", f"佐證1 查詢紀錄={make.jpeg('log.jpg')}", "-o", out)  # fmt: skip
    assert run.exit_code == 0, run.error
    return out


def test_inspect_shows_outline_labels_metadata_and_a_matching_manifest(package, docgen) -> None:
    run = docgen("package", "inspect", package)
    assert run.exit_code == 0, run.error
    lines = run.output.splitlines()
    assert any(line.startswith("附件4 抽查表") and "附件4-1 … 附件4-2" in line for line in lines)
    assert any(line.startswith("  佐證1 查詢紀錄") and "佐證1-1" in line for line in lines)
    assert "category: monthly_check" in lines
    assert "trigger: 2026-10-31" in lines
    assert "record_ids: DG-4M-202610-0000BEEF" in lines
    assert "manifest: matches" in lines


def test_inspect_as_json(package, docgen) -> None:
    run = docgen("package", "inspect", package, "--format", "json")
    assert run.exit_code == 0, run.error
    data = json.loads(run.output)
    text = json.dumps(data, ensure_ascii=False)
    assert "佐證1 查詢紀錄" in text
    assert "DG-4M-202610-0000BEEF" in text


def test_a_changed_package_does_not_match_its_manifest(package, docgen) -> None:
    with open(package, "ab") as handle:
        handle.write(b"\n% appended\n")
    run = docgen("package", "inspect", package)
    assert run.exit_code == ExitCode.INTEGRITY
    assert "does not match its manifest" in run.error
    assert "the file was changed" in run.error
    assert "DOES NOT MATCH" in run.output


def test_a_package_without_its_manifest_is_reported(package, docgen) -> None:
    package.with_name("package.pdf.manifest.json").unlink()
    run = docgen("package", "inspect", package)
    assert run.exit_code == ExitCode.INTEGRITY
    assert "no manifest package.pdf.manifest.json beside it" in run.error


def test_inspect_of_a_file_that_is_not_a_pdf(docgen, tmp_path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"not a pdf at all")
    run = docgen("package", "inspect", fake)
    assert run.exit_code == ExitCode.INPUT
    assert str(fake) in run.error
