"""Record IDs from the QR code docgen prints on every form, read from a scanned image
of the signed paper (zxing-cpp), so that a scan names the record it shows even
though the scanner kept no metadata. Only image scans of documents are read."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image

from docgen.calendar import parse_period
from docgen.errors import InputError
from docgen.metadata import RecordMetadata
from docgen.rules.record_id import RecordId, parse_record_id

#: A 300-dpi page is read at half size: the QR code stays large enough, reading is 3× faster.
_READ_SIZE = 1800


def _period_label(record: RecordId) -> str:
    if len(record.period) == 8:  # a date, for forms not tied to a period
        return ""
    try:
        return parse_period(record.period).label
    except InputError:
        return ""


def _record_metadata(record: RecordId) -> RecordMetadata:
    variant = record.variant
    return RecordMetadata(
        record_id=str(record), form=str(record.form), variant=variant,
        period=_period_label(record), category=record.category,
    )  # fmt: skip


def qr_metadata(path: Path) -> RecordMetadata | None:
    """The record a scanned image shows by its QR code, or None if none can be read.
    The image was checked (size, format) before; reading never fails the build."""
    try:
        with Image.open(path) as image:
            image.draft("L", (image.width // 2, image.height // 2))
            grey = image.convert("L")
    except OSError:
        return None
    grey.thumbnail((_READ_SIZE, _READ_SIZE))
    qr_codes = zxingcpp.barcode_formats_from_str("QRCode")
    for found in zxingcpp.read_barcodes(grey, formats=qr_codes):
        record = parse_record_id(found.text)
        if record is not None:
            return _record_metadata(record)
    return None
