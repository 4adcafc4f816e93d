"""What an arriving file is: embedded metadata (DOCX and XLSX custom properties, PDF
XMP), else a record-ID QR code, else a manifest docgen wrote, else a sidecar
``NAME.meta.yaml``, else a path rule of ``docgen.toml``, else unclassified
(ISSUE 6 point 3; DESIGN.md, cycle step 4). Nothing is guessed.

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
from docgen.archive.issued import manifest_documents
from docgen.config import Config, PathRule
from docgen.errors import ConfigError, InputError
from docgen.metadata import (
    OOXML_SUFFIXES,
    SIDECAR_SUFFIX,
    RecordMetadata,
    read_ooxml_metadata,
    read_pdf_metadata,
    sidecar_yaml,
)
from docgen.rules.record_id import CATEGORY_BY_FORM, RecordId, parse_record_id

#: Categories a file may be filed under (DESIGN.md, Retention; contracts).
CATEGORIES = frozenset(CATEGORY_BY_FORM.values()) | {"other"}
_GENERATED = "# docgen: classified by {source}\n"
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2]|H[12])")


@dataclass
class Classification:
    """The outcome: ``source`` is metadata|qr|manifest|sidecar|path_rule|none
    (unclassified)."""

    meta: RecordMetadata
    source: str
    reason: str = ""
    sidecar: Path | None = None
    notes: list[str] = field(default_factory=list)

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
    return next((p for p in sidecar_candidates(path) if p.is_file()), None)


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

    @field_validator("record_id")
    @classmethod
    def _record_id(cls, value: str) -> str:
        if value and parse_record_id(value) is None:
            raise ValueError(f"not a record ID: {value!r} (expected like DG-4M-202610-1A2B3C4D)")
        return value

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value and value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}: one of {', '.join(sorted(CATEGORIES))}")
        return value

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if value and not _PERIOD.fullmatch(value):
            raise ValueError(f"not a period: {value!r} (expected 2026-10 or 2026-H1)")
        return value

    @field_validator("trigger", "review_date")
    @classmethod
    def _date(cls, value: str) -> str:
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"not a date: {value!r} (expected 2026-11-20)") from None
        return value


def read_sidecar(path: Path) -> RecordMetadata:
    """The metadata in a sidecar; :class:`InputError` naming the file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"sidecar {path.name}: not valid UTF-8 YAML ({error})") from error
    if not isinstance(data, dict):
        raise InputError(f"sidecar {path.name}: expected a mapping of fields")
    try:
        model = _Sidecar.model_validate(data)
    except ValidationError as error:
        item = error.errors()[0]
        key = ".".join(str(p) for p in item["loc"])
        message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
        message = message.removeprefix("Value error, ")
        raise InputError(f"sidecar {path.name}: field {key}: {message}") from error
    if not model.record_id and not model.category:
        raise InputError(f"sidecar {path.name}: give a record_id or a category")
    return complete(RecordMetadata(**model.model_dump()))


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
                f"docgen.toml: archive.path_rules rule {number} ({rule.pattern}): "
                f"unknown category {rule.category!r}"
            )
        if rule.period and not _PERIOD.fullmatch(rule.period):
            raise ConfigError(
                f"docgen.toml: archive.path_rules rule {number} ({rule.pattern}): "
                f"bad period {rule.period!r} (expected 2026-10 or 2026-H1)"
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
    suffix = path.suffix.lower()
    if suffix in OOXML_SUFFIXES:
        return read_ooxml_metadata(path)
    if suffix == ".pdf":
        return read_pdf_metadata(path)
    return None


def _from_qr(path: Path) -> RecordMetadata | None:
    found = qr.record_ids_in_file(path) if qr.can_hold_qr(path) else []
    if not found:
        return None
    return complete(RecordMetadata(record_id=found[0], record_ids=found[1:]))


_SHA256 = re.compile(r"[0-9a-f]{64}")
_FORMS_MANIFEST = "docgen 表單產製清單 forms manifest"


def package_manifest_metadata(path: Path) -> RecordMetadata | None:
    """The record of the package a package manifest describes; None if ``path`` is
    not a package manifest (known by its ``format``, as its name changes when filed)."""
    from docgen.packages.manifest import FORMAT

    if path.suffix.lower() != ".json":
        return None
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    output, recorded = data.get("output"), data.get("metadata")
    sha256 = output.get("sha256") if isinstance(output, dict) else None
    if not isinstance(recorded, dict) or not _SHA256.fullmatch(str(sha256)):
        return None
    names = {f.name for f in fields(RecordMetadata)}
    meta = RecordMetadata(**{k: v for k, v in recorded.items() if k in names})
    meta.record_id = meta.record_id or content_record_id(str(sha256))
    return complete(meta)


def _from_manifest(path: Path) -> RecordMetadata | None:
    if manifest_documents(path):
        return RecordMetadata(category="other", title=_FORMS_MANIFEST)
    return package_manifest_metadata(path)


def _try(step: Any, path: Path, reasons: list[str]) -> RecordMetadata | None:
    try:
        result: RecordMetadata | None = step(path)
        return result
    except InputError as error:
        reasons.append(error.message)
        return None


def _sidecar_source(sidecar: Path) -> str:
    """``path_rule`` for a sidecar docgen wrote for a path-rule filing, else ``sidecar``."""
    with open(sidecar, encoding="utf-8", errors="replace") as handle:
        first = handle.readline().strip()
    return "path_rule" if first == _GENERATED.format(source="path_rule").strip() else "sidecar"


def classify(
    path: Path, relative: str, rules: Sequence[PathRule], use_qr: bool = True
) -> Classification:
    """Classify the file at ``path`` (``relative``: its POSIX path under the inbox,
    matched against the path ``rules``)."""
    reasons: list[str] = []
    sidecar = find_sidecar(path)
    meta = _try(embedded_metadata, path, reasons)
    if meta is not None and (meta.record_id or meta.category):
        return Classification(complete(meta), "metadata", sidecar=sidecar)
    if use_qr and (meta := _try(_from_qr, path, reasons)) is not None:
        return Classification(meta, "qr", sidecar=sidecar)
    if (meta := _from_manifest(path)) is not None:
        return Classification(meta, "manifest", sidecar=sidecar)
    if sidecar is not None:
        try:
            meta = read_sidecar(sidecar)
            return Classification(meta, _sidecar_source(sidecar), sidecar=sidecar)
        except InputError as error:
            return Classification(RecordMetadata(), "none", error.message, sidecar)
    rule = matching_rule(rules, relative)
    if rule is not None:
        meta = RecordMetadata(
            category=rule.category, period=rule.period or "", unit=rule.unit or ""
        )
        return Classification(meta, "path_rule")
    reasons.append("no embedded metadata, record-ID QR code, sidecar or matching path rule")
    return Classification(RecordMetadata(), "none", "; ".join(reasons))
