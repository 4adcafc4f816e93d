"""Record IDs: one per generated document, printed as a QR code on the form so that
the signed, colour-scanned paper files itself (DESIGN.md, Forms; R6.4).

Grammar: ``DG-<form><variant>-<period>-<8 hex>``, e.g. ``DG-4M-202610-1A2B3C4D``:

* form ``1``–``6`` (附件1–6); variant ``M`` (月抽查), ``H`` (半年抽查) or none;
* period ``YYYYMM`` (a month), ``YYYYH1``/``YYYYH2`` (a half-year) or ``YYYYMMDD``
  (the document's date, for forms not tied to a period);
* a checksum of what the document is about, so the same data gives the same ID.

Everything needed to classify a scan is in the ID itself. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"DG-([1-6])([MH]?)-(\d{6}|\d{4}H[12]|\d{8})-([0-9A-F]{8})")
#: The ID of a record without one of its own: ``F-`` (classified) or ``U-``
#: (unclassified) and 16 hex digits of its file's SHA-256.
_CONTENT_ID = re.compile(r"([FU])-[0-9A-F]{16}")
#: Years a period may name: the Republic's first (ROC year 1) onwards.
FIRST_YEAR, LAST_YEAR = 1912, 9999
VARIANT_CODES = {"monthly": "M", "half": "H", "": ""}
_VARIANTS = {code: name for name, code in VARIANT_CODES.items()}

#: Retention category of each form and variant (DESIGN.md, Retention; R4.2, R6.2–R6.4).
CATEGORY_BY_FORM = {
    (1, ""): "security_agreement",
    (2, ""): "account_application",
    (3, ""): "confidentiality_pledge",
    (4, "monthly"): "monthly_check",
    (4, "half"): "half_year_audit",
    (5, ""): "half_year_audit",
    (6, ""): "external_audit",
}


@dataclass(frozen=True)
class RecordId:
    """A parsed record ID."""

    form: int
    variant: str
    period: str
    digest: str

    def __str__(self) -> str:
        return f"DG-{self.form}{VARIANT_CODES[self.variant]}-{self.period}-{self.digest}"

    @property
    def category(self) -> str:
        """The retention category the document belongs to (R4.2, R6.2–R6.4)."""
        return CATEGORY_BY_FORM[(self.form, self.variant)]


def make_record_id(form: int, variant: str, period: str, *identity: str) -> RecordId:
    """The record ID of a document: ``period`` is ``YYYYMM``, ``YYYYHn`` or ``YYYYMMDD``;
    ``identity`` (unit, subject, data hash …) decides the checksum."""
    if (form, variant) not in CATEGORY_BY_FORM:
        raise ValueError(f"no such form and variant: 附件{form} {variant!r}")
    text = "\x1f".join([str(form), variant, period, *identity])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8].upper()
    record = RecordId(form, variant, period, digest)
    if not _PATTERN.fullmatch(str(record)):
        raise ValueError(f"bad period for a record ID: {period!r}")
    return record


def parse_record_id(text: str) -> RecordId | None:
    """The record ID in ``text`` (e.g. a decoded QR code), or None if there is none."""
    match = _PATTERN.search(text.strip().upper())
    if match is None:
        return None
    form, variant, period, digest = match.groups()
    return RecordId(int(form), _VARIANTS[variant], period, digest)


def _real_period(code: str) -> bool:
    """``YYYYMM`` a real month, ``YYYYHn``, or ``YYYYMMDD`` a real date."""
    year = int(code[:4])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return False
    if len(code) == 8:
        try:
            date(year, int(code[4:6]), int(code[6:]))
        except ValueError:
            return False
        return True
    return code[4] == "H" or 1 <= int(code[4:]) <= 12


def exact_record_id(text: str) -> RecordId | None:
    """The record ID ``text`` is, exactly: nothing around it, upper case, a form and
    variant that exist and a real period — else None. What a file claims is checked
    with this, never with :func:`parse_record_id`'s search (ISSUE 9 item 1)."""
    record = parse_record_id(text) if text.isascii() else None
    if record is None or str(record) != text or not _real_period(record.period):
        return None
    return record if (record.form, record.variant) in CATEGORY_BY_FORM else None


def is_content_id(text: str, unclassified: bool = True) -> bool:
    """Whether ``text`` is exactly a content ID (``F-``, and with ``unclassified``
    also ``U-``, then 16 hex digits)."""
    match = _CONTENT_ID.fullmatch(text)
    return match is not None and (unclassified or match.group(1) == "F")
