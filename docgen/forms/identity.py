"""What a filled form is: its record ID, metadata, render context and file name
(DESIGN.md, Forms: record ID as QR code and DOCX custom properties)."""

from __future__ import annotations

import re
from typing import Any

from docgen.calendar import parse_period
from docgen.forms.fields import SIGNER_ID, FormModel
from docgen.forms.registry import VARIANT_NAMES, FormSpec
from docgen.fsutil import sha256_bytes
from docgen.metadata import RecordMetadata
from docgen.privacy import mask_id
from docgen.rules.record_id import CATEGORY_BY_FORM, make_record_id


def data_sha256(data: FormModel) -> str:
    """The SHA-256 of the (masked) data, as canonical JSON: no national ID is hashed
    in full, so the hash cannot be reversed into one. A signer's ID printed in full
    (``[masking] print_signer_id``, ISSUE 11 item 8) is hashed masked."""
    return sha256_bytes(_signer_ids_masked(data).model_dump_json().encode("utf-8"))


def _signer_ids_masked(data: FormModel) -> FormModel:
    """``data`` with every field marked :data:`SIGNER_ID` masked (the default policy)."""
    updates = {}
    for name, info in type(data).model_fields.items():
        value = getattr(data, name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("personal") == SIGNER_ID["personal"] and isinstance(value, str):
            updates[name] = mask_id(value)
    return data.model_copy(update=updates) if updates else data


def period_code(spec: FormSpec, data: FormModel) -> str:
    """The record ID's period: the data's month or half-year, else the document date."""
    label = spec.period(data)
    if label:
        return str(parse_period(label).code)
    day = spec.document_date(data)
    if day is None:
        raise ValueError(f"附件{spec.key} data has neither a period nor a date")
    return day.strftime("%Y%m%d")


def record_metadata(
    spec: FormSpec, variant: str, data: FormModel, template_sha256: str
) -> RecordMetadata:
    """The record's identity, as embedded in the DOCX and the PDF."""
    record = make_record_id(int(spec.key), variant, period_code(spec, data), *spec.identity(data))
    review = spec.review_date(data)
    title = f"附件{spec.key} {spec.title}" + (f"（{VARIANT_NAMES[variant]}）" if variant else "")
    return RecordMetadata(
        record_id=str(record),
        form=spec.key,
        variant=variant,
        period=spec.period(data),
        unit=spec.unit(data),
        subject=spec.subject(data),
        data_sha256=data_sha256(data),
        template_sha256=template_sha256,
        category=CATEGORY_BY_FORM[(int(spec.key), variant)],
        review_date=review.isoformat() if review else "",
        title=title,
    )


def render_context(data: FormModel, meta: RecordMetadata, office: str) -> dict[str, Any]:
    """The names a template sees: the form's fields, ``record_id`` and ``office``."""
    return {**data.model_dump(), "record_id": meta.record_id, "office": office}


#: Names every template may use besides the schema's fields.
EXTRA_NAMES = frozenset({"record_id", "office"})


def file_stem(meta: RecordMetadata) -> str:
    """A predictable file name without personal data, e.g.
    ``附件4_月抽查_2026-10_企劃室_DG-4M-202610-1A2B3C4D``."""
    parts = [f"附件{meta.form}"]
    if meta.variant:
        parts.append(VARIANT_NAMES[meta.variant])
    parts += [p for p in (meta.period, meta.unit if meta.form == "4" else "") if p]
    parts.append(meta.record_id)
    return re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "-", "_".join(parts))
