"""Shared helpers of the ODF tests (ISSUE 11 item 10): LibreOffice conversions through
docgen's own :class:`~docgen.forms.libreoffice.Converter`, an example office, and the
XML of an ODF package's parts."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from docgen.forms.libreoffice import Converter, Target, find_soffice

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
#: What LibreOffice converts a spreadsheet to for the tests.
HTML = Target("html", "html", "HTML")
ODS = Target("ods", "ods", "ODS")


def q(name: str) -> str:
    """``"table:table-cell"`` as ElementTree names it."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def part(path: Path, name: str) -> ElementTree.Element:
    """The parsed XML of member ``name`` (``content.xml``, ``styles.xml``) of ``path``."""
    with zipfile.ZipFile(path) as package:
        return ElementTree.fromstring(package.read(name))


def calc_installed() -> bool:
    """Whether LibreOffice can load spreadsheets (Calc is a package of its own)."""
    try:
        program = Path(os.path.realpath(find_soffice())).parent
    except Exception:
        return False
    return (program / "libsclo.so").exists() or any(program.glob("libsc*lo.so"))


needs_calc = pytest.mark.skipif(
    not calc_installed(),
    reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)",
)


def convert(sources: list[Path], out_dir: Path, target: Target) -> list[Path]:
    """``sources`` converted by LibreOffice to ``target`` in ``out_dir``; each must be made."""
    with Converter(timeout=120) as converter:
        result = converter.convert(sources, out_dir, target=target)
    assert not result.failed, result.failed
    return [result.written[source] for source in sources]
