"""Record-ID QR codes on scans: PDF pages rendered with pypdfium2, images opened with
Pillow, codes decoded with zxing-cpp (DESIGN.md, cycle step 2: a scan files itself).

Library errors are re-raised as :class:`~docgen.errors.InputError` naming the file,
and so is a QR code whose text is not a record ID in full (ISSUE 9 items 1 and 7): a
scan is never classified by an ID found inside a longer payload. Pages are rendered at
no more than :data:`MAX_PIXELS`, and an image (or any of the frames searched) larger
than that is refused before it is decoded: its size is a reason, not a load.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import zxingcpp
from PIL import Image, ImageSequence, UnidentifiedImageError

from docgen.archive.claims import valid_record_id
from docgen.errors import InputError
from docgen.i18n import _
from docgen.textsafe import escape_controls

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
#: The image formats Pillow may open (whatever the file's name says): a scan's.
IMAGE_FORMATS = ("JPEG", "PNG", "TIFF", "BMP", "GIF", "WEBP")
#: Pages of a scanned PDF searched for a code (the form's QR code is on its first page;
#: a few more pages cover a cover sheet put in front of it).
MAX_PAGES = 4
#: Rendering resolution of PDF pages (a QR code of ~2 cm decodes well at 200 dpi).
DPI = 200
#: The most pixels a page is rendered at (an A3 page at 200 dpi is ~10 million).
MAX_PIXELS = 40_000_000
_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def record_ids_in_image(image: Image.Image, others: list[str] | None = None) -> list[str]:
    """The record IDs of every docgen QR code in ``image``, in reading order; the text
    of codes that are not a record ID in full is added to ``others``."""
    codes = zxingcpp.read_barcodes(image.convert("L"), formats=_QR)
    found: list[str] = []
    for code in codes:
        record_id = valid_record_id(code.text, content_ids=False)
        if record_id is None:
            (others if others is not None else []).append(code.text)
        elif record_id not in found:
            found.append(record_id)
    return found


def _scale(page: pypdfium2.PdfPage) -> float:
    width, height = page.get_size()
    area = max(width * height, 1.0) * (DPI / 72) ** 2
    return DPI / 72 if area <= MAX_PIXELS else DPI / 72 * (MAX_PIXELS / area) ** 0.5


def _pdf_pages(path: Path) -> Iterator[Image.Image]:
    try:
        document = pypdfium2.PdfDocument(path)
    except (pypdfium2.PdfiumError, OSError, ValueError) as error:
        raise InputError(
            _("{file}: not a readable PDF ({error})").format(file=path.name, error=error)
        ) from error
    try:
        for number in range(min(len(document), MAX_PAGES)):
            try:
                page = document[number]
                image = page.render(scale=_scale(page)).to_pil()
                page.close()
            except (pypdfium2.PdfiumError, OSError, ValueError, MemoryError) as error:
                message = _("{file}: page {page} cannot be rendered ({error})").format(
                    file=path.name, page=number + 1, error=error
                )
                raise InputError(message) from error
            yield image
    finally:
        document.close()


def _bounded(path: Path, frame: Image.Image, number: int) -> Image.Image:
    """``frame``, if its size (known from its header, before it is decoded) is within
    :data:`MAX_PIXELS`; else :class:`InputError`."""
    width, height = frame.size
    if width * height > MAX_PIXELS:
        if number:
            message = _(
                "{file}: not a readable image (frame {frame} is {width:,} × {height:,} "
                "pixels, more than the {limit:,} a scan is searched at)"
            )
        else:
            message = _(
                "{file}: not a readable image (it is {width:,} × {height:,} pixels, more "
                "than the {limit:,} a scan is searched at)"
            )
        raise InputError(
            message.format(
                file=path.name, frame=number + 1, width=width, height=height, limit=MAX_PIXELS
            )
        )
    return frame


_IMAGE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def _open_image(path: Path) -> Image.Image:
    """The image at ``path``, opened (its header read, nothing decoded); Pillow's bomb
    warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(path, formats=IMAGE_FORMATS)


def _image_frames(path: Path) -> Iterator[Image.Image]:
    """The first :data:`MAX_PAGES` frames of an image, each checked against
    :data:`MAX_PIXELS` before it is decoded (ISSUE 9 item 8: Pillow's own bomb limit is
    far higher, and beneath it only warns)."""
    try:
        image = _open_image(path)
        with image:
            _bounded(path, image, 0)
            for number, frame in enumerate(ImageSequence.Iterator(image)):
                if number >= MAX_PAGES:
                    break
                yield _bounded(path, frame, number).copy()
    except _IMAGE_ERRORS as error:
        raise InputError(
            _("{file}: not a readable image ({error})").format(file=path.name, error=error)
        ) from error


def can_hold_qr(path: Path) -> bool:
    """Whether ``path`` is a kind of file a scan comes as (PDF or an image)."""
    suffix = path.suffix.lower()
    return suffix == ".pdf" or suffix in IMAGE_SUFFIXES


def record_ids_in_file(path: Path) -> list[str]:
    """Record IDs from the QR codes on the first pages of a PDF or image file;
    :class:`InputError` when it has QR codes but none is a record ID."""
    pages = _pdf_pages(path) if path.suffix.lower() == ".pdf" else _image_frames(path)
    found: list[str] = []
    others: list[str] = []
    for page in pages:
        found += [r for r in record_ids_in_image(page, others) if r not in found]
        if found:
            break
    if not found and others:
        text = others[0] if len(others[0]) <= 60 else others[0][:60] + "…"
        raise InputError(
            _("{file}: a QR code that is not a docgen record ID: '{text}'").format(
                file=path.name, text=escape_controls(text)
            )
        )
    return found
