"""Bad input: clear errors naming the file, nothing half-written; damaged PDFs
repaired with a note where qpdf can, passwords asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from docgen.errors import ExitCode
from docgen.packages.structure import read_page_labels


def _build(docgen, tmp_path: Path, *files: Path, extra: tuple[str, ...] = ()):
    out = tmp_path / "out" / "p.pdf"
    args = [a for f in files for a in ("--document", f"附件4={f}")]
    run = docgen("package", "build", *args, "--month", "2026-10", "--category",
                 "monthly_check", *extra, "-o", out)  # fmt: skip
    return run, out


def _nothing_written(out: Path) -> bool:
    return not out.parent.exists() or list(out.parent.iterdir()) == []


def _encrypted(make, name: str) -> Path:
    plain = make.text_pdf(f"plain-{name}", "Secret", pages=2)
    target = make.path(name)
    with pikepdf.open(plain) as pdf:
        pdf.save(target, encryption=pikepdf.Encryption(user="s3cret", owner="owner"))
    return target


def test_a_password_protected_pdf_asks_for_password(make, docgen, tmp_path) -> None:
    locked = _encrypted(make, "locked.pdf")
    run, out = _build(docgen, tmp_path, locked)
    assert run.exit_code == ExitCode.INPUT
    assert str(locked) in run.error
    assert "--password" in run.error
    assert _nothing_written(out)


def test_with_the_password_the_pdf_is_merged_decrypted(make, docgen, tmp_path) -> None:
    locked = _encrypted(make, "locked.pdf")
    run, out = _build(docgen, tmp_path, locked, extra=("--password", "wrong", "--password",
                                                       "s3cret"))  # fmt: skip
    assert run.exit_code == 0, run.error
    with pikepdf.open(out) as pdf:
        assert not pdf.is_encrypted
        assert read_page_labels(pdf) == ["附件4-1", "附件4-2"]


def test_a_wrong_password_is_named(make, docgen, tmp_path) -> None:
    locked = _encrypted(make, "locked.pdf")
    run, _out = _build(docgen, tmp_path, locked, extra=("--password", "nope"))
    assert run.exit_code == ExitCode.INPUT
    assert "the passwords given do not open it" in run.error


def test_a_truncated_pdf_is_repaired_with_a_note(make, docgen, tmp_path) -> None:
    whole = make.text_pdf("whole.pdf", "Whole", pages=3).read_bytes()
    cut = make.path("cut.pdf")
    cut.write_bytes(whole[: whole.rindex(b"xref")])  # no cross-reference table, no trailer
    run, out = _build(docgen, tmp_path, cut)
    assert run.exit_code == 0, run.error
    assert "cut.pdf: damaged PDF repaired" in run.output
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 3


def test_a_pdf_beyond_repair_is_an_error_naming_it(make, docgen, tmp_path) -> None:
    broken = make.path("broken.pdf")
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    run, out = _build(docgen, tmp_path, broken)
    assert run.exit_code == ExitCode.INPUT
    assert str(broken) in run.error
    assert _nothing_written(out)


def test_a_zero_byte_file(make, docgen, tmp_path) -> None:
    empty = make.path("empty.pdf")
    empty.write_bytes(b"")
    run, out = _build(docgen, tmp_path, empty)
    assert run.error == f"{empty}: the file is empty (0 bytes)"
    assert _nothing_written(out)


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        (
            "scan.jpg",
            b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
            "the name says JPEG but the content is PNG",
        ),
        ("form.pdf", b"\xff\xd8\xff\xe0" + b"\0" * 64, "the name says PDF but the content is JPEG"),
        ("scan.png", b"hello, not an image", "the name says PNG but the content is not a known"),
        ("notes.docx", b"PK\x03\x04", "not a PDF, JPEG, PNG or TIFF file"),
    ],
)
def test_content_must_match_the_extension(make, docgen, tmp_path, name, content, said) -> None:
    wrong = make.path(name)
    wrong.write_bytes(content)
    run, out = _build(docgen, tmp_path, wrong)
    assert run.exit_code == ExitCode.INPUT
    assert run.error.startswith(f"{wrong}: ")
    assert said in run.error
    assert _nothing_written(out)


def test_a_missing_file(make, docgen, tmp_path) -> None:
    run, _out = _build(docgen, tmp_path, make.path("nowhere.pdf"))
    assert run.error.endswith("nowhere.pdf: no such file")


def test_every_bad_input_is_listed_before_anything_is_written(make, docgen, tmp_path) -> None:
    good = make.jpeg("good.jpg")
    empty = make.path("empty.png")
    empty.write_bytes(b"")
    undated = make.jpeg("undated.jpg", dpi=None)
    run, out = _build(docgen, tmp_path, good, empty, undated)
    assert run.error.startswith("2 input files cannot be used:")
    assert "empty.png: the file is empty" in run.error
    assert "undated.jpg: the image has no resolution" in run.error
    assert _nothing_written(out)
    assert not (docgen.workspace / ".docgen" / "journal.jsonl").exists()


def test_an_existing_package_is_untouched_when_a_build_fails(make, docgen, tmp_path) -> None:
    run, out = _build(docgen, tmp_path, make.jpeg("good.jpg"))
    assert run.exit_code == 0
    before = out.read_bytes()
    broken = make.path("broken.pdf")
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(500))
    again, _ = _build(docgen, tmp_path, make.jpeg("other.jpg", seed=7), broken)
    assert again.exit_code == ExitCode.INPUT
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["p.pdf", "p.pdf.manifest.json"]


def test_the_command_line_prints_one_line_and_no_traceback(make, tmp_path) -> None:
    empty = make.path("empty.jpg")
    empty.write_bytes(b"")
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")  # -w names a workspace
    # none of the workspace's settings, but the tests' language (DOCGEN_LANG: English)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env["DOCGEN_LANG"] = "en"
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "-w", str(tmp_path), "package", "build",
         "--document", f"附件4={empty}", "-o", str(tmp_path / "p.pdf")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == ExitCode.INPUT
    assert done.stderr == f"Error: {empty}: the file is empty (0 bytes)\n"


def test_a_truncated_image_is_an_error_naming_it(make, docgen, tmp_path) -> None:
    whole = make.jpeg("whole.jpg").read_bytes()
    cut = make.path("cut.jpg")
    cut.write_bytes(whole[: len(whole) // 2])
    run, out = _build(docgen, tmp_path, cut)
    assert run.exit_code == ExitCode.INPUT
    assert run.error.startswith(f"{cut}: not a readable image")
    assert _nothing_written(out)
