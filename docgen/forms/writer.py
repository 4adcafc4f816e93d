"""Writing one filled form: a compiled template rendered with one record's data,
its QR picture and custom properties swapped in, written into the batch's staging
folder (the batch is moved into place whole: :mod:`docgen.forms.staging`)."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from docgen.config import Workspace
from docgen.errors import InputError
from docgen.forms.compiled import CompiledTemplate
from docgen.forms.data import FormRecord
from docgen.forms.environment import make_environment
from docgen.forms.identity import EXTRA_NAMES, file_stem, record_metadata, render_context
from docgen.forms.policy import TemplateNames
from docgen.forms.qrcode_image import qr_png
from docgen.forms.registry import FormSpec
from docgen.forms.staging import WriteFailed
from docgen.i18n import _
from docgen.metadata import RecordMetadata, docx_with_metadata
from docgen.privacy import MaskingPolicy

_CUSTOM = ("docProps/custom.xml",)
_PACKAGE_PARTS = ("[Content_Types].xml", "_rels/.rels")


@dataclass
class GeneratedDocument:
    """A written form: its record ID, files and embedded metadata; ``row`` is the
    data row it came from."""

    record_id: str
    docx: Path
    pdf: Path | None
    metadata: RecordMetadata
    row: int = 0


def share_mode(path: Path) -> None:
    """Give a written file the mode a new file gets under the user's umask (the
    temporary file behind an atomic write is private, 0600), so colleagues on the
    shared file server can open it."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def packaged_templates() -> Path:
    """The templates shipped inside the package."""
    return Path(str(resources.files("docgen") / "data" / "templates" / "attachments"))


def template_path(workspace: Workspace, spec: FormSpec, variant: str) -> Path:
    """The workspace's template of the form (R9: an office may replace ours), else ours."""
    name = spec.template_name(variant)
    own = workspace.templates_dir / name
    return own if own.exists() else packaged_templates() / name


class FormWriter:
    """One form's template, compiled once, writing documents for many records."""

    def __init__(
        self, spec: FormSpec, variant: str, template: Path, policy: MaskingPolicy, office: str
    ) -> None:
        if not template.exists():
            raise InputError(_("{file}: no such template").format(file=template))
        self.spec, self.variant, self.office = spec, variant, office
        names = TemplateNames.of(spec.schema, EXTRA_NAMES)
        self.compiled = CompiledTemplate(template, make_environment(policy), names)
        self._custom_source = _package(self.compiled.entries, _CUSTOM)
        package_parts = _package(self.compiled.entries, _PACKAGE_PARTS)
        self._fixed_parts = _read_all(docx_with_metadata(package_parts, RecordMetadata("x")))

    def metadata(self, record: FormRecord) -> RecordMetadata:
        return record_metadata(self.spec, self.variant, record.data, self.compiled.sha256)

    def render(self, record: FormRecord, meta: RecordMetadata) -> bytes:
        """The DOCX bytes of ``record`` (QR code and custom properties included)."""
        replace = self._metadata_parts(meta)
        if self.compiled.qr_media:
            replace[self.compiled.qr_media] = qr_png(meta.record_id)
        context = render_context(record.data, meta, self.office)
        return self.compiled.render(context, replace)

    def write(
        self, record: FormRecord, out_dir: Path, meta: RecordMetadata | None = None
    ) -> GeneratedDocument:
        """Write ``record``'s DOCX into ``out_dir`` (a batch's staging folder, see
        :mod:`docgen.forms.staging`); a failed write is a :class:`WriteFailed`."""
        meta = meta or self.metadata(record)
        target = out_dir / f"{file_stem(meta)}.docx"
        data = self.render(record, meta)
        try:
            target.write_bytes(data)
            share_mode(target)
        except OSError as error:
            raise WriteFailed(target.name, error.strerror or str(error)) from error
        return GeneratedDocument(meta.record_id, target, None, meta, record.row)

    def _metadata_parts(self, meta: RecordMetadata) -> dict[str, bytes]:
        """The parts that carry custom properties: docgen.metadata applied to a small
        package holding only the template's own custom.xml (cheaper than the whole
        DOCX); the content types and relationships are the same for every record."""
        custom = _read_all(docx_with_metadata(self._custom_source, meta))
        return {**self._fixed_parts, **custom}


def _package(entries: dict[str, bytes], names: tuple[str, ...]) -> bytes:
    """A zip holding only the parts ``names`` of the template (those it has), from
    the entries already read and checked (the template file is not opened again)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            if name in entries:
                target.writestr(name, entries[name])
    return out.getvalue()


def _read_all(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        return {name: source.read(name) for name in source.namelist()}
