"""Builders for the hostile-input tests of the forms engine (ISSUE 9 items 1–5): real
DOCX templates (python-docx, zipfile), a decompression bomb written by hand, and the
real CLI, in-process (:func:`run_main`) or in a subprocess under ``setrlimit``
(:func:`run_cli`). Independent of ``tests/hostile`` on purpose."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document

from docgen.cli.main import main

PLEDGE_FIELDS = "{{ name }} {{ unit }} {{ title }} {{ national_id }} {{ date|roc }} {{ record_id }}"
PLEDGE = {
    "name": "王小明",
    "unit": "企劃室",
    "title": "科員",
    "national_id": "A123456789",
    "account": "plan09",
    "date": "115/10/01",
}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def template(path: Path, *paragraphs: str, **properties: str) -> Path:
    """A DOCX with one paragraph per argument and the given core properties."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for name, value in properties.items():
        setattr(document.core_properties, name, value)
    document.save(str(path))
    return path


def as_word_online(source: Path, target: Path) -> Path:
    """``source`` with its main part saved as Word Online saves it:
    ``word/document2.xml``, its relationships and content type renamed to match."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as out:
        for info in package.infolist():
            data, name = package.read(info), info.filename
            if name == "word/document.xml":
                name = "word/document2.xml"
            elif name == "word/_rels/document.xml.rels":
                name = "word/_rels/document2.xml.rels"
            elif name in ("[Content_Types].xml", "_rels/.rels"):
                data = data.replace(b"/word/document.xml", b"/word/document2.xml")
                data = data.replace(b'Target="word/document.xml"', b'Target="word/document2.xml"')
            out.writestr(name, data, zipfile.ZIP_DEFLATED)
    return target


def bomb(target: Path, inflated: int) -> Path:
    """A valid DOCX whose ``word/document.xml`` inflates to ``inflated`` bytes, written
    by hand without inflating anything: after a full flush deflate restarts with an
    empty dictionary, so one MiB of filler deflates to the same bytes every time."""
    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(buffer) as source:
        members = {n: source.read(n) for n in source.namelist() if n != "word/document.xml"}
    prefix = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    suffix = b"</w:t></w:r></w:p></w:body></w:document>"
    block, count = b"0" * (1 << 20), inflated >> 20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH)
    body = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.compress(suffix) + deflate.flush()
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    entries = [
        (name, zlib.crc32(data), _raw_deflate(data), len(data)) for name, data in members.items()
    ]
    central, offset = b"", 0
    with open(target, "wb") as out:
        for name, crc_, data, size in [*entries, ("word/document.xml", crc, None, 0)]:
            packed = len(head) + len(body) * count + len(tail) if data is None else len(data)
            size = len(prefix) + len(block) * count + len(suffix) if data is None else size
            header = struct.pack(
                "<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc_, packed, size, len(name), 0
            )
            out.write(header + name.encode())
            if data is None:
                out.write(head)
                for _ in range(count):
                    out.write(body)
                out.write(tail)
            else:
                out.write(data)
            central += struct.pack(
                "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc_, packed, size,
                len(name), 0, 0, 0, 0, 0, offset,
            ) + name.encode()  # fmt: skip
            offset += len(header) + len(name.encode()) + packed
        out.write(central)
        n = len(members) + 1
        out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, n, n, len(central), offset, 0))
    return target


def _raw_deflate(data: bytes) -> bytes:
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    return deflate.compress(data) + deflate.flush()


def run_cli(
    cwd: Path, *args: str, memory: int | None = None, file_size: int | None = None
) -> tuple[int, str, str, float]:
    """The real CLI in a subprocess, its address space or file sizes bounded
    (``SIGXFSZ`` ignored, so a write past ``file_size`` fails with EFBIG, as on a full
    disk); returns exit code, stdout, stderr and seconds taken."""

    def limit() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if file_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "docgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The real CLI in this process: exit code, stdout, stderr (a traceback fails)."""
    capsys.readouterr()
    try:
        main(list(args))
    except SystemExit as done:
        code = int(done.code or 0)
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def pledge_data(path: Path, *records: dict[str, str]) -> Path:
    path.write_text(json.dumps(list(records) or [PLEDGE], ensure_ascii=False), encoding="utf-8")
    return path


def leftovers(*folders: Path) -> list[Path]:
    """Staging folders left behind anywhere under ``folders``."""
    return [p for f in folders if f.exists() for p in f.rglob("*docgen-fill-*")]
