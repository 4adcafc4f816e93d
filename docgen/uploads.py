"""What an uploaded file is, judged by its bytes, never by its name (ISSUE 13 item 5).

A file a browser sends is hostile until proven otherwise: its name and the type it
claims are the sender's words. :func:`evidence_suffix` accepts a case's evidence
(佐證檔案, R6.2) only as a PDF that opens and whose streams inflate within bounds
(:func:`docgen.packages.pdfs.check_pdf`), or a JPEG or PNG image within Pillow's pixel
limit (:func:`docgen.packages.images.check_image`); :func:`table_suffix` accepts a
month's query log only as an XLSX or ODS package within the zip bounds
(:func:`docgen.zipguard.check_zip`) or as text in UTF-8 or Big5 (CSV,
:func:`docgen.records.tables.detect_encoding`). Each returns the suffix
the file is stored under, chosen here from its content; a refusal is one
:class:`InputError` naming the file as the sender named it (controls escaped,
shortened). The size limits are the web application's (:data:`MAX_EVIDENCE_BYTES`,
:data:`MAX_LOG_BYTES`), checked by the caller before a byte is written to disk.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from docgen.errors import InputError
from docgen.i18n import _
from docgen.packages.images import check_image
from docgen.packages.inputs import sniff
from docgen.packages.pdfs import check_pdf
from docgen.records.tables import detect_encoding
from docgen.textsafe import escape_controls
from docgen.zipguard import check_zip

#: The largest evidence file taken (a colour scan of a few pages).
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
#: The largest query log taken (a month's export of a large office, as XLSX or CSV).
MAX_LOG_BYTES = 64 * 1024 * 1024
#: The longest name shown in a message.
_SHOWN = 80
#: The resolution assumed for an image without one (a screenshot): only to check it.
_ASSUMED_DPI = 150
#: How much of a file is read to judge what it is.
_TEXT_HEAD = 64 * 1024
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_EVIDENCE = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}


def shown_name(given: str) -> str:
    """The sender's file name as a message may show it: its last part, controls
    escaped, at most 80 characters."""
    name = given.replace("\\", "/").rsplit("/", 1)[-1].strip() or "?"
    name = escape_controls(name)
    return name if len(name) <= _SHOWN else name[: _SHOWN - 1] + "…"


def _refused(path: Path, given: str, error: InputError) -> InputError:
    return InputError(error.message.replace(str(path), shown_name(given)))


def evidence_suffix(path: Path, given: str) -> str:
    """``.pdf``, ``.jpg`` or ``.png``: what the evidence file at ``path`` (sent as
    ``given``) is; :class:`InputError` when it is anything else or does not open."""
    if path.stat().st_size == 0:
        raise InputError(_("{file}: the file is empty (0 bytes)").format(file=shown_name(given)))
    kind = sniff(path)
    if kind not in _EVIDENCE:
        raise InputError(
            _("{file}: evidence must be a PDF, JPEG or PNG file (judged by its content)").format(
                file=shown_name(given)
            )
        )
    try:
        if kind == "pdf":
            facts = check_pdf(path)
            if facts.encrypted:
                raise InputError(
                    _("{file}: the PDF is encrypted: upload it without a password").format(
                        file=path
                    )
                )
        else:
            check_image(path, _ASSUMED_DPI)
    except InputError as error:
        raise _refused(path, given, error) from None
    return _EVIDENCE[kind]


def table_suffix(path: Path, given: str) -> str:
    """``.xlsx``, ``.ods`` or ``.csv``: what the query log at ``path`` (sent as
    ``given``) is; :class:`InputError` when it is neither a spreadsheet package within
    bounds nor text in UTF-8 or Big5."""
    with open(path, "rb") as handle:
        head = handle.read(_TEXT_HEAD)
    if not head:
        raise InputError(_("{file}: the file is empty (0 bytes)").format(file=shown_name(given)))
    if head.startswith(b"PK\x03\x04"):
        return _package_suffix(path, given)
    try:
        detect_encoding(path)  # UTF-8 (with or without a BOM) or Big5, as the log reader
    except InputError as error:
        raise _refused(path, given, error) from None
    if b"\x00" in head:
        raise InputError(
            _("{file}: not a query log: the text holds NUL bytes").format(file=shown_name(given))
        )
    return ".csv"


def _package_suffix(path: Path, given: str) -> str:
    try:
        check_zip(path, _("query log (XLSX or ODS)"))
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            mimetype = package.read("mimetype")[:100] if "mimetype" in names else b""
    except InputError as error:
        raise _refused(path, given, error) from None
    except (zipfile.BadZipFile, OSError, KeyError, NotImplementedError, RuntimeError):
        names, mimetype = set(), b""
    if "xl/workbook.xml" in names:
        return ".xlsx"
    if mimetype.strip() == _ODS:
        return ".ods"
    raise InputError(
        _("{file}: not a query log: a zip package, but neither an XLSX nor an ODS workbook").format(
            file=shown_name(given)
        )
    )
