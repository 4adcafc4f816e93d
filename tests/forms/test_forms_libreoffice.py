"""The LibreOffice wrapper's watchdog, driven by a stand-in soffice program (a shell
script: an external tool, not our code) that hangs on some files."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from docgen.cli.main import cli
from docgen.errors import ExternalToolError
from docgen.forms.libreoffice import Converter
from docgen.journal import Journal

#: The CLI tests name tmp_path / "ws" with -w: it must be a workspace (ISSUE 11 item 4).
pytestmark = pytest.mark.usefixtures("ws_workspace")

FAKE_SOFFICE = """#!/bin/bash
# Converts like soffice --convert-to pdf --outdir DIR FILES...; hangs on *stuck* and
# on second half-years (*H2*), writes an empty PDF for *empty*.
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
  case "$name" in
    *stuck*|*H2*) sleep 60;;
    *empty*) : > "$out/$name.pdf";;
    *) cp "$SAMPLE_PDF" "$out/$name.pdf";;
  esac
done
"""


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    sample = tmp_path / "sample.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(sample)
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "soffice"
    script.write_text(FAKE_SOFFICE)
    script.chmod(0o755)
    monkeypatch.setenv("SAMPLE_PDF", str(sample))
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
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


def test_cli_journals_what_was_written_then_reports_failed_pdfs(
    tmp_path, fake_soffice, monkeypatch
) -> None:
    data = tmp_path / "a5.yaml"
    data.write_text("- half: 2026-H1\n- half: 2026-H2\n", encoding="utf-8")
    ws, out = tmp_path / "ws", tmp_path / "out"
    args = [
        "-w",
        str(ws),
        "forms",
        "fill",
        "5",
        str(data),
        "-d",
        str(out),
        "--pdf",
        "--pdf-timeout",
        "1.5",
    ]
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, ExternalToolError)
    assert "1 PDF(s) could not be made" in str(result.exception)
    assert "2026H2" in str(result.exception) and "no PDF within" in str(result.exception)
    entry = Journal(ws / ".docgen" / "journal.jsonl").entries()[-1]
    assert entry["details"]["documents"] == 2
    assert len(list(out.glob("*.docx"))) == 2
    assert [p.name for p in out.glob("*.pdf")] == [p.stem + ".pdf" for p in out.glob("*H1*.docx")]


def test_missing_libreoffice_stops_before_anything_is_written(tmp_path, monkeypatch) -> None:
    from docgen.forms import libreoffice

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(libreoffice, "_KNOWN_PLACES", ())
    data = tmp_path / "a5.yaml"
    data.write_text("half: 2026-H1\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["-w", str(tmp_path / "ws"), "forms", "fill", "5", str(data), "-d", str(out), "--pdf"]
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, ExternalToolError)
    assert "apt-get install libreoffice-writer-nogui" in str(result.exception)
    assert not out.exists()
