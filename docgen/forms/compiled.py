"""A DOCX template compiled once and rendered many times.

A plain docxtpl loop re-reads the DOCX, re-patches its XML and re-compiles the Jinja
template for every record. Here that is done once per batch: each part that can hold
tags (body, headers, footers) is patched with docxtpl's own ``patch_xml`` and
compiled; per record only the compiled templates run and the zip is written. The
steps after rendering are docxtpl's own (listing, table fix, docPr renumbering,
python-docx serialisation), each skipped only where it provably changes nothing,
so ``word/document.xml`` is the same as a fresh
``DocxTemplate(path).render(ctx, jinja_env=env, autoescape=True)`` writes.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.oxml import parse_xml, serialize_part_xml
from docxtpl import DocxTemplate
from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from docgen.errors import InputError
from docgen.forms.environment import unsafe_names
from docgen.fsutil import sha256_bytes

QR_PICTURE_NAME = "docgen-qr"
_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPAN = f"{_W}tcPr/{_W}gridSpan"
_ENTRY_TIME = (2026, 1, 1, 0, 0, 0)


def paragraph_text(xml_line: str) -> str:
    """The visible text of one line of patched XML (one paragraph)."""
    return re.sub(r"<[^>]+>", "", xml_line).strip()


@dataclass
class _Part:
    zip_name: str
    source: str
    template: Template
    encoding: str
    reparse: bool = True  # headers and footers go through python-docx's parser


def compile_part(env: SandboxedEnvironment, source: str, where: str) -> Template:
    """Compile patched XML ``source``; syntax errors and unsafe names are InputErrors
    quoting the paragraph they are in."""
    src = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
    try:
        tree = env.parse(src)
        unsafe = unsafe_names(tree)
        if unsafe:
            raise InputError(
                f"{where}: refused: the template reaches for Python internals "
                f"({', '.join(sorted(set(unsafe)))}); remove them from the template"
            )
        return env.from_string(src)
    except TemplateSyntaxError as error:
        line = src.splitlines()[error.lineno - 1] if error.lineno else ""
        raise InputError(
            f"{where}: Jinja syntax error ({error.message}) in paragraph “{paragraph_text(line)}”"
        ) from error


class CompiledTemplate:
    """A DOCX template ready to render records quickly (see the module docstring)."""

    def __init__(self, path: Path, env: SandboxedEnvironment) -> None:
        self.path = path
        data = _read(path)
        self.sha256 = sha256_bytes(data)
        self._entries = _zip_entries(data, path)
        self._docx = DocxTemplate(io.BytesIO(data))
        self._docx.render_init()
        document = self._docx.docx
        body_source = self._docx.patch_xml(self._docx.get_xml())
        self.sources = {"word/document.xml": body_source}
        self._body = compile_part(env, body_source, f"{path.name} (body)")
        self._shell = copy.deepcopy(document._element)
        self._body_index = self._shell.index(self._shell.body)
        self._shell.remove(self._shell.body)
        self._parts = [*self._header_footer_parts(env), *self._footnote_parts(env)]
        self.qr_media = _qr_media(document)
        self._parser = etree.XMLParser(recover=True)  # as docxtpl's fix_tables parses

    def _header_footer_parts(self, env: SandboxedEnvironment) -> Any:
        for uri in (_HEADER, _FOOTER):
            for _, part in self._docx.get_headers_footers(uri):
                xml = self._docx.get_part_xml(part)
                encoding = self._docx.get_headers_footers_encoding(xml)
                source = self._docx.patch_xml(xml)
                name = str(part.partname).lstrip("/")
                self.sources[name] = source
                template = compile_part(env, source, f"{self.path.name} ({name})")
                yield _Part(name, source, template, encoding)

    def _footnote_parts(self, env: SandboxedEnvironment) -> Any:
        """Footnotes, which docxtpl renders as text and stores without re-parsing."""
        for part in self._docx.docx.part.package.parts:
            if part.content_type == FOOTNOTES:
                source = self._docx.patch_xml(part.blob.decode("utf-8"))
                name = str(part.partname).lstrip("/")
                self.sources[name] = source
                template = compile_part(env, source, f"{self.path.name} ({name})")
                yield _Part(name, source, template, "utf-8", reparse=False)

    def render_parts(self, context: Mapping[str, Any]) -> dict[str, bytes]:
        """The rendered XML parts (zip name → bytes) for ``context``."""
        parts = {"word/document.xml": self._render_body(context)}
        for part in self._parts:
            xml = self._finish(_run(part.template, context, self.path))
            if not part.reparse:
                parts[part.zip_name] = xml.encode(part.encoding)
                continue
            element = parse_xml(xml.encode(part.encoding))  # type: ignore[arg-type]
            parts[part.zip_name] = serialize_part_xml(element)
        return parts

    def _render_body(self, context: Mapping[str, Any]) -> bytes:
        xml = self._finish(_run(self._body, context, self.path))
        tree = etree.fromstring(xml, parser=self._parser)
        if not _tables_consistent(tree):
            tree = self._docx.fix_tables(xml)  # the general (slower) repair
        self._docx.docx_ids_index = 1000
        self._docx.fix_docpr_ids(tree)
        shell = copy.deepcopy(self._shell)
        shell.insert(self._body_index, tree)
        return bytes(serialize_part_xml(shell))

    def _finish(self, xml: str) -> str:
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        for escaped, tag in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
            xml = xml.replace(escaped, tag)
        if not any(char in xml for char in "\t\a\n\f"):
            return xml  # resolve_listing would change nothing
        return str(self._docx.resolve_listing(xml))

    def render(self, context: Mapping[str, Any], replace: Mapping[str, bytes]) -> bytes:
        """The DOCX file for ``context``, with the zip entries in ``replace`` swapped in
        (e.g. the QR picture, the custom properties). Entries carry a fixed time, so the
        same data and template give the same bytes (and the same SHA-256)."""
        parts = {**self.render_parts(context), **replace}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            names = [*self._entries, *(name for name in parts if name not in self._entries)]
            for name in names:
                data = parts[name] if name in parts else self._entries[name]
                target.writestr(_entry(name), data, compresslevel=1)
        return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed time; pictures stored (already compressed)."""
    info = zipfile.ZipInfo(name, date_time=_ENTRY_TIME)
    info.external_attr = 0o644 << 16
    stored = name.startswith("word/media/")
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def _tables_consistent(tree: Any) -> bool:
    """Whether every row of every table spans exactly its grid's columns. Then
    docxtpl's ``fix_tables`` would change nothing, and its work can be skipped."""
    for table in tree.iter(_W + "tbl"):
        grid = table.find(_W + "tblGrid")
        if grid is None:
            return False
        columns, rows = len(grid.findall(_W + "gridCol")), 0
        for row in table.iter(_W + "tr"):
            rows += 1
            if _row_width(row) != columns:
                return False
        if rows == 0:
            return False
    return True


def _row_width(row: Any) -> int:
    width = 0
    for cell in row.findall(_W + "tc"):
        span = cell.find(_SPAN)
        width += 1 if span is None else int(span.get(_W + "val"))
    return width


def _run(template: Template, context: Mapping[str, Any], path: Path) -> str:
    try:
        return template.render(context)
    except SecurityError as error:
        raise InputError(f"{path.name}: refused: {error}") from error
    except UndefinedError as error:
        raise InputError(
            f"{path.name}: the template uses a value the data lacks: {error}"
        ) from error
    except TemplateError as error:
        raise InputError(f"{path.name}: the template failed: {error}") from error
    except InputError as error:
        raise InputError(f"{path.name}: {error}") from error


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read the template ({error.strerror})") from error


def _zip_entries(data: bytes, path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            return {info.filename: source.read(info) for info in source.infolist()}
    except zipfile.BadZipFile as error:
        raise InputError(f"{path}: not a DOCX file (not a zip package)") from error


def _qr_media(document: Any) -> str | None:
    """The zip name of the picture named ``docgen-qr`` in the body, if any."""
    body = document._element
    for doc_pr in body.iter(f"{{{_WP}}}docPr"):
        if doc_pr.get("name") != QR_PICTURE_NAME:
            continue
        blip = next(doc_pr.getparent().iter(f"{{{_A}}}blip"), None)
        rel_id = None if blip is None else blip.get(f"{{{_R}}}embed")
        if rel_id in document.part.rels:
            return str(document.part.rels[rel_id].target_part.partname).lstrip("/")
    return None
