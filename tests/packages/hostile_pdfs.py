"""Hostile PDFs for the package tests (ISSUE 9 items 1 and 3), built with pikepdf or,
where pikepdf would not write them (a certificate security handler), byte by byte.

Bombs are small on disk and quick to make: a deflate block of one MiB of spaces is
compressed once and repeated (after a full flush deflate restarts with an empty
dictionary, so the same input gives the same bytes), its Adler-32 computed over the
one block; an LZW bomb names the longest string yet with every code. Nothing here
inflates anything.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

GIB = 1024  # MiB
#: How a bomb is saved: qpdf re-encodes a stream made in memory (inflating it) unless
#: told to compress nothing; XMP it writes inflated always (so that one is written by hand)
_AS_IS = {"stream_decode_level": pikepdf.StreamDecodeLevel.none, "compress_streams": False}


def flate_bomb(mib: int, fill: bytes = b" ") -> bytes:
    """zlib data that inflates to ``mib`` MiB of ``fill`` (about 1 KiB per MiB)."""
    block = fill * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.flush(zlib.Z_FINISH)
    adler = 1
    for _ in range(mib):
        adler = zlib.adler32(block, adler)
    return b"\x78\xda" + first + again * (mib - 1) + tail + adler.to_bytes(4, "big")


def lzw_bomb(tables: int) -> bytes:
    """LZWDecode data whose codes name "0", "00", "000" …: 7 MiB from each 5 KiB table."""
    out, buffer, bits, width = bytearray(), 0, 0, 9

    def emit(code: int, size: int) -> None:
        nonlocal buffer, bits
        buffer, bits = (buffer << size) | code, bits + size
        while bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
        buffer &= (1 << bits) - 1

    for _ in range(tables):
        emit(256, width)
        emit(0, 9)
        code, width = 258, 9
        while code < 4094:
            emit(code, width)
            code += 1
            if code + 1 >= 1 << width and width < 12:
                width += 1
    emit(257, width)
    if bits:
        out.append((buffer << (8 - bits)) & 0xFF)
    return bytes(out)


def lzw_encode(data: bytes) -> bytes:
    """PDF LZWDecode data for ``data`` (EarlyChange 1), to check the decoder against qpdf."""
    out, buffer, bits, width = bytearray(), 0, 0, 9

    def emit(code: int) -> None:
        nonlocal buffer, bits
        buffer, bits = (buffer << width) | code, bits + width
        while bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
        buffer &= (1 << bits) - 1

    table, current = {bytes([i]): i for i in range(256)}, b""
    emit(256)
    for value in data:
        candidate = current + bytes([value])
        if candidate in table:
            current = candidate
            continue
        emit(table[current])
        if len(table) + 2 < 4094:
            table[candidate] = len(table) + 2
            if len(table) + 2 + 1 > 1 << width and width < 12:
                width += 1
        else:
            emit(256)
            table, width = {bytes([i]): i for i in range(256)}, 9
        current = bytes([value])
    if current:
        emit(table[current])
    emit(257)
    if bits:
        out.append((buffer << (8 - bits)) & 0xFF)
    return bytes(out)


def _js(code: str) -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code))


def _annot(pdf: pikepdf.Pdf, subtype: str, **entries: object) -> pikepdf.Object:
    return pdf.make_indirect(
        Dictionary(Type=Name.Annot, Subtype=Name(subtype), Rect=Array([0, 0, 10, 10]), **entries)
    )


def _embedded(pdf: pikepdf.Pdf, name: str) -> pikepdf.Object:
    data = pdf.make_stream(b"MZ\x90\x00 not really a program", Type=Name.EmbeddedFile)
    return pdf.make_indirect(
        Dictionary(Type=Name.Filespec, F=String(name), UF=String(name), EF=Dictionary(F=data))
    )


#: What :func:`active_pdf` holds, as the package build counts it (with ``forms``: the
#: widget's two field scripts and the XFA form on top).
ACTIVE_CONTENT = {
    "JavaScript action": 5, "embedded file": 2, "Launch action": 1, "URI action": 1,
    "SubmitForm action": 1, "GoToR action": 1, "ImportData action": 1,
    "Rendition action": 1, "GoToE action": 1, "Sound action": 1, "Movie action": 1,
    "RichMedia annotation": 1, "3D annotation": 1, "movie annotation": 1,
    "sound annotation": 1, "screen annotation": 1,
}  # fmt: skip
FORM_CONTENT = {"JavaScript action": 2, "XFA form": 1}


def active_pdf(path: Path, forms: bool = True) -> Path:
    """Two blank pages carrying every kind of active content the package strips:
    document JavaScript, open and additional actions, each dangerous action in a link,
    a safe GoTo link whose /Next runs JavaScript, embedded files (name tree and a
    FileAttachment annotation), RichMedia/3D/Movie/Sound/Screen annotations and, with
    ``forms``, a text field with keystroke and format scripts and an XFA form."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.add_blank_page(page_size=(595, 842))
    page, second = pdf.pages[0].obj, pdf.pages[1].obj
    pdf.Root.OpenAction = pdf.make_indirect(_js("app.alert('open')"))
    pdf.Root.AA = Dictionary(WC=_js("app.alert('close')"))
    page.AA = Dictionary(O=_js("app.alert('page')"))
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), pdf.make_indirect(_js("1"))])),
        EmbeddedFiles=Dictionary(Names=Array([String("run.exe"), _embedded(pdf, "run.exe")])),
    )
    actions = [
        Dictionary(S=Name.Launch, F=String("cmd.exe")),
        Dictionary(S=Name.URI, URI=String("http://evil.example/")),
        Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("http://x.example/"))),
        Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0, Name.Fit])),
        Dictionary(S=Name.ImportData, F=String("data.fdf")),
        Dictionary(S=Name.Rendition, OP=0),
        Dictionary(S=Name.GoToE, T=Dictionary(R=Name.C, N=String("x"))),
        Dictionary(S=Name.Sound, Sound=pdf.make_stream(b"\0" * 16, R=8000)),
        Dictionary(S=Name.Movie, T=String("clip")),
        Dictionary(S=Name.GoTo, D=Array([second, Name.Fit]), Next=_js("app.alert('next')")),
    ]
    annots = [_annot(pdf, "/Link", A=action) for action in actions]
    annots.append(_annot(pdf, "/FileAttachment", FS=_embedded(pdf, "a.exe")))
    annots += [_annot(pdf, kind) for kind in ("/RichMedia", "/3D", "/Movie", "/Sound", "/Screen")]
    if forms:
        field = _annot(pdf, "/Widget", FT=Name.Tx, T=String("name"), P=page,
                       AA=Dictionary(K=_js("event.rc = true"), F=_js("1")))  # fmt: skip
        annots.append(field)
        xfa = pdf.make_stream(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>")
        pdf.Root.AcroForm = Dictionary(Fields=Array([field]), XFA=xfa)
    page.Annots = Array(annots[:8])
    second.Annots = Array(annots[8:])
    pdf.save(path)
    return path


_DANGEROUS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR",
              "/GoToE", "/Rendition", "/Sound", "/Movie"}  # fmt: skip
_KEYS = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/EmbeddedFiles", "/EF", "/XFA"}
_ANNOTS = {"/FileAttachment", "/RichMedia", "/3D", "/Movie", "/Sound", "/Screen"}


def active_content_left(path: Path) -> list[str]:
    """Every trace of active content in any object of the PDF at ``path`` (every
    object in ``pdf.objects`` and the direct objects inside them)."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        stack = list(pdf.objects)
        while stack:
            obj = stack.pop()
            if isinstance(obj, Array):
                values = list(obj)
            elif isinstance(obj, Dictionary | pikepdf.Stream):
                found += [key for key in obj.keys() if key in _KEYS]  # noqa: SIM118
                if str(obj.get("/S", "")) in _DANGEROUS:
                    found.append(f"{obj.S} action")
                if str(obj.get("/Subtype", "")) in _ANNOTS and obj.get("/Type") == Name.Annot:
                    found.append(f"{obj.Subtype} annotation")
                if obj.get("/Type") == Name.EmbeddedFile:
                    found.append("embedded file stream")
                values = list(obj.values())
            else:
                continue
            container = (Array, Dictionary, pikepdf.Stream)
            stack += [v for v in values if isinstance(v, container) and not v.is_indirect]
    return found


def content_bomb(path: Path, mib: int = GIB, nested: bool = False) -> Path:
    """A one-page PDF whose page content inflates to ``mib`` MiB of spaces (``nested``:
    through two Flate layers, so the file is a few KiB)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    data = flate_bomb(mib)
    filters: object = Name.FlateDecode
    if nested:
        data, filters = zlib.compress(data, 9), Array([Name.FlateDecode, Name.FlateDecode])
    content = pikepdf.Stream(pdf, data)
    content.Filter = filters
    pdf.pages[0].Contents = pdf.make_indirect(content)
    pdf.save(path, **_AS_IS)
    return path


def stream_bomb(path: Path, where: str) -> Path:
    """A PDF with a bomb as its XMP metadata (``where="xmp"``), as an LZW page content
    (``"lzw"``) or as an image of 100 000 × 100 000 pixels (``"image"``)."""
    if where == "xmp":
        data = flate_bomb(GIB)
        head = b"<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>" % len(data)
        return raw_pdf(path, [
            b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            head + b"\nstream\n" + data + b"\nendstream",
        ])  # fmt: skip
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if where == "lzw":
        content = pikepdf.Stream(pdf, lzw_bomb(150))
        content.Filter = Name.LZWDecode
        pdf.pages[0].Contents = pdf.make_indirect(content)
    else:
        image = pikepdf.Stream(pdf, flate_bomb(16, b"\0"))
        image.Filter, image.Type, image.Subtype = Name.FlateDecode, Name.XObject, Name.Image
        image.Width, image.Height, image.BitsPerComponent = 100_000, 100_000, 8
        image.ColorSpace = Name.DeviceGray
        page = pdf.pages[0]
        page.Resources = Dictionary(XObject=Dictionary(Im0=pdf.make_indirect(image)))
        page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    pdf.save(path, **_AS_IS)
    return path


def raw_pdf(path: Path, objects: list[bytes], trailer: bytes = b"") -> Path:
    """A PDF written byte by byte: object 1 is the catalog; ``trailer`` is added to
    the trailer dictionary."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def certificate_encrypted(path: Path) -> Path:
    """A PDF encrypted for a certificate (the /Adobe.PubSec handler), which qpdf cannot open."""
    file_id = b"<0123456789abcdef0123456789abcdef>"
    return raw_pdf(
        path,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 4 /R 4 /Length 128 "
            b"/Recipients [<00>] >>",
        ],
        b"/Encrypt 4 0 R /ID [%s %s] " % (file_id, file_id),
    )


def page_tree_loop(path: Path) -> Path:
    """Two pages whose page tree lists itself among its kids."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.add_blank_page()
    pdf.Root.Pages.Kids.append(pdf.Root.Pages)
    pdf.Root.Pages.Count = 3
    pdf.save(path)
    return path
