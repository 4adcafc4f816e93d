"""``forms fill --odt`` (ISSUE 11 item 10): each form also as ODT (OpenDocument text)
beside its DOCX, made by LibreOffice in the batch, from data that may itself be an ODS;
opened with odfpy to find the filled values, the 標楷體 font, the ROC date and the
record's metadata. A template must be DOCX."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from odf import opendocument, style, teletype, text

from docgen.cli.main import cli
from docgen.errors import InputError
from tests.odf.odf_support import ODS, convert, needs_calc, part, q


def _office(example_office: Path, tmp_path: Path) -> Path:
    """A copy of the example office of its own (the journal is written)."""
    ws = tmp_path / "office"
    shutil.copytree(example_office, ws)
    return ws


def _fill(ws: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["-w", str(ws), "forms", "fill", *args])
    assert result.exit_code == 0, (result.output, result.exception)


def _text(odt: Path) -> str:
    book = opendocument.load(str(odt))
    return "\n".join(teletype.extractText(p) for p in book.getElementsByType(text.P))


def _fonts(odt: Path) -> set[str]:
    """The fonts the ODT's styles name (font faces and the fonts styles use)."""
    book = opendocument.load(str(odt))
    faces = {str(f.getAttribute("fontfamily")) for f in book.fontfacedecls.childNodes}
    used = {
        str(e.getAttribute(name))
        for styles in (book.styles, book.automaticstyles)
        for e in styles.getElementsByType(style.TextProperties)
        for name in ("fontname", "fontnameasian")
        if e.getAttribute(name)
    }
    return faces | used


def _user_metadata(odt: Path) -> dict[str, str]:
    meta = part(odt, "meta.xml")
    return {
        str(e.get(q("meta:name"))): "".join(e.itertext()) for e in meta.iter(q("meta:user-defined"))
    }


@needs_calc
def test_fill_from_ods_data_writes_an_odt_beside_each_docx(
    example_office: Path, tmp_path: Path
) -> None:
    ws = _office(example_office, tmp_path)
    (data,) = convert([ws / "data" / "forms" / "附件3_保密切結書.xlsx"], tmp_path / "data", ODS)
    out = tmp_path / "out"
    _fill(ws, "3", str(data), "-d", str(out), "--odt")
    docx = sorted(out.glob("附件3_*.docx"))
    odts = sorted(out.glob("附件3_*.odt"))
    assert len(docx) == 21 and [p.stem for p in odts] == [p.stem for p in docx]
    assert not list(out.glob(".odt-*")) and not list(out.glob("*.pdf"))
    first = odts[0]
    body = _text(first)
    record_id = first.stem.removeprefix("附件3_")
    assert "保密切結書" in body and record_id in body
    assert "立切結書人" in body and "（簽章）" in body
    names = {"王美玲", "劉家豪", "趙文華"}
    assert any(name in _text(odt) for odt in odts for name in names)
    assert "中華民國" in body and "年" in body  # the ROC date of the pledge
    assert "標楷體" in _fonts(first)
    assert _user_metadata(first)["docgen.record_id"] == record_id
    journal = (ws / ".docgen" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(journal[-1])
    assert entry["command"] == "forms fill"
    outputs = json.dumps(entry, ensure_ascii=False)
    assert all(odt.name in outputs for odt in odts)


def test_odt_and_pdf_from_one_batch_of_the_monthly_check(
    example_office: Path, tmp_path: Path
) -> None:
    ws = _office(example_office, tmp_path)
    data = ws / "data" / "forms" / "附件4_月抽查.yaml"
    out = tmp_path / "out"
    _fill(ws, "4", str(data), "--variant", "monthly", "-d", str(out), "--odt", "--pdf")
    (odt,) = out.glob("附件4_*.odt")
    (pdf,) = out.glob("附件4_*.pdf")
    assert odt.stem == pdf.stem and pdf.stat().st_size > 1000
    body = _text(odt)
    assert "月抽查" in body and "中華民國115年" in body and odt.stem.split("_")[-1] in body
    assert "標楷體" in _fonts(odt)
    # filled again: the same document is kept, with its ODT
    before = odt.read_bytes()
    _fill(ws, "4", str(data), "--variant", "monthly", "-d", str(out), "--odt")
    assert odt.read_bytes() == before and len(list(out.glob("附件4_*.odt"))) == 1


@pytest.mark.parametrize("command", ["fill", "check"])
def test_an_odt_template_is_refused_in_one_line(
    example_office: Path, tmp_path: Path, command: str
) -> None:
    ws = _office(example_office, tmp_path)
    template = tmp_path / "附件3.odt"
    template.write_bytes(b"PK")
    data = ws / "data" / "forms" / "附件3_保密切結書.xlsx"
    args = (
        ["fill", "3", str(data), "-d", str(tmp_path / "out"), "--template", str(template)]
        if command == "fill"
        else ["check", "3", str(template)]
    )
    result = CliRunner().invoke(cli, ["-w", str(ws), "forms", *args])
    assert isinstance(result.exception, InputError)
    message = str(result.exception)
    assert "a template must be DOCX" in message and "\n" not in message
    assert not (tmp_path / "out").exists()
