"""A DOCX template compiled once and rendered many times.

A plain docxtpl loop re-reads the DOCX, re-patches its XML and re-compiles the Jinja
template for every record. Here that is done once per batch: each part that can hold
tags (body, headers, footers, footnotes, core properties; :mod:`docgen.forms.parts`
finds them through the package's relationships, as docxtpl does) is patched with
docxtpl's own ``patch_xml``, checked by :mod:`docgen.forms.policy` and compiled; per
record only the compiled templates run and the zip is written. The steps after
rendering are docxtpl's own (listing, table fix, docPr renumbering, python-docx
serialisation), each skipped only where it provably changes nothing, so the main
document part is the same as a fresh
``DocxTemplate(path).render(ctx, jinja_env=env, autoescape=True)`` writes.

Not supported, and refused in one line (ISSUE 9 item 5): docxtpl's rich objects in
the data (``RichText``, ``RichTextParagraph``, ``InlineImage``, ``Subdoc``,
``Listing``) and anything else that is not plain data.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import parse_xml, serialize_part_xml
from jinja2 import Template
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from lxml import etree

from docgen.errors import InputError
from docgen.forms.environment import FormEnvironment
from docgen.forms.parts import Part, TemplatePackage
from docgen.forms.policy import TemplateNames, analyse, locate, split_paragraphs
from docgen.i18n import _

QR_PICTURE_NAME = "docgen-qr"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPAN = f"{_W}tcPr/{_W}gridSpan"
_ENTRY_TIME = (2026, 1, 1, 0, 0, 0)
_PLAIN = (str, int, float, date, time, type(None))


def compile_part(
    env: FormEnvironment, source: str, where: str, names: TemplateNames | None = None
) -> Template:
    """Compile patched XML ``source`` (a property's text as is); a problem of
    :func:`docgen.forms.policy.analyse` is an InputError quoting its paragraph."""
    src = split_paragraphs(source)
    _tree, problems = analyse(env, src, names)
    if problems:
        first = problems[0]
        place = locate(src, first.lineno)
        problem = (
            _("{problem} {place}").format(problem=first.message, place=place)
            if place
            else first.message
        )
        message = _("{where}: {problem}").format(where=where, problem=problem)
        if problems[1:]:
            message = _("{message} (and {count} more: see `docgen forms check`)").format(
                message=message, count=len(problems) - 1
            )
        raise InputError(message)
    try:
        return env.from_string(src)
    except (TemplateError, RecursionError) as error:  # e.g. a test Jinja does not know
        raise InputError(
            _("{where}: the template cannot be compiled ({error})").format(where=where, error=error)
        ) from error


@dataclass
class _Compiled:
    part: Part
    template: Template


class CompiledTemplate:
    """A DOCX template ready to render records quickly (see the module docstring);
    ``names`` (the form's) refuses templates that use names the form does not have."""

    def __init__(
        self, path: Path, env: FormEnvironment, names: TemplateNames | None = None
    ) -> None:
        self.path = path
        package = TemplatePackage(path)
        self.sha256, self.entries, self.main = package.sha256, package.entries, package.main
        self._docx = package.docx
        self._parts = [
            _Compiled(part, compile_part(env, part.source, f"{path.name} ({part.label})", names))
            for part in package.parts
        ]
        self.sources = {c.part.label: c.part.source for c in self._parts}
        document = self._docx.docx
        self._shell = copy.deepcopy(document._element)
        self._body_index = self._shell.index(self._shell.body)
        self._shell.remove(self._shell.body)
        self._core = None if package.core is None else copy.deepcopy(package.core._element)
        self._core_name = "" if package.core is None else str(package.core.partname).lstrip("/")
        self.qr_media = _qr_media(document)
        self._parser = etree.XMLParser(recover=True, resolve_entities=False)

    def render_parts(self, context: Mapping[str, Any]) -> dict[str, bytes]:
        """The rendered parts (zip name → bytes) for ``context``."""
        refuse_rich_values(context, self.path)
        parts: dict[str, bytes] = {}
        properties: dict[str, str] = {}
        for compiled in self._parts:
            part = compiled.part
            text = _run(compiled.template, context, self.path, part.label)
            if part.kind == "property":
                properties[str(part.element)] = text
            elif part.kind == "body":
                parts[part.name] = self._render_body(text)
            elif part.kind == "footnotes":
                parts[part.name] = self._finish(text).encode(part.encoding)
            else:
                element = parse_xml(self._finish(text).encode(part.encoding))  # type: ignore[arg-type]
                parts[part.name] = serialize_part_xml(element)
        if self._core is not None:
            parts[self._core_name] = self._render_core(properties)
        return parts

    def _render_body(self, rendered: str) -> bytes:
        xml = self._finish(rendered)
        tree = etree.fromstring(xml, parser=self._parser)
        if tree is None:
            raise InputError(
                _("{file}: the template rendered no document body").format(file=self.path.name)
            )
        if not _tables_consistent(tree):
            tree = self._docx.fix_tables(xml)  # the general (slower) repair
        self._docx.docx_ids_index = 1000
        self._docx.fix_docpr_ids(tree)
        shell = copy.deepcopy(self._shell)
        shell.insert(self._body_index, tree)
        return bytes(serialize_part_xml(shell))

    def _render_core(self, rendered: Mapping[str, str]) -> bytes:
        """docProps/core.xml as docxtpl's ``render_properties`` leaves it: each of the
        six text properties set (an empty one to ""), through python-docx."""
        element = copy.deepcopy(self._core)
        properties = CoreProperties(element)  # type: ignore[arg-type]
        from docgen.forms.parts import CORE_PROPERTIES

        for name in CORE_PROPERTIES:
            try:
                setattr(properties, name, rendered.get(name, ""))
            except ValueError as error:
                raise InputError(
                    _(
                        "{file} (docProps/core.xml {name}): the filled-in property is "
                        "longer than the 255 characters a DOCX allows"
                    ).format(file=self.path.name, name=name)
                ) from error
        return bytes(serialize_part_xml(element))

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
            names = [*self.entries, *(name for name in parts if name not in self.entries)]
            for name in names:
                data = parts[name] if name in parts else self.entries[name]
                target.writestr(_entry(name), data, compresslevel=1)
        return out.getvalue()


def refuse_rich_values(context: Mapping[str, Any], path: Path) -> None:
    """Plain data only (text, numbers, dates, lists and mappings of them): docxtpl's
    rich objects need docxtpl's own render, and anything with ``__html__`` would be
    written into the XML unescaped (ISSUE 9 item 5)."""
    stack: list[tuple[str, Any]] = [(str(key), value) for key, value in context.items()]
    while stack:
        where, value = stack.pop()
        if type(value) in _PLAIN or (isinstance(value, _PLAIN) and not hasattr(value, "__html__")):
            continue
        if isinstance(value, Mapping):
            stack += [(f"{where}.{key}", item) for key, item in value.items()]
        elif isinstance(value, (list, tuple)):
            stack += [(f"{where}[{i}]", item) for i, item in enumerate(value)]
        else:
            kind = type(value).__name__
            raise InputError(
                _(
                    "{file}: “{where}” is a {kind}, which docgen's engine does not "
                    "support (docxtpl's RichText, InlineImage, Subdoc and Listing included): "
                    "give plain text, numbers or dates"
                ).format(file=path.name, where=where, kind=kind)
            )


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


def _run(template: Template, context: Mapping[str, Any], path: Path, where: str) -> str:
    """Render one part; whatever goes wrong is one line naming the template."""
    name = f"{path.name} ({where})"
    try:
        return template.render(context)
    except SecurityError as error:
        raise InputError(_("{where}: refused: {error}").format(where=name, error=error)) from error
    except UndefinedError as error:
        raise InputError(
            _("{where}: the template uses a value the data lacks: {error}").format(
                where=name, error=error
            )
        ) from error
    except TemplateError as error:
        raise InputError(
            _("{where}: the template failed: {error}").format(where=name, error=error)
        ) from error
    except InputError as error:
        raise InputError(_("{where}: {problem}").format(where=name, problem=error)) from error
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as error:
        raise InputError(
            _("{where}: the template failed ({kind}: {error})").format(
                where=name, kind=type(error).__name__, error=error
            )
        ) from error
    except (RecursionError, MemoryError) as error:
        raise InputError(
            _("{where}: refused: the template needs too much memory").format(where=name)
        ) from error


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
