"""A DOCX template opened safely, and the parts of it that docxtpl renders (ISSUE 9
items 1 and 5; R9: offices drop in official templates as Word saves them).

The file is read once and bounded by :func:`docgen.zipguard.check_zip` before
anything parses it; an XML member declaring a DTD (``<!DOCTYPE``: entity bombs,
external entities) is refused, as Word never writes one. The parts are found as
docxtpl and python-docx find them, through the package's relationships, never by
fixed names: ``_rels/.rels`` → the main document (``word/document.xml``, or
``word/document2.xml`` as Word Online saves it) → its headers and footers; the
footnotes by their content type; the core document properties (``author``,
``comments``, ``identifier``, ``language``, ``subject``, ``title``) as docxtpl's
``render_properties`` renders them, from their text, unpatched.

:func:`unrendered_tags` lists the other XML members that hold tags, which neither
docxtpl nor docgen fills (endnotes, comments, the glossary), for ``forms check``.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate

from docgen.errors import InputError
from docgen.fsutil import sha256_bytes
from docgen.i18n import _
from docgen.zipguard import check_zip

HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
#: The core properties docxtpl renders (``DocxTemplate.render_properties``).
CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_TAG = re.compile(r"\{[{%]")


@dataclass
class Part:
    """One part that holds tags: its zip ``name``, the ``source`` Jinja compiles (XML
    after docxtpl's patching, or a property's text), and how it is written back."""

    name: str
    kind: str  # body | header | footer | footnotes | property
    source: str
    encoding: str = "utf-8"
    element: Any = None  # python-docx's part of a header or footer; the property name

    @property
    def label(self) -> str:
        """How messages name it: ``word/header1.xml``, ``docProps/core.xml (title)``."""
        return f"{self.name} ({self.element})" if self.kind == "property" else self.name


class TemplatePackage:
    """The template at ``path``, read once, checked, and split into its parts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(
                _("{file}: cannot read the template ({reason})").format(
                    file=path, reason=error.strerror
                )
            ) from error
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise InputError(_("{file}: not a DOCX file (not a zip package)").format(file=path))
        check_zip(path, _("DOCX template"), data=data)
        self.sha256 = sha256_bytes(data)
        self.entries = _entries(path, data)
        try:
            self.docx = DocxTemplate(io.BytesIO(data))
            self.docx.render_init()
        except Exception as error:  # python-docx raises many kinds for a non-DOCX
            raise InputError(
                _("{file}: not a DOCX file ({error})").format(file=path, error=error)
            ) from error
        document = self.docx.docx
        self.main = str(document.part.partname).lstrip("/")
        self.body = Part(self.main, "body", self.docx.patch_xml(self.docx.get_xml()))
        self.headers_footers = list(self._headers_footers())
        self.footnotes = list(self._footnotes())
        self.core = _core_part(document)
        self.properties = [
            Part(str(self.core.partname).lstrip("/"), "property", text, element=name)
            for name in CORE_PROPERTIES
            if self.core is not None and (text := getattr(self.core.core_properties, name))
        ]

    @property
    def parts(self) -> list[Part]:
        """Every part that is rendered, in docxtpl's order."""
        return [self.body, *self.headers_footers, *self.properties, *self.footnotes]

    def _headers_footers(self) -> Any:
        for uri, kind in ((HEADER, "header"), (FOOTER, "footer")):
            for _rel, part in self.docx.get_headers_footers(uri):
                xml = self.docx.get_part_xml(part)
                encoding = self.docx.get_headers_footers_encoding(xml)
                name = str(part.partname).lstrip("/")
                yield Part(name, kind, self.docx.patch_xml(xml), encoding, part)

    def _footnotes(self) -> Any:
        """Footnotes, which docxtpl renders as text and stores without re-parsing."""
        for part in self.docx.docx.part.package.parts:
            if part.content_type == FOOTNOTES:
                name = str(part.partname).lstrip("/")
                source = self.docx.patch_xml(_text(self.path, name, part.blob))
                yield Part(name, "footnotes", source)

    def unrendered_tags(self) -> list[str]:
        """XML members with ``{{``/``{%`` that are not rendered (docxtpl skips them too)."""
        rendered = {part.name for part in self.parts} | {
            str(self.core.partname).lstrip("/") if self.core is not None else ""
        }
        found = []
        for name, data in self.entries.items():
            if name in rendered or not name.endswith((".xml", ".rels")):
                continue
            if _TAG.search(data.decode("utf-8", errors="replace")):
                found.append(name)
        return found


def _core_part(document: Any) -> Any:
    """The core properties part, if the package has one (python-docx would make a
    default one on first access; docgen does not add parts)."""
    for relation in document.part.package.rels.values():
        if relation.reltype == RT.CORE_PROPERTIES and not relation.is_external:
            return relation.target_part
    return None


def _entries(path: Path, data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            entries = {info.filename: source.read(info) for info in source.infolist()}
    except zipfile.BadZipFile as error:
        raise InputError(
            _("{file}: not a DOCX file (not a zip package)").format(file=path)
        ) from error
    for name, member in entries.items():
        if name.endswith((".xml", ".rels")) and _DOCTYPE.search(member):
            raise InputError(
                _(
                    "{file}: refused as a DOCX template: {name} declares a DTD (<!DOCTYPE>), "
                    "which Word never writes"
                ).format(file=path, name=name)
            )
    return entries


def _text(path: Path, name: str, blob: Any) -> str:
    if isinstance(blob, str):
        return blob
    try:
        return bytes(blob).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            _("{file}: {name} is not UTF-8 text ({error})").format(
                file=path, name=name, error=error
            )
        ) from error
