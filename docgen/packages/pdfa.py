"""PDF/A-2b through ``pikepdf.pdfa``: preparing the package, describing docgen's XMP
fields in a PDF/A extension schema, validating what was written, and finding the
inputs that cannot conform (with the reason).

pikepdf's validator approves only what it knows; it does not read PDF/A extension
schemas, so it reports docgen's own XMP properties (and the schema describing
them) as not permitted. ISO 19005-2 §6.6.2.3.2 permits exactly these when they
are described by an extension schema, which :func:`describe_docgen_namespace`
writes; those findings — and only those — are accepted.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf
from lxml import etree

from docgen.metadata import XMP_NS, XMP_PREFIX, RecordMetadata
from docgen.packages.pdfs import open_pdf

if TYPE_CHECKING:
    import pikepdf.pdfa

# pikepdf.pdfa (and its JSON-schema validator) takes half a second to import: it is
# imported in the functions below, only when a PDF/A package is built.

FLAVOUR = "2b"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_EXT = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
_XMP_RULE = "ISO_19005_2:6.6.2.3.1-1"
_OURS = (XMP_NS, f"{XMP_PREFIX}:", *_EXT.values(), *(f"{p}:" for p in _EXT))


@contextlib.contextmanager
def _quiet_fonttools() -> Iterator[None]:
    """fontTools, which the validator uses on embedded fonts, logs its own doubts about
    fonts on standard error; the validator's findings are what the user needs."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _property(parent: etree._Element, name: str) -> None:
    item = etree.SubElement(parent, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    prop = _EXT["pdfaProperty"]
    for key, value in (
        ("name", _camel(name)),
        ("valueType", "Text"),
        ("category", "external"),
        ("description", f"docgen record metadata: {name}"),
    ):
        etree.SubElement(item, f"{{{prop}}}{key}").text = value


def describe_docgen_namespace(pdf: pikepdf.Pdf) -> None:
    """Add a PDF/A extension schema describing docgen's XMP fields to ``pdf``'s XMP."""
    root = etree.fromstring(pdf.Root.Metadata.read_bytes())
    rdf = root.find(f".//{{{_RDF}}}RDF")
    assert rdf is not None, "prepared PDF/A metadata always has rdf:RDF"
    nsmap = {"rdf": _RDF, **_EXT}
    desc = etree.SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""}, nsmap)
    bag = etree.SubElement(etree.SubElement(desc, f"{{{_EXT['pdfaExtension']}}}schemas"), "Bag")
    bag.tag = f"{{{_RDF}}}Bag"
    schema = etree.SubElement(bag, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    ns = _EXT["pdfaSchema"]
    etree.SubElement(schema, f"{{{ns}}}schema").text = "docgen record metadata"
    etree.SubElement(schema, f"{{{ns}}}namespaceURI").text = XMP_NS
    etree.SubElement(schema, f"{{{ns}}}prefix").text = XMP_PREFIX
    seq = etree.SubElement(etree.SubElement(schema, f"{{{ns}}}property"), f"{{{_RDF}}}Seq")
    for name in RecordMetadata.__dataclass_fields__:
        _property(seq, name)
    packet = etree.tostring(root, encoding="utf-8")
    head = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    pdf.Root.Metadata = pdf.make_stream(
        head + packet + b'\n<?xpacket end="w"?>', Type=pikepdf.Name.Metadata,
        Subtype=pikepdf.Name.XML,
    )  # fmt: skip


def _is_ours(finding: pikepdf.pdfa.Finding) -> bool:
    return finding.rule == _XMP_RULE and any(mark in finding.message for mark in _OURS)


def problems(report: pikepdf.pdfa.Report) -> list[str]:
    """The distinct findings of ``report`` that are not docgen's described XMP fields."""
    found: list[str] = []
    for finding in report.findings:
        if not _is_ours(finding) and finding.message not in found:
            found.append(finding.message)
    return found


def prepare(pdf: pikepdf.Pdf) -> None:
    """Make ``pdf`` acceptable to PDF/A-2b in memory: sRGB output intent, XMP, annotations."""
    import pikepdf.pdfa

    pikepdf.pdfa.prepare(pdf, FLAVOUR)


def save_kwargs(**ours: Any) -> dict[str, Any]:
    """``Pdf.save`` settings for PDF/A-2b, with ``ours`` where the flavour allows them."""
    import pikepdf.pdfa

    return pikepdf.pdfa.resolve_save_kwargs(FLAVOUR, **ours)


def validate(path: Path, kwargs: dict[str, Any]) -> list[str]:
    """Validate a written file; the reasons it is not PDF/A-2b (empty: it is)."""
    import pikepdf.pdfa

    with _quiet_fonttools():
        return problems(pikepdf.pdfa.validate_written(path, FLAVOUR, kwargs))


def conformance_problems(path: Path, passwords: Sequence[str] = ()) -> list[str]:
    """Why the pages of the PDF at ``path`` cannot be part of a PDF/A-2b package
    (fonts not embedded, device colour the sRGB intent does not cover …); empty if
    they can. The document-level repairs the package gets anyway are applied first,
    in memory only."""
    import pikepdf.pdfa

    with open_pdf(path, passwords) as (pdf, _password), _quiet_fonttools():
        pikepdf.pdfa.prepare(pdf, FLAVOUR)
        return problems(pikepdf.pdfa.check(pdf, FLAVOUR))
