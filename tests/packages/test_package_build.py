"""docgen package build: outline, page labels, metadata, manifest and journal of a
package built from real files (a generated form, scans, evidence)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
import qrcode
from PIL import Image

from docgen.fsutil import sha256_file
from docgen.journal import Journal
from docgen.metadata import RecordMetadata, read_pdf_metadata
from docgen.packages.merge import MergeInput, merge_arguments
from docgen.packages.structure import read_outline, read_page_labels
from docgen.privacy import find_unmasked_ids

FORM_META = RecordMetadata(
    record_id="DG-4M-202610-1A2B3C4D",
    form="4",
    variant="monthly",
    period="2026-10",
    unit="企劃室",
    category="monthly_check",
)


@pytest.fixture
def built(make, docgen, tmp_path: Path):
    """A package: 附件4 (2-page form + JPEG scan page) with two pieces of evidence,
    then 附件5 (a 3-page TIFF scan)."""
    form = make.text_pdf("附件4.pdf", "Form 4", pages=2, meta=FORM_META)
    scan = make.jpeg("附件4-簽名頁.jpg")
    log = make.text_pdf("查詢紀錄.pdf", "Query log", pages=3)
    photo = make.image("公文.png", make.noise(), "PNG", dpi=(300, 300))
    frames = [make.noise(seed=s) for s in (3, 4, 5)]
    tiff = make.image("附件5.tif", frames[0], "TIFF", dpi=(300, 300), save_all=True,
                      append_images=frames[1:], compression="tiff_lzw")  # fmt: skip
    out = tmp_path / "out" / "package.pdf"
    run = docgen(
        "package", "build",
        "--document", f"附件4 案件抽查表={form}", "--document", f"附件4 案件抽查表={scan}",
        "--evidence", f"附件4 案件抽查表=佐證1 查詢紀錄={log}",
        "--evidence", f"附件4 案件抽查表=佐證2 公文={photo}",
        "--document", f"附件5 稽核紀錄表={tiff}",
        "--review-date", "115/11/05", "-o", out,
    )  # fmt: skip
    assert run.exit_code == 0, run.error or run.output
    return out, [form, scan, log, photo, tiff], run


def test_outline_nests_evidence_under_its_form(built) -> None:
    out, _inputs, _run = built
    with pikepdf.open(out) as pdf:
        marks = [(b.level, b.title, b.page) for b in read_outline(pdf)]
    assert marks == [
        (0, "附件4 案件抽查表", 1),
        (1, "佐證1 查詢紀錄", 4),
        (1, "佐證2 公文", 7),
        (0, "附件5 稽核紀錄表", 8),
    ]


def test_page_labels_match_the_bookmarks(built) -> None:
    out, _inputs, _run = built
    with pikepdf.open(out) as pdf:
        labels = read_page_labels(pdf)
    assert labels == [
        "附件4-1", "附件4-2", "附件4-3", "佐證1-1", "佐證1-2", "佐證1-3", "佐證2-1",
        "附件5-1", "附件5-2", "附件5-3",
    ]  # fmt: skip


def test_metadata_carries_the_retention_tag_from_the_inputs(built) -> None:
    out, _inputs, _run = built
    meta = read_pdf_metadata(out)
    assert meta is not None
    assert meta.category == "monthly_check"
    assert (meta.period, meta.unit) == ("2026-10", "企劃室")
    assert meta.review_date == "2026-11-05"
    assert meta.trigger == "2026-11-05"  # the director's review, given as an ROC date
    assert meta.record_ids == ["DG-4M-202610-1A2B3C4D"]
    assert meta.title == "企劃室 115年10月 月抽查卷宗"
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Title"]) == meta.title
        assert "DG-4M-202610-1A2B3C4D" in str(pdf.docinfo["/Keywords"])


def test_manifest_lists_every_input_with_hash_and_pages(built) -> None:
    out, inputs, _run = built
    manifest = json.loads((out.parent / "package.pdf.manifest.json").read_text("utf-8"))
    assert manifest["output"]["sha256"] == sha256_file(out)
    assert manifest["output"]["size"] == out.stat().st_size
    assert manifest["output"]["pages"] == 10
    rows = [(Path(i["path"]).name, i["sha256"], i["size"], i["pages"]) for i in manifest["inputs"]]
    expected_pages = [[1, 2], [3, 3], [4, 6], [7, 7], [8, 10]]
    assert rows == [
        (p.name, sha256_file(p), p.stat().st_size, pages)
        for p, pages in zip(inputs, expected_pages, strict=True)
    ]
    assert [i["role"] for i in manifest["inputs"]][2:4] == ["evidence", "evidence"]
    assert manifest["inputs"][2]["parent"] == "附件4 案件抽查表"
    assert manifest["metadata"]["category"] == "monthly_check"


def test_the_journal_records_the_build_with_all_hashes(built, docgen) -> None:
    out, inputs, _run = built
    journal = Journal(docgen.workspace / ".docgen" / "journal.jsonl")
    entry = journal.entries()[-1]
    assert entry["command"] == "package build"
    assert [i["sha256"] for i in entry["inputs"]] == [sha256_file(p) for p in inputs]
    assert entry["outputs"][0]["sha256"] == sha256_file(out)
    assert entry["details"]["metadata"]["category"] == "monthly_check"
    journal.verify()


def test_no_work_files_are_left_beside_the_output(built) -> None:
    out, _inputs, _run = built
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "package.pdf",
        "package.pdf.manifest.json",
    ]


def test_build_from_a_manifest_yaml(make, docgen, tmp_path: Path) -> None:
    make.text_pdf("form.pdf", "Form", pages=1)
    make.jpeg("ev.jpg")
    spec = make.path("package.yaml")
    spec.write_text(
        "title: 測試卷宗\nperiod: 2026-H1\nunit: 全處\ncategory: half_year_audit\n"
        "documents:\n"
        "  - title: 附件5 稽核紀錄表\n    label: A5\n    file: form.pdf\n"
        "    evidence:\n      - title: 佐證 照片\n        files: [ev.jpg, ev.jpg]\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.pdf"
    run = docgen("package", "build", "--manifest", spec, "-o", out)
    assert run.exit_code == 0, run.error
    with pikepdf.open(out) as pdf:
        assert read_page_labels(pdf) == ["A5-1", "佐證-1", "佐證-2"]
    meta = read_pdf_metadata(out)
    assert meta is not None
    assert (meta.title, meta.period, meta.trigger) == ("測試卷宗", "2026-H1", "2026-06-30")


def test_category_is_required_when_no_input_names_one(make, docgen, tmp_path: Path) -> None:
    scan = make.jpeg("scan.jpg")
    run = docgen("package", "build", "--document", f"附件4={scan}", "--month", "2026-10",
                 "-o", tmp_path / "p.pdf")  # fmt: skip
    assert run.exit_code != 0
    assert "--category" in run.error
    assert not (tmp_path / "p.pdf").exists()


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ("佐證=x.pdf", "name the form it supports"),
        ("附件9=佐證=x.pdf", "no --document titled '附件9'"),
        ("just-a-path.pdf", "FORM=TITLE=PATH"),
    ],
)
def test_evidence_options_are_checked(make, docgen, tmp_path, evidence, message) -> None:
    a, b = make.jpeg("a.jpg"), make.jpeg("b.jpg")
    run = docgen("package", "build", "--document", f"附件4={a}", "--document", f"附件5={b}",
                 "--evidence", evidence, "-o", tmp_path / "p.pdf")  # fmt: skip
    assert run.exit_code != 0
    assert message in run.error


def test_merge_goes_through_qpdf_pages_not_a_python_page_copy(tmp_path: Path) -> None:
    args = merge_arguments([MergeInput(tmp_path / "a.pdf"), MergeInput(tmp_path / "b.pdf", "pw")],
                           tmp_path / "out.pdf")  # fmt: skip
    assert args[:2] == ["qpdf", "--empty"]
    assert args[args.index("--pages") + 1 :] == [
        str(tmp_path / "a.pdf"), "1-z", str(tmp_path / "b.pdf"), "--password=pw", "1-z",
        "--", str(tmp_path / "out.pdf"),
    ]  # fmt: skip


def test_the_package_is_a_well_formed_pdf_for_other_readers(built) -> None:
    """The navigation is an incremental update after qpdf's pages: qpdf and pypdf
    (strict) read it without complaint and see the same outline and labels."""
    out, _inputs, _run = built
    check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout
    reader = pypdf.PdfReader(out, strict=True)
    assert reader.page_labels[:4] == ["附件4-1", "附件4-2", "附件4-3", "佐證1-1"]
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["附件4 案件抽查表", "附件5 稽核紀錄表"]
    assert out.read_bytes().count(b"%%EOF") == 2  # qpdf's merge, then our update


def _qr_scan(make, name: str, record_id: str) -> Path:
    """A white 300-dpi page with the record's QR code, as a signed form is scanned."""
    page = Image.new("RGB", (900, 1200), "white")
    page.paste(qrcode.make(record_id).get_image().convert("RGB").resize((300, 300)), (560, 40))
    return make.image(name, page, "JPEG", dpi=(300, 300), quality=90)


def test_record_ids_are_read_from_the_qr_codes_of_scanned_forms(make, docgen, tmp_path) -> None:
    form = _qr_scan(make, "附件4-簽核.jpg", "DG-4H-2026H1-0A1B2C3D")
    other = _qr_scan(make, "佐證.jpg", "DG-2-20250106-5905E743")
    out = tmp_path / "p.pdf"
    run = docgen("package", "build", "--document", f"附件4={form}", "--evidence", f"佐證={other}",
                 "--unit", "全處", "-o", out)  # fmt: skip
    assert run.exit_code == 0, run.error
    meta = read_pdf_metadata(out)
    assert meta is not None
    assert (meta.category, meta.period, meta.trigger) == (
        "half_year_audit",
        "2026-H1",
        "2026-06-30",
    )
    assert meta.record_ids == ["DG-4H-2026H1-0A1B2C3D"]  # evidence is not read for codes


def test_national_ids_in_titles_are_masked(make, docgen, tmp_path) -> None:
    scan, log = make.jpeg("scan.jpg"), make.jpeg("log.jpg", seed=3)
    out = tmp_path / "p.pdf"
    run = docgen("package", "build", "--document", f"附件2 A123456789={scan}",
                 "--evidence", f"附件2 A123456789=佐證 A123456789 查詢={log}",
                 "--month", "2026-10", "--category", "other", "-o", out)  # fmt: skip
    assert run.exit_code == 0, run.error
    with pikepdf.open(out) as pdf:
        titles = [b.title for b in read_outline(pdf)]
    assert titles == ["附件2 A12345****", "佐證 A12345**** 查詢"]
    assert find_unmasked_ids(out.with_name("p.pdf.manifest.json").read_text("utf-8")) == []
