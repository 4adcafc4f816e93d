"""The exchange form of a 函 or 簽: the DI file (文書本文檔, Document Instance) the
office's document system imports (文書及檔案管理電腦化作業規範, 109-12 revision;
research/taiwan-conventions.md §2).

Written: UTF-8 XML, ``<!DOCTYPE 函 SYSTEM "104_2_utf8.dtd">`` (簽: ``104_5_utf8.dtd``),
every element in the order of the 104-version content models (§2.2), each attachment
file an unparsed entity of the internal subset (``<!ENTITY ATTCH1 SYSTEM "附件一.pdf"
NDATA DI>``) named by an ``附件檔名``. Every file is validated against the DTDs docgen
ships (``docgen/data/correspondence/dtd``, written from the published element lists)
before it is written (:func:`write_di`); nothing is written when anything is wrong.

Parts the document system fills in stay empty elements, in the structured form the
official sample uses, so that it finds them where it expects them: 發文日期
``<年月日/>``, 發文字號 ``<字>…</字><文號><年度>115</年度><流水號/><支號/></文號>`` (年度
and 字 kept when known), a 簽's own ``<文號>`` and ``<年月日/>`` likewise.

docgen never sends a DI file, and never copies the DTDs next to one: the document
system has them. It reads DI files from outside with :func:`read_di`, which loads no
DTD, expands no entity and touches no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from docgen.calendar import format_roc
from docgen.correspondence.document import (
    Document,
    DocumentNumber,
    Item,
    Party,
    Sender,
    marker,
    problems,
)
from docgen.errors import InputError
from docgen.fsutil import atomic_write_bytes
from docgen.i18n import _
from docgen.textsafe import escape_controls

#: The DTD each document type names in its DOCTYPE (``_2`` 函, ``_5`` 簽; §2.1).
DTD_NAMES = {"函": "104_2_utf8.dtd", "簽": "104_5_utf8.dtd"}
#: The files docgen's DTDs consist of; nothing else is ever loaded.
DTD_FILES = frozenset({*DTD_NAMES.values(), "104_basic_utf8.ent"})
#: The notation of the attachment entities, as in the official sample (§2.3).
NOTATION = "DI"
#: A DI file is text only (attachments travel beside it): larger is not one.
MAX_DI_BYTES = 4 * 1024 * 1024
#: What an attachment's file name may not contain: it must be a bare name beside the DI
#: file, and it is written inside ``SYSTEM "…"`` of the internal subset.
_NOT_IN_FILE_NAME = frozenset("/\\:\"'%&<>")
_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_UTF8 = frozenset({"utf-8", "utf8"})
#: Big5 as Taiwanese systems write it: read with Windows' superset of it (cp950).
_BIG5 = frozenset({"big5", "big-5", "cp950", "x-x-big5"})


def dtd_dir() -> Path:
    """The folder of docgen's 104-version DTD files (package data)."""
    return Path(str(resources.files("docgen") / "data" / "correspondence" / "dtd"))


# --- writing -------------------------------------------------------------------------


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an attachment's file name in a DI file, or None: only a bare
    file name beside the DI file will do (no folder, no control character, none of
    ``" ' % & < > :``), since the name goes into the internal subset as it stands."""
    bad = (
        not name.strip()
        or name in {".", ".."}
        or escape_controls(name) != name
        or any(char in _NOT_IN_FILE_NAME for char in name)
    )
    if not bad:
        return None
    return _(
        "attachment file {name} is not a bare file name"
        " (no folder, control character, quote or % & < > :)"
    ).format(name=f"「{name}」")


def exchange_problems(document: Document) -> list[str]:
    """What stops ``document`` from becoming a valid DI file: :func:`problems`, a 函
    without 受文者 (the 函 content model requires one), and attachment file names that
    are not bare names."""
    found = problems(document)
    if document.form == "函" and document.receiver is None:
        found.append("受文者")
    for attachment in document.attachments:
        if attachment.file and (problem := file_name_problem(attachment.file)):
            found.append(problem)
    return found


def di_bytes(document: Document) -> bytes:
    """The DI file of ``document``: UTF-8, the DOCTYPE of its form with each attachment
    file (``Attachment.file``) declared as ``ATTCH1``, ``ATTCH2`` … in the internal
    subset, the elements in DTD order. :class:`InputError` listing
    :func:`exchange_problems` if there are any. Not validated: :func:`write_di` does."""
    found = exchange_problems(document)
    if found:
        raise InputError(
            _("the {form} cannot be written as a DI file:").format(form=document.form), found
        )
    files = [a.file for a in document.attachments if a.file]
    entities = [f"ATTCH{n}" for n in range(1, len(files) + 1)]
    root = _letter(document, entities) if document.form == "函" else _memo(document, entities)
    declarations = [
        f'<!ENTITY {entity} SYSTEM "{file}" NDATA {NOTATION}>'
        for entity, file in zip(entities, files, strict=True)
    ]
    subset = "".join(f"{line}\n" for line in [*declarations, f'<!NOTATION {NOTATION} SYSTEM "">'])
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<!DOCTYPE {document.form} SYSTEM "{DTD_NAMES[document.form]}" [\n{subset}]>\n'
    )
    return head.encode("utf-8") + etree.tostring(root, encoding="utf-8", pretty_print=True)


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> Any:
    """A child ``tag`` of ``parent`` with ``text``; a character XML cannot carry (a NUL, a
    control character) is an :class:`InputError` naming the part."""
    try:
        child = etree.SubElement(parent, tag, attributes)
        if text:
            child.text = text
    except ValueError:
        raise InputError(
            _("{part} holds a character an XML file cannot carry: {text}").format(
                part=f"{parent.tag}/{tag}", text=text
            )
        ) from None
    return child


def _sender(parent: etree._Element, sender: Sender, as_unit: bool) -> None:
    """發文機關: the agency (全銜, 機關代碼), or for a 簽 the unit it is written in
    (單位名, 機關代碼, 單位代碼). An unknown code stays empty: a wrong 機關代碼 is worse."""
    element = _add(parent, "發文機關")
    if as_unit:
        _add(element, "單位名", sender.unit)
        _add(element, "機關代碼", sender.code)
        _add(element, "單位代碼", sender.unit_code)
    else:
        _add(element, "全銜", sender.name)
        _add(element, "機關代碼", sender.code)


def _receiver(parent: etree._Element, party: Party) -> None:
    """受文者 in the form of its kind, with 含附件 when it gets the attachments."""
    element = _add(parent, "受文者")
    if party.kind == "person":
        _add(element, "姓名", party.name)
        if party.title:
            _add(element, "職稱", party.title)
        _add(element, "機關代碼", party.code)
        if party.unit_code:
            _add(element, "單位代碼", party.unit_code)
    elif party.kind == "unit":
        _add(element, "單位名", party.name)
        _add(element, "機關代碼", party.code)
        _add(element, "單位代碼", party.unit_code)
    else:
        _add(element, "全銜", party.name)
        _add(element, "機關代碼", party.code)
    if party.with_attachments:
        _add(element, "含附件", "含附件")


def _parties(parent: etree._Element, tag: str, parties: Iterable[Party], copies: bool) -> None:
    """正本 (all in one element) or 副本 (each with 含附件 when it gets the attachments)."""
    element = _add(parent, tag)
    for party in parties:
        if party.kind == "person":
            _add(element, "姓名", party.name)
            if party.title:
                _add(element, "職稱", party.title)
        else:
            _add(element, "單位名" if party.kind == "unit" else "全銜", party.name)
        if copies and party.with_attachments:
            _add(element, "含附件", "含附件")


def _number(parent: etree._Element, number: DocumentNumber) -> None:
    """文號 (年度, 流水號, 支號): empty parts for the document system to assign."""
    element = _add(parent, "文號")
    _add(element, "年度", f"{number.year:03d}" if number.year is not None else None)
    _add(element, "流水號", number.serial)
    _add(element, "支號")


def _secrecy(parent: etree._Element, document: Document) -> None:
    """密等及解密條件或保密期限; an unclassified document has both parts empty."""
    element = _add(parent, "密等及解密條件或保密期限")
    _add(element, "密等", **({"代碼": document.secrecy} if document.secrecy else {}))
    _add(element, "解密條件或保密期限", document.declassify)


def _attachments(parent: etree._Element, document: Document, entities: list[str]) -> None:
    """附件: its text (the note, e.g. 「如說明二」, else the attachments' names) and one
    附件檔名 per attachment file. Left out when there is nothing to attach."""
    text = document.attachments_note or "、".join(a.name for a in document.attachments)
    if not text and not entities:
        return
    element = _add(parent, "附件")
    _add(element, "文字", text)
    for entity in entities:
        _add(element, "附件檔名", 附件名=entity)


def _items(parent: etree._Element, items: tuple[Item, ...], depth: int) -> None:
    for n, item in enumerate(items, start=1):
        element = _add(parent, "條列", 序號=marker(depth, n, exchange=True))
        if item.text:
            _add(element, "文字", item.text)
        _items(element, item.children, depth + 1)


def _body(parent: etree._Element, document: Document) -> None:
    """主旨, then each 段落 (說明, 辦法, 擬辦) named 「說明：」 with its text or its items."""
    _add(_add(parent, "主旨"), "文字", document.subject)
    for section in document.sections:
        name = section.name if section.name.endswith("：") else f"{section.name}："
        element = _add(parent, "段落", 段名=name)
        if section.text:
            _add(element, "文字", section.text)
        _items(element, section.items, 0)


def _letter(document: Document, entities: list[str]) -> etree._Element:
    """The 函 in the order of 104_2_utf8.dtd."""
    root = etree.Element("函")
    _sender(root, document.sender, as_unit=False)
    _add(root, "函類別", 代碼=document.letter_type)
    _add(root, "地址", document.sender.address)
    for contact in document.sender.contacts or ("",):
        _add(root, "聯絡方式", contact)
    assert document.receiver is not None  # exchange_problems
    _receiver(root, document.receiver)
    _add(_add(root, "發文日期"), "年月日", format_roc(document.date) if document.date else None)
    number = _add(root, "發文字號")
    _add(number, "字", document.number.word)
    _number(number, document.number)
    _add(root, "速別", 代碼=document.speed)
    _secrecy(root, document)
    _attachments(root, document, entities)
    _body(root, document)
    _parties(root, "正本", document.originals, copies=False)
    if document.copies:
        _parties(root, "副本", document.copies, copies=True)
    for line in document.signature:
        _add(root, "署名", line)
    return root


def _memo(document: Document, entities: list[str]) -> etree._Element:
    """The 簽 in the order of 104_5_utf8.dtd; its 署名 lines are one 署名, joined by a
    full-width space, as the model allows one."""
    root = etree.Element("簽")
    _sender(root, document.sender, as_unit=bool(document.sender.unit))
    if document.receiver is not None:
        _receiver(root, document.receiver)
    _number(root, document.number)
    _add(root, "速別", 代碼=document.speed)
    _secrecy(root, document)
    _attachments(root, document, entities)
    _body(root, document)
    if document.submit_to:
        submit = _add(root, "敬陳")
        for title in document.submit_to:
            _add(submit, "職稱", title)
    _add(root, "署名", "　".join(document.signature))
    _add(root, "年月日", format_roc(document.date) if document.date else None)
    return root


# --- validating ----------------------------------------------------------------------


class _Refused(Exception):
    """A DI file asked for a DTD or entity that is not one of docgen's own."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class _OwnDtds(etree.Resolver):
    """Resolves the system IDs of docgen's DTD files (bare, or in :func:`dtd_dir`, where
    the DTD's own ``SYSTEM "104_basic_utf8.ent"`` leads) to the package's files, and
    refuses everything else: no other file, no URL is ever opened."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = dtd_dir()

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        url = system_url or ""
        name = Path(url).name
        if name in DTD_FILES and url in {name, str(self.folder / name)}:
            return self.resolve_filename(str(self.folder / name), context)
        raise _Refused(url)


def validate(data: bytes) -> None:
    """Check that ``data`` is a DI file valid against docgen's 104-version DTDs: its root
    is 函 or 簽 naming its own DTD, every element in order, every attribute value allowed
    (速別, 密等, 函類別) and every ``附件檔名`` naming a declared unparsed entity.
    :class:`InputError` with the first problem and its line otherwise."""
    parser = etree.XMLParser(
        load_dtd=True,
        dtd_validation=True,
        no_network=True,
        resolve_entities=False,
        huge_tree=False,
    )
    parser.resolvers.add(_OwnDtds())
    try:
        root = etree.fromstring(data, parser)
    except _Refused as refused:
        raise InputError(
            _("DI file refers to {url}; docgen loads only its own 104 DTD files").format(
                url=refused.url
            )
        ) from None
    except etree.XMLSyntaxError as error:
        errors = parser.error_log.filter_from_errors()
        first = errors[0] if errors else None
        line = first.line if first is not None else error.lineno
        message = first.message if first is not None else error.msg
        raise InputError(
            _("DI file does not follow the 104 DTD, line {line}: {problem}").format(
                line=line, problem=message
            )
        ) from None
    named = root.getroottree().docinfo.system_url
    expected = DTD_NAMES.get(str(root.tag))
    if named != expected:
        raise InputError(
            _("DI file's DOCTYPE names {dtd} for a {root}; expected {expected}").format(
                dtd=named, root=root.tag, expected=expected or " / ".join(DTD_NAMES.values())
            )
        )


def write_di(path: Path, document: Document) -> None:
    """Write the DI file of ``document`` to ``path``: checked (:func:`exchange_problems`),
    built, validated (:func:`validate`), then written atomically. When anything fails
    an :class:`InputError` says what, and nothing is written."""
    data = di_bytes(document)
    validate(data)
    atomic_write_bytes(path, data)


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class DiSummary:
    """What :func:`read_di` takes from a DI file: its form (the root, 函 or 簽 or any
    other), its 主旨, its 速別 (``""`` when none) and the attachment files its
    ``附件檔名`` name, in order."""

    form: str
    subject: str
    speed: str
    attachments: tuple[str, ...]


def _decoded(data: bytes) -> tuple[bytes, str]:
    """``data`` as UTF-8 and the encoding it was in: UTF-8 (with or without a BOM) or
    Big5 (read as cp950); any other encoding is an :class:`InputError`."""
    found = _ENCODING.match(data)
    declared = found.group(1).decode("ascii").lower() if found else "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        declared = "utf-16"
    if declared in _UTF8:
        return data, "utf-8"
    if declared in _BIG5:
        try:
            return data.decode("cp950").encode("utf-8"), "big5"
        except UnicodeDecodeError as error:
            raise InputError(
                _("DI file is not valid Big5 at byte {offset}").format(offset=error.start)
            ) from None
    raise InputError(
        _("DI file is in {encoding}; docgen reads UTF-8 and Big5").format(encoding=declared)
    )


class _NoneAtAll(etree.Resolver):
    """Refuses every DTD and entity: :func:`read_di` loads nothing from anywhere."""

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        raise _Refused(system_url or public_id or "")


def read_di(data: bytes) -> DiSummary:
    """Read a DI file from outside, safely: at most :data:`MAX_DI_BYTES`, UTF-8 (a BOM
    is fine) or Big5, parsed with no DTD loaded, no entity expanded and no network
    (every resolver request refused). A file that uses an entity reference in its text
    is refused rather than read with the reference silently missing. Not validated."""
    if len(data) > MAX_DI_BYTES:
        raise InputError(
            _("DI file is {size} bytes, more than the {limit} a DI file may have").format(
                size=len(data), limit=MAX_DI_BYTES
            )
        )
    utf8, encoding = _decoded(data)
    parser = etree.XMLParser(
        encoding="utf-8" if encoding == "big5" else None,
        load_dtd=False,
        no_network=True,
        resolve_entities=False,
        dtd_validation=False,
        huge_tree=False,
    )
    parser.resolvers.add(_NoneAtAll())
    try:
        root = etree.fromstring(utf8, parser)
    except _Refused as refused:
        raise InputError(
            _("DI file refers to {url}; docgen loads nothing a DI file names").format(
                url=refused.url
            )
        ) from None
    except etree.XMLSyntaxError as error:
        raise InputError(
            _("DI file is not well-formed XML, line {line}: {problem}").format(
                line=error.lineno, problem=error.msg
            )
        ) from None
    for node in root.iter(etree.Entity):
        raise InputError(
            _("DI file uses the entity {entity}, which docgen does not expand").format(
                entity=node.text
            )
        )
    declared = root.getroottree().docinfo.internalDTD
    files = {e.name: e.system_url or "" for e in declared.iterentities()} if declared else {}
    attachments = tuple(
        files.get(name, "")
        for element in root.iter("附件檔名")
        for name in (element.get("附件名") or "").split()
    )
    return DiSummary(
        form=str(root.tag),
        subject=root.findtext("主旨/文字") or "",
        speed=_speed(root),
        attachments=attachments,
    )


def _speed(root: etree._Element) -> str:
    element = root.find("速別")
    return element.get("代碼", "") if element is not None else ""
