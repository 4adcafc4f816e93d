"""The shipped templates: A4 portrait, 標楷體 on the East-Asian slot (docDefaults and
styles), zh-TW, no Japanese fallback, bordered tables, a QR picture of ≥ 2.5 cm, and
the repository root's templates/attachments pointing at them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from docgen.forms.registry import FORMS
from docgen.forms.writer import packaged_templates

TEMPLATES = [spec.template_name(v) for spec in FORMS.values() for v in spec.templates]
EMU_PER_CM = 360000


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_layout_and_fonts(name: str) -> None:
    with zipfile.ZipFile(packaged_templates() / name) as package:
        styles = package.read("word/styles.xml").decode()
        document = package.read("word/document.xml").decode()
        everything = "".join(
            package.read(n).decode("utf-8", "replace")
            for n in package.namelist()
            if n.endswith(".xml")
        )
    defaults = re.search(r"<w:docDefaults>.*</w:docDefaults>", styles, re.S)
    assert defaults and 'w:eastAsia="標楷體"' in defaults.group(0)
    assert 'w:eastAsia="zh-TW"' in defaults.group(0)
    assert styles.count('w:eastAsia="標楷體"') >= 5  # every style sets it too
    assert "ja-JP" not in everything and "ＭＳ" not in everything and "MS Mincho" not in everything
    assert 'w:w="11906" w:h="16838"' in document and 'w:orient="portrait"' in document
    assert "Table Grid" in styles and 'w:insideH w:val="single"' in styles
    assert "（簽章）" in document  # signature and seal boxes
    extent = re.search(r'name="docgen-qr"', document)
    assert extent is not None
    width = int(re.search(r'<wp:extent cx="(\d+)"', document).group(1))
    assert width >= 2.5 * EMU_PER_CM


def test_repository_root_links_to_the_shipped_templates() -> None:
    root = Path(__file__).resolve().parents[2] / "templates" / "attachments"
    assert root.is_symlink()
    assert root.resolve() == packaged_templates().resolve()
    assert sorted(p.name for p in root.glob("*.docx")) == sorted(TEMPLATES)
