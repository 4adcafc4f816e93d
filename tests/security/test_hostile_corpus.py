"""The hostile corpus through every reader and writer (ISSUE 9, Done when).

Each case runs the real ``docgen`` in a child process on the example office with one
hostile file, and asserts: a non-zero exit, one ``Error:`` line naming the file, no
traceback, nothing written outside the folders the command may write (and, for a
refusal, nothing written at all outside the state folder), and memory bounded — the
child's peak resident size stays far below what parsing a bomb would take.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.cli import Done, run_docgen
from tests.security import corpus

#: A child that parsed a 1.2 GB bomb would pass this by far; docgen itself needs 60–80 MB.
PEAK_MB = 200
STATE = ".docgen"


def docgen(workspace: Path, *args: str) -> Done:
    """``docgen -w WORKSPACE ARGS…`` in a child (memory capped; its own peak measured)."""
    return run_docgen(["-w", str(workspace), *args], cwd=workspace, timeout=300)


#: How deep the office lies in its test's folder: a path that climbs out of the office
#: with up to this many ``..`` lands where :func:`tree` still looks.
DEPTH = 4


def tree(office: Path) -> dict[str, tuple[int, int]]:
    """Every file in the folder the office lies ``DEPTH`` levels below, but the office's
    state folder: (size, mtime_ns) by path relative to the office."""
    found = {}
    top = office.parents[DEPTH - 1]
    for path in top.rglob("*"):
        relative = os.path.relpath(path, office).replace(os.sep, "/")
        if relative.split("/")[0] == STATE or not path.is_file():
            continue
        st = path.lstat()
        found[relative] = (st.st_size, st.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("security") / "office"
    subprocess.run(
        [sys.executable, "-m", "docgen", "init", str(root), "--example"],
        check=True,
        capture_output=True,
    )
    return root


@pytest.fixture
def office(example: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the example office for one case, ``DEPTH`` folders down."""
    root = tmp_path.joinpath(*["deep"] * (DEPTH - 1), "office")
    shutil.copytree(example, root, symlinks=True)
    yield root


def assert_refused(run: Done, name: str) -> None:
    """Non-zero, no traceback, one ``Error:`` line and it names the file."""
    assert run.code != 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, run.stderr
    assert name in errors[0], run.stderr
    assert run.peak_mb < PEAK_MB, f"peak {run.peak_mb:.0f} MB"


def refused_and_untouched(office: Path, name: str, *args: str) -> Done:
    before = tree(office)
    run = docgen(office, *args)
    assert_refused(run, name)
    assert tree(office) == before, "a refused command wrote or changed files"
    return run


# --- query logs: queries check, audit sample ---------------------------------------

LOGS = {**corpus.WORKBOOKS, **corpus.CSV_LOGS}


@pytest.mark.parametrize("name", sorted(LOGS))
def test_queries_check_refuses(office: Path, name: str) -> None:
    path = LOGS[name](_hostile(office, name))
    refused_and_untouched(office, name, "queries", "check", str(path))


@pytest.mark.parametrize("name", sorted(corpus.WORKBOOKS))
def test_audit_sample_refuses(office: Path, name: str) -> None:
    path = corpus.WORKBOOKS[name](_hostile(office, name))
    refused_and_untouched(
        office, name, "audit", "sample", "--month", "2026-10", "--queries", str(path)
    )


def test_audit_sample_refuses_a_unit_that_climbs_out(office: Path) -> None:
    """A unit name comes from the log (or the registry): it never becomes a path."""
    log = corpus.log_with_unit(_hostile(office, "units.csv"), "../../../../../PWNED")
    run = docgen(office, "audit", "sample", "--month", "2026-10", "--queries", str(log))
    assert run.code != 0 and "Traceback" not in run.stderr, run.stderr
    written = [p for p in tree(office) if "PWNED" in p]
    assert written == [], written


# --- supervisors' sheets: audit results --------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus.WORKBOOKS))
def test_audit_results_refuses(office: Path, name: str) -> None:
    path = corpus.WORKBOOKS[name](_hostile(office, f"抽查表_2026-10_企劃室_{name}"))
    refused_and_untouched(office, path.name, "audit", "results", str(path))


# --- templates: forms check, forms fill --------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus.TEMPLATES))
def test_forms_check_refuses(office: Path, name: str) -> None:
    path = corpus.TEMPLATES[name](_hostile(office, name))
    refused_and_untouched(office, name, "forms", "check", "2", str(path))


@pytest.mark.parametrize("name", sorted(corpus.TEMPLATES))
def test_forms_fill_refuses(office: Path, name: str) -> None:
    path = corpus.TEMPLATES[name](_hostile(office, name))
    data = office / "data" / "forms" / "附件2_權限申請表.csv"
    out = office / "out" / "forms"
    refused_and_untouched(
        office, name, "forms", "fill", "2", str(data), "-d", str(out), "--template", str(path)
    )
    assert not out.exists(), "fill left an output folder behind"


DATA = {**corpus.WORKBOOKS, **corpus.FORM_DATA}


@pytest.mark.parametrize("name", sorted(DATA))
def test_forms_fill_refuses_hostile_data(office: Path, name: str) -> None:
    path = DATA[name](_hostile(office, name))
    out = office / "out" / "forms"
    refused_and_untouched(office, name, "forms", "fill", "3", str(path), "-d", str(out))
    assert not out.exists(), "fill left an output folder behind"


# --- package build ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus.PACKAGE_INPUTS))
def test_package_build_refuses(office: Path, name: str) -> None:
    path = corpus.PACKAGE_INPUTS[name](_hostile(office, name))
    out = office / "out" / "packages" / "p.pdf"
    refused_and_untouched(
        office, name, "package", "build", "--month", "2026-10", "--unit", "企劃室",
        "--document", f"附件4 案件抽查表={path}", "-o", str(out),
    )  # fmt: skip


def test_package_build_strips_javascript_and_says_so(office: Path) -> None:
    import pikepdf

    path = corpus.pdf_with_javascript(_hostile(office, "script.pdf"))
    out = office / "out" / "p.pdf"
    run = docgen(
        office, "package", "build", "--month", "2026-10", "--unit", "企劃室",
        "--category", "monthly_check", "--document", f"附件4 案件抽查表={path}", "-o", str(out),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert "script.pdf" in run.stdout + run.stderr and "JavaScript" in run.stdout + run.stderr
    with pikepdf.open(out) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                assert obj.get("/S") != pikepdf.Name.JavaScript and "/JS" not in obj
                assert "/OpenAction" not in obj and "/AA" not in obj


# --- the archive inbox: archive scan ------------------------------------------------


@pytest.mark.parametrize("name", sorted(corpus.INBOX_FILES))
def test_archive_scan_contains_hostile_metadata(office: Path, name: str) -> None:
    inbox = office / "archive" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    corpus.INBOX_FILES[name](inbox / name)
    before = tree(office)
    run = docgen(office, "archive", "scan")
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code != 0, run.stdout + run.stderr
    assert name in run.stdout + run.stderr
    assert run.peak_mb < PEAK_MB
    changed = {p for p, st in tree(office).items() if before.get(p) != st} | (
        set(before) - set(tree(office))
    )
    outside = {p for p in changed if not p.startswith("archive/")}  # ../ included
    assert not outside, f"written outside the archive: {sorted(outside)}"


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_archive_scan_takes_regular_files_only(office: Path, tmp_path: Path, kind: str) -> None:
    inbox = office / "archive" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the archive", encoding="utf-8")
    entry = inbox / f"{kind}.pdf"
    if kind == "symlink":
        entry.symlink_to(secret)
    else:
        os.mkfifo(entry)
    run = docgen(office, "archive", "scan")
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code != 0 and entry.name in run.stdout + run.stderr
    assert entry.is_symlink() or entry.is_fifo()  # left alone
    records = office / "archive" / "records"
    filed = [p for p in records.rglob("*") if p.is_file()] if records.exists() else []
    assert all(b"not for the archive" not in p.read_bytes() for p in filed)


# --- helpers ------------------------------------------------------------------------


def _hostile(office: Path, name: str) -> Path:
    """Where a case's hostile file goes: a folder of the office no command writes to."""
    (office / "hostile").mkdir(exist_ok=True)
    return office / "hostile" / name
