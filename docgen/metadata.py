"""Record metadata embedded in the files docgen writes, so the archive can classify
a file by itself: OOXML (DOCX, XLSX) custom properties, ODF (ODT, ODS) user-defined
metadata, PDF XMP in the docgen namespace, and for any other file a sidecar
``NAME.EXT.meta.yaml`` beside it.

One :class:`RecordMetadata` is written by the forms engine (DOCX and PDF; its ODT
gets it from LibreOffice), the package builder (PDF), and the audit and
account-review outputs (XLSX, ODS, CSV with a sidecar: :func:`attach_metadata`), and
read back by the archive (:func:`read_office_metadata`, :func:`read_pdf_metadata`).

ODF (ISSUE 11 item 10): the fields are ``meta:user-defined`` elements named
``docgen.<field>`` in the package's ``meta.xml`` — where LibreOffice keeps a DOCX's
custom properties ``docgen.*`` when it converts it to ODT, so an ODT of ``forms fill
--odt`` carries its record ID as its DOCX does. ``meta.xml`` is read only after
:func:`docgen.zipguard.check_zip` found the package sound and bounded, at most
:data:`MAX_METADATA_BYTES`, and parsed by defusedxml with no DTD allowed.
"""

from __future__ import annotations

import io
import shutil
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pikepdf
import yaml
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from lxml import etree

from docgen.cells import stored_text
from docgen.errors import InputError
from docgen.fsutil import atomic_path, atomic_write_text
from docgen.i18n import _
from docgen.zipguard import check_zip

#: XMP namespace and prefix of docgen's fields.
XMP_NS = "https://docgen.tw/ns/record/1.0/"
XMP_PREFIX = "docgen"
#: Prefix of docgen's OOXML custom property names (``docgen.record_id`` …).
OOXML_PREFIX = "docgen."
#: Files whose metadata is embedded as custom properties (``docProps/custom.xml``).
OOXML_SUFFIXES = (".docx", ".xlsx")
#: Files whose metadata is embedded as user-defined metadata (``meta.xml``).
ODF_SUFFIXES = (".odt", ".ods")
#: Every file whose metadata is embedded in its package (:func:`read_office_metadata`).
OFFICE_SUFFIXES = OOXML_SUFFIXES + ODF_SUFFIXES
#: What a sidecar's name ends with (the classifier's format, ``docgen.archive.classify``).
SIDECAR_SUFFIX = ".meta.yaml"

_CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_META_PART = "meta.xml"
_ODF_MANIFEST = "META-INF/manifest.xml"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_META_NS = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_USER_DEFINED = f"{{{_META_NS}}}user-defined"
_META_NAME = f"{{{_META_NS}}}name"
#: The most of a metadata part (``docProps/custom.xml``, a PDF's XMP packet) read: docgen
#: writes a few kilobytes; anything past this is refused unparsed (ISSUE 9 item 7).
MAX_METADATA_BYTES = 4 * 1024 * 1024
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


class UntrustedMetadata(InputError):
    """A file's own metadata was found but cannot be trusted (a decompression bomb, XML
    with a DTD, a field outside its grammar): the archive files it unclassified with
    this reason and asks no later source (ISSUE 9 items 1 and 7)."""


def _xml_parser() -> etree.XMLParser:
    """A parser that resolves no entity, loads no DTD, reaches no network and refuses
    huge trees (ISSUE 9 item 7)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_metadata_xml(data: bytes, where: str) -> Any:
    """The root element of a metadata part; :class:`UntrustedMetadata` naming ``where``
    for XML that is not well formed or declares a DTD (entities: a billion laughs)."""
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as error:
        raise UntrustedMetadata(
            _("{where}: not well-formed XML ({error})").format(where=where, error=error)
        ) from error
    if root.getroottree().docinfo.internalDTD is not None:
        raise UntrustedMetadata(
            _("{where}: declares a DTD (entities are not accepted)").format(where=where)
        )
    return root


@dataclass
class RecordMetadata:
    """What a record is. ``period`` is ``2026-10`` or ``2026-H1``; ``record_ids`` lists
    the records a package contains; dates are ISO strings."""

    record_id: str = ""
    form: str = ""
    variant: str = ""
    period: str = ""
    unit: str = ""
    subject: str = ""
    data_sha256: str = ""
    template_sha256: str = ""
    category: str = ""
    trigger: str = ""
    review_date: str = ""
    title: str = ""
    record_ids: list[str] = field(default_factory=list)

    def as_properties(self) -> dict[str, str]:
        """Non-empty fields as flat text properties (lists space-separated)."""
        result = {}
        for key, value in asdict(self).items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if text:
                result[key] = text
        return result

    @classmethod
    def from_properties(cls, props: dict[str, str]) -> RecordMetadata:
        """The inverse of :meth:`as_properties`; unknown keys are ignored."""
        values: dict[str, object] = {}
        for item in fields(cls):
            if item.name in props:
                text = props[item.name]
                values[item.name] = text.split() if item.name == "record_ids" else text
        return cls(**values)  # type: ignore[arg-type]


def xml_properties(meta: RecordMetadata) -> dict[str, str]:
    """:meth:`RecordMetadata.as_properties` as XML can hold them: the one place the
    written metadata (DOCX/XLSX custom properties, PDF XMP) passes before lxml. A
    character XML 1.0 has no place for (ESC, NUL from a unit's name in the data)
    becomes U+FFFD, as in an XLSX cell (:func:`docgen.cells.stored_text`)."""
    return {key: stored_text(value) for key, value in meta.as_properties().items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_XMP_KEYS = {_camel(f.name): f.name for f in fields(RecordMetadata)}


# --- PDF (XMP) -------------------------------------------------------------------


def write_pdf_metadata(pdf: pikepdf.Pdf, meta: RecordMetadata) -> None:
    """Set docgen's XMP fields (and dc:title) on an open ``pikepdf.Pdf``."""
    from pikepdf.models.metadata import PdfMetadata

    PdfMetadata.register_xml_namespace(XMP_NS, XMP_PREFIX)
    props = xml_properties(meta)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        for key, value in props.items():
            xmp[f"{{{XMP_NS}}}{_camel(key)}"] = value
        if props.get("title"):
            xmp["dc:title"] = props["title"]


def _xmp_packet(pdf: pikepdf.Pdf, path: Path) -> bytes | None:
    """The XMP packet's bytes, inflated in bounded memory (an XMP stream is plain or
    Flate-compressed; a bomb there is refused)."""
    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return None
    found = stream.get("/Filter")
    filters = [str(f) for f in found] if isinstance(found, pikepdf.Array) else [str(found)]
    if found is not None and filters != ["/FlateDecode"]:
        raise UntrustedMetadata(
            _("{file}: its XMP metadata is encoded as {filters}").format(
                file=path, filters=" ".join(filters)
            )
        )
    length = stream.get("/Length")
    if isinstance(length, int) and length > MAX_METADATA_BYTES:
        raise UntrustedMetadata(
            _("{file}: its XMP metadata is {size} bytes long").format(file=path, size=f"{length:,}")
        )
    raw = stream.read_raw_bytes()
    data = raw if found is None else zlib.decompressobj().decompress(raw, MAX_METADATA_BYTES + 1)
    if len(data) > MAX_METADATA_BYTES:
        raise UntrustedMetadata(
            _(
                "{file}: its XMP metadata is larger than {limit} bytes (a decompression bomb?)"
            ).format(file=path, limit=f"{MAX_METADATA_BYTES:,}")
        )
    return data


def _xmp_properties(data: bytes, path: Path) -> dict[str, str]:
    """docgen's fields of an XMP packet: attributes or text elements in its namespace."""
    root = parse_metadata_xml(data, _("{file}: XMP metadata").format(file=path))
    props: dict[str, str] = {}
    for node in root.iter(f"{{{_RDF_NS}}}Description"):
        items = [(k, v) for k, v in node.attrib.items()]
        items += [(child.tag, child.text or "") for child in node if len(child) == 0]
        for key, value in items:
            if isinstance(key, str) and key.startswith(f"{{{XMP_NS}}}"):
                name = key.split("}", 1)[1]
                if name in _XMP_KEYS:
                    props[_XMP_KEYS[name]] = str(value)
    return props


def read_pdf_metadata(path: Path) -> RecordMetadata | None:
    """docgen's XMP fields of the PDF at ``path``, or None when it has none. A PDF that
    cannot be read is an :class:`InputError` (whatever pikepdf raised); hostile XMP an
    :class:`UntrustedMetadata` (ISSUE 9 item 7)."""
    try:
        with pikepdf.open(path) as pdf:
            data = _xmp_packet(pdf, path)
    except InputError:
        raise
    except Exception as error:  # qpdf reports a hostile PDF many ways
        raise InputError(
            _("{file}: not a readable PDF ({error})").format(
                file=path, error=f"{type(error).__name__}: {error}"
            )
        ) from error
    props = _xmp_properties(data, path) if data else {}
    return RecordMetadata.from_properties(props) if props else None


# --- OOXML: DOCX and XLSX (custom properties) ------------------------------------


def _custom_xml(props: dict[str, str], existing: bytes | None) -> bytes:
    ns = {"c": _CUSTOM_NS, "vt": _VT_NS}
    if existing:
        root = parse_metadata_xml(existing, _CUSTOM_PART)
    else:
        root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    for node in root.findall("c:property", ns):
        if node.get("name", "").startswith(OOXML_PREFIX):
            root.remove(node)
    pids = [int(n.get("pid", "1")) for n in root.findall("c:property", ns)]
    pid = max([1, *pids]) + 1
    for offset, (key, value) in enumerate(sorted(props.items())):
        node = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property")
        node.set("fmtid", _FMTID)
        node.set("pid", str(pid + offset))
        node.set("name", OOXML_PREFIX + key)
        etree.SubElement(node, f"{{{_VT_NS}}}lpwstr").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_custom_part(name: str, data: bytes) -> bytes:
    if name == "[Content_Types].xml":
        root = etree.fromstring(data, _xml_parser())
        ct = root.nsmap[None]
        if not any(o.get("PartName") == "/" + _CUSTOM_PART for o in root):
            override = etree.SubElement(root, f"{{{ct}}}Override")
            override.set("PartName", "/" + _CUSTOM_PART)
            override.set("ContentType", _CUSTOM_CT)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if name == "_rels/.rels":
        root = etree.fromstring(data, _xml_parser())
        rel_ns = root.nsmap[None]
        if not any(r.get("Type") == _CUSTOM_REL for r in root):
            ids = {r.get("Id") for r in root}
            number = 1
            while f"rId{number}" in ids:
                number += 1
            rel = etree.SubElement(root, f"{{{rel_ns}}}Relationship")
            rel.set("Id", f"rId{number}")
            rel.set("Type", _CUSTOM_REL)
            rel.set("Target", _CUSTOM_PART)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def ooxml_with_metadata(data: bytes, meta: RecordMetadata) -> bytes:
    """``data`` (a DOCX's or XLSX's bytes) with docgen's custom properties set to ``meta``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    existing = source.read(_CUSTOM_PART) if _CUSTOM_PART in source.namelist() else None
    props = xml_properties(meta)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == _CUSTOM_PART:
                continue
            target.writestr(info, _with_custom_part(info.filename, source.read(info)))
        target.writestr(_CUSTOM_PART, _custom_xml(props, existing))
    return out.getvalue()


def _rewrite_package(
    path: Path,
    meta: RecordMetadata,
    with_metadata: Callable[[bytes, RecordMetadata], bytes],
    unreadable: tuple[type[Exception], ...] = (zipfile.BadZipFile, etree.XMLSyntaxError),
) -> None:
    """The office package at ``path`` with ``meta`` embedded by ``with_metadata``,
    rewritten atomically; ``unreadable`` errors become one :class:`InputError`."""
    try:
        data = with_metadata(path.read_bytes(), meta)
    except unreadable as error:
        raise InputError(
            _("{file}: not a readable {kind} ({error})").format(
                file=path, kind=_kind(path), error=error
            )
        ) from error
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        shutil.copymode(path, tmp)


def write_ooxml_metadata(path: Path, meta: RecordMetadata) -> None:
    """Set docgen's custom properties on the DOCX or XLSX at ``path`` (rewritten
    atomically)."""
    _rewrite_package(path, meta, ooxml_with_metadata)


def _custom_part(path: Path) -> bytes | None:
    """``docProps/custom.xml`` of the package at ``path`` (None if it has none)."""
    return _package_part(path, _CUSTOM_PART)


def _package_part(path: Path, part: str) -> bytes | None:
    """Member ``part`` of the package at ``path`` (None if it has none), read only after
    :func:`docgen.zipguard.check_zip` found the package sound and bounded, and only up
    to :data:`MAX_METADATA_BYTES`."""
    if not zipfile.is_zipfile(path):
        raise InputError(
            _("{file}: not a readable {kind} (not a zip package)").format(
                file=path, kind=_kind(path)
            )
        )
    try:  # a bomb is refused whether or not it has docgen's part: it is hostile
        check_zip(path, _("{kind} document").format(kind=_kind(path)))
    except InputError as error:
        raise UntrustedMetadata(error.message) from error
    try:
        with zipfile.ZipFile(path) as archive:
            if part not in archive.namelist():
                return None
            info = archive.getinfo(part)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InputError(
            _("{file}: not a readable {kind} ({error})").format(
                file=path, kind=_kind(path), error=error
            )
        ) from error
    if info.file_size > MAX_METADATA_BYTES:
        raise UntrustedMetadata(
            _("{file}: {part} is {size} bytes (more than {limit}): not docgen's metadata").format(
                file=path,
                part=part,
                size=f"{info.file_size:,}",
                limit=f"{MAX_METADATA_BYTES:,}",
            )
        )
    with zipfile.ZipFile(path) as archive, archive.open(info) as member:
        return member.read(MAX_METADATA_BYTES + 1)


def read_ooxml_metadata(path: Path) -> RecordMetadata | None:
    """docgen's custom properties of the DOCX or XLSX at ``path``, or None when it has
    none. A package that is not a zip is an :class:`InputError`; a bomb or hostile XML
    an :class:`UntrustedMetadata`, refused before it is parsed (ISSUE 9 item 7)."""
    data = _custom_part(path)
    if data is None:
        return None
    root = parse_metadata_xml(data, f"{path}: {_CUSTOM_PART}")
    props = {}
    for node in root:
        name = node.get("name", "")
        if name.startswith(OOXML_PREFIX) and len(node):
            props[name[len(OOXML_PREFIX) :]] = node[0].text or ""
    return RecordMetadata.from_properties(props) if props else None


def _kind(path: Path) -> str:
    return path.suffix.lstrip(".").upper() or "OOXML"


# --- ODF: ODT and ODS (user-defined metadata in meta.xml) -------------------------


def _odf_properties(data: bytes, where: str) -> dict[str, str]:
    """docgen's ``meta:user-defined`` fields of a ``meta.xml``, parsed by defusedxml
    (no DTD, no entity, no external reference)."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise UntrustedMetadata(
            _("{where}: declares a DTD (entities are not accepted)").format(where=where)
        ) from error
    except SafeElementTree.ParseError as error:
        raise UntrustedMetadata(
            _("{where}: not well-formed XML ({error})").format(where=where, error=error)
        ) from error
    props: dict[str, str] = {}
    for node in root.iter(_USER_DEFINED):
        name = node.get(_META_NAME, "")
        if name.startswith(OOXML_PREFIX):
            props[name[len(OOXML_PREFIX) :]] = "".join(node.itertext())
    return props


def read_odf_metadata(path: Path) -> RecordMetadata | None:
    """docgen's user-defined metadata (``docgen.*`` in ``meta.xml``) of the ODT or ODS
    at ``path``, or None when it has none. A package that is not a zip is an
    :class:`InputError`; a bomb or hostile XML an :class:`UntrustedMetadata`, refused
    before it is parsed."""
    data = _package_part(path, _META_PART)
    if data is None:
        return None
    props = _odf_properties(data, f"{path}: {_META_PART}")
    return RecordMetadata.from_properties(props) if props else None


def _meta_xml(props: dict[str, str], existing: bytes | None) -> bytes:
    """``meta.xml`` with docgen's user-defined fields set to ``props`` (others kept)."""
    if existing:
        root = parse_metadata_xml(existing, _META_PART)
    else:
        root = etree.Element(
            f"{{{_OFFICE_NS}}}document-meta",
            nsmap={"office": _OFFICE_NS, "meta": _META_NS},
        )
        root.set(f"{{{_OFFICE_NS}}}version", "1.2")
    body = root.find(f"{{{_OFFICE_NS}}}meta")
    if body is None:
        body = etree.SubElement(root, f"{{{_OFFICE_NS}}}meta")
    for node in body.findall(_USER_DEFINED):
        if node.get(_META_NAME, "").startswith(OOXML_PREFIX):
            body.remove(node)
    for key, value in sorted(props.items()):
        node = etree.SubElement(body, _USER_DEFINED)
        node.set(_META_NAME, OOXML_PREFIX + key)
        node.set(f"{{{_META_NS}}}value-type", "string")
        node.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _with_meta_entry(data: bytes) -> bytes:
    """``META-INF/manifest.xml`` listing ``meta.xml`` (added when it was missing)."""
    root = parse_metadata_xml(data, _ODF_MANIFEST)
    path = f"{{{_MANIFEST_NS}}}full-path"
    if not any(entry.get(path) == _META_PART for entry in root):
        entry = etree.SubElement(root, f"{{{_MANIFEST_NS}}}file-entry")
        entry.set(path, _META_PART)
        entry.set(f"{{{_MANIFEST_NS}}}media-type", "text/xml")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def odf_with_metadata(data: bytes, meta: RecordMetadata) -> bytes:
    """``data`` (an ODT's or ODS's bytes) with docgen's user-defined metadata set to
    ``meta``; ``mimetype`` stays the first member, stored, as ODF asks."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    existing = source.read(_META_PART) if _META_PART in names else None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == _META_PART:
                continue
            body = source.read(info)
            if info.filename == _ODF_MANIFEST and existing is None:
                body = _with_meta_entry(body)
            target.writestr(info, body)
        target.writestr(_META_PART, _meta_xml(xml_properties(meta), existing))
    return out.getvalue()


def write_odf_metadata(path: Path, meta: RecordMetadata) -> None:
    """Set docgen's user-defined metadata on the ODT or ODS at ``path`` (rewritten
    atomically)."""
    _rewrite_package(
        path,
        meta,
        odf_with_metadata,
        (zipfile.BadZipFile, etree.XMLSyntaxError, UntrustedMetadata),
    )


# --- any package: OOXML or ODF ----------------------------------------------------


def read_office_metadata(path: Path) -> RecordMetadata | None:
    """docgen's metadata embedded in the office file at ``path`` (one of
    :data:`OFFICE_SUFFIXES`): custom properties of a DOCX or XLSX, user-defined
    metadata of an ODT or ODS."""
    if path.suffix.lower() in ODF_SUFFIXES:
        return read_odf_metadata(path)
    return read_ooxml_metadata(path)


#: The DOCX names, kept for their callers (the forms engine, tests, demo scripts).
docx_with_metadata = ooxml_with_metadata
write_docx_metadata = write_ooxml_metadata
read_docx_metadata = read_ooxml_metadata


# --- any other file: a sidecar ----------------------------------------------------


def sidecar_path(path: Path) -> Path:
    """Where docgen writes the sidecar of ``path``: ``NAME.EXT.meta.yaml`` beside it
    (the whole name, so ``x.csv`` and ``x.xlsx`` never share one)."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sidecar_yaml(meta: RecordMetadata) -> str:
    """``meta``'s non-empty fields as the YAML of a sidecar."""
    data = {f.name: getattr(meta, f.name) for f in fields(RecordMetadata)}
    return yaml.safe_dump({k: v for k, v in data.items() if v}, allow_unicode=True, sort_keys=False)


def attach_metadata(path: Path, meta: RecordMetadata) -> Path:
    """Make the finished file at ``path`` carry ``meta``: embedded in a DOCX or XLSX
    (custom properties) or an ODT or ODS (user-defined metadata), else (or when the
    file is not really one) in a sidecar beside it. Returns the file holding the
    metadata."""
    suffix = path.suffix.lower()
    if suffix in OFFICE_SUFFIXES and zipfile.is_zipfile(path):
        if suffix in ODF_SUFFIXES:
            write_odf_metadata(path, meta)
        else:
            write_ooxml_metadata(path, meta)
        return path
    target = sidecar_path(path)
    atomic_write_text(target, sidecar_yaml(meta))
    return target
