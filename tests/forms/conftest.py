"""Shared fixtures of the forms tests: the example data, a workspace, and every form
and variant rendered once (DOCX) and converted to PDF in one LibreOffice run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document

from docgen.config import Workspace, open_workspace
from docgen.forms import BatchOptions, GeneratedDocument, fill_file
from docgen.forms.pdf import add_pdfs

EXAMPLE = Path(__file__).resolve().parents[2] / "docgen" / "data" / "example" / "forms"

#: (form, variant, example data file) for every form and variant.
CASES = [
    ("1", None, "附件1_戶政機關資料交換安全約定.yaml"),
    ("2", None, "附件2_權限申請表.csv"),
    ("3", None, "附件3_保密切結書.xlsx"),
    ("4", "monthly", "附件4_月抽查.yaml"),
    ("4", "half", "附件4_半年抽查.yaml"),
    ("5", None, "附件5_稽核紀錄表.yaml"),
    ("6", None, "附件6_外部稽核紀錄表.json"),
]


@dataclass
class Rendered:
    """Everything the session fixture produced."""

    out_dir: Path
    by_case: dict[tuple[str, str | None], list[GeneratedDocument]]
    manifests: list[Path]

    @property
    def documents(self) -> list[GeneratedDocument]:
        return [d for docs in self.by_case.values() for d in docs]


@pytest.fixture
def ws_workspace(tmp_path: Path) -> Path:
    """``tmp_path / "ws"`` made a workspace, for the CLI tests that name it with ``-w``:
    a folder named must hold a docgen.toml (ISSUE 11 item 4)."""
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    (ws / "docgen.toml").write_text("", encoding="utf-8")
    return ws


def _no_progress(items, total, label):  # type: ignore[no-untyped-def]
    return items


@pytest.fixture
def forms_workspace(tmp_path: Path) -> Workspace:
    return open_workspace(tmp_path / "ws", environ={})


@pytest.fixture(scope="session")
def rendered_forms(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """All forms and variants filled from the example data; PDFs in one soffice run."""
    root = tmp_path_factory.mktemp("forms-session")
    workspace = open_workspace(root / "ws", environ={})
    out = root / "out"
    by_case, manifests = {}, []
    for form, variant, name in CASES:
        result = fill_file(workspace, form, variant, EXAMPLE / name, out, BatchOptions())
        by_case[(form, variant)] = result.documents
        manifests += result.manifest
    documents = [d for docs in by_case.values() for d in docs]
    add_pdfs(documents, out, _no_progress, timeout=120)
    return Rendered(out, by_case, manifests)


def docx_text(path: Path) -> str:
    """All paragraph and table text of a DOCX, via python-docx."""
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def make_template(path: Path, *paragraphs: str) -> Path:
    """A minimal DOCX template with one paragraph per argument."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


@pytest.fixture(name="docx_text")
def _docx_text_fixture():  # type: ignore[no-untyped-def]
    return docx_text


@pytest.fixture(name="make_template")
def _make_template_fixture():  # type: ignore[no-untyped-def]
    return make_template


@pytest.fixture(name="example_dir")
def _example_dir_fixture() -> Path:
    return EXAMPLE
