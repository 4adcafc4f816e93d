"""Official templates as Word saves them (ISSUE 9 item 5, R9): the main part found
through the package's relationships (``word/document2.xml``), tags in the document
properties rendered as docxtpl renders them, docxtpl's rich objects refused."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate

from docgen.errors import InputError
from docgen.forms import BatchOptions, fill_rows
from docgen.forms.check import check_template
from docgen.forms.compiled import CompiledTemplate
from docgen.forms.environment import make_environment
from docgen.forms.registry import FORMS
from tests.forms.hostile_builders import (
    PLEDGE,
    PLEDGE_FIELDS,
    W,
    as_word_online,
    template,
)

# --- ISSUE 9 item 5: official templates as Word saves them ---------------------------


def test_a_word_online_template_is_filled_and_checked(
    forms_workspace, tmp_path: Path, docx_text
) -> None:
    plain = template(tmp_path / "plain.docx", "立切結書人：" + PLEDGE_FIELDS)
    online = as_word_online(plain, tmp_path / "online.docx")
    issues, used = check_template(FORMS["3"], online, make_environment())
    assert [i for i in issues if i.severity == "error"] == [] and "name" in used
    options = BatchOptions(template=online)
    result = fill_rows(forms_workspace, "3", None, [(1, PLEDGE)], tmp_path / "out", options=options)
    written = result.documents[0].docx
    text = docx_text(written)
    # the signer's name in full, the ID masked (ISSUE 11 item 8)
    assert "立切結書人：王小明 企劃室 科員 A12345****" in text and "{{" not in text
    with zipfile.ZipFile(written) as package:
        assert "word/document.xml" not in package.namelist()


def test_tags_in_the_document_properties_are_rendered_as_docxtpl_renders_them(
    tmp_path: Path,
) -> None:
    path = template(
        tmp_path / "t.docx", "{{ unit }}", title="保密切結書 {{ unit }}", subject="{{ a }}"
    )
    context = {"unit": "企劃室", "a": "A&B"}
    ours = zipfile.ZipFile(
        io.BytesIO(CompiledTemplate(path, make_environment()).render(context, {}))
    )
    fresh = DocxTemplate(str(path))
    fresh.render(context, jinja_env=make_environment(), autoescape=True)
    buffer = io.BytesIO()
    fresh.save(buffer)
    theirs = zipfile.ZipFile(buffer)
    assert ours.read("docProps/core.xml") == theirs.read("docProps/core.xml")
    assert Document(io.BytesIO(_zip_bytes(ours))).core_properties.title == "保密切結書 企劃室"


def _zip_bytes(package: zipfile.ZipFile) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for name in package.namelist():
            copy.writestr(name, package.read(name))
    return out.getvalue()


def test_a_bad_tag_in_a_property_is_found_by_check_and_fill(forms_workspace, tmp_path) -> None:
    path = template(tmp_path / "t.docx", PLEDGE_FIELDS, title="{{ nmae }}")
    issues, _ = check_template(FORMS["3"], path, make_environment())
    assert [(i.where, i.kind) for i in issues if i.severity == "error"] == [
        ("docProps/core.xml (title)", "unknown")
    ]
    with pytest.raises(InputError, match=r"t\.docx \(docProps/core\.xml \(title\)\).*nmae"):
        options = BatchOptions(template=path)
        fill_rows(forms_workspace, "3", None, [(1, PLEDGE)], tmp_path / "out", options=options)


def test_docxtpl_rich_objects_are_refused_in_one_line(tmp_path: Path) -> None:
    from docxtpl import InlineImage, Listing, RichText

    path = template(tmp_path / "t.docx", "{{ unit }}")
    compiled = CompiledTemplate(path, make_environment())
    shutil.copy(path, tmp_path / "picture.docx")
    values = [
        RichText("粗體", bold=True),
        Listing("a\nb"),
        InlineImage(DocxTemplate(str(path)), "x"),
    ]
    for value in values:
        with pytest.raises(InputError, match=rf"t\.docx: “unit” is a {type(value).__name__}"):
            compiled.render_parts({"unit": value})


def test_tags_in_parts_nothing_fills_are_a_warning(tmp_path: Path) -> None:
    source = template(tmp_path / "plain.docx", PLEDGE_FIELDS)
    path = tmp_path / "comments.docx"
    shutil.copy(source, path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr(
            "word/comments.xml", f'<w:comments xmlns:w="{W}">{{{{ unit }}}}</w:comments>'
        )
    issues, _ = check_template(FORMS["3"], path, make_environment())
    assert [(i.severity, i.kind, i.where) for i in issues if i.kind == "unrendered"] == [
        ("warning", "unrendered", "word/comments.xml")
    ]
