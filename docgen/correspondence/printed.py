"""The print form of a 函 or 簽: DOCX laid out as 文書處理手冊 and the official 筆硯
template lay it out, and its ODT (the templates' own format, ODF-CNS15251) and PDF
made by docgen's LibreOffice (:mod:`docgen.forms.libreoffice`).

The parts come from :class:`~docgen.correspondence.document.Document` in the order
research/taiwan-conventions.md §1.1 gives: 檔號, 保存年限 (top right), 發文機關 and
文別 (centred), 地址 and 聯絡方式 (right block), 受文者, 發文日期, 發文字號, 速別,
密等及解密條件或保密期限, 附件, 主旨, 說明/辦法, 正本, 副本, 署名. A 簽 (§1.2):
檔號, 保存年限, 「簽　於（單位）」 and its date, 主旨, 說明, 擬辦, 「敬陳」 with the
deciders' titles, the signer. Items are numbered 一、 → （一） → 1、 → （1）, each level
one character further in, wrapped lines under the text after the marker. Every page
carries 「第1頁　共2頁」 at its foot (§1.4). The page itself: :mod:`.printed_layout`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from docgen.calendar import format_roc
from docgen.correspondence.document import Document, Item, Party, Section, marker, problems, walk
from docgen.correspondence.printed_layout import (
    BODY_PT,
    FIELD_PT,
    FILE_PT,
    LINE_CM,
    RIGHT_BLOCK_CM,
    SIGN_GAP_CM,
    SIGN_LEFT_CM,
    TITLE_PT,
    Block,
    em_cm,
    hanging,
    line,
    render,
)
from docgen.errors import ExternalToolError, InputError
from docgen.forms.libreoffice import ODT, PDF, Converter, Target
from docgen.fsutil import atomic_write_bytes
from docgen.i18n import _

#: The page-number line at the foot, around its PAGE and NUMPAGES fields.
FOOTER = ("第", "頁　共", "頁")
#: 「敬陳」 stands four characters in (the 簽 template).
SUBMIT_INDENT_EM = 4


def layout(document: Document) -> list[Block]:
    """Every paragraph of ``document`` in print order."""
    if document.form == "簽":
        return _memo(document)
    return _letter(document)


def docx_bytes(document: Document) -> bytes:
    """The DOCX of ``document``; refused (:class:`InputError`) when it has
    :func:`~docgen.correspondence.document.problems`."""
    found = problems(document)
    if found:
        raise InputError(
            _("the {form} cannot be written, check: {parts}").format(
                form=document.form, parts="; ".join(found)
            )
        )
    return render(layout(document), FOOTER, document.title)


def write_docx(document: Document, path: Path) -> Path:
    """Write the DOCX of ``document`` to ``path`` atomically."""
    atomic_write_bytes(path, docx_bytes(document))
    return path


def convert_print_forms(
    docx_paths: Sequence[Path], *, converter: Converter, targets: Sequence[Target] = (ODT, PDF)
) -> dict[Path, list[Path]]:
    """Convert DOCX files to each of ``targets`` (ODT and PDF) beside them: one soffice
    run per target and folder for all of them. The outputs land in a temporary folder
    inside the destination and are renamed in only when every conversion of the
    folder succeeded, so no half-made or partial set is ever left; a failure is an
    :class:`ExternalToolError` naming the files. Returns each DOCX's outputs in
    ``targets`` order."""
    outputs: dict[Path, list[Path]] = {path: [] for path in docx_paths}
    folders: dict[Path, list[Path]] = {}
    for path in docx_paths:
        folders.setdefault(path.parent, []).append(path)
    for folder, sources in folders.items():
        for source, made in _convert_folder(folder, sources, converter, targets).items():
            outputs[source].extend(made)
    return outputs


def write_print_forms(
    document: Document, docx_path: Path, *, converter: Converter, odt: bool = True, pdf: bool = True
) -> list[Path]:
    """Write the DOCX of ``document`` to ``docx_path``, then its ODT and PDF beside it
    (:func:`convert_print_forms`). Returns the files written, the DOCX first."""
    write_docx(document, docx_path)
    targets = [target for target, wanted in ((ODT, odt), (PDF, pdf)) if wanted]
    if not targets:
        return [docx_path]
    return [
        docx_path,
        *convert_print_forms([docx_path], converter=converter, targets=targets)[docx_path],
    ]


def _convert_folder(
    folder: Path, sources: list[Path], converter: Converter, targets: Sequence[Target]
) -> dict[Path, list[Path]]:
    staging = Path(tempfile.mkdtemp(prefix=".docgen-print-", dir=folder))
    try:
        made: dict[Path, list[Path]] = {source: [] for source in sources}
        for target in targets:
            result = converter.convert(sources, staging, target=target)
            if result.failed:
                reasons = "; ".join(f"{path.name}: {why}" for path, why in result.failed.items())
                raise ExternalToolError(
                    _("cannot make the {kind} files: {reasons}").format(
                        kind=target.label, reasons=reasons
                    )
                )
            for source, output in result.written.items():
                made[source].append(output)
        placed: dict[Path, list[Path]] = {}
        for source, outputs in made.items():
            placed[source] = []
            for output in outputs:
                final = folder / output.name
                os.replace(output, final)
                placed[source].append(final)
        return placed
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------- the parts


def _letter(document: Document) -> list[Block]:
    """A 函: the template's header fields, then the body and the closing parts."""
    sender = document.sender
    blocks = [*_filing(document), line(document.title, TITLE_PT, align="center", keep_next=True)]
    blocks.append(_right(f"地址：{sender.address}", "地址："))
    blocks.extend(_right(contact, _label_of(contact)) for contact in sender.contacts)
    receiver = document.receiver.shown if document.receiver else ""
    blocks.append(hanging(receiver, "受文者：", BODY_PT, before=0.3))
    blocks.extend(
        _field(label, value)
        for label, value in (
            ("發文日期：", format_roc(document.date) if document.date else ""),
            ("發文字號：", document.number.shown),
            ("速別：", document.speed),
            ("密等及解密條件或保密期限：", _secrecy(document)),
            ("附件：", _attachments(document)),
        )
    )
    blocks.extend(_body(document, before=LINE_CM[FIELD_PT]))
    blocks.append(_field("正本：", _parties(document.originals), before=LINE_CM[BODY_PT]))
    if document.copies:
        blocks.append(_field("副本：", _parties(document.copies)))
    blocks.extend(_signature(document))
    return blocks


def _memo(document: Document) -> list[Block]:
    """A 簽: 「簽」 large before 「　於（單位）」, the date right, the body, 敬陳."""
    title = document.title
    blocks = [*_filing(document)]
    blocks.append(Block(((title[:1], TITLE_PT), (title[1:], BODY_PT)), keep_next=True))
    shown = format_roc(document.date) if document.date else ""
    blocks.append(line(f"日期：{shown}", FIELD_PT, align="right", keep_next=True))
    blocks.extend(_body(document, before=0.0))
    indent = em_cm(SUBMIT_INDENT_EM, BODY_PT)
    blocks.append(line("敬陳", left=indent, before=LINE_CM[BODY_PT], keep_next=True))
    blocks.extend(line(title_, keep_next=True) for title_ in document.submit_to)
    blocks.extend(_signature(document))
    return blocks


def _filing(document: Document) -> list[Block]:
    """檔號 and 保存年限, 10 pt at the top of the right block."""
    return [
        line(f"檔號：{document.file_number}", FILE_PT, left=RIGHT_BLOCK_CM),
        line(f"保存年限：{document.retention}", FILE_PT, left=RIGHT_BLOCK_CM),
    ]


def _body(document: Document, before: float) -> list[Block]:
    """主旨 (one paragraph, never itemised), then each section."""
    blocks = [hanging(document.subject, "主旨：", BODY_PT, before=before)]
    for section in document.sections:
        blocks.extend(_section(section))
    return blocks


def _section(section: Section) -> list[Block]:
    """「說明：text」, or 「說明：」 alone above its numbered items."""
    label = f"{section.name}："
    blocks = [hanging(section.text, label, BODY_PT, keep_next=bool(section.items))]
    blocks.extend(_items(section.items))
    return blocks


def _items(items: tuple[Item, ...]) -> list[Block]:
    """Each item one character further in per depth, its wrapped lines under its text."""
    return [
        hanging(item.text, marker(depth, n), BODY_PT, start_cm=em_cm(depth + 1, BODY_PT))
        for depth, n, item in walk(items)
    ]


def _right(text: str, label: str) -> Block:
    return hanging(text.removeprefix(label), label, FIELD_PT, start_cm=RIGHT_BLOCK_CM)


def _field(label: str, value: str, before: float = 0.0) -> Block:
    return hanging(value, label, FIELD_PT, before=before)


def _signature(document: Document) -> list[Block]:
    """署名 lines at the right, with room above them for the seal."""
    return [
        line(text, left=SIGN_LEFT_CM, before=SIGN_GAP_CM if i == 0 else 0.0)
        for i, text in enumerate(document.signature)
    ]


def _label_of(text: str) -> str:
    """「電話：02-1234」 → 「電話：」 (wrapped lines stand under the value)."""
    head, colon, _rest = text.partition("：")
    return head + colon if colon else ""


def _secrecy(document: Document) -> str:
    if document.secrecy and document.declassify:
        return f"{document.secrecy}（{document.declassify}）"
    return document.secrecy or document.declassify


def _attachments(document: Document) -> str:
    """「如說明二（稽核紀錄表、案件抽查表）」: the note, then the attachment names."""
    names = "、".join(attachment.name for attachment in document.attachments)
    if document.attachments_note and names:
        return f"{document.attachments_note}（{names}）"
    return document.attachments_note or names


def _parties(parties: tuple[Party, ...]) -> str:
    return "、".join(
        party.shown + ("（含附件）" if party.with_attachments else "") for party in parties
    )
