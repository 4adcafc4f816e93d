"""Atomic writes never leave half-written output."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from docgen.errors import InputError
from docgen.fsutil import atomic_path, atomic_write_text, sha256_file


def test_failure_leaves_target_untouched_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.csv"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.csv"]


def test_success_replaces(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    expected = "11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437"
    assert sha256_file(target) == expected


def test_output_is_readable_by_colleagues(tmp_path: Path) -> None:
    target = tmp_path / "shared.pdf"
    atomic_write_text(target, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match=r"cannot write .*afile/x\.csv"):
        atomic_write_text(tmp_path / "afile" / "x.csv", "data")
