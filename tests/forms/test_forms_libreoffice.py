"""The LibreOffice wrapper's watchdog, driven by a stand-in soffice program (a shell
script: an external tool, not our code) that hangs on one file."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from docgen.errors import ExternalToolError
from docgen.forms.libreoffice import Converter

FAKE_SOFFICE = """#!/bin/bash
# Converts like soffice --convert-to pdf --outdir DIR FILES..., hanging on *stuck*.
out=""; files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) out="$2"; shift 2;;
    -*|pdf*) shift;;
    *) files+=("$1"); shift;;
  esac
done
for f in "${files[@]}"; do
  name=$(basename "$f" .docx)
  case "$name" in *stuck*) sleep 60;; *empty*) : > "$out/$name.pdf";; *) cp "$SAMPLE_PDF" "$out/$name.pdf";; esac
done
"""


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    sample = tmp_path / "sample.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(sample)
    script = tmp_path / "soffice"
    script.write_text(FAKE_SOFFICE)
    script.chmod(0o755)
    monkeypatch.setenv("SAMPLE_PDF", str(sample))
    return str(script)


def _sources(folder: Path, *names: str) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"{name}.docx" for name in names]
    for path in paths:
        path.write_bytes(b"x")
    return paths


def test_stuck_document_is_skipped_and_the_rest_converted(tmp_path, fake_soffice) -> None:
    sources = _sources(tmp_path / "in", "a", "b-stuck", "c", "d-empty", "e")
    with Converter(timeout=1.5, soffice=fake_soffice) as converter:
        result = converter.convert(sources, tmp_path / "out")
    assert sorted(p.name for p in result.pdfs) == ["a.docx", "c.docx", "e.docx"]
    assert "stuck" in result.failed[sources[1]]
    assert "empty" in result.failed[sources[3]]
    assert not (tmp_path / "out" / "b-stuck.pdf").exists()


def test_add_pdfs_reports_failures(tmp_path, fake_soffice, forms_workspace, monkeypatch) -> None:
    from docgen.forms import fill_one
    from docgen.forms.pdf import add_pdfs

    monkeypatch.setenv("DOCGEN_SOFFICE", fake_soffice)
    data = {"half": "2026-H1"}
    document = fill_one(forms_workspace, "5", None, data, tmp_path / "out")
    stuck = document.docx.with_name("x-stuck.docx")
    document.docx.rename(stuck)
    document.docx = stuck
    with pytest.raises(ExternalToolError, match=r"x-stuck\.docx: no PDF within"):
        add_pdfs([document], tmp_path / "out", lambda items, total, label: items, timeout=1)
