"""Bounds on zip packages (DOCX, XLSX) before anything parses them (ISSUE 9 item 8).

A DOCX or XLSX is a zip archive, and a zip archive can claim a member that inflates
a thousandfold: a 1.7 MB workbook that expands to 1.8 GB. openpyxl, python-docx and
docxtpl inflate members whole, so the check must come first, from the central
directory alone, and again while a member is read (the sizes in the directory are
themselves claims of the file).

:func:`check_zip` refuses, with one line naming the file and the member, a package
that has too many members, a member larger than :data:`MAX_MEMBER_BYTES`, a total
larger than :data:`MAX_TOTAL_BYTES`, a compression ratio above :data:`MAX_RATIO`
(for members big enough to matter), or a member whose bytes do not inflate to its
claimed size or fail their CRC. Nothing is extracted to disk.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import InputError
from docgen.i18n import _

#: A real office document's largest member (the sheet of a 100 000-row log is ~40 MB).
MAX_MEMBER_BYTES = 256 * 1024 * 1024
#: All members together, inflated.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Compression ratio beyond which a member is refused (real XML deflates ~10–30×).
MAX_RATIO = 200
#: The ratio is judged only for members larger than this once inflated.
RATIO_FLOOR_BYTES = 4 * 1024 * 1024
#: Members of one package (a DOCX has dozens, a workbook hundreds at most).
MAX_MEMBERS = 10_000
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    """The bounds :func:`check_zip` applies (the defaults above; tests pass smaller)."""

    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR_BYTES
    members: int = MAX_MEMBERS


DEFAULT_LIMITS = ZipLimits()


def _refuse(path: Path, kind: str, message: str) -> InputError:
    return InputError(
        _("{file}: refused ({kind}): {problem}").format(file=path, kind=kind, problem=message)
    )


def _check_entry(path: Path, kind: str, info: zipfile.ZipInfo, limits: ZipLimits) -> None:
    size, packed = info.file_size, max(info.compress_size, 1)
    if size > limits.member_bytes:
        raise _refuse(
            path,
            kind,
            _(
                "member {member} would expand to {size} bytes (more than {limit}): "
                "a decompression bomb or not an office file"
            ).format(member=info.filename, size=f"{size:,}", limit=f"{limits.member_bytes:,}"),
        )
    if size > limits.ratio_floor and size / packed > limits.ratio:
        raise _refuse(
            path,
            kind,
            _(
                "member {member} is compressed {ratio}:1 (more than {limit}:1): "
                "a decompression bomb"
            ).format(member=info.filename, ratio=f"{size // packed:,}", limit=limits.ratio),
        )


def _check_inflates(path: Path, kind: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read the member in chunks, never past its claimed size (zipfile stops there and
    checks the CRC): a member lying about its size fails here, in bounded memory."""
    read = 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            read += len(chunk)
    if read != info.file_size:
        raise _refuse(
            path,
            kind,
            _("member {member} is not the size it claims").format(member=info.filename),
        )


def _check_archive(path: Path, kind: str, archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise _refuse(
            path,
            kind,
            _("{count} members (more than {limit})").format(
                count=f"{len(infos):,}", limit=f"{limits.members:,}"
            ),
        )
    total = 0
    for info in infos:
        _check_entry(path, kind, info, limits)
        total += info.file_size
        if total > limits.total_bytes:
            raise _refuse(
                path,
                kind,
                _("its members would expand to more than {limit} bytes").format(
                    limit=f"{limits.total_bytes:,}"
                ),
            )
    for info in infos:
        _check_inflates(path, kind, archive, info)


def check_zip(
    path: Path,
    kind: str | None = None,
    limits: ZipLimits = DEFAULT_LIMITS,
    data: bytes | None = None,
) -> None:
    """Refuse ``path`` (one line, :class:`InputError`) unless it is a zip package within
    ``limits`` whose every member inflates intact; ``kind`` names it for the user
    ("Excel workbook (.xlsx)", "DOCX template", translated; by default "zip package").
    ``data``: the package's bytes, when they are already read (``path`` then only
    names it)."""
    kind = kind or _("zip package")
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as archive:
            _check_archive(path, kind, archive, limits)
    except FileNotFoundError as error:
        raise InputError(_("{file}: no such file").format(file=path)) from error
    except IsADirectoryError as error:
        raise InputError(_("{file}: is a folder, not a file").format(file=path)) from error
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError) as error:
        raise _refuse(
            path, kind, _("a damaged zip package ({error})").format(error=error)
        ) from error
    except NotImplementedError as error:  # an unsupported compression method
        raise _refuse(
            path, kind, _("an unsupported zip package ({error})").format(error=error)
        ) from error
    except OSError as error:
        raise InputError(
            _("{file}: cannot be read ({error})").format(file=path, error=error.strerror or error)
        ) from error
