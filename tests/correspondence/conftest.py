"""Fixtures of the print-form tests (printed_*): a two-page 函 and a 簽 of the example
office (synthetic content), rendered to DOCX, ODT and PDF once per session (LibreOffice
is slow), and the PDFs' first pages as PNG test artifacts."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from docgen.correspondence.document import (
    Attachment,
    Document,
    DocumentNumber,
    Item,
    Party,
    Section,
    Sender,
)
from docgen.correspondence.printed import convert_print_forms, write_docx
from docgen.forms.libreoffice import Converter

SENDER = Sender(
    name="臺北市市場處",
    code="379130000C",
    unit="企劃室",
    unit_code="379130000C01",
    address="10491臺北市中山區松江路367號",
    contacts=("承辦人：李○華", "電話：(02)2508-1234分機123", "傳真：(02)2508-9999"),
)
ATTACHMENTS = (
    Attachment("115年上半年稽核紀錄表", "audit-record.pdf"),
    Attachment("115年上半年案件抽查表", "case-sample.pdf"),
)


def _long(n: int) -> str:
    return (
        f"本處於115年1月1日至6月30日間查詢戶役政資訊系統共計{n}筆，依規定隨機抽查"
        "案件並逐案核對申請書、查詢紀錄及承辦人員簽章，均與所載用途相符，"
        "抽查結果已填載於案件抽查表，並經單位主管覆核在案。"
    )


@pytest.fixture(scope="session")
def printed_letter() -> Document:
    """The half-year 函 to 民政局 (R6.4): three-depth 說明, two attachments, long
    enough for a second page."""
    explanation = (
        Item("依據臺北市政府民政局戶役政資訊系統使用管理規定第6點第4款辦理。"),
        Item(
            "本處115年上半年稽核情形如下：",
            (
                Item(
                    "查詢統計：",
                    (
                        Item(_long(1284)),
                        Item("抽查案件計64件，抽查比率約百分之五，未發現與用途不符之查詢。"),
                    ),
                ),
                Item("異常案件：本期無異常案件移送政風單位。"),
                Item(_long(1284) + _long(1284)),
            ),
        ),
        Item("檢送115年上半年稽核紀錄表及案件抽查表各1份，並附彩色掃描檔。"),
        Item(_long(977) + _long(977)),
        Item("本案聯絡人：企劃室李○華，電話(02)2508-1234分機123。"),
    )
    return Document(
        form="函",
        sender=SENDER,
        subject="檢送本處115年上半年戶役政資訊系統稽核紀錄表及案件抽查表各1份，請查照。",
        sections=(Section("說明", items=explanation),),
        file_number="115/010302/1/1/001",
        retention="10年",
        receiver=Party("臺北市政府民政局", code="379000000A"),
        date=date(2026, 11, 27),
        number=DocumentNumber("北市市企字", 115, "3025174"),
        speed="普通件",
        attachments_note="如說明三",
        attachments=ATTACHMENTS,
        originals=(Party("臺北市政府民政局", code="379000000A"),),
        copies=(Party("本處政風室", kind="unit", with_attachments=True), Party("本處企劃室")),
        signature=("處長　王○明",),
    )


@pytest.fixture(scope="session")
def printed_memo() -> Document:
    """The anomaly 簽 to 政風 (R6.5): 主旨, 說明, 擬辦, 敬陳."""
    return Document(
        form="簽",
        sender=SENDER,
        subject="陳報本處115年上半年戶役政資訊系統查詢異常案件2件，簽請鑒核。",
        sections=(
            Section(
                "說明",
                items=(
                    Item("依戶役政資訊系統使用管理規定第6點第5款辦理。"),
                    Item(
                        "異常案件如下：",
                        (Item("查詢用途欄未填載者1件。"), Item("申請書未經主管核章者1件。")),
                    ),
                ),
            ),
            Section("擬辦", items=(Item("移請政風室查處。"), Item("查處結果函報民政局。"))),
        ),
        file_number="115/010302/1/1/002",
        retention="10年",
        date=date(2026, 11, 27),
        attachments=(Attachment("異常案件移送清單"),),
        signature=("承辦人　李○華",),
        submit_to=("主任", "處長"),
    )


@dataclass(frozen=True)
class PrintedForms:
    """One document's files: its DOCX, ODT, PDF and the PNG of its first page."""

    docx: Path
    odt: Path
    pdf: Path
    png: Path


@pytest.fixture(scope="session")
def printed_artifacts() -> Path:
    """Where the PNGs (and PDFs) stay after the run (DOCGEN_TEST_ARTIFACTS, else build/…)."""
    folder = (
        Path(os.environ.get("DOCGEN_TEST_ARTIFACTS", "build/test-artifacts")) / "correspondence"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def printed_forms(
    printed_letter: Document,
    printed_memo: Document,
    printed_artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, PrintedForms]:
    """Both documents as DOCX, then ODT and PDF in one soffice run per target."""
    folder = tmp_path_factory.mktemp("printed")
    docs = {"letter": printed_letter, "memo": printed_memo}
    paths = {
        name: write_docx(doc, folder / f"correspondence-{name}.docx") for name, doc in docs.items()
    }
    with Converter() as converter:
        outputs = convert_print_forms(list(paths.values()), converter=converter)
    forms = {}
    for name, docx_path in paths.items():
        odt, pdf = outputs[docx_path]
        png = printed_artifacts / f"correspondence-{name}.png"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-png",
                "-singlefile",
                str(pdf),
                str(png.with_suffix("")),
            ],
            check=True,
        )
        shutil.copyfile(pdf, printed_artifacts / pdf.name)
        forms[name] = PrintedForms(docx_path, odt, pdf, png)
    return forms
