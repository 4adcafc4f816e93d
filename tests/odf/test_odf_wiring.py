"""The ODF files wired through the office (ISSUE 11 item 10): an ODT of ``forms fill
--odt`` carries its record ID and is filed by it like its DOCX; the batch's PDF and ODT
passes share one LibreOffice; ``audit sample`` takes a month's ODS log by itself and
writes every list as ODS too (rows, ROC dates, 標楷體, record metadata); a sheet the
supervisor saved as ODS is read back with the workbook's rows and columns."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from odf import opendocument, table, teletype
from openpyxl import Workbook, load_workbook

from docgen.archive.classify import classify
from docgen.archive.context import open_archive
from docgen.archive.reconcile import scan
from docgen.audit.samples import load_results, load_sample
from docgen.cli.main import cli
from docgen.config import open_workspace
from docgen.errors import ValidationFailed
from docgen.forms import batch
from docgen.metadata import (
    RecordMetadata,
    UntrustedMetadata,
    attach_metadata,
    read_odf_metadata,
    read_office_metadata,
)
from docgen.report import Report
from docgen.report_ods import save_ods
from tests.odf.odf_support import ODS, convert, needs_calc, part, q

UNIT = "企劃室"
META = RecordMetadata(
    variant="anomalies",
    period="2026-10",
    unit=UNIT,
    category="monthly_check",
    title="企劃室 115年10月 異常清單",
    record_ids=["DG-4M-202610-D9C71C0A"],
)


def _office(example_office: Path, tmp_path: Path) -> Path:
    """A copy of the example office, its archive quick to file, its registry imported."""
    ws = tmp_path / "office"
    shutil.copytree(example_office, ws)
    toml = ws / "docgen.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("stable_seconds = 5.0", "stable_seconds = 0.3"),
        encoding="utf-8",
    )
    return ws


def _run(ws: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["-w", str(ws), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _registry(ws: Path) -> None:
    _run(ws, "accounts", "import", str(ws / "data" / "accounts.csv"))


def _scan(ws: Path) -> list[str]:
    """Scan the archive's inbox: the paths of the files filed (not unclassified)."""
    time.sleep(0.35)
    with open_archive(open_workspace(ws)) as ctx:
        result = scan(ctx)
    return sorted(f.path for f in result.filed if f.status == "filed")


def _rows(path: Path) -> list[list[str]]:
    """The text of every cell of the first sheet of an ODS, opened by odfpy."""
    book = opendocument.load(str(path))
    sheet = book.spreadsheet.getElementsByType(table.Table)[0]
    return [
        [teletype.extractText(c) for c in row.getElementsByType(table.TableCell)]
        for row in sheet.getElementsByType(table.TableRow)
    ]


# --- record metadata in an ODT / ODS ------------------------------------------------


def test_an_ods_carries_record_metadata_as_user_defined_fields(tmp_path: Path) -> None:
    ods = tmp_path / "清單.ods"
    save_ods(Report("清單", {"a": "A"}, [{"a": "x"}]), ods)
    assert attach_metadata(ods, META) == ods
    assert read_odf_metadata(ods) == read_office_metadata(ods) == META
    with zipfile.ZipFile(ods) as package:
        first = package.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    fields = {
        e.get(q("meta:name")): e.text for e in part(ods, "meta.xml").iter(q("meta:user-defined"))
    }
    assert fields["docgen.unit"] == UNIT and fields["docgen.variant"] == "anomalies"
    attach_metadata(ods, RecordMetadata(category="other", title="改"))  # set again: replaced
    assert read_odf_metadata(ods) == RecordMetadata(category="other", title="改")
    assert _rows(ods) == [["A"], ["x"]]  # still a spreadsheet odfpy opens
    classified = classify(ods, ods.name, [], use_qr=False)
    assert classified.source == "metadata" and classified.meta.title == "改"


def _odt(path: Path, meta_xml: str) -> Path:
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
        package.writestr("meta.xml", meta_xml)
    return path


@pytest.mark.parametrize(
    ("meta_xml", "says"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "declares a DTD",
        ),
        ("<office:document-meta", "not well-formed XML"),
        ("<x>" + "a" * (5 * 1024 * 1024) + "</x>", "not docgen's metadata"),
    ],
)
def test_hostile_odf_metadata_is_refused_unparsed(tmp_path: Path, meta_xml: str, says: str) -> None:
    odt = _odt(tmp_path / "form.odt", meta_xml)
    with pytest.raises(UntrustedMetadata, match=says):
        read_odf_metadata(odt)
    found = classify(odt, odt.name, [], use_qr=False)
    assert not found.classified and found.refused


# --- forms fill --odt into the archive ----------------------------------------------


def test_an_odt_of_forms_fill_is_filed_by_its_record_id_like_its_docx(
    example_office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = _office(example_office, tmp_path)
    book = load_workbook(ws / "data" / "forms" / "附件3_保密切結書.xlsx")
    sheet = book.active
    assert sheet is not None
    small = Workbook()
    target = small.active
    assert target is not None
    for row in sheet.iter_rows(max_row=3, values_only=True):  # the header and two pledges
        target.append(list(row))
    data = tmp_path / "pledges.xlsx"
    small.save(data)
    made: list[batch.Converter] = []

    class Counted(batch.Converter):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(batch, "Converter", Counted)
    out = tmp_path / "out"
    _run(ws, "forms", "fill", "3", str(data), "-d", str(out), "--pdf", "--odt")
    assert len(made) == 1, "the PDF and ODT passes share one LibreOffice"
    odts = sorted(out.glob("附件3_*.odt"))
    assert len(odts) == 2 and len(list(out.glob("附件3_*.pdf"))) == 2
    first = odts[0]
    record_id = first.stem.rsplit("_", 1)[-1]
    meta = read_office_metadata(first)
    assert meta is not None and meta.record_id == record_id and meta.form == "3"
    (manifest,) = out.glob("*_manifest_*.json")
    documents = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    entry = next(d for d in documents if d["record_id"] == record_id)
    from docgen.fsutil import sha256_file

    assert entry["odt"] == first.name and entry["odt_sha256"] == sha256_file(first)
    (manifest_csv,) = out.glob("*_manifest_*.csv")
    header = next(csv.reader(io.StringIO(manifest_csv.read_text(encoding="utf-8-sig"))))
    assert "ODT" in header and "ODT SHA-256" in header
    inbox = ws / "archive" / "inbox"
    for path in (first, first.with_suffix(".docx"), first.with_suffix(".pdf"), manifest_csv):
        shutil.copy(path, inbox / path.name)
    filed = _scan(ws)
    (odt,) = [path for path in filed if path.endswith(".odt")]
    folder = odt.removesuffix(f"/{record_id}.odt")
    assert odt == f"{folder}/{record_id}.odt" and folder.startswith("records/")
    assert {f"{folder}/{record_id}.docx", f"{folder}/{record_id}.pdf"} <= set(filed)
    # the manifest, with its ODT columns, is still a manifest: filed as ``other``
    assert len(filed) == 4 and sum(p.startswith("records/other/") for p in filed) == 1


# --- the audit: an ODS log, ODS lists, an ODS sheet back ----------------------------


@pytest.fixture
def ods_office(example_office: Path, tmp_path: Path) -> Path:
    """The example office whose October log is only ``data/queries/2026-10.ods`` (the
    XLSX saved by LibreOffice), sampled by ``audit sample --month 2026-10``."""
    ws = _office(example_office, tmp_path)
    _registry(ws)
    queries = ws / "data" / "queries"
    convert([queries / "2026-10.xlsx"], queries, ODS)
    (queries / "2026-10.xlsx").unlink()
    _run(ws, "audit", "sample", "--month", "2026-10")
    return ws


@needs_calc
def test_audit_sample_takes_the_ods_log_and_writes_the_anomaly_list_as_ods(
    ods_office: Path,
) -> None:
    ws = ods_office
    journal = (ws / ".docgen" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(next(line for line in journal if '"audit sample"' in line))
    assert [i["path"] for i in entry["inputs"]] == ["data/queries/2026-10.ods"]
    sample = load_sample(open_workspace(ws), "2026-10", UNIT)
    ods = ws / sample.documents["anomalies_ods"]
    assert ods.name == f"異常清單_2026-10_{UNIT}.ods"
    assert sample.documents["anomalies_ods"] in {o["path"] for o in entry["outputs"]}
    csv_rows = list(
        csv.reader(
            io.StringIO((ws / sample.documents["anomalies_csv"]).read_text(encoding="utf-8-sig"))
        )
    )
    rows = _rows(ods)
    assert rows == csv_rows and len(rows) == 1 + len(sample.anomalies) > 1
    when = rows[0].index("Queried at")
    assert all(re.fullmatch(r"115/10/\d\d \d\d:\d\d:\d\d", r[when]) for r in rows[1:])
    assert rows[1][rows[0].index("Detail")] == "no reason or basis for the query (R5.1)"
    meta = classify(ods, ods.name, [], use_qr=False).meta
    assert (meta.variant, meta.title) == ("anomalies", f"{UNIT} 115年10月 異常清單")
    assert meta.record_ids == [sample.documents["record_id"]]
    fonts = {
        e.get(q("style:font-name"))
        for e in part(ods, "styles.xml").iter(q("style:text-properties"))
    }
    assert "標楷體" in fonts


def _fill_sheet(sheet_path: Path, target: Path, remark: str) -> None:
    """What a supervisor does: mark every case 是, the second 否 with ``remark``."""
    book = load_workbook(sheet_path)
    sheet = book["抽查表"]
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row, 1).value is not None:
            sheet.cell(row, 7, "是")
    sheet.cell(5, 7, "否")
    sheet.cell(5, 8, remark or None)
    book.save(target)


@needs_calc
def test_results_are_read_back_from_a_sheet_saved_as_ods(ods_office: Path, tmp_path: Path) -> None:
    ws = ods_office
    sample = load_sample(open_workspace(ws), "2026-10", UNIT)
    sheet = ws / sample.documents["sheet"]
    unmarked = tmp_path / "unmarked"
    unmarked.mkdir()
    _fill_sheet(sheet, unmarked / sheet.name, "")
    (bad,) = convert([unmarked / sheet.name], unmarked, ODS)
    said = {}
    for path in (unmarked / sheet.name, bad):
        result = CliRunner().invoke(cli, ["-w", str(ws), "audit", "results", str(path)])
        assert isinstance(result.exception, ValidationFailed), result.output
        problems = result.exception.problems
        assert {p.file for p in problems} == {path.name}
        said[path.suffix] = [(p.row, p.column, p.problem) for p in problems]
    assert said[".ods"] == said[".xlsx"]  # the same rows, columns and problems
    assert said[".ods"] == [(5, "備註", "a 否 needs a 備註 explaining it")]
    filled = tmp_path / "filled"
    filled.mkdir()
    _fill_sheet(sheet, filled / sheet.name, "查無公文")
    (good,) = convert([filled / sheet.name], filled, ODS)
    _run(ws, "audit", "results", str(good))
    results = load_results(open_workspace(ws), "2026-10", UNIT)
    assert results is not None and results.sheet.path.endswith(".ods")
    assert [c.consistent for c in results.cases][:2] == ["是", "否"]
    assert results.cases[1].remark == "查無公文"
    referrals = ws / results.documents["referrals_ods"]
    rows = _rows(referrals)
    assert any(r[rows[0].index("Detail")] == "序號 2：查無公文" for r in rows[1:])
    meta = classify(referrals, referrals.name, [], use_qr=False).meta
    assert (meta.variant, meta.title) == ("referrals", f"{UNIT} 115年10月 轉介清單")


def test_a_sheet_of_an_ods_is_read_by_its_name(tmp_path: Path) -> None:
    from docgen.records.tables import OdsSheet
    from tests.odf.test_odf_read import _package, _sheet, _text

    row = "<table:table-row>{}</table:table-row>".format
    second = (
        f'<table:table table:name="docgen">{row(_text("period") + _text("2026-10"))}</table:table>'
    )
    path = _package(tmp_path / "book.ods", _sheet(row(_text("first")), second))
    named = OdsSheet(path, "docgen")
    assert list(named.rows()) == [(1, ["period", "2026-10"])] and named.found
    missing = OdsSheet(path, "抽查表")
    assert list(missing.rows()) == [] and not missing.found
    assert list(OdsSheet(path, "工作表1").rows()) == [(1, ["first"])]
