"""Fill the supervisors' sample sheets as a supervisor would, for the demo.

Usage: python simulate_results.py EVIDENCE_DIR SHEET.xlsx...

For each sampled case the supervisor looks the query up and keeps a one-page PDF,
查詢紀錄佐證, in EVIDENCE_DIR (synthetic: only the sheet's masked values), with a
sidecar ``NAME.meta.yaml`` (category monthly_check, period, unit) so that the archive
files it with the month's check. The case is marked 是 and the PDF named in the
sheet's 佐證檔案 column — except the second case of the first sheet, which is marked
否 with a 備註, so the referral list has a case.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import img2pdf
import yaml
from openpyxl import load_workbook
from PIL import Image, ImageDraw, ImageFont

HEADER_ROW = 3
CONSISTENT, REMARK, EVIDENCE = 7, 8, 9
#: A4 at 100 dpi: small files, still legible.
PAGE, DPI = (827, 1169), 100
NO_REMARK = "查無對應公文，承辦人說明為私人請託"


def _font(size: int) -> ImageFont.FreeTypeFont:
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", "AR PL UKai TW"], capture_output=True, text=True
    ).stdout
    return ImageFont.truetype(found or "/usr/share/fonts/truetype/arphic/ukai.ttc", size)


def evidence_pdf(lines: list[tuple[str, str]], target: Path) -> None:
    """A one-page PDF: the title 查詢紀錄佐證 and one labelled line per value."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    draw.text((80, 70), "查詢紀錄佐證", font=_font(34), fill=0)
    body, y = _font(20), 150
    for label, value in lines:
        draw.text((80, y), f"{label}：", font=body, fill=0)
        for start in range(0, len(value), 26):
            draw.text((260, y), value[start : start + 26], font=body, fill=0)
            y += 34
        y += 10
    draw.text((80, PAGE[1] - 90), "示範用虛構資料（docgen 範例機關）", font=body, fill=90)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", dpi=(DPI, DPI))
    target.write_bytes(img2pdf.convert(buffer.getvalue()))


def file_evidence(folder: Path, period: str, unit: str, row: tuple) -> str:
    """Write the case's evidence PDF and its sidecar; the PDF's name."""
    number, queried_at, user, subject, item, justification = row[:6]
    name = f"查詢紀錄佐證_{period}_{unit}_{number}.pdf"
    lines = [("抽查期間", period), ("單位", unit), ("序號", str(number))]
    lines += [("查詢日期時間", str(queried_at)), ("查詢人員", str(user))]
    lines += [("被查詢人", str(subject)), ("查詢項目", str(item))]
    lines += [("查詢事由/依據", str(justification or "（未記載）"))]
    evidence_pdf(lines, folder / name)
    sidecar = {
        "category": "monthly_check",
        "period": period,
        "unit": unit,
        "title": f"{unit} {period} 月抽查 案件{number} 查詢紀錄佐證",
    }
    text = yaml.safe_dump(sidecar, allow_unicode=True, sort_keys=False)
    (folder / f"{Path(name).stem}.meta.yaml").write_text(text, encoding="utf-8")
    return name


def fill(path: Path, evidence_dir: Path, mark_one_no: bool) -> int:
    _, period, unit = path.stem.split("_", 2)  # 抽查表_2026-10_企劃室
    book = load_workbook(path)
    sheet = book["抽查表"]
    marked = 0
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        values = tuple(sheet.cell(row, column).value for column in range(1, 7))
        if values[0] is None:
            continue
        no = mark_one_no and values[0] == 2
        sheet.cell(row, CONSISTENT, "否" if no else "是")
        if no:
            sheet.cell(row, REMARK, NO_REMARK)
        sheet.cell(row, EVIDENCE, file_evidence(evidence_dir, period, unit, values))
        marked += 1
    book.save(path)
    return marked


def main(evidence_dir: str, paths: list[str]) -> None:
    folder = Path(evidence_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(paths):
        count = fill(Path(name), folder, mark_one_no=index == 0)
        note = "（案件2 勾選「否」）" if index == 0 else ""
        print(f"  {Path(name).name}：已勾選 {count} 件，留存佐證 PDF {count} 份{note}。")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
