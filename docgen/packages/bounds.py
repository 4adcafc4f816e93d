"""Decompression bombs in input PDFs refused before anything inflates them (ISSUE 9 item 3).

pikepdf decodes lazily: opening, checking and merging a PDF never inflates its
streams (the merge copies them as they are). What does inflate them — docgen
reading an input's XMP metadata, the PDF/A check parsing content streams and
fonts, qpdf re-encoding LZW or nested filters, and every viewer later — must not
meet a stream that inflates to gigabytes. So every stream left after
:mod:`docgen.packages.sanitize` is measured here before it is used, by inflating
it in steps and counting, never holding more than a step: a stream that would pass
:data:`MAX_STREAM_BYTES` is refused. An image is checked by its declared size
against Pillow's ``Image.MAX_IMAGE_PIXELS`` (the limit image files get), and its
data is measured only when it is filtered by more than one Flate layer (the data
a viewer decodes is bounded by the image's size).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pikepdf
from PIL import Image

from docgen.errors import InputError
from docgen.i18n import _

#: What one stream (content, font, metadata, profile …) may inflate to.
MAX_STREAM_BYTES = 64 * 2**20
_STEP = 1 << 20
_FLATE, _LZW = ("/FlateDecode", "/Fl"), ("/LZWDecode", "/LZW")
_NOT_HEX, _SPACE = re.compile(rb"[^0-9A-Fa-f]"), re.compile(rb"\s")

Chunks = Iterator[bytes]


class _TooLarge(Exception):
    pass


def _inflate(chunks: Chunks, parms: object) -> Chunks:
    stream = zlib.decompressobj()
    for chunk in chunks:
        data = chunk
        while data and not stream.eof:
            try:
                out = stream.decompress(data, _STEP)
            except zlib.error:
                return  # qpdf stops at the damage too
            if out:
                yield out
            data = stream.unconsumed_tail
        if stream.eof:
            return


def _lzw(chunks: Chunks, parms: object) -> Chunks:
    early = 1
    if isinstance(parms, pikepdf.Dictionary) and parms.get("/EarlyChange") == 0:
        early = 0
    table, width, previous, buffer, bits = _lzw_table(), 9, b"", 0, 0
    out = bytearray()
    for chunk in chunks:
        for byte in chunk:
            buffer, bits = (buffer << 8) | byte, bits + 8
            while bits >= width:
                bits -= width
                code, buffer = buffer >> bits, buffer & ((1 << bits) - 1)
                if code == 256:
                    table, width, previous = _lzw_table(), 9, b""
                    continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table):
                    entry = table[code]
                    if previous and len(table) < 4096:
                        table.append(previous + entry[:1])
                elif code == len(table) and previous:
                    entry = previous + previous[:1]
                    table.append(entry)
                else:
                    yield bytes(out)
                    return  # a code that cannot be: damaged data ends here
                out += entry
                previous = entry
                if len(table) + early >= (1 << width) and width < 12:
                    width += 1
                if len(out) >= _STEP:
                    yield bytes(out)
                    out = bytearray()
    yield bytes(out)


def _lzw_table() -> list[bytes]:
    return [bytes([value]) for value in range(256)] + [b"", b""]


def _run_length(chunks: Chunks, parms: object) -> Chunks:
    pending = b""
    for chunk in chunks:
        data, at, out = pending + chunk, 0, bytearray()
        while at < len(data):
            length = data[at]
            if length == 128:
                yield bytes(out)
                return
            end = at + 2 + length if length < 128 else at + 2
            if end > len(data):
                break
            out += data[at + 1 : end] if length < 128 else data[at + 1 : end] * (257 - length)
            at = end
            if len(out) >= _STEP:
                yield bytes(out)
                out = bytearray()
        pending = data[at:]
        yield bytes(out)


def _hex(chunks: Chunks, parms: object) -> Chunks:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        digits = carry + _NOT_HEX.sub(b"", chunk if end < 0 else chunk[:end])
        whole = len(digits) // 2 * 2
        yield binascii.unhexlify(digits[:whole])
        carry = digits[whole:]
        if end >= 0:
            break
    if carry:
        yield binascii.unhexlify(carry + b"0")


def _ascii85(chunks: Chunks, parms: object) -> Chunks:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b"~")
        data = carry + _SPACE.sub(b"", chunk if end < 0 else chunk[:end]).replace(b"z", b"!!!!!")
        whole = len(data) // 5 * 5
        try:
            yield base64.a85decode(data[:whole])
        except ValueError:
            return
        carry = data[whole:]
        if end >= 0:
            break
    if len(carry) > 1:
        padded = carry + b"u" * (5 - len(carry))
        try:
            yield base64.a85decode(padded)[: len(carry) - 1]
        except ValueError:
            return


_DECODERS: dict[str, Callable[[Chunks, object], Chunks]] = {
    **dict.fromkeys(_FLATE, _inflate),
    **dict.fromkeys(_LZW, _lzw),
    **dict.fromkeys(("/RunLengthDecode", "/RL"), _run_length),
    **dict.fromkeys(("/ASCIIHexDecode", "/AHx"), _hex),
    **dict.fromkeys(("/ASCII85Decode", "/A85"), _ascii85),
}


def _bounded(chunks: Chunks, limit: int) -> Chunks:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise _TooLarge
        yield chunk


def _filters(stream: pikepdf.Stream) -> tuple[list[str], list[object]]:
    found, parms = stream.get("/Filter"), stream.get("/DecodeParms")
    names = [found] if isinstance(found, pikepdf.Name) else list(found or [])
    given = list(parms) if isinstance(parms, pikepdf.Array) else [parms]
    return [str(n) for n in names], [
        given[i] if i < len(given) else None for i in range(len(names))
    ]


def inflates_within(stream: pikepdf.Stream, limit: int = MAX_STREAM_BYTES) -> bool:
    """Whether ``stream`` decodes to at most ``limit`` bytes, by every filter docgen can
    decode in steps (those after an image codec are the image's, bounded by its size)."""
    names, parms = _filters(stream)
    if not names:
        return True  # its raw bytes, bounded by the file
    raw = stream.read_raw_bytes()
    chunks: Chunks = (raw[at : at + _STEP] for at in range(0, len(raw), _STEP))
    for name, parm in zip(names, parms, strict=True):
        if name not in _DECODERS:
            break
        chunks = _bounded(_DECODERS[name](chunks, parm), limit)
    try:
        for _chunk in chunks:
            pass
    except _TooLarge:
        return False
    return True


def _image_problem(image: pikepdf.Stream) -> str | None:
    try:
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    except (TypeError, ValueError):
        return _("an image in it has no valid size")
    limit = Image.MAX_IMAGE_PIXELS
    if limit and width * height > limit:
        return _("an image in it is {width}×{height} pixels, over the limit of {limit}").format(
            width=width, height=height, limit=f"{limit:,}"
        )
    return None


def _needs_measuring(stream: pikepdf.Stream) -> bool:
    if stream.get("/Subtype") != pikepdf.Name.Image:
        return True
    names, _parms = _filters(stream)
    return len([n for n in names if n in _FLATE or n in _LZW]) > 1 or any(n in _LZW for n in names)


def check_streams(path: Path, streams: Sequence[pikepdf.Stream]) -> None:
    """Refuse the PDF at ``path`` if any of ``streams`` is a decompression bomb."""
    for stream in streams:
        problem = _image_problem(stream) if stream.get("/Subtype") == pikepdf.Name.Image else None
        if problem is None and _needs_measuring(stream) and not inflates_within(stream):
            number = stream.objgen[0]
            problem = _(
                "a compressed stream in it (object {number}) inflates to more than {size} MiB"
            ).format(number=number, size=MAX_STREAM_BYTES // 2**20)
        if problem is not None:
            raise InputError(
                _("{file}: {problem}; refused as a decompression bomb").format(
                    file=path, problem=problem
                )
            )
