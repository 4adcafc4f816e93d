"""Opening input PDFs the way the package needs them: with a password where one is
needed, with qpdf's recovery for damaged files (reported, never silent), active
content stripped and every stream's inflated size bounded (ISSUE 9 items 1, 3)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from docgen.errors import InputError
from docgen.i18n import _
from docgen.packages.bounds import check_streams
from docgen.packages.sanitize import strip_active_content

#: qpdf's words for a repair that lost part of the file: refused, not noted.
_LOST = ("treating stream as empty", "Pages tree includes non-dictionary", "unable to recover")


@dataclass
class PdfFacts:
    """What checking a PDF found: pages, the password that opened it, recovery warnings,
    and the active content it holds (kind → count), which the package leaves out."""

    pages: int
    password: str = ""
    encrypted: bool = False
    repairs: list[str] = field(default_factory=list)
    removed: Counter[str] = field(default_factory=Counter)


def _reason(error: Exception, path: Path) -> str:
    """qpdf's message without the file name it starts with (the message names it)."""
    text = str(error)
    for prefix in (str(path), path.name):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip(": ")
            break
    if "Loop detected in /Pages" in text:
        return _("its page tree loops back on itself")
    return text


def _open_with(path: Path, passwords: Sequence[str]) -> tuple[pikepdf.Pdf, str]:
    for password in ["", *passwords]:
        try:
            return pikepdf.open(path, password=password), password
        except pikepdf.PasswordError:
            continue
    message = (
        _(
            "{file}: the PDF is protected by a password (the passwords given do not open it, "
            "or remove it first: qpdf --decrypt --password=PASSWORD IN.pdf OUT.pdf)"
        )
        if passwords
        else _(
            "{file}: the PDF is protected by a password (give it with --password, "
            "or remove it first: qpdf --decrypt --password=PASSWORD IN.pdf OUT.pdf)"
        )
    )
    raise InputError(message.format(file=path))


@contextlib.contextmanager
def open_pdf(path: Path, passwords: Sequence[str] = ()) -> Iterator[tuple[pikepdf.Pdf, str]]:
    """The open PDF and the password that opened it ("" for none); errors name the file."""
    try:
        pdf, password = _open_with(path, passwords)
    except pikepdf.PdfError as error:
        reason = _reason(error, path)
        if "encryption" in reason:
            raise InputError(
                _(
                    "{file}: the PDF is encrypted in a way docgen cannot open ({reason}); "
                    "decrypt it with the program that made it, or with qpdf --decrypt"
                ).format(file=path, reason=reason)
            ) from error
        raise InputError(
            _("{file}: not a readable PDF, even with repair ({reason})").format(
                file=path, reason=reason
            )
        ) from error
    with pdf:
        yield pdf, password


def _check_repairs(path: Path, repairs: Sequence[str], missing: int) -> None:
    lost = next((r for r in repairs if any(word in r for word in _LOST)), None)
    if lost is None and missing:
        lost = _("{count} object(s) it refers to are missing").format(count=missing)
    if lost is not None:
        raise InputError(
            _(
                "{file}: the PDF is truncated or damaged and repair would lose part of it "
                "({reason}); get the complete file again"
            ).format(file=path, reason=_reason(Exception(lost), path))
        )


def check_pdf(path: Path, passwords: Sequence[str] = ()) -> PdfFacts:
    """Open ``path`` and count its pages; a damaged file is repaired in memory and the
    repair reported in :attr:`PdfFacts.repairs` (refused if the repair would lose pages
    or content); active content is counted, every stream's inflated size bounded; an
    unusable file is an :class:`InputError`."""
    with open_pdf(path, passwords) as (pdf, password):
        try:
            pages = len(pdf.pages)
            for page in pdf.pages:
                _box = page.mediabox  # touching each page finds a broken page tree
            scan = strip_active_content(pdf)  # in memory only: this copy is never saved
            check_streams(path, scan.streams)
        except (pikepdf.PdfError, KeyError, ValueError, RecursionError) as error:
            reason = _reason(error, path)
            raise InputError(
                _("{file}: the PDF's pages cannot be read ({reason})").format(
                    file=path, reason=reason
                )
            ) from error
        repairs = [str(w) for w in pdf.get_warnings()]
        if pages == 0:
            raise InputError(_("{file}: the PDF has no pages").format(file=path))
        if repairs:
            _check_repairs(path, repairs, scan.missing)
        return PdfFacts(pages, password, pdf.is_encrypted, repairs, scan.removed)


def write_clean(path: Path, target: Path, passwords: Sequence[str] = ()) -> Counter[str]:
    """Save a copy of ``path`` to ``target`` for the merge: repaired, decrypted, active
    content stripped; stream data is copied as it is, never inflated. What was removed."""
    with open_pdf(path, passwords) as (pdf, _password):
        try:
            removed = strip_active_content(pdf).removed
            pdf.save(target, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        except pikepdf.PdfError as error:
            raise InputError(
                _("{file}: the PDF cannot be copied ({reason})").format(
                    file=path, reason=_reason(error, path)
                )
            ) from error
    return removed
