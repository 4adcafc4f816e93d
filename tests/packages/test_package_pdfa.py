"""--pdfa: PDF/A-2b validated on save; evidence that cannot conform is named with
the reason, and only evidence is repaired with Ghostscript."""

from __future__ import annotations

import json
from pathlib import Path

import img2pdf
import pikepdf
import pikepdf.pdfa

from docgen.errors import ExitCode
from docgen.fsutil import sha256_file
from docgen.metadata import read_pdf_metadata
from docgen.packages.pdfa import problems


def _build(docgen, tmp_path: Path, documents, evidence=(), extra=()):
    out = tmp_path / "out" / "p.pdf"
    args = [a for d in documents for a in ("--document", f"附件5={d}")]
    args += [a for e in evidence for a in ("--evidence", f"附件5=佐證={e}")]
    run = docgen("package", "build", *args, "--half", "2026-H1", "--unit", "全處",
                 "--category", "half_year_audit", "--pdfa", *extra, "-o", out)  # fmt: skip
    return run, out


def _cmyk_pdf(make) -> Path:
    jpeg = make.image("cmyk.jpg", make.noise("CMYK"), "JPEG", dpi=(300, 300))
    target = make.path("cmyk.pdf")
    target.write_bytes(img2pdf.convert(str(jpeg)))
    return target


def test_a_pdfa_package_passes_validation(make, docgen, tmp_path) -> None:
    form = make.embedded_pdf("form.pdf", "Audit", pages=2)
    scan = make.jpeg("scan.jpg")
    evidence = make.embedded_pdf("evidence.pdf", "Evidence")
    run, out = _build(docgen, tmp_path, [form, scan], [evidence])
    assert run.exit_code == 0, run.error
    report = pikepdf.pdfa.validate_written(out, "2b")
    # pikepdf's validator knows no extension schemas: the only findings are docgen's
    # own XMP fields, which the package describes in one (ISO 19005-2 §6.6.2.3.2)
    assert {f.rule for f in report.findings} == {"ISO_19005_2:6.6.2.3.1-1"}
    assert problems(report) == []
    with pikepdf.open(out) as pdf:
        xmp = pdf.open_metadata()
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "B")
        assert "pdfaExtension:schemas" in pdf.Root.Metadata.read_bytes().decode()
        assert len(pdf.Root.OutputIntents) == 1
        images = [i for p in pdf.pages for i in p.get_images().values()]
        assert images[0].read_raw_bytes() == scan.read_bytes()
    meta = read_pdf_metadata(out)
    assert meta is not None
    assert (meta.category, meta.period, meta.unit) == ("half_year_audit", "2026-H1", "全處")


def test_evidence_without_embedded_fonts_is_named_with_the_reason(make, docgen, tmp_path) -> None:
    scan = make.jpeg("scan.jpg")
    plain = make.text_pdf("plain.pdf", "Evidence")
    run, out = _build(docgen, tmp_path, [scan], [plain])
    assert run.exit_code == ExitCode.INPUT
    assert run.error.startswith(f"{plain}: evidence that cannot be PDF/A-2b")
    assert "not embedded" in run.error
    assert "--repair-evidence" in run.error
    assert not out.exists()


def test_repair_evidence_converts_only_the_evidence(make, docgen, tmp_path) -> None:
    scan = make.jpeg("scan.jpg")
    plain = make.text_pdf("plain.pdf", "Evidence", pages=2)
    cmyk = _cmyk_pdf(make)
    run, out = _build(docgen, tmp_path, [scan], [plain, cmyk], extra=("--repair-evidence",))
    assert run.exit_code == 0, run.error
    assert "plain.pdf: converted to PDF/A with Ghostscript" in run.output
    assert "cmyk.pdf: converted to PDF/A with Ghostscript" in run.output
    assert problems(pikepdf.pdfa.validate_written(out, "2b")) == []
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 4
        first = next(iter(pdf.pages[0].get_images().values()))
        assert first.read_raw_bytes() == scan.read_bytes()  # the scan is untouched
    manifest = json.loads(out.with_name("p.pdf.manifest.json").read_text("utf-8"))
    assert manifest["pdfa"] == "2b"
    assert [i["sha256"] for i in manifest["inputs"]] == [
        sha256_file(p) for p in (scan, plain, cmyk)
    ]


def test_every_evidence_that_cannot_conform_is_named(make, docgen, tmp_path) -> None:
    cmyk, plain = _cmyk_pdf(make), make.text_pdf("plain.pdf", "Evidence")
    run, _out = _build(docgen, tmp_path, [make.jpeg("scan.jpg")], [cmyk, plain])
    assert run.exit_code == ExitCode.INPUT
    first, *rest = run.error.splitlines()
    assert first == "2 input files cannot be used:"
    assert rest[0].startswith(f"  {cmyk}: evidence that cannot be PDF/A-2b: DeviceCMYK")
    assert rest[1].startswith(f"  {plain}: evidence that cannot be PDF/A-2b")


def test_a_form_that_cannot_conform_is_never_rewritten(make, docgen, tmp_path) -> None:
    plain = make.text_pdf("form.pdf", "Form")
    run, out = _build(docgen, tmp_path, [plain], extra=("--repair-evidence",))
    assert run.exit_code == ExitCode.INPUT
    assert run.error.startswith(f"{plain}: cannot be part of a PDF/A-2b package")
    assert "never rewritten" in run.error
    assert not out.exists()


def test_repair_evidence_needs_pdfa(make, docgen, tmp_path) -> None:
    scan = make.jpeg("scan.jpg")
    run = docgen("package", "build", "--document", f"附件4={scan}", "--repair-evidence",
                 "-o", tmp_path / "p.pdf")  # fmt: skip
    assert run.error == "--repair-evidence only applies with --pdfa"
