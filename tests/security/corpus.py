"""The hostile corpus (ISSUE 9, Done when): files a hostile or careless user could hand
docgen, each built fresh by a small function from a target path.

Large files (decompression bombs) come from :mod:`tests.hostile.generate`, which
writes them without ever inflating them; the rest are written here with the
libraries docgen reads them with.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf

from tests.hostile import generate

Builder = Callable[[Path], Path]

#: A workbook bomb big enough that parsing it would pass any memory bound we set.
BOMB_BYTES = 1_200_000_000


def log_with_unit(target: Path, unit: str) -> Path:
    """A CSV query log in the platform's columns, plus a 查詢人員單位 column saying ``unit``."""
    import csv

    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*generate.QUERY_LOG_HEADER, "查詢人員單位"])
        for minute in range(10):
            row = list(generate.QUERY_LOG_ROW)
            row[0] = f"2026-10-01 09:{minute:02d}:00"
            writer.writerow([*row, unit])
    return target


def pdf_with_javascript(target: Path) -> Path:
    """A one-page PDF that runs JavaScript when opened and when its page is shown."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    action = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    pdf.Root.OpenAction = action
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=action)
    pdf.save(target)
    return target


def encrypted_pdf(target: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(target, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    return target


def truncated_pdf(target: Path) -> Path:
    buffer = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(buffer)
    target.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    return target


def not_a_pdf(target: Path) -> Path:
    target.write_bytes(b"MZ\x90\x00 an executable named .pdf")
    return target


def docx_claiming(record_id: str = "", category: str = "") -> Builder:
    """A DOCX whose docgen custom properties claim ``record_id`` and ``category``."""

    def build(target: Path) -> Path:
        from docgen.metadata import RecordMetadata, write_ooxml_metadata

        generate.docx(target)
        write_ooxml_metadata(target, RecordMetadata(record_id=record_id, category=category))
        return target

    return build


def template_with(tag: str) -> Builder:
    """A DOCX template whose body is one paragraph holding ``tag``."""

    def build(target: Path) -> Path:
        import docx

        document = docx.Document()
        document.add_paragraph(tag)
        document.save(str(target))
        return target

    return build


def xlsx_bomb(target: Path) -> Path:
    return generate.xlsx_bomb(target, inflated_bytes=BOMB_BYTES)


def docx_bomb(target: Path) -> Path:
    return generate.docx_bomb(target, inflated_bytes=BOMB_BYTES)


def empty_zip(target: Path) -> Path:
    with zipfile.ZipFile(target, "w"):
        pass
    return target


#: Workbooks (query logs, supervisors' sheets): name → builder.
WORKBOOKS: dict[str, Builder] = {
    "bomb.xlsx": xlsx_bomb,
    "bad-crc.xlsx": generate.bad_crc,
    "truncated-member.xlsx": generate.truncated_member,
    "truncated.xlsx": generate.truncated_zip,
    "not-xml.xlsx": generate.member_not_xml,
    "laughs.xlsx": generate.billion_laughs,
    "empty-zip.xlsx": empty_zip,
}


def yaml_laughs(target: Path) -> Path:
    """Form data whose aliases expand to 9 × 3**20 entries when walked."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}]" for n in range(24)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


#: Form data (forms fill): the workbooks, and YAML.
FORM_DATA: dict[str, Builder] = {"laughs.yaml": yaml_laughs}

#: CSV query logs.
CSV_LOGS: dict[str, Builder] = {
    "nul.csv": generate.csv_with_nul,
    "huge-field.csv": generate.csv_huge_field,
}

#: Templates for forms check / forms fill.
TEMPLATES: dict[str, Builder] = {
    "bomb.docx": docx_bomb,
    "include.docx": template_with("{% include 'x.xml' %}"),
    "import.docx": template_with("{% import 'x.xml' as x %}"),
    "range.docx": template_with("{% for i in range(10**10) %}x{% endfor %}"),
    "attr.docx": template_with("{{ period|attr('__class__') }}"),
    "dunder.docx": template_with("{{ period.__class__.__mro__ }}"),
    "truncated.docx": generate.truncated_zip,
}

#: Inputs of a package build.
PACKAGE_INPUTS: dict[str, Builder] = {
    "encrypted.pdf": encrypted_pdf,
    "truncated.pdf": truncated_pdf,
    "fake.pdf": not_a_pdf,
}

#: Files dropped into the archive's inbox.
INBOX_FILES: dict[str, Builder] = {
    "traversal-id.docx": docx_claiming(record_id="../../../templates/attachments/x"),
    "traversal-category.docx": docx_claiming(category="../../../templates"),
    "absolute-category.docx": docx_claiming(category="/etc"),
    "bomb.docx": docx_bomb,
}
