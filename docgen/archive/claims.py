"""What a file claims about itself, checked before any of it reaches a path or the
index (ISSUE 9 item 1; DESIGN.md, Conventions: everything a file says about itself —
metadata, QR code, sidecar, manifest — is untrusted input).

* :func:`valid_record_id`: a record ID in full (the grammar of
  :mod:`docgen.rules.record_id`, with a possible form, variant and period), or
  docgen's ``F-`` content ID; never an ID found inside a longer string.
* :func:`check_metadata`: every field of a :class:`~docgen.metadata.RecordMetadata`
  against its grammar (categories those of the retention schedule, periods, ISO
  dates, forms, variants, hashes; free text without controls and bounded), or
  :class:`~docgen.metadata.UntrustedMetadata` naming the source and the field.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from typing import Any

from docgen.i18n import N_, _, translate
from docgen.metadata import RecordMetadata, UntrustedMetadata
from docgen.privacy import mask_ids_in_text
from docgen.rules.record_id import (
    FIRST_YEAR,
    LAST_YEAR,
    exact_record_id,
    is_content_id,
    parse_record_id,
)
from docgen.rules.retention import CATEGORIES
from docgen.textsafe import escape_controls

#: IDs docgen gives a record without one of its own (``F-``, classified; ``U-`` is the
#: archive's for unclassified files, which no file may claim).
_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2]|H[12])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_VARIANT = re.compile(r"[a-z][a-z_]{0,31}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_TEXT_LIMITS = {"unit": 64, "subject": 128, "title": 300}
MAX_RECORD_IDS = 1000


def valid_record_id(text: str, content_ids: bool = True) -> str | None:
    """``text`` (trimmed, in upper case) as a record ID if it is one in full
    (``DG-4M-202610-1A2B3C4D``, or with ``content_ids`` a docgen ``F-`` content ID),
    else None (ISSUE 9 item 1)."""
    candidate = text.strip().upper()
    if content_ids and is_content_id(candidate, unclassified=False):
        return candidate
    return candidate if exact_record_id(candidate) is not None else None


def _show(value: str) -> str:
    """A rejected value, quoted for a one-line reason (masked, escaped, cut short)."""
    cut = value if len(value) <= 60 else value[:60] + "…"
    return escape_controls(repr(mask_ids_in_text(cut)))


def _record_id(value: str) -> str:
    if valid_record_id(value) is None:
        return _("{value} is not a record ID (expected like DG-4M-202610-1A2B3C4D)").format(
            value=_show(value)
        )
    return ""


def _category(value: str) -> str:
    if value not in CATEGORIES:
        return _("unknown category {value}: one of {categories}").format(
            value=_show(value), categories=", ".join(sorted(CATEGORIES))
        )
    return ""


def _period(value: str) -> str:
    match = _PERIOD.fullmatch(value)
    if match is None or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return _("not a period: {value} (expected 2026-10 or 2026-H1)").format(value=_show(value))
    return ""


def _date(value: str) -> str:
    try:
        day = date.fromisoformat(value) if _DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        return _("not a date: {value} (expected 2026-11-20)").format(value=_show(value))
    return ""


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    """A check of ``pattern``; ``what`` (marked with N_) names what the value is not."""

    def check(value: str) -> str:
        if pattern.fullmatch(value):
            return ""
        return _("not {what}: {value}").format(what=translate(what), value=_show(value))

    return check


#: The grammar of each field (free text — unit, subject, title — is only bounded).
_CHECKS: dict[str, Callable[[str], str]] = {
    "record_id": _record_id,
    "category": _category,
    "period": _period,
    "trigger": _date,
    "review_date": _date,
    "form": _matching(re.compile(r"[1-6]"), N_("a form (1 to 6)")),
    "variant": _matching(_VARIANT, N_("a variant (like monthly)")),
    "data_sha256": _matching(_SHA256_HEX, N_("a SHA-256 (64 hex digits)")),
    "template_sha256": _matching(_SHA256_HEX, N_("a SHA-256 (64 hex digits)")),
}


def _check_field(name: str, value: str) -> str:
    """The problem with one text field ("" when it is fine)."""
    if not value:
        return ""
    if escape_controls(value) != value:
        return _("{value} holds control or bidi characters").format(value=_show(value))
    if problem := _CHECKS.get(name, lambda _: "")(value):
        return problem
    limit = _TEXT_LIMITS.get(name, 300)
    if len(value) > limit:
        return _("{length} characters long (at most {limit})").format(
            length=len(value), limit=limit
        )
    return ""


def _agrees(meta: RecordMetadata) -> str:
    """The problem when the record ID and the category, form, variant or period given
    beside it contradict each other (a claim that says two things is refused)."""
    record = parse_record_id(meta.record_id) if meta.record_id.startswith("DG-") else None
    if record is None:
        return ""
    if meta.category and meta.category != record.category:
        field, value = "category", meta.category
    elif meta.form and meta.form != str(record.form):
        field, value = "form", meta.form
    elif meta.variant and meta.variant != record.variant:
        field, value = "variant", meta.variant
    elif meta.period and not _period_agrees(meta.period, record.period):
        field, value = "period", meta.period
    else:
        return ""
    return _("field {field}: {value!r} contradicts record ID {record_id}").format(
        field=field, value=value, record_id=meta.record_id
    )


def _period_agrees(period: str, code: str) -> bool:
    """Whether the period ``2026-10`` / ``2026-H1`` is the one of a record ID's period
    code: the same month or half-year (``202610``, ``2026H1``), or, for a document's
    date (``20261015``), the month or half-year holding it."""
    year, part = period[:4], period[5:]
    if code[:4] != year:
        return False
    if len(code) == 6 and code[4] == "H":
        return part == code[4:]
    month = code[4:6]
    if part.startswith("H"):
        return len(code) == 8 and part == ("H1" if month <= "06" else "H2")
    return part == month


def check_metadata(meta: RecordMetadata, where: str) -> RecordMetadata:
    """``meta`` read from a file, validated field by field before any of it reaches a
    path or the index; IDs normalised, national IDs in free text masked (R8).
    :class:`UntrustedMetadata` names ``where`` and the first bad field."""
    values: dict[str, Any] = {}
    for item in fields(RecordMetadata):
        value = getattr(meta, item.name)
        if item.name == "record_ids":
            continue
        if not isinstance(value, str):
            raise UntrustedMetadata(
                _("{where}: field {field}: not text").format(where=where, field=item.name)
            )
        problem = _check_field(item.name, value.strip())
        if problem:
            raise UntrustedMetadata(
                _("{where}: field {field}: {problem}").format(
                    where=where, field=item.name, problem=problem
                )
            )
        values[item.name] = mask_ids_in_text(value.strip())
    values["record_id"] = valid_record_id(values["record_id"]) or ""
    values["record_ids"] = _check_record_ids(meta.record_ids, where)
    checked = RecordMetadata(**values)
    if problem := _agrees(checked):
        raise UntrustedMetadata(_("{where}: {problem}").format(where=where, problem=problem))
    return checked


def _check_record_ids(ids: Any, where: str) -> list[str]:
    if not isinstance(ids, list) or len(ids) > MAX_RECORD_IDS:
        raise UntrustedMetadata(
            _("{where}: field record_ids: not a list of record IDs").format(where=where)
        )
    found: list[str] = []
    for text in ids:
        record_id = valid_record_id(text) if isinstance(text, str) else None
        if record_id is None:
            raise UntrustedMetadata(
                _("{where}: field record_ids: {value} is not a record ID").format(
                    where=where, value=_show(str(text))
                )
            )
        found += [] if record_id in found else [record_id]
    return found
