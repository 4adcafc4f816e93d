"""Adding the outline, page labels and metadata to a merged package as a PDF
incremental update (ISO 32000-1 §7.5.6): the objects pikepdf created or changed
are appended after the merged file with a new cross-reference section whose
/Prev points at the old one. The page data qpdf wrote is never read or written
again, so the second pass costs kilobytes, not the size of the package.

pikepdf (qpdf) always rewrites a whole file; it has no incremental save. It does
everything else here: opening the file lazily, making the objects, and writing
each object's syntax (``unparse``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pikepdf

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def _previous_xref(path: Path) -> int:
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 1024))
        found = _STARTXREF.search(handle.read())
    if found is None:
        raise ValueError(f"{path}: no startxref at the end of the file")
    return int(found.group(1))


def _object_bytes(obj: pikepdf.Object) -> bytes:
    number, generation = obj.objgen
    head = f"{number} {generation} obj\n".encode()
    if isinstance(obj, pikepdf.Stream):
        data = obj.read_raw_bytes()
        obj.stream_dict.Length = len(data)
        body = obj.stream_dict.unparse() + b"\nstream\n" + data + b"\nendstream"
    else:
        body = obj.unparse(resolved=True)
    return head + body + b"\nendobj\n"


def _xref_section(offsets: dict[int, tuple[int, int]]) -> bytes:
    # object 0, the head of the free list, opens the section as readers expect
    lines, numbers = [b"xref\n0 1\n0000000000 65535 f\r\n"], sorted(offsets)
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        lines.append(f"{numbers[start]} {end - start + 1}\n".encode())
        for number in numbers[start : end + 1]:
            offset, generation = offsets[number]
            lines.append(f"{offset:010d} {generation:05d} n\r\n".encode())
        start = end + 1
    return b"".join(lines)


def _trailer(pdf: pikepdf.Pdf, size: int, previous: int) -> pikepdf.Dictionary:
    trailer = pikepdf.Dictionary(Size=size, Root=pdf.Root, Prev=previous)
    for key in ("/Info", "/ID"):
        if key in pdf.trailer:
            trailer[key] = pdf.trailer[key]
    return trailer


def append_update(path: Path, edit: Callable[[pikepdf.Pdf], None]) -> int:
    """Apply ``edit`` to the PDF at ``path`` and append what it changed as an
    incremental update; returns the number of pages. ``edit`` may add objects and
    change the catalog and document info, not pages or their content."""
    previous = _previous_xref(path)
    with pikepdf.open(path, access_mode=pikepdf.AccessMode.stream) as pdf:
        size = int(pdf.trailer.Size)
        edit(pdf)
        changed = [obj for obj in pdf.objects if obj.objgen[0] >= size]
        changed.append(pdf.Root)
        if "/Info" in pdf.trailer and pdf.trailer.Info.is_indirect:
            changed.append(pdf.trailer.Info)
        chunks, offsets, position = [b"\n"], {}, path.stat().st_size + 1
        for obj in {o.objgen: o for o in changed}.values():
            offsets[obj.objgen[0]] = (position, obj.objgen[1])
            chunks.append(data := _object_bytes(obj))
            position += len(data)
        new_size = max(size, *(number + 1 for number in offsets))
        trailer = _trailer(pdf, new_size, previous).unparse()
        chunks += [_xref_section(offsets), b"trailer\n", trailer, b"\n"]
        chunks.append(f"startxref\n{position}\n%%EOF\n".encode())
        pages = len(pdf.pages)
    with open(path, "ab") as handle:
        handle.write(b"".join(chunks))
    return pages
