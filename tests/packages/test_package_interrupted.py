"""A package build that is killed or fails leaves nothing in the output folder
(ISSUE 9 item 2): its work happens in the system's temporary directory, and only the
finished package is moved into place."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from docgen.errors import ExitCode
from docgen.packages import BuildOptions, PackageSpec, Part, build_package
from docgen.packages.spec import DOCUMENT, EVIDENCE
from docgen.packages.workdir import PREFIX, work_folder


def _command(workspace: Path, out: Path, documents: list[Path], evidence: list[Path]) -> list[str]:
    args = [sys.executable, "-m", "docgen", "-w", str(workspace), "package", "build"]
    args += [a for d in documents for a in ("--document", f"附件4={d}")]
    args += [a for e in evidence for a in ("--evidence", f"佐證={e}")]
    return [*args, "--month", "2026-10", "--category", "other", "-o", str(out)]


def _env(tmpdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    return env | {"TMPDIR": str(tmpdir)}


def _work_started(tmpdir: Path, out_folder: Path, before: set[str]) -> bool:
    """A work folder with a file in it, in the temporary directory or (before ISSUE 9)
    beside the output."""
    if {p.name for p in out_folder.iterdir()} - before:
        return True
    return any(any(folder.iterdir()) for folder in tmpdir.glob(f"{PREFIX}*"))


def test_a_killed_build_leaves_nothing_in_the_output_folder(make, tmp_path) -> None:
    tmpdir, out_folder = tmp_path / "tmp", tmp_path / "out"
    tmpdir.mkdir()
    out_folder.mkdir()
    (out_folder / "keep.txt").write_text("the user's own file")
    before = {"keep.txt"}
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")  # -w names a workspace
    scans = [make.image(f"p{n}.png", make.noise(seed=n).resize((1200, 1600)), "PNG",
                        dpi=(300, 300)) for n in range(8)]  # fmt: skip
    command = _command(tmp_path, out_folder / "p.pdf", [make.jpeg("form.jpg")], scans)
    with subprocess.Popen(command, env=_env(tmpdir), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as build:  # fmt: skip
        deadline = time.monotonic() + 120
        while not _work_started(tmpdir, out_folder, before):
            assert build.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "no work folder appeared"
            time.sleep(0.02)
        build.send_signal(signal.SIGKILL)
        build.wait()
    assert build.returncode == -signal.SIGKILL
    assert sorted(p.name for p in out_folder.iterdir()) == ["keep.txt"]
    left = list(tmpdir.glob(f"{PREFIX}*"))
    assert left, "the killed build's work folder is in the temporary directory"

    # the next build removes the folder the killed one could not
    again = _command(tmp_path, out_folder / "p.pdf", [make.jpeg("next.jpg", seed=9)], [])
    done = subprocess.run(again, env=_env(tmpdir), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert list(tmpdir.glob(f"{PREFIX}*")) == []
    assert sorted(p.name for p in out_folder.iterdir()) == [
        "keep.txt", "p.pdf", "p.pdf.manifest.json",
    ]  # fmt: skip


def test_a_build_that_fails_late_leaves_nothing(make, docgen, tmp_path) -> None:
    """The text PDF is only found unfit for PDF/A after the images were converted."""
    scan, form = make.jpeg("scan.jpg"), make.text_pdf("form.pdf", "Form")
    out = tmp_path / "new-folder" / "p.pdf"
    mine = f"{PREFIX}{os.getpid()}-"
    run = docgen("package", "build", "--document", f"附件4={scan}", "--document",
                 f"附件4={form}", "--month", "2026-10", "--category", "other", "--pdfa",
                 "-o", out)  # fmt: skip
    assert run.exit_code == ExitCode.INPUT
    assert run.error.startswith(f"{form}: cannot be part of a PDF/A-2b package")
    assert not out.parent.exists()  # not even the folder
    assert not list(Path(tempfile.gettempdir()).glob(f"{mine}*"))


def test_a_work_folder_is_removed_however_the_build_ends(tmp_path) -> None:
    with pytest.raises(RuntimeError), work_folder(tmp_path) as work:
        (work / "half.pdf").write_bytes(b"%PDF-")
        raise RuntimeError("stopped")
    assert list(tmp_path.iterdir()) == []


def test_a_work_folder_of_a_live_build_is_left_alone(tmp_path) -> None:
    live = tmp_path / f"{PREFIX}{os.getppid()}-abc"  # the process that started pytest
    live.mkdir()
    with work_folder(tmp_path) as work:
        assert work.parent == tmp_path
    assert list(tmp_path.iterdir()) == [live]


def _other_file_system(tmp_path: Path) -> Path | None:
    for candidate in (Path("/dev/shm"), Path("/run/user") / str(os.getuid())):
        try:
            usable = candidate.is_dir() and os.access(candidate, os.W_OK)
            if usable and candidate.stat().st_dev != tmp_path.stat().st_dev:
                return candidate
        except OSError:
            continue
    return None


def test_a_package_built_on_another_file_system_is_copied_into_place(make, tmp_path) -> None:
    other = _other_file_system(tmp_path)
    if other is None:
        pytest.skip("no second writable file system here")
    scan = make.jpeg("scan.jpg")
    spec = PackageSpec([Part("附件4", DOCUMENT, [scan], evidence=[
        Part("佐證", EVIDENCE, [make.jpeg("ev.jpg", seed=3)], parent="附件4")])],
        period="2026-10", category="other")  # fmt: skip
    out = tmp_path / "out" / "p.pdf"
    out.parent.mkdir()
    out.write_bytes(b"an older package")
    with work_folder(other) as root:
        result = build_package(spec, BuildOptions(out, work_root=root))
        assert list(root.iterdir()) == []  # the build's own folder is gone
    assert result.pages == 2
    assert out.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in out.parent.iterdir()) == ["p.pdf", "p.pdf.manifest.json"]
