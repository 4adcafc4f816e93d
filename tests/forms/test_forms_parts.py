"""Tags outside the body: headers, footers and footnotes render as docxtpl renders
them (a custom template may put fields anywhere)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from docx import Document
from docxtpl import DocxTemplate

from docgen.forms.compiled import CompiledTemplate
from docgen.forms.environment import make_environment

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
    '<w:footnote w:id="1"><w:p><w:r><w:t>單位：{{ unit }} &amp; {{ note }}</w:t></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)


def _template_with_footnotes(path: Path) -> Path:
    document = Document()
    document.add_paragraph("{{ unit }}")
    document.sections[0].header.paragraphs[0].text = "頁首 {{ unit }}"
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item, data)
        target.writestr("word/footnotes.xml", FOOTNOTES.encode("utf-8"))
    return path


def test_header_and_footnotes_match_docxtpl(tmp_path) -> None:
    path = _template_with_footnotes(tmp_path / "t.docx")
    context = {"unit": "企劃室", "note": "<b>"}
    compiled = CompiledTemplate(path, make_environment())
    ours = zipfile.ZipFile(io.BytesIO(compiled.render(context, {})))
    fresh = DocxTemplate(str(path))
    fresh.render(context, jinja_env=make_environment(), autoescape=True)
    buffer = io.BytesIO()
    fresh.save(buffer)
    theirs = zipfile.ZipFile(buffer)
    footnotes = ours.read("word/footnotes.xml").decode()
    assert "單位：企劃室 &amp; &lt;b&gt;" in footnotes
    assert footnotes == theirs.read("word/footnotes.xml").decode()
    header = next(n for n in ours.namelist() if re.match(r"word/header\d*\.xml", n))
    assert "頁首 企劃室" in ours.read(header).decode()
    assert ours.read(header) == theirs.read(header)
    assert ours.read("word/document.xml") == theirs.read("word/document.xml")
