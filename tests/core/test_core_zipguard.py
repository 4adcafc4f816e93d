"""Zip packages are bounded before anything parses them (ISSUE 9 item 8)."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from docgen.errors import InputError
from docgen.zipguard import ZipLimits, check_zip

SMALL = ZipLimits(member_bytes=1 << 20, total_bytes=2 << 20, ratio=50, ratio_floor=1 << 16)


def _package(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_an_ordinary_package_passes(tmp_path: Path) -> None:
    path = _package(tmp_path / "ok.xlsx", {"xl/worksheets/sheet1.xml": b"<row>1</row>" * 100})
    check_zip(path, "Excel workbook", SMALL)
    check_zip(path, "Excel workbook", SMALL, data=path.read_bytes())


def test_a_member_too_large_once_inflated_is_refused(tmp_path: Path) -> None:
    path = _package(tmp_path / "big.xlsx", {"xl/worksheets/sheet1.xml": b"0" * (2 << 20)})
    with pytest.raises(InputError, match=r"big\.xlsx: refused .*sheet1\.xml would expand"):
        check_zip(path, "Excel workbook", SMALL)


def test_a_member_compressed_beyond_the_ratio_is_refused(tmp_path: Path) -> None:
    path = _package(tmp_path / "bomb.docx", {"word/document.xml": b"\0" * (512 << 10)})
    with pytest.raises(InputError, match=r"compressed .*:1"):
        check_zip(path, "DOCX", SMALL)


def test_the_sum_of_members_is_bounded(tmp_path: Path) -> None:
    noise = random.Random(9).randbytes
    members = {f"m{n}.xml": noise(768 << 10) for n in range(4)}  # incompressible
    path = _package(tmp_path / "many.xlsx", members)
    with pytest.raises(InputError, match="would expand to more than"):
        check_zip(path, "Excel workbook", SMALL)


def test_a_member_lying_about_its_size_is_refused(tmp_path: Path) -> None:
    path = _package(tmp_path / "lie.xlsx", {"a.xml": b"x" * 5000})
    data = bytearray(path.read_bytes())
    # Shrink the size claimed in the central directory (offset 24 of its entry).
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"lie\.xlsx: refused"):
        check_zip(path, "Excel workbook", SMALL)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04truncated"])
def test_a_damaged_package_is_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        check_zip(path, "Excel workbook", SMALL)
    assert "\n" not in str(caught.value) and "bad.xlsx" in str(caught.value)


def test_a_corrupted_member_fails_its_crc(tmp_path: Path) -> None:
    path = _package(tmp_path / "crc.xlsx", {"a.xml": b"<a>" + b"x" * 4000 + b"</a>"})
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 16] ^= 0xFF  # the CRC-32 the directory claims
    local = data.index(b"PK\x03\x04")
    data[local + 14] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged"):
        check_zip(path, "Excel workbook", SMALL)
