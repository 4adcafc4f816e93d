"""Record-ID QR codes on scans: PDF pages rendered with pypdfium2, images opened with
Pillow, codes decoded with zxing-cpp (DESIGN.md, cycle step 2: a scan files itself).

Library errors are re-raised as :class:`~docgen.errors.InputError` naming the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import zxingcpp
from PIL import Image, ImageSequence, UnidentifiedImageError

from docgen.errors import InputError
from docgen.rules.record_id import parse_record_id

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
#: Pages of a scanned PDF searched for a code (the form's QR code is on its first page;
#: a few more pages cover a cover sheet put in front of it).
MAX_PAGES = 4
#: Rendering resolution of PDF pages (a QR code of ~2 cm decodes well at 200 dpi).
DPI = 200
_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def record_ids_in_image(image: Image.Image) -> list[str]:
    """The record IDs of every docgen QR code in ``image``, in reading order."""
    codes = zxingcpp.read_barcodes(image.convert("L"), formats=_QR)
    found = []
    for code in codes:
        record = parse_record_id(code.text)
        if record is not None and str(record) not in found:
            found.append(str(record))
    return found


def _pdf_pages(path: Path) -> Iterator[Image.Image]:
    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        raise InputError(f"{path.name}: not a readable PDF ({error})") from error
    try:
        for number in range(min(len(document), MAX_PAGES)):
            page = document[number]
            yield page.render(scale=DPI / 72).to_pil()
            page.close()
    finally:
        document.close()


def _image_frames(path: Path) -> Iterator[Image.Image]:
    try:
        with Image.open(path) as image:
            for number, frame in enumerate(ImageSequence.Iterator(image)):
                if number >= MAX_PAGES:
                    break
                yield frame.copy()
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"{path.name}: not a readable image ({error})") from error


def can_hold_qr(path: Path) -> bool:
    """Whether ``path`` is a kind of file a scan comes as (PDF or an image)."""
    suffix = path.suffix.lower()
    return suffix == ".pdf" or suffix in IMAGE_SUFFIXES


def record_ids_in_file(path: Path) -> list[str]:
    """Record IDs from the QR codes on the first pages of a PDF or image file."""
    pages = _pdf_pages(path) if path.suffix.lower() == ".pdf" else _image_frames(path)
    found: list[str] = []
    for page in pages:
        found += [r for r in record_ids_in_image(page) if r not in found]
        if found:
            break
    return found
