"""What an arriving file is: embedded metadata (DOCX and XLSX custom properties, ODT
and ODS user-defined metadata, PDF XMP), else a record-ID QR code, else a manifest
docgen wrote, else a sidecar ``NAME.meta.yaml``, else a path rule of ``docgen.toml``,
else unclassified (ISSUE 6 point 3; DESIGN.md, cycle step 4). Nothing is guessed.

Manifests: a forms manifest, JSON or CSV (:mod:`docgen.archive.issued`), is filed
as category ``other``; a package manifest ``OUT.pdf.manifest.json``
(:mod:`docgen.packages.manifest`) is filed with its package, as another file of the
same record: the package's metadata as the manifest records it, and the package's
record ID (from its metadata, else ``F-`` and its recorded SHA-256, as the package
itself gets when it is filed), so it lands beside it as ``<record ID>.pdf.manifest.json``.

Sidecar format (YAML, the fields of :class:`~docgen.metadata.RecordMetadata`)::

    record_id: DG-4M-202610-1A2B3C4D   # optional; gives form, variant, period, category
    category: monthly_check            # required unless record_id gives it
    period: 2026-10                    # YYYY-MM or YYYY-H1/H2
    unit: 企劃室
    review_date: 2026-11-20            # ISO date (also trigger)
    title: 十月份案件抽查表掃描檔

A sidecar is named after the whole file name (``scan.pdf.meta.yaml``) or its stem
(``scan.meta.yaml``). An invalid sidecar leaves the file unclassified with the
reason, rather than falling through to a path rule.

Everything a file says is checked (:func:`docgen.archive.claims.check_metadata`)
before it is used (ISSUE 9 item 1): embedded metadata, a package manifest or a
sidecar that is invalid — or a bomb, or XML with a DTD (item 7) — leaves the file
unclassified with the reason; no later source is asked. A file that cannot be read
at all (not really a PDF) and a QR code that is not a record ID are reasons too, and
the later sources are still asked. Reasons name files by their name only, with
national IDs masked and controls escaped (items 5 and 6).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from docgen.archive import qr
from docgen.archive.claims import check_metadata
from docgen.archive.issued import manifest_documents
from docgen.archive.paths import is_regular, read_small, stored_name
from docgen.config import Config, PathRule
from docgen.errors import ConfigError, InputError
from docgen.i18n import _
from docgen.metadata import (
    OFFICE_SUFFIXES,
    SIDECAR_SUFFIX,
    RecordMetadata,
    UntrustedMetadata,
    read_office_metadata,
    read_pdf_metadata,
    sidecar_yaml,
)
from docgen.rules.record_id import CATEGORY_BY_FORM, RecordId, parse_record_id
from docgen.textsafe import escape_controls
from docgen.yamlsafe import load_yaml

#: Categories a file may be filed under (DESIGN.md, Retention; contracts).
CATEGORIES = frozenset(CATEGORY_BY_FORM.values()) | {"other"}
_GENERATED = "# docgen: classified by {source}\n"
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2]|H[12])")
#: A sidecar is a few lines of YAML; a manifest lists at most a few thousand documents.
MAX_SIDECAR_BYTES = 64 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_REASON = 500


@dataclass
class Classification:
    """The outcome: ``source`` is metadata|qr|manifest|sidecar|path_rule|none
    (unclassified)."""

    meta: RecordMetadata
    source: str
    reason: str = ""
    sidecar: Path | None = None
    notes: list[str] = field(default_factory=list)
    #: The disposed record this file claims (ISSUE 9 item 3; set by the planner).
    conflict: str = ""
    #: What the file says about itself was refused (a bad or hostile claim, ISSUE 9
    #: item 1), rather than missing: someone should look at it.
    refused: bool = False

    @property
    def classified(self) -> bool:
        return self.source != "none"


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


def sidecar_candidates(path: Path) -> list[Path]:
    """Where a file's sidecar may be: ``NAME.EXT.meta.yaml`` or ``NAME.meta.yaml``."""
    return [
        path.with_name(path.name + SIDECAR_SUFFIX),
        path.with_name(path.stem + SIDECAR_SUFFIX),
    ]


def find_sidecar(path: Path) -> Path | None:
    """The file's sidecar: a regular file, never a link (ISSUE 9 item 2)."""
    return next((p for p in sidecar_candidates(path) if is_regular(p)), None)


def period_of_record_id(record: RecordId) -> str:
    """``202610`` → ``2026-10``; ``2026H1`` → ``2026-H1``; a document date → ``""``."""
    code = record.period
    if len(code) == 6:
        return f"{code[:4]}-{code[4:]}"
    return ""


def complete(meta: RecordMetadata) -> RecordMetadata:
    """``meta`` with form, variant, period and category filled from its record ID."""
    record = parse_record_id(meta.record_id) if meta.record_id else None
    if record is not None:
        meta.record_id = str(record)
        meta.form = meta.form or str(record.form)
        meta.variant = meta.variant or record.variant
        meta.period = meta.period or period_of_record_id(record)
        meta.category = meta.category or record.category
    meta.category = meta.category or "other"
    return meta


# --- sidecars ---------------------------------------------------------------------


class _Sidecar(BaseModel):
    model_config = ConfigDict(extra="forbid")

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
    record_ids: list[str] = []

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        return "" if value is None else str(value) if isinstance(value, int | float) else value


def duplicate_key(text: str) -> str:
    """The first key given twice in one mapping of the YAML ``text`` ("" if none);
    ``text`` has been loaded by :func:`load_yaml` already (no aliases, so the node
    tree is a tree)."""
    pending = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if (key.tag, key.value) in seen:
                        return str(key.value)
                    seen.add((key.tag, key.value))
                pending += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            pending += node.value
    return ""


def read_sidecar(path: Path) -> RecordMetadata:
    """The metadata in a sidecar; :class:`InputError` naming the file and field (every
    field checked by :func:`~docgen.archive.claims.check_metadata`). A sidecar that is
    not YAML, names an impossible date (``2026-02-30``, which YAML's own date type
    refuses with a ``ValueError``) or gives a field twice (a claim that says two
    things) is refused."""
    try:
        text = read_small(path, MAX_SIDECAR_BYTES).decode("utf-8")
        data = load_yaml(text)
        twice = duplicate_key(text)
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError, ValueError) as error:
        detail = escape_controls(str(error).replace("\n", " ").strip())
        raise InputError(
            _("sidecar {name}: not valid UTF-8 YAML ({detail})").format(
                name=path.name, detail=detail
            )
        ) from error
    if twice:
        raise InputError(
            _("sidecar {name}: field {field} is given twice").format(
                name=path.name, field=_show_key(twice)
            )
        )
    if not isinstance(data, dict):
        raise InputError(_("sidecar {name}: expected a mapping of fields").format(name=path.name))
    try:
        model = _Sidecar.model_validate(data)
    except ValidationError as error:
        item = error.errors()[0]
        key = ".".join(str(p) for p in item["loc"])
        message = _("unknown field") if item["type"] == "extra_forbidden" else item["msg"]
        message = message.removeprefix("Value error, ")
        raise InputError(
            _("sidecar {name}: field {field}: {problem}").format(
                name=path.name, field=key, problem=message
            )
        ) from error
    if not model.record_id and not model.category:
        raise InputError(_("sidecar {name}: give a record_id or a category").format(name=path.name))
    where = _("sidecar {name}").format(name=path.name)
    return complete(check_metadata(RecordMetadata(**model.model_dump()), where))


def _show_key(key: str) -> str:
    return escape_controls(key if len(key) <= 60 else key[:60] + "…")


def sidecar_text(meta: RecordMetadata, source: str) -> str:
    """A sidecar for ``meta`` (written beside a file filed by QR code or path rule, so
    that a rebuild finds the same classification)."""
    return _GENERATED.format(source=source) + sidecar_yaml(meta)


# --- path rules ---------------------------------------------------------------------


def check_path_rules(config: Config) -> None:
    """Refuse a path rule with an unknown category or period (names the rule)."""
    for number, rule in enumerate(config.archive.path_rules, 1):
        if rule.category not in CATEGORIES:
            raise ConfigError(
                _(
                    "docgen.toml: archive.path_rules rule {number} ({pattern}): "
                    "unknown category {category!r}"
                ).format(number=number, pattern=rule.pattern, category=rule.category)
            )
        if rule.period and not _PERIOD.fullmatch(rule.period):
            raise ConfigError(
                _(
                    "docgen.toml: archive.path_rules rule {number} ({pattern}): "
                    "bad period {period!r} (expected 2026-10 or 2026-H1)"
                ).format(number=number, pattern=rule.pattern, period=rule.period)
            )


def matching_rule(rules: Sequence[PathRule], relative: str) -> PathRule | None:
    """The first rule whose glob matches ``relative`` (POSIX, relative to the inbox;
    ``*`` also matches ``/``)."""
    return next((r for r in rules if fnmatch.fnmatchcase(relative, r.pattern)), None)


# --- the chain ----------------------------------------------------------------------


def content_record_id(sha256: str, classified: bool = True) -> str:
    """The ID of a record without one of its own: ``F-`` (classified) / ``U-``
    (unclassified) and the first 16 hex digits of its file's SHA-256."""
    return ("F-" if classified else "U-") + sha256[:16].upper()


def embedded_metadata(path: Path) -> RecordMetadata | None:
    """The file's own metadata, checked; None when it has none."""
    suffix = path.suffix.lower()
    if suffix in OFFICE_SUFFIXES:  # DOCX, XLSX, ODT, ODS
        meta = read_office_metadata(path)
        where = _("custom properties of {name}").format(name=path.name)
    elif suffix == ".pdf":
        meta = read_pdf_metadata(path)
        where = _("XMP metadata of {name}").format(name=path.name)
    else:
        return None
    return None if meta is None else check_metadata(meta, where)


def _from_qr(path: Path) -> RecordMetadata | None:
    found = qr.record_ids_in_file(path) if qr.can_hold_qr(path) else []
    if not found:
        return None
    meta = RecordMetadata(record_id=found[0], record_ids=found[1:])
    return complete(check_metadata(meta, _("QR code of {name}").format(name=path.name)))


_SHA256 = re.compile(r"[0-9a-f]{64}")
_FORMS_MANIFEST = "docgen 表單產製清單 forms manifest"


def read_json(path: Path) -> Any:
    """The JSON in a (bounded, regular) file; None when it is not JSON."""
    try:
        return json.loads(read_small(path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except (InputError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None


def package_manifest_metadata(path: Path) -> RecordMetadata | None:
    """The record of the package a package manifest describes; None if ``path`` is
    not a package manifest (known by its ``format``, as its name changes when filed).
    The metadata it records is checked like a file's own (ISSUE 9 item 1)."""
    from docgen.packages.manifest import FORMAT

    if path.suffix.lower() != ".json":
        return None
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    output, recorded = data.get("output"), data.get("metadata")
    sha256 = output.get("sha256") if isinstance(output, dict) else None
    if not isinstance(recorded, dict) or not _SHA256.fullmatch(str(sha256)):
        return None
    names = {f.name for f in fields(RecordMetadata)}
    meta = RecordMetadata(**{k: v for k, v in recorded.items() if k in names})
    meta = check_metadata(meta, _("package manifest {name}").format(name=path.name))
    meta.record_id = meta.record_id or content_record_id(str(sha256))
    return complete(meta)


def _from_manifest(path: Path) -> RecordMetadata | None:
    if manifest_documents(path):
        return RecordMetadata(category="other", title=_FORMS_MANIFEST)
    return package_manifest_metadata(path)


def _try(step: Any, path: Path, reasons: list[str]) -> RecordMetadata | None:
    """``step(path)``; an unreadable file is a reason and the chain goes on, but
    :class:`UntrustedMetadata` stops it (raised on)."""
    try:
        result: RecordMetadata | None = step(path)
        return result
    except UntrustedMetadata:
        raise
    except InputError as error:
        reasons.append(error.message)
        return None


def _sidecar_source(sidecar: Path) -> str:
    """``path_rule`` for a sidecar docgen wrote for a path-rule filing, else ``sidecar``."""
    head = read_small(sidecar, MAX_SIDECAR_BYTES).decode("utf-8", errors="replace")
    first = head.splitlines()[0].strip() if head else ""
    return "path_rule" if first == _GENERATED.format(source="path_rule").strip() else "sidecar"


def clean_reason(text: str, path: Path) -> str:
    """A reason as stored and shown: the file by its name, IDs masked, controls
    escaped, bounded (ISSUE 9 items 5 and 6)."""
    text = text.replace(f"{path}: ", "").replace(str(path), path.name)
    text = stored_name(text)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _by_sidecar(sidecar: Path) -> Classification:
    try:
        meta = read_sidecar(sidecar)
        return Classification(meta, _sidecar_source(sidecar), sidecar=sidecar)
    except InputError as error:
        return Classification(RecordMetadata(), "none", error.message, sidecar, refused=True)


def _chain(
    path: Path, relative: str, rules: Sequence[PathRule], use_qr: bool, reasons: list[str]
) -> Classification:
    sidecar = find_sidecar(path)
    try:
        meta = _try(embedded_metadata, path, reasons)
        if meta is not None and (meta.record_id or meta.category):
            return Classification(complete(meta), "metadata", sidecar=sidecar)
        if use_qr and (meta := _try(_from_qr, path, reasons)) is not None:
            return Classification(meta, "qr", sidecar=sidecar)
        if (meta := _from_manifest(path)) is not None:
            return Classification(meta, "manifest", sidecar=sidecar)
    except UntrustedMetadata as error:
        return Classification(RecordMetadata(), "none", error.message, sidecar, refused=True)
    if sidecar is not None:
        return _by_sidecar(sidecar)
    rule = matching_rule(rules, relative)
    if rule is not None:
        meta = RecordMetadata(
            category=rule.category, period=rule.period or "", unit=rule.unit or ""
        )
        return Classification(meta, "path_rule")
    reasons.append(_("no embedded metadata, record-ID QR code, sidecar or matching path rule"))
    return Classification(RecordMetadata(), "none", "; ".join(reasons))


def classify(
    path: Path, relative: str, rules: Sequence[PathRule], use_qr: bool = True
) -> Classification:
    """Classify the file at ``path`` (``relative``: its POSIX path under the inbox,
    matched against the path ``rules``)."""
    found = _chain(path, relative, rules, use_qr, [])
    found.reason = clean_reason(found.reason, path) if found.reason else ""
    return found
