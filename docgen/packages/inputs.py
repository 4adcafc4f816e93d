"""Every input checked before anything is written: it exists, is not empty, its
content is what its name says (magic bytes), and it opens (PDF: password, damage;
image: resolution, size), holds no decompression bomb and names the active content
the package will leave out (ISSUE 9 items 1, 3). All problems are reported together,
one line per file. Record metadata is collected on the way: docgen's XMP from PDFs,
the record ID's QR code from image scans of documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docgen.errors import InputError
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.metadata import RecordMetadata, read_pdf_metadata
from docgen.packages.images import check_image
from docgen.packages.notes import note
from docgen.packages.pdfs import check_pdf
from docgen.packages.qr import qr_metadata
from docgen.packages.sanitize import describe
from docgen.packages.spec import DOCUMENT, Part

_KIND_BY_SUFFIX = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg"}
_KIND_BY_SUFFIX |= {".png": "png", ".tif": "tiff", ".tiff": "tiff"}
#: The file endings a package takes as input.
INPUT_SUFFIXES = frozenset(_KIND_BY_SUFFIX)
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
_NAMES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}


@dataclass
class Source:
    """One checked input file, in the part it belongs to."""

    path: Path
    part: Part
    kind: str
    pages: int
    sha256: str
    size: int
    password: str = ""
    repaired: bool = False
    dpi: int | None = None
    metadata: RecordMetadata | None = None
    notes: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def is_image(self) -> bool:
        return self.kind != "pdf"


def sniff(path: Path) -> str:
    """The file's kind by its first bytes ("pdf", "jpeg", "png", "tiff") or "unknown"."""
    with open(path, "rb") as handle:
        head = handle.read(1024)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "pdf" if b"%PDF-" in head else "unknown"


def _kind(path: Path) -> str:
    expected = _KIND_BY_SUFFIX.get(path.suffix.lower())
    if expected is None:
        raise InputError(
            _("{file}: not a PDF, JPEG, PNG or TIFF file (by its name)").format(file=path)
        )
    if not path.exists():
        raise InputError(_("{file}: no such file").format(file=path))
    if not path.is_file():  # a folder, a device, a pipe (which would never end)
        raise InputError(_("{file}: not a regular file").format(file=path))
    if path.stat().st_size == 0:
        raise InputError(_("{file}: the file is empty (0 bytes)").format(file=path))
    found = sniff(path)
    if found != expected:
        what = _("not a known kind") if found == "unknown" else _NAMES[found]
        raise InputError(
            _("{file}: the name says {expected} but the content is {found}").format(
                file=path, expected=_NAMES[expected], found=what
            )
        )
    return expected


def check_source(path: Path, part: Part, passwords: Sequence[str], dpi: int | None) -> Source:
    """Check one input file; an :class:`InputError` names the file and what is wrong."""
    kind = _kind(path)
    source = Source(path, part, kind, 0, sha256_file(path), path.stat().st_size)
    if source.is_image:
        facts = check_image(path, dpi)
        source.pages, source.dpi, source.notes = facts.pages, facts.dpi, facts.notes
        if part.role == DOCUMENT:
            source.metadata = qr_metadata(path)
        return source
    pdf = check_pdf(path, passwords)
    source.pages, source.password = pdf.pages, pdf.password
    if pdf.removed:
        source.removed = dict(pdf.removed)
        removed = pdf.removed
        source.notes.append(
            note(lambda: _("{file}: removed {what}").format(file=path.name, what=describe(removed)))
        )
    if pdf.repairs:
        source.repaired = True
        repair = pdf.repairs[0]
        source.notes.append(
            note(
                lambda: _("{file}: damaged PDF repaired: {repair}").format(
                    file=path.name, repair=repair
                )
            )
        )
    if not pdf.encrypted and not pdf.repairs:
        source.metadata = read_pdf_metadata(path)
    return source


def check_sources(parts: Sequence[Part], passwords: Sequence[str], dpi: int | None) -> list[Source]:
    """Check every file of every part; all problems together in one :class:`InputError`."""
    sources, problems = [], []
    for part in parts:
        for path in part.files:
            try:
                sources.append(check_source(path, part, passwords, dpi))
            except InputError as error:
                problems.append(error.message)
    raise_together(problems)
    return sources


def raise_together(problems: Sequence[str]) -> None:
    """One :class:`InputError` for all ``problems`` (one line each), if there are any."""
    if len(problems) == 1:
        raise InputError(problems[0])
    if problems:
        raise InputError(
            _("{count} input files cannot be used:").format(count=len(problems)), problems
        )
