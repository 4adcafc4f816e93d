"""Fill the supervisors' sample sheets as a supervisor would, for the demo.

Usage: python simulate_results.py SHEET.xlsx...

Every case is marked 是 with an evidence file name, except the second case of the
first sheet, which is marked 否 with a 備註 — so the referral list has a case.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import load_workbook

HEADER_ROW = 3
CONSISTENT, REMARK, EVIDENCE = 7, 8, 9


def fill(path: Path, mark_one_no: bool) -> int:
    book = load_workbook(path)
    sheet = book["抽查表"]
    marked = 0
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        number = sheet.cell(row, 1).value
        if number is None:
            continue
        no = mark_one_no and number == 2
        sheet.cell(row, CONSISTENT, "否" if no else "是")
        if no:
            sheet.cell(row, REMARK, "查無對應公文，承辦人說明為私人請託")
        sheet.cell(row, EVIDENCE, f"佐證_{path.stem}_{number}.pdf")
        marked += 1
    book.save(path)
    return marked


def main(paths: list[str]) -> None:
    for index, name in enumerate(paths):
        count = fill(Path(name), mark_one_no=index == 0)
        note = " (case 2 marked 否)" if index == 0 else ""
        print(f"Supervisor marked {count} cases in {Path(name).name}{note}.")


if __name__ == "__main__":
    main(sys.argv[1:])
