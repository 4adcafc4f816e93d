"""The QR code printed on every form: it carries the record ID so that the signed,
colour-scanned paper files itself (DESIGN.md, Forms; R6.4)."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

#: Pixels per QR module; the template fixes the printed size (2.8 cm).
_SCALE = 10


def qr_png(text: str) -> bytes:
    """A PNG of a QR code for ``text``, with the standard four-module quiet zone.

    zxing-cpp writes it (the same library the archive reads scans with; it is several
    times faster than pure-Python encoders). Medium error correction survives a
    stamp or a signature crossing the code; printed at 2.8 cm it is ample for a
    300-dpi scan.
    """
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    pixels = memoryview(code.to_image(scale=1, add_quiet_zones=True))  # type: ignore[arg-type]
    height, width = pixels.shape or (0, 0)
    modules = Image.frombytes("L", (width, height), pixels.tobytes()).convert("1")
    image = modules.resize((width * _SCALE, height * _SCALE), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
