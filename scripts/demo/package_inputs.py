"""Demo helper for step 50: the inputs of one unit's monthly package, as the office
would have them after the supervisor signed 附件4 and it was colour-scanned.

Usage: package_inputs.py WORKSPACE PERIOD OUT_DIR [UNIT]

Finds 附件4 (月抽查) of PERIOD (of UNIT, else of the first unit): the completed one that ``docgen audit results`` wrote
(DOCX, converted to PDF with LibreOffice, its record metadata copied into the PDF),
else a PDF that ``docgen forms fill --pdf`` wrote. Writes into OUT_DIR:

* ``附件4_簽核掃描_p<N>.jpg`` — the "signed colour scan": each page rendered at 300 dpi
  with pypdfium2 (the QR code with the record ID is on it, as on paper);
* ``附件4_電子檔.pdf`` — the electronic original, with its record metadata (evidence).

Prints the unit on its last line. Exits non-zero, saying why, if there is no 附件4.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pikepdf
import pypdfium2

from docgen.forms.libreoffice import find_soffice, fontconfig_file
from docgen.metadata import read_docx_metadata, read_pdf_metadata, write_pdf_metadata

SCAN_DPI = 300
#: Where the form came from, as the narrative says it (``_find``'s origin).
ORIGIN = {"audit": "docgen audit results", "forms": "docgen forms fill"}


def _find(workspace: Path, period: str, unit: str) -> tuple[Path, str]:
    name = f"附件4_月抽查_{period}_{unit}_*"
    audit = workspace / "out" / "audit" / period
    for pattern in (f"結果/{name}.pdf", f"結果/{name}.docx", f"{name}.pdf"):
        found = sorted(audit.glob(pattern))
        if found:
            return found[0], "audit"
    found = sorted((workspace / "out" / "forms").glob(f"{name}.pdf"))
    if found:
        return found[0], "forms"
    raise SystemExit(f"{audit} 及 {workspace}/out/forms 下均無 {period} 之附件4（月抽查）")


def _unit(form: Path, period: str) -> str:
    return form.stem.split(f"_{period}_", 1)[1].rsplit("_DG-", 1)[0]


def _soffice_to_pdf(source: Path, out_dir: Path) -> None:
    """Convert a DOCX to PDF with LibreOffice, with docgen's font aliases."""
    with tempfile.TemporaryDirectory(prefix="demo-soffice-") as name:
        work = Path(name)
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(work)), "HOME": name,
               "SAL_USE_VCLPLUGIN": "svp"}  # fmt: skip
        command = [find_soffice(), f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out_dir),
                   str(source)]  # fmt: skip
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)


def _electronic_original(form: Path, out_dir: Path) -> Path:
    target = out_dir / "附件4_電子檔.pdf"
    if form.suffix == ".pdf":
        shutil.copyfile(form, target)
        return target
    _soffice_to_pdf(form, out_dir)
    meta = read_docx_metadata(form)
    with pikepdf.open(out_dir / f"{form.stem}.pdf") as pdf:
        if meta is not None:
            write_pdf_metadata(pdf, meta)
        pdf.save(target)
    (out_dir / f"{form.stem}.pdf").unlink()
    return target


def _scan(pdf: Path, out_dir: Path) -> list[Path]:
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for number, page in enumerate(document, 1):
        image = page.render(scale=SCAN_DPI / 72).to_pil()
        target = out_dir / f"附件4_簽核掃描_p{number}.jpg"
        image.save(target, "JPEG", quality=88, dpi=(SCAN_DPI, SCAN_DPI))
        pages.append(target)
    document.close()
    return pages


def main() -> None:
    workspace, period, out_dir = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    form, origin = _find(workspace, period, sys.argv[4] if len(sys.argv) > 4 else "*")
    unit = _unit(form, period)
    original = _electronic_original(form, out_dir)
    scans = _scan(original, out_dir)
    meta = read_pdf_metadata(original)
    record = meta.record_id if meta else "無紀錄編號詮釋資料"
    print(f"{unit}之附件4，取自 {ORIGIN[origin]}：{form.name}（{record}）；"
          f"以 {SCAN_DPI} dpi「掃描」共 {len(scans)} 頁")  # fmt: skip
    print(unit)


if __name__ == "__main__":
    main()
