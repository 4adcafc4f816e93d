"""Hostile input files for tests (ISSUE 9 items 7–9): decompression bombs, damaged zip
packages (XLSX, DOCX) and CSV files that break naive readers.

Every builder takes the ``target`` path to write and returns it::

    bomb = xlsx_bomb(tmp_path / "2026-10.xlsx")            # 1.8 GB once inflated, ~1.8 MB
    broken = bad_crc(tmp_path / "sheet.xlsx", source=docgen_written_sheet)

Packages are written by hand (:func:`write_zip`), not with :mod:`zipfile`, so that a
member can claim sizes or a CRC it does not have. A bomb is quick and small on disk:
its filler is deflated once, one MiB of it, and that block repeated (after a full
flush a deflate stream restarts with an empty dictionary, so the same input gives the
same bytes), and its CRC-32 is combined arithmetically (zlib's ``crc32_combine``)
rather than computed over 1.8 GB. Nothing here inflates anything.

Packages — ``source`` is a package to damage (default: :func:`workbook`'s query log)
    :func:`workbook`           a small valid XLSX (a query log unless ``rows`` are given)
    :func:`docx`               a minimal valid DOCX
    :func:`xlsx_bomb`          the first worksheet inflates to ``inflated_bytes``
    :func:`docx_bomb`          ``word/document.xml`` inflates to ``inflated_bytes``
    :func:`zip_bomb`           any member of ``source`` inflates to ``inflated_bytes``
    :func:`lying_bomb`         a bomb whose headers claim a small size (CRC fails past it)
    :func:`bad_crc`            a member whose CRC-32 is wrong (local and central headers)
    :func:`truncated_member`   a member whose compressed bytes stop half-way
    :func:`truncated_zip`      the whole file cut short (no central directory)
    :func:`member_not_xml`     a member that is not XML at all
    :func:`billion_laughs`     a member whose DTD expands entities exponentially
    :func:`quadratic_blowup`   a member referring to one large entity many times
    :func:`external_entity`    a member that refers to an external entity (XXE)
    :func:`with_dimension`     the first worksheet claiming other dimensions than it has
    :func:`write_zip`, :func:`member`, :func:`read_members`: build your own
CSV — a query log in the platform's columns (:data:`QUERY_LOG_HEADER`)
    :func:`csv_with_nul`       a NUL byte inside a field
    :func:`csv_huge_field`     one field of ``field_bytes`` (written in chunks)
    :func:`csv_many_columns`   a header and a row of ``columns`` more columns
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

#: The platform's query-log header (docgen's default ``[columns]``).
QUERY_LOG_HEADER = (
    *("查詢日期時間", "查詢人員帳號", "被查詢人身分證統一編號", "被查詢人姓名", "查詢項目"),
    *("公文文號", "案號", "案件名稱", "使用目的", "法令依據"),
)
#: One valid query (A123456789 passes its check digit; the account is made up).
QUERY_LOG_ROW = (
    *("2026-10-01 09:00:00", "u01", "A123456789", "王小明", "戶籍資料"),
    *("北市管字第1號", "", "", "", ""),
)
#: The member of a workbook that holds its first worksheet, and a DOCX's body.
SHEET = "xl/worksheets/sheet1.xml"
DOCUMENT = "word/document.xml"
#: How a bomb is filled: this block, deflated once and repeated.
BLOCK = b"0" * (1 << 20)
#: The default bomb: the 1.7 MB query log of ISSUE 9 that inflated to 1.8 GB.
BOMB_BYTES = 1_800_000_000

_STORED, _DEFLATED = 0, 8
_DOS_DATE, _DOS_TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00
_SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- zip packages written by hand -------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One member as :func:`write_zip` writes it.

    ``chunks`` are the bytes stored (raw deflate for ``method`` 8), ``packed`` their
    length, ``size`` and ``crc`` what they inflate to. ``claims`` overrides what the
    local and central headers say: keys ``crc``, ``size``, ``packed``."""

    name: str
    chunks: Iterable[bytes]
    packed: int
    size: int
    crc: int
    method: int = _DEFLATED
    claims: tuple[tuple[str, int], ...] = ()

    def claimed(self, key: str) -> int:
        return dict(self.claims).get(key, getattr(self, key))


def member(name: str, data: bytes) -> Member:
    """A member holding ``data``, deflated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return Member(name, [packed], len(packed), len(data), zlib.crc32(data))


def inflating_member(name: str, prefix: bytes, suffix: bytes, inflated_bytes: int) -> Member:
    """A member of ``inflated_bytes`` in all: ``prefix``, ``"0"`` repeated, ``suffix``;
    built without ever holding more than one MiB of it."""
    filler = inflated_bytes - len(prefix) - len(suffix)
    if filler < 0 or inflated_bytes >= 1 << 32:
        raise ValueError("inflated_bytes must hold prefix and suffix and stay under 4 GiB")
    blocks, rest = divmod(filler, len(BLOCK))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(BLOCK) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail_bytes = BLOCK[:rest] + suffix
    tail = compressor.compress(tail_bytes) + compressor.flush()
    crc = crc32_combine(zlib.crc32(prefix), crc32_repeated(BLOCK, blocks), blocks * len(BLOCK))
    crc = zlib.crc32(tail_bytes, crc)
    chunks = _Repeated(head, block, blocks, tail)
    return Member(name, chunks, len(chunks), inflated_bytes, crc)


class _Repeated:
    """``head``, ``count`` times ``block``, ``tail`` (re-iterable; no list of them)."""

    def __init__(self, head: bytes, block: bytes, count: int, tail: bytes) -> None:
        self.head, self.block, self.count, self.tail = head, block, count, tail

    def __len__(self) -> int:
        return len(self.head) + len(self.block) * self.count + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        for _ in range(self.count):
            yield self.block
        yield self.tail


def write_zip(target: Path, members: Sequence[Member]) -> Path:
    """Write ``members`` as a zip package at ``target`` (headers as each member claims)."""
    central = bytearray()
    with open(target, "wb") as out:
        for item in members:
            offset = out.tell()
            name = item.name.encode("utf-8")
            flags = 0 if item.name.isascii() else 0x0800
            fields = (
                item.method,
                _DOS_TIME,
                _DOS_DATE,
                item.claimed("crc"),
                item.claimed("packed"),
                item.claimed("size"),
                len(name),
            )
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, *fields, 0) + name)
            for chunk in item.chunks:
                out.write(chunk)
            central += struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, *fields, 0, 0, 0, 0, 0, offset
            )
            central += name
        start = out.tell()
        out.write(central)
        count = len(members)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0))
    return target


def read_members(source: Path) -> list[Member]:
    """The members of the package at ``source``, deflated afresh (to be damaged)."""
    return _source_members(source)


def _with(members: list[Member], replacement: Member) -> list[Member]:
    """``members`` with ``replacement`` in place of the member of its name (or added)."""
    names = [m.name for m in members]
    if replacement.name in names:
        members[names.index(replacement.name)] = replacement
    else:
        members.append(replacement)
    return members


def _workbook_bytes() -> io.BytesIO:
    """The default source: :func:`workbook`'s query log, in memory."""
    buffer = io.BytesIO()
    _save_workbook(buffer, [QUERY_LOG_HEADER, QUERY_LOG_ROW], "查詢紀錄")
    buffer.seek(0)
    return buffer


def _source_members(source: Path | None) -> list[Member]:
    with zipfile.ZipFile(source or _workbook_bytes()) as archive:
        return [member(info.filename, archive.read(info)) for info in archive.infolist()]


# --- CRC-32 of repeated data, without the data (zlib's crc32_combine) --------------

_POLY = 0xEDB88320
_IDENTITY = [1 << n for n in range(32)]


def _apply(matrix: Sequence[int], vector: int) -> int:
    total = row = 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _compose(outer: Sequence[int], inner: Sequence[int]) -> list[int]:
    return [_apply(outer, column) for column in inner]


def _zeros(count: int) -> list[int]:
    """The GF(2) operator that feeds ``count`` zero bytes through a CRC-32 register."""
    power = [_POLY, *_IDENTITY[:31]]  # one zero bit
    for _ in range(3):
        power = _compose(power, power)  # two, four, eight bits: one byte
    result = list(_IDENTITY)
    while count:
        if count & 1:
            result = _compose(power, result)
        count >>= 1
        if count:
            power = _compose(power, power)
    return result


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of ``A + B`` from ``crc32(A)``, ``crc32(B)`` and ``len(B)``."""
    return _apply(_zeros(length2), crc1) ^ crc2


def crc32_repeated(block: bytes, count: int) -> int:
    """``zlib.crc32(block * count)``, in a few milliseconds for any ``count``."""
    crc, piece_crc, shift = 0, zlib.crc32(block), _zeros(len(block))
    while count:  # piece = block * 2**k; shift feeds len(piece) zero bytes
        if count & 1:
            crc = _apply(shift, crc) ^ piece_crc
        count >>= 1
        if count:
            piece_crc = _apply(shift, piece_crc) ^ piece_crc
            shift = _compose(shift, shift)
    return crc


# --- valid packages -----------------------------------------------------------------


def _save_workbook(target: Path | io.BytesIO, rows: Iterable[Sequence[object]], title: str) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    book.save(target)


def workbook(
    target: Path, rows: Iterable[Sequence[object]] | None = None, title: str = "查詢紀錄"
) -> Path:
    """A valid XLSX at ``target``: ``rows`` (header first) on one sheet; by default a
    query log of one query (:data:`QUERY_LOG_HEADER`, :data:`QUERY_LOG_ROW`)."""
    _save_workbook(target, rows if rows is not None else [QUERY_LOG_HEADER, QUERY_LOG_ROW], title)
    return target


def docx(target: Path, text: str = "docgen") -> Path:
    """A minimal valid DOCX at ``target``: one paragraph of ``text``."""
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    prefix, suffix = _text_element(DOCUMENT)
    body = prefix + text.encode("utf-8") + suffix
    members = [member("[Content_Types].xml", types.encode()), member("_rels/.rels", rels.encode())]
    return write_zip(target, [*members, member(DOCUMENT, body)])


def _text_element(name: str, doctype: str = "") -> tuple[bytes, bytes]:
    """The XML of member ``name`` around one text node: (before it, after it)."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype
    if name.startswith("xl/worksheets/"):
        before = (
            f'<worksheet xmlns="{_SPREADSHEET_NS}"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>'
        )
        after = "</t></is></c></row></sheetData></worksheet>"
    elif name == "xl/sharedStrings.xml":
        before = f'<sst xmlns="{_SPREADSHEET_NS}" count="1" uniqueCount="1"><si><t>'
        after = "</t></si></sst>"
    elif name.startswith("word/"):
        before = f'<w:document xmlns:w="{_WORD_NS}"><w:body><w:p><w:r><w:t>'
        after = "</w:t></w:r></w:p></w:body></w:document>"
    else:
        before, after = "<data>", "</data>"
    return (head + before).encode("utf-8"), after.encode("utf-8")


# --- bombs ----------------------------------------------------------------------------


def zip_bomb(
    target: Path, member_name: str, inflated_bytes: int = BOMB_BYTES, source: Path | None = None
) -> Path:
    """``source`` (default: :func:`workbook`) with member ``member_name`` replaced by
    well-formed XML of ``inflated_bytes`` — one text node of zeros — deflated ~1000:1.
    The headers tell the truth: the central directory says how large it is."""
    prefix, suffix = _text_element(member_name)
    bomb = inflating_member(member_name, prefix, suffix, inflated_bytes)
    return write_zip(target, _with(_source_members(source), bomb))


def xlsx_bomb(target: Path, inflated_bytes: int = BOMB_BYTES, source: Path | None = None) -> Path:
    """A workbook whose first worksheet inflates to ``inflated_bytes`` (1.8 GB from
    ~1.8 MB by default): the query log of ISSUE 9."""
    return zip_bomb(target, SHEET, inflated_bytes, source)


def docx_bomb(target: Path, inflated_bytes: int = BOMB_BYTES, source: Path | None = None) -> Path:
    """A DOCX (``source``, default :func:`docx`) whose ``word/document.xml`` inflates to
    ``inflated_bytes``."""
    base = source or docx(target.with_name(target.name + ".base.docx"))
    try:
        return zip_bomb(target, DOCUMENT, inflated_bytes, base)
    finally:
        if source is None:
            base.unlink()


def lying_bomb(
    target: Path,
    member_name: str = SHEET,
    inflated_bytes: int = BOMB_BYTES,
    claimed_bytes: int = 1 << 20,
    source: Path | None = None,
) -> Path:
    """Like :func:`zip_bomb`, but the headers claim the member inflates to only
    ``claimed_bytes`` (a reader trusting the directory is fooled; one reading the
    stream must stop at the claimed size and fail the CRC)."""
    prefix, suffix = _text_element(member_name)
    bomb = inflating_member(member_name, prefix, suffix, inflated_bytes)
    bomb = replace(bomb, claims=(("size", claimed_bytes),))
    return write_zip(target, _with(_source_members(source), bomb))


# --- damaged packages -----------------------------------------------------------------


def bad_crc(target: Path, source: Path | None = None, member_name: str = SHEET) -> Path:
    """``source`` with the CRC-32 of ``member_name`` wrong in both headers (its bytes
    inflate fine, to the right size)."""
    members = _source_members(source)
    found = next(m for m in members if m.name == member_name)
    damaged = replace(found, claims=(("crc", found.crc ^ 0xFFFFFFFF),))
    return write_zip(target, _with(members, damaged))


def truncated_member(target: Path, source: Path | None = None, member_name: str = SHEET) -> Path:
    """``source`` with the compressed bytes of ``member_name`` cut to half, the
    headers still claiming the whole (the next member's header follows early)."""
    members = _source_members(source)
    found = next(m for m in members if m.name == member_name)
    data = b"".join(found.chunks)
    cut = replace(found, chunks=[data[: len(data) // 2]], packed=len(data) // 2)
    damaged = replace(cut, claims=(("packed", len(data)),))
    return write_zip(target, _with(members, damaged))


def truncated_zip(target: Path, source: Path | None = None, keep: float = 0.5) -> Path:
    """The package ``source`` (default :func:`workbook`) cut to ``keep`` of its length:
    no central directory at all (a download that stopped)."""
    data = _workbook_bytes().getvalue() if source is None else source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def member_not_xml(
    target: Path,
    source: Path | None = None,
    member_name: str = SHEET,
    content: bytes = b"PK\x03\x04 this is not XML \x00\xff\xfe <row",
) -> Path:
    """``source`` with ``member_name`` replaced by ``content`` (by default bytes that are
    neither XML nor UTF-8)."""
    return write_zip(target, _with(_source_members(source), member(member_name, content)))


def billion_laughs(
    target: Path, source: Path | None = None, member_name: str = SHEET, levels: int = 9
) -> Path:
    """``source`` with ``member_name`` holding the billion-laughs DTD: entity ``lol9``
    expands to 10**9 ``lol`` (3 GB) from a member under 1 KB."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)]
    root = "worksheet" if member_name.startswith("xl/worksheets/") else "data"
    doctype = f"<!DOCTYPE {root} [\n{chr(10).join(entities)}\n]>\n"
    prefix, suffix = _text_element(member_name, doctype)
    content = prefix + f"&lol{levels};".encode() + suffix
    return write_zip(target, _with(_source_members(source), member(member_name, content)))


def quadratic_blowup(
    target: Path,
    source: Path | None = None,
    member_name: str = SHEET,
    entity_bytes: int = 100_000,
    references: int = 20_000,
) -> Path:
    """``source`` with ``member_name`` referring ``references`` times to one entity of
    ``entity_bytes`` (2 GB by default from a member of 160 KB, 5 KB once packed): the
    blow-up that slips past a parser counting only nested expansions."""
    root = "worksheet" if member_name.startswith("xl/worksheets/") else "data"
    doctype = f'<!DOCTYPE {root} [<!ENTITY a "{"x" * entity_bytes}">]>\n'
    prefix, suffix = _text_element(member_name, doctype)
    content = prefix + b"&a;" * references + suffix
    return write_zip(target, _with(_source_members(source), member(member_name, content)))


def external_entity(
    target: Path,
    source: Path | None = None,
    member_name: str = SHEET,
    url: str = "file:///etc/passwd",
) -> Path:
    """``source`` with ``member_name`` referring to the external entity ``url`` (XXE):
    a parser that resolves it puts the file's contents in the cell."""
    root = "worksheet" if member_name.startswith("xl/worksheets/") else "data"
    doctype = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{url}">]>\n'
    prefix, suffix = _text_element(member_name, doctype)
    content = prefix + b"&xxe;" + suffix
    return write_zip(target, _with(_source_members(source), member(member_name, content)))


def with_dimension(target: Path, ref: str = "A1:A1", source: Path | None = None) -> Path:
    """``source`` (default :func:`workbook`) with its first worksheet claiming the
    dimensions ``ref`` (``<dimension ref="..."/>``): smaller than its cells (a reader
    trusting it drops data) or huge (``A1:XFD1048576``: a reader padding rows to it
    makes 17 billion cells)."""
    with zipfile.ZipFile(source or _workbook_bytes()) as archive:
        xml = archive.read(SHEET).decode("utf-8")
    xml, count = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
    if not count:
        xml = xml.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1)
    return write_zip(target, _with(_source_members(source), member(SHEET, xml.encode("utf-8"))))


# --- CSV ------------------------------------------------------------------------------


def _csv_line(cells: Iterable[str]) -> str:
    return ",".join(cells) + "\r\n"


def csv_with_nul(target: Path, column: int = 3) -> Path:
    """A query log (UTF-8) whose first data row has a NUL byte inside field ``column``
    (0-based; default 被查詢人姓名), row 2 to a person."""
    row = list(QUERY_LOG_ROW)
    row[column] = row[column][:1] + "\x00" + row[column][1:]
    target.write_text(_csv_line(QUERY_LOG_HEADER) + _csv_line(row), encoding="utf-8", newline="")
    return target


def csv_huge_field(target: Path, field_bytes: int = 100 * 1024 * 1024, column: int = 7) -> Path:
    """A query log whose first data row has one field (default 案件名稱) of
    ``field_bytes`` ASCII letters, unquoted; written a MiB at a time."""
    row = list(QUERY_LOG_ROW)
    with open(target, "w", encoding="utf-8", newline="") as out:
        out.write(_csv_line(QUERY_LOG_HEADER))
        out.write(",".join(row[:column]) + ("," if column else ""))
        left = field_bytes
        while left:
            step = min(left, 1 << 20)
            out.write("x" * step)
            left -= step
        out.write("," + ",".join(row[column + 1 :]) + "\r\n" if column + 1 < len(row) else "\r\n")
    return target


def csv_many_columns(target: Path, columns: int = 1_000_000) -> Path:
    """A query log whose header has ``columns`` more columns (``c1``, ``c2``, …) after
    the platform's, and whose one row has as many more empty fields."""
    with open(target, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(QUERY_LOG_HEADER))
        for start in range(1, columns + 1, 10_000):
            stop = min(start + 10_000, columns + 1)
            out.write("".join(f",c{n}" for n in range(start, stop)))
        out.write("\r\n" + ",".join(QUERY_LOG_ROW))
        for start in range(0, columns, 10_000):
            out.write("," * min(10_000, columns - start))
        out.write("\r\n")
    return target
