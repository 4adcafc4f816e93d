"""Real input files made at test time: text PDFs, 300-dpi scans (JPEG, PNG, TIFF,
multi-page TIFF, EXIF-rotated JPEG, 16-bit and alpha PNGs) and broken inputs; the
hostile PDFs of :mod:`hostile_pdfs` through the ``hostile`` fixture."""

from __future__ import annotations

import importlib.util
import random
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pikepdf
import pytest
from click.testing import CliRunner, Result
from pikepdf import Array, Dictionary, Name
from PIL import Image

from docgen.cli.main import cli
from docgen.errors import DocgenError
from docgen.metadata import RecordMetadata, write_pdf_metadata

A_SCAN = (600, 800)  # 2 × 2.67 inches at 300 dpi: small, quick, real


def _noise_image(size: tuple[int, int], seed: int, mode: str = "RGB") -> Image.Image:
    rng = random.Random(seed)
    small = Image.frombytes(
        mode,
        (size[0] // 8, size[1] // 8),
        rng.randbytes((size[0] // 8) * (size[1] // 8) * len(mode)),
    )
    return small.resize(size)


def write_text_pdf(
    path: Path, text: str, pages: int = 1, meta: RecordMetadata | None = None
) -> Path:
    """A PDF whose pages draw ``text`` in Helvetica (not embedded: not PDF/A)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name.Helvetica,
            Encoding=Name.WinAnsiEncoding,
        )
    )
    for number in range(1, pages + 1):
        content = pdf.make_stream(f"BT /F1 24 Tf 72 720 Td ({text} {number}) Tj ET".encode())
        pdf.pages.append(
            pikepdf.Page(
                Dictionary(
                    Type=Name.Page,
                    MediaBox=Array([0, 0, 595, 842]),
                    Contents=content,
                    Resources=Dictionary(Font=Dictionary(F1=font)),
                )
            )
        )
    if meta is not None:
        write_pdf_metadata(pdf, meta)
    pdf.save(path)
    return path


def embed_fonts(source: Path, target: Path) -> Path:
    """``source`` rewritten by Ghostscript as PDF/A-2 (fonts embedded)."""
    subprocess.run(
        [
            "gs",
            "-q",
            "-dBATCH",
            "-dNOPAUSE",
            "-dSAFER",
            "-sDEVICE=pdfwrite",
            "-dPDFA=2",
            "-dPDFACompatibilityPolicy=1",
            "-sColorConversionStrategy=RGB",
            f"-sOutputFile={target}",
            str(source),
        ],
        check=True,
    )
    return target


def write_jpeg(
    path: Path,
    seed: int = 1,
    dpi: int | None = 300,
    exif: Image.Exif | None = None,
    size: tuple[int, int] = A_SCAN,
) -> Path:
    extra: dict[str, object] = {"quality": 85}
    if dpi:
        extra["dpi"] = (dpi, dpi)
    if exif is not None:
        extra["exif"] = exif
    _noise_image(size, seed).save(path, "JPEG", **extra)
    return path


def write_png16_rgba(path: Path, size: tuple[int, int] = (120, 160)) -> Path:
    """A 16-bit RGBA PNG at 300 dpi (img2pdf refuses these), written byte by byte."""
    w, h = size
    row = b"".join(struct.pack(">HHHH", 40000, 20000, 1000, 50000) for _ in range(w))
    raw = b"".join(b"\0" + row for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 6, 0, 0, 0))
        + chunk(b"pHYs", struct.pack(">IIB", 11811, 11811, 1))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


class Run:
    """The outcome of one ``docgen`` invocation through click's test runner; a
    DocgenError becomes its exit code and message, as ``docgen.cli.main`` makes it."""

    def __init__(self, result: Result) -> None:
        self.result = result
        error = result.exception
        self.error = str(error) if isinstance(error, DocgenError) else ""
        if error is not None and not isinstance(error, DocgenError | SystemExit):
            raise error
        self.exit_code = error.exit_code if isinstance(error, DocgenError) else result.exit_code
        self.output = result.output


@pytest.fixture
def docgen(tmp_path: Path) -> Callable[..., Run]:
    """Run ``docgen -w <workspace> ARGS…`` in a fresh workspace."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "docgen.toml").write_text("", encoding="utf-8")  # a workspace (ISSUE 11)

    def run(*args: object) -> Run:
        argv = ["-w", str(workspace), *(str(a) for a in args)]
        return Run(CliRunner().invoke(cli, argv, catch_exceptions=True))

    run.workspace = workspace  # type: ignore[attr-defined]
    return run


class Maker:
    """Makes input files in one folder; each method returns the file's path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def text_pdf(self, name: str, text: str = "Text", pages: int = 1,
                 meta: RecordMetadata | None = None) -> Path:  # fmt: skip
        return write_text_pdf(self.path(name), text, pages, meta)

    def embedded_pdf(self, name: str, text: str = "Text", pages: int = 1) -> Path:
        plain = write_text_pdf(self.path(f"plain-{name}"), text, pages)
        return embed_fonts(plain, self.path(name))

    def jpeg(self, name: str, seed: int = 1, dpi: int | None = 300,
             orientation: int | None = None) -> Path:  # fmt: skip
        exif = None
        if orientation is not None:
            exif = Image.Exif()
            exif[0x0112] = orientation
        return write_jpeg(self.path(name), seed, dpi, exif)

    def image(self, name: str, image: Image.Image, fmt: str, **kwargs: object) -> Path:
        image.save(self.path(name), fmt, **kwargs)
        return self.path(name)

    def noise(self, mode: str = "RGB", seed: int = 2) -> Image.Image:
        return _noise_image(A_SCAN, seed, mode)

    def png16_rgba(self, name: str) -> Path:
        return write_png16_rgba(self.path(name))


@pytest.fixture
def make(tmp_path: Path) -> Maker:
    folder = tmp_path / "inputs"
    folder.mkdir()
    return Maker(folder)


def _sibling(name: str) -> ModuleType:
    """A helper module beside this file (pytest's importlib mode puts no test folder
    on ``sys.path``, so test modules cannot import it by name)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_HOSTILE = _sibling("hostile_pdfs")


@pytest.fixture
def hostile() -> ModuleType:
    """The builders of hostile PDFs (ISSUE 9): see ``tests/packages/hostile_pdfs.py``."""
    return _HOSTILE
