"""The README and docs/ link only to files inside the repository (a clone is all a
reader has)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LINK = re.compile(r"\]\(([^)#\s]+)")


def test_every_relative_link_points_inside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", link):
                continue
            target = (page.parent / link).resolve()
            if not target.exists() or ROOT not in (target, *target.parents):
                broken.append(f"{page.relative_to(ROOT)} -> {link}")
    assert broken == []
    assert len(pages) > 2
