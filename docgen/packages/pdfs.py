"""Opening input PDFs the way the package needs them: with a password where one is
needed, with qpdf's recovery for damaged files (reported, never silent)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from docgen.errors import InputError


@dataclass
class PdfFacts:
    """What checking a PDF found: pages, the password that opened it, recovery warnings."""

    pages: int
    password: str = ""
    encrypted: bool = False
    repairs: list[str] = field(default_factory=list)


def _open_with(path: Path, passwords: Sequence[str]) -> tuple[pikepdf.Pdf, str]:
    for password in ["", *passwords]:
        try:
            return pikepdf.open(path, password=password), password
        except pikepdf.PasswordError:
            continue
    hint = "the passwords given do not open it" if passwords else "give it with --password"
    raise InputError(f"{path}: the PDF is protected by a password ({hint})")


@contextlib.contextmanager
def open_pdf(path: Path, passwords: Sequence[str] = ()) -> Iterator[tuple[pikepdf.Pdf, str]]:
    """The open PDF and the password that opened it ("" for none); errors name the file."""
    try:
        pdf, password = _open_with(path, passwords)
    except pikepdf.PdfError as error:
        raise InputError(f"{path}: not a readable PDF, even with repair ({error})") from error
    with pdf:
        yield pdf, password


def check_pdf(path: Path, passwords: Sequence[str] = ()) -> PdfFacts:
    """Open ``path`` and count its pages; a damaged file is repaired in memory and the
    repair reported in :attr:`PdfFacts.repairs`; an unusable one is an :class:`InputError`."""
    with open_pdf(path, passwords) as (pdf, password):
        try:
            pages = len(pdf.pages)
            for page in pdf.pages:
                _ = page.mediabox  # touching each page finds a broken page tree
        except (pikepdf.PdfError, KeyError, ValueError) as error:
            raise InputError(f"{path}: the PDF's pages cannot be read ({error})") from error
        repairs = [str(w) for w in pdf.get_warnings()]
        if pages == 0:
            raise InputError(f"{path}: the PDF has no pages")
        return PdfFacts(pages, password, pdf.is_encrypted, repairs)


def write_repaired(path: Path, target: Path, passwords: Sequence[str] = ()) -> None:
    """Save a repaired (and decrypted) copy of ``path`` to ``target`` for the merge."""
    with open_pdf(path, passwords) as (pdf, _password):
        try:
            pdf.save(target)
        except pikepdf.PdfError as error:
            raise InputError(f"{path}: the damaged PDF cannot be repaired ({error})") from error
