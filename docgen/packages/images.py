"""Scanned images to PDF pages without loss, through img2pdf (JPEG data embedded
byte for byte, PNG/TIFF losslessly).

What scanners really produce is handled here: an image without a resolution (or
one of 96 dpi or less, which would make a poster-sized page) is refused unless
``--dpi`` is given; EXIF orientation is honoured and an invalid one ignored with a
note; images img2pdf refuses (16-bit with alpha, 16-bit TIFF) are converted with
Pillow, and the note says so; decompression bombs are refused: too many pixels
(``PIL.Image.MAX_IMAGE_PIXELS``), or a PNG chunk that inflates beyond Pillow's limit
(ISSUE 9 item 3).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import img2pdf
from PIL import Image, ImageSequence, UnidentifiedImageError

from docgen.errors import InputError
from docgen.i18n import N_, _, translate
from docgen.packages.notes import note

#: Resolutions at or below this are screen defaults, not a scanner's: refused.
MIN_DPI = 96
_ORIENTATION = 0x0112
_REFUSED = (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError)
_HIGH_DEPTH = {"I;16", "I;16B", "I;16L", "I;16N", "I", "F"}


@dataclass
class ImageFacts:
    """What checking an image found: its pages (TIFF frames), the resolution to impose
    (None: the image's own), and notes for the user."""

    pages: int
    dpi: int | None = None
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _open(path: Path) -> Iterator[Image.Image]:
    """Open with Pillow; a decompression bomb (over Pillow's pixel limit) is refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                yield image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            limit = Image.MAX_IMAGE_PIXELS
            raise InputError(
                _(
                    "{file}: image too large to process safely (over {limit} pixels): {error}"
                ).format(file=path, limit=f"{limit:,}", error=error)
            ) from error
        except ValueError as error:  # a PNG text or profile chunk over Pillow's limit
            if "too large" not in str(error).lower():
                raise InputError(
                    _("{file}: not a readable image ({error})").format(file=path, error=error)
                ) from error
            raise InputError(
                _(
                    "{file}: a compressed chunk of the image inflates beyond Pillow's safety "
                    "limit; refused as a decompression bomb"
                ).format(file=path)
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise InputError(
                _("{file}: not a readable image ({error})").format(file=path, error=error)
            ) from error


def _image_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    try:
        return float(min(dpi))
    except (TypeError, ValueError):
        return None


def check_image(path: Path, dpi: int | None = None) -> ImageFacts:
    """Check ``path`` before anything is written; ``dpi`` is the ``--dpi`` fallback."""
    with _open(path) as image:
        pages = getattr(image, "n_frames", 1)
        own = _image_dpi(image)
        orientation = image.getexif().get(_ORIENTATION)
        image.load()
    facts = ImageFacts(pages)
    if own is None or own <= MIN_DPI:
        if dpi is None:
            message = (
                _(
                    "{file}: the image has no resolution; give the scan's real resolution "
                    "with --dpi (e.g. --dpi 300), or pages come out the wrong size"
                )
                if own is None
                else _(
                    "{file}: the image says {dpi} dpi; give the scan's real resolution "
                    "with --dpi (e.g. --dpi 300), or pages come out the wrong size"
                )
            )
            raise InputError(message.format(file=path, dpi=f"{own:g}" if own else ""))
        facts.dpi = dpi
        facts.notes.append(
            note(
                lambda: _("{file}: no usable resolution in the file; using {dpi} dpi").format(
                    file=path.name, dpi=dpi
                )
            )
        )
    if orientation is not None and orientation not in range(1, 9):
        facts.notes.append(
            note(
                lambda: _("{file}: invalid EXIF orientation {orientation} ignored").format(
                    file=path.name, orientation=orientation
                )
            )
        )
    return facts


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        first = record.getMessage().splitlines()[0]
        if first not in self.messages and not first.startswith("Invalid rotation"):
            self.messages.append(first)


def _convert(source: Path | bytes, target: Path, dpi: int | None) -> list[str]:
    """img2pdf ``source`` → ``target``; returns img2pdf's warnings (not printed raw)."""
    logger = logging.getLogger("img2pdf")
    collect, propagate = _Collect(), logger.propagate
    logger.addHandler(collect)
    logger.propagate = False
    kwargs = {"layout_fun": img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))} if dpi else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            data = img2pdf.convert(
                str(source) if isinstance(source, Path) else source,
                rotation=img2pdf.Rotation.ifvalid,
                **kwargs,
            )
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
    target.write_bytes(data)
    return collect.messages


def _to_eight_bit(frame: Image.Image) -> tuple[Image.Image, list[str]]:
    changes = []
    if frame.mode in _HIGH_DEPTH:
        frame = frame.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        changes.append(N_("16-bit → 8-bit"))
    if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba).convert("RGB")
        changes.append(N_("transparency flattened on white"))
    return frame, changes


def _pillow_copy(path: Path, target: Path) -> list[str]:
    """Re-save ``path`` as a lossless 8-bit TIFF that img2pdf accepts; what changed
    (message IDs)."""
    frames, changes = [], []
    with _open(path) as image:
        dpi = image.info.get("dpi")
        for frame in ImageSequence.Iterator(image):
            converted, done = _to_eight_bit(frame.copy())
            frames.append(converted)
            changes += [c for c in done if c not in changes]
    extra = {"dpi": dpi} if dpi else {}
    frames[0].save(
        target, "TIFF", compression="tiff_adobe_deflate", save_all=True,
        append_images=frames[1:], **extra,
    )  # fmt: skip
    return changes


def image_to_pdf(path: Path, target: Path, facts: ImageFacts) -> list[str]:
    """Convert one image to the PDF ``target``; returns notes for the user."""
    try:
        return _convert(path, target, facts.dpi)
    except img2pdf.PdfTooLargeError as error:
        raise InputError(
            _("{file}: the image is too large for a PDF page ({error})").format(
                file=path, error=error
            )
        ) from error
    except _REFUSED as error:
        reason = str(error).splitlines()[0]
    copy = target.with_suffix(".tif")
    changes = _pillow_copy(path, copy)
    notes = _convert(copy, target, facts.dpi)
    copy.unlink()

    def refused() -> str:
        what = _(", ").join(translate(change) for change in changes) or _("re-saved")
        return _("{file}: img2pdf refused it ({reason}); converted with Pillow ({what})").format(
            file=path.name, reason=reason, what=what
        )

    return [note(refused), *notes]
