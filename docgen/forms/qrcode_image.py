"""The QR code printed on every form: it carries the record ID so that the signed,
colour-scanned paper files itself (DESIGN.md, Forms; R6.4)."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text: str) -> bytes:
    """A PNG of a QR code for ``text``, with the standard four-module quiet zone.

    Medium error correction survives a stamp or a signature crossing the code; the
    template fixes its printed size (2.8 cm), ample for a 300-dpi scan.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()
