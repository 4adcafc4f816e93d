"""Forms that read at a glance (ISSUE 11 item 9), checked on their PDFs.

The example office (``docgen init --example``) fills every form with its longest
values: 附件1–6 from its ``data/forms/`` (the 附件2/附件3 row with the longest
values), the real 附件4 of a drawn sample (a month and the half-year) with the
supervisor's results — every case with an evidence file, the longest remark, an
account the registry does not know — and the half-year's 附件5 as `audit record`
fills it. All DOCX are converted in one LibreOffice run; the PDFs are read with
pypdfium2 (text and character boxes) and page 1 of each is saved as a PNG under the
test's tmp path, to look at.
"""

from __future__ import annotations

import csv
import itertools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from docgen.audit.forms import UNKNOWN_USER, case_check_data
from docgen.audit.population import ALGORITHM_TEXT, ALGORITHM_TEXT_EN
from docgen.audit.samples import Sample, load_sample
from docgen.audit.sheet import Mark
from docgen.cli.main import cli
from docgen.config import Workspace, open_workspace
from docgen.forms import BatchOptions, fill_file, fill_one
from docgen.forms.libreoffice import Converter, find_soffice

pytestmark = [
    pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed"),
    # one LibreOffice run for the module under ``--dist loadgroup``
    pytest.mark.xdist_group("forms-readable"),
]

POINTS_PER_CM = 72 / 2.54
#: A4 and the templates' 2 cm margins, in PDF points.
PAGE_WIDTH = 21.0 * POINTS_PER_CM
MARGIN = 2.0 * POINTS_PER_CM
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
#: The supervisor's longest remark in the example (scripts/demo/simulate_results.py).
LONG_REMARK = "查無對應公文，承辦人說明為私人請託"
LONG_JUSTIFICATION = (
    "北市場行字第1159999999號；115行9999；市場自治會會員資格查核；市場攤位管理；"
    "臺北市零售市場管理自治條例第9條"
)


@dataclass(frozen=True)
class Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float


@dataclass
class Page:
    text: str
    chars: list[Char]


def evidence_name(sample: Sample, no: int) -> str:
    """The evidence file a supervisor names, as the demo names it."""
    return f"查詢紀錄佐證_{sample.period}_{sample.unit}_{no}.pdf"


def _docgen(root: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["-w", str(root), *args])
    assert result.exit_code == 0, (result.output, result.exception)


def _longest_row(rows: list[list[Any]]) -> list[Any]:
    return max(rows, key=lambda row: sum(len(str(v or "")) for v in row))


def _longest_papers(workspace: Workspace, into: Path) -> dict[str, Path]:
    """One-row copies of 附件2 (CSV) and 附件3 (XLSX): the row with the longest values."""
    forms = workspace.data_dir / "forms"
    with open(forms / "附件2_權限申請表.csv", encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    applications = into / "附件2_longest.csv"
    with open(applications, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, _longest_row(rows)])
    sheet = load_workbook(forms / "附件3_保密切結書.xlsx", read_only=True).active
    assert sheet is not None
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book = Workbook()
    out = book.active
    assert out is not None
    out.append(header)
    out.append(_longest_row(rows))
    pledges = into / "附件3_longest.xlsx"
    book.save(pledges)
    return {"2": applications, "3": pledges}


def _case_check(workspace: Workspace, sample: Sample, out: Path) -> Path:
    """The completed 附件4 of ``sample``: every case 是 with an evidence file, the last 否
    with the longest remark; the first case's user unknown to the registry and its
    justification the longest the example office writes."""
    last = sample.cases[-1].no
    marks = [
        Mark(
            c.no,
            c.key,
            "否" if c.no == last else "是",
            LONG_REMARK if c.no == last else "",
            evidence_name(sample, c.no),
        )
        for c in sample.cases
    ]
    data = case_check_data(workspace, sample, marks, check_date=date(2026, 11, 5))
    data["cases"][0] |= {"user_name": UNKNOWN_USER, "justification": LONG_JUSTIFICATION}
    variant = "monthly" if sample.kind == "month" else "half"
    return fill_one(workspace, "4", variant, data, out).docx


def _pages(pdf: Path) -> list[Page]:
    """Each page's text and its visible characters (no spaces or line breaks: pdfium
    adds a space where LibreOffice spaces Latin text from Chinese), with loose boxes
    (the font's height)."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        textpage = page.get_textpage()
        chars = []
        for i in range(textpage.count_chars()):
            text = textpage.get_text_range(i, 1)
            if text.strip():
                chars.append(Char(text, *textpage.get_charbox(i, loose=True)))
        pages.append(Page(textpage.get_text_range(), chars))
    return pages


def _png(pdf: Path, target: Path) -> Path:
    """Page 1 of ``pdf`` at 60 dpi (the artifact to look at)."""
    document = pdfium.PdfDocument(pdf)
    document[0].render(scale=60 / 72).to_pil().save(target)
    return target


@dataclass
class Readable:
    pdfs: dict[str, Path]
    pngs: dict[str, Path]
    samples: dict[str, Sample]

    def pages(self, name: str) -> list[Page]:
        return _pages(self.pdfs[name])

    def text(self, name: str) -> str:
        return "".join(p.text for p in self.pages(name))


@pytest.fixture(scope="module")
def readable(tmp_path_factory: pytest.TempPathFactory) -> Readable:
    base = tmp_path_factory.mktemp("readable")
    root = base / "office"
    result = CliRunner().invoke(cli, ["init", str(root), "--example"])
    assert result.exit_code == 0, result.output
    _docgen(root, "audit", "sample", "--month", "2026-10")
    _docgen(root, "audit", "sample", "--half", "2026-H2", "--partial")
    _docgen(root, "audit", "record", "--half", "2026-H2", "--as-of", "2026-11-30")
    workspace = open_workspace(root, environ={})
    docx = base / "docx"
    sources: dict[str, Path] = {}
    forms = workspace.data_dir / "forms"
    papers = _longest_papers(workspace, base)
    for key, form, variant, data in [
        ("附件1", "1", None, forms / "附件1_戶政機關資料交換安全約定.yaml"),
        ("附件2", "2", None, papers["2"]),
        ("附件3", "3", None, papers["3"]),
        ("附件4_月抽查_範例", "4", "monthly", forms / "附件4_月抽查.yaml"),
        ("附件5_範例", "5", None, forms / "附件5_稽核紀錄表.yaml"),
        ("附件6", "6", None, forms / "附件6_外部稽核紀錄表.json"),
    ]:
        filled = fill_file(workspace, form, variant, data, docx, BatchOptions(manifest=False))
        sources[key] = filled.documents[0].docx
    month = load_sample(workspace, "2026-10", "市場行政科")
    half = load_sample(workspace, "2026-H2", "全處")
    sources["附件4_月抽查"] = _case_check(workspace, month, docx)
    sources["附件4_半年抽查"] = _case_check(workspace, half, docx)
    (record,) = (root / "out" / "audit" / "2026-H2").glob("附件5_*.docx")
    sources["附件5"] = record
    pdf_dir = base / "pdf"
    with Converter(timeout=120) as converter:
        converted = converter.convert(list(sources.values()), pdf_dir)
    assert not converted.failed, converted.failed
    pdfs = {key: converted.written[path] for key, path in sources.items()}
    pngs = {key: _png(pdf, base / f"{key}.png") for key, pdf in pdfs.items()}
    return Readable(pdfs, pngs, {"附件4_月抽查": month, "附件4_半年抽查": half})


CASE_CHECKS = ["附件4_月抽查", "附件4_半年抽查"]
ALL_FORMS = [
    *("附件1", "附件2", "附件3", "附件4_月抽查_範例", "附件4_月抽查", "附件4_半年抽查"),
    *("附件5_範例", "附件5", "附件6"),
]


def _find(chars: list[Char], text: str, start: int = 0) -> Iterator[int]:
    """Indexes of ``text`` (without spaces) in ``chars`` (from ``start``)."""
    joined = "".join(c.text for c in chars)
    at = joined.find(text, start)
    while at >= 0:
        yield at
        at = joined.find(text, at + 1)


def _one_line(chars: list[Char], at: int, length: int) -> bool:
    """Whether ``length`` characters from ``at`` sit on one line (one baseline)."""
    span = chars[at : at + length]
    return max(c.bottom for c in span) - min(c.bottom for c in span) < 3.0


def _cjk(text: str) -> bool:
    return len(text) == 1 and unicodedata.east_asian_width(text) in "WF" and text.isalpha()


def _lines(chars: list[Char]) -> list[list[Char]]:
    """The characters by line (baselines within 3 pt: Latin and Chinese glyphs of one
    line sit a little apart), each line left to right."""
    lines: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c.bottom):
        if lines and char.bottom - lines[-1][0].bottom < 3.0:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c.left) for line in lines]


def _segments(chars: list[Char]) -> list[list[Char]]:
    """Runs of characters on one line without a gap wider than a character: the
    pieces of one line of one table cell."""
    runs: list[list[Char]] = []
    for line in _lines(chars):
        runs.append([line[0]])
        for char in line[1:]:
            if char.left - runs[-1][-1].right < char.top - char.bottom:
                runs[-1].append(char)
            else:
                runs.append([char])
    return runs


@pytest.mark.parametrize("name", CASE_CHECKS)
def test_case_check_has_no_algorithm_explanation(readable: Readable, name: str) -> None:
    text = readable.text(name)
    for gone in ("SHAKE256", "大端序", "重新抽出相同樣本", ALGORITHM_TEXT[:30]):
        assert gone not in text, gone
    assert ALGORITHM_TEXT_EN[:30] not in text
    assert "docgen-rank-v2" in text  # the algorithm by its name only


@pytest.mark.parametrize("name", CASE_CHECKS)
def test_seed_and_population_hash_are_one_short_line(readable: Readable, name: str) -> None:
    sample = readable.samples[name]
    chars = readable.pages(name)[0].chars
    (seed,) = _find(chars, sample.seed)
    (digest,) = _find(chars, sample.population_sha256[:16])
    assert _one_line(chars, seed, len(sample.seed))
    assert abs(chars[seed].bottom - chars[digest].bottom) < 3.0, "seed and hash on one line"
    shown = "".join(c.text for page in readable.pages(name) for c in page.chars)
    assert sample.population_sha256 not in shown  # the journal has it in full


def _adjacent(chars: list[Char], at: int, length: int) -> bool:
    """Whether ``length`` characters from ``at`` are written side by side on one line
    (not the end of one cell and the start of the next row)."""
    if at + length > len(chars):
        return False
    span = chars[at : at + length]
    return all(
        abs(b.bottom - a.bottom) < 3.0 and -1.0 <= b.left - a.right < 4.0
        for a, b in itertools.pairwise(span)
    )


@pytest.mark.parametrize("name", CASE_CHECKS)
def test_evidence_is_a_label_and_its_files_follow_the_table(readable: Readable, name: str) -> None:
    sample = readable.samples[name]
    chars = [c for page in readable.pages(name) for c in page.chars]
    joined = "".join(c.text for c in chars)
    last_row_end = 0
    for case in sample.cases:
        label = f"佐證{case.no}"
        listed = f"{label}：{evidence_name(sample, case.no)}"
        in_table = [
            i
            for i in _find(chars, label)
            if not joined.startswith(f"{label}：", i)
            and _adjacent(chars, i, len(label))
            and not _adjacent(chars, i + len(label) - 1, 2)  # not 佐證1 of 佐證12
        ]
        assert len(in_table) == 1, f"{label} is not in the table on one line"
        last_row_end = max(last_row_end, *in_table)
        assert joined.count(listed) == 1, listed
    first_listed = joined.find(f"佐證{sample.cases[0].no}：")
    assert first_listed > last_row_end, "the files are listed after the table"
    assert f"佐證：{evidence_name(sample, sample.cases[0].no)}" not in joined  # not in 備註


@pytest.mark.parametrize("name", CASE_CHECKS)
def test_case_table_spans_the_text_width(readable: Readable, name: str) -> None:
    chars = readable.pages(name)[0].chars
    (first,) = _find(chars, "序號")
    (last,) = [i for i in _find(chars, "備註") if chars[i].bottom > chars[first].bottom - 20]
    span = chars[last + 1].right - chars[first].left
    assert span >= 0.8 * TEXT_WIDTH, f"the case table's headers span {span:.0f} pt"
    assert _one_line(chars, first, 2), "序號 wraps"


@pytest.mark.parametrize("name", ALL_FORMS)
def test_nothing_wraps_one_character_per_line_or_overflows(readable: Readable, name: str) -> None:
    assert readable.pngs[name].stat().st_size > 0
    for number, page in enumerate(readable.pages(name), start=1):
        singles = [s[0] for s in _segments(page.chars) if len(s) == 1 and _cjk(s[0].text)]
        stacked = [
            (a.text, b.text)
            for a in singles
            for b in singles
            if abs(a.left - b.left) < 2.0 and 0 < a.bottom - b.bottom < 2.2 * (a.top - a.bottom)
        ]
        assert not stacked, f"{name} page {number}: one character per line: {stacked}"
        outside = [
            c.text
            for c in page.chars
            if c.text.strip() and (c.left < MARGIN - 2 or c.right > PAGE_WIDTH - MARGIN + 2)
        ]
        assert not outside, f"{name} page {number}: text outside the margins: {outside}"
