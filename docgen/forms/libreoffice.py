"""The one wrapper around LibreOffice (``soffice``): DOCX → PDF, headless.

A batch runs in **one** soffice process given every file (not one process per file),
with its own temporary user profile (so it never collides with a clerk's open
LibreOffice) and docgen's fontconfig alias (標楷體 / DFKai-SB / BiauKai → AR PL UKai
TW, embedded in the PDF). The process is watched: soffice converts the files in the
order given, so when no new PDF appears within the per-document time limit, the
document being converted is declared stuck, the process is killed, and a new one
carries on with the rest. Every PDF is checked to exist and not be empty.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from docgen.errors import ExternalToolError

INSTALL_HINT = (
    "LibreOffice is needed for PDF output: install it with "
    "`sudo apt-get install libreoffice-writer-nogui fonts-arphic-ukai` "
    "(soffice must be on PATH)"
)
#: Where LibreOffice's program lives when it is not on PATH.
_KNOWN_PLACES = ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice")
_POLL_SECONDS = 0.05
#: Files per soffice run; keeps the command line short for very large batches.
_CHUNK = 400


def find_soffice() -> str:
    """The soffice program: ``soffice`` or ``libreoffice`` on PATH, else its usual place."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for place in _KNOWN_PLACES:
        if os.access(place, os.X_OK):
            return place
    raise ExternalToolError(INSTALL_HINT)


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig file in ``folder`` that includes the system's and docgen's alias."""
    alias = Path(str(resources.files("docgen") / "data" / "fonts" / "60-docgen-kai.conf"))
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <include>{alias}</include>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


@dataclass
class ConversionResult:
    """PDFs written (source → PDF) and documents that failed (source → reason)."""

    pdfs: dict[Path, Path] = field(default_factory=dict)
    failed: dict[Path, str] = field(default_factory=dict)


class Converter:
    """DOCX → PDF with one soffice process per batch. Use as a context manager: the
    temporary profile and work folder are removed on exit."""

    def __init__(self, timeout: float = 120.0, soffice: str | None = None) -> None:
        self.timeout = timeout
        self.soffice = soffice or find_soffice()
        self._work = Path(tempfile.mkdtemp(prefix="docgen-soffice-"))
        self._env = {
            **os.environ,
            "FONTCONFIG_FILE": str(fontconfig_file(self._work)),
            "SAL_USE_VCLPLUGIN": "svp",
            "HOME": str(self._work),
        }

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self._work, ignore_errors=True)

    def convert(
        self,
        sources: Sequence[Path],
        out_dir: Path,
        on_done: Callable[[Path], None] = lambda path: None,
    ) -> ConversionResult:
        """Convert ``sources`` (distinct file names) to ``out_dir/<stem>.pdf``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        result = ConversionResult()
        pending = list(sources)
        while pending:
            chunk, pending = pending[:_CHUNK], pending[_CHUNK:]
            remaining = self._run(chunk, out_dir, result, on_done)
            pending = remaining + pending
        return result

    def _command(self, sources: Sequence[Path], out_dir: Path) -> list[str]:
        return [
            self.soffice,
            f"-env:UserInstallation={(self._work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out_dir),
            *[str(path) for path in sources],
        ]

    def _run(
        self,
        sources: Sequence[Path],
        out_dir: Path,
        result: ConversionResult,
        on_done: Callable[[Path], None],
    ) -> list[Path]:
        """One soffice process over ``sources``; returns the sources still to do after
        a stuck document was skipped (empty when the process finished)."""
        process = self._start(sources, out_dir)
        done, last_progress = 0, time.monotonic()
        while True:
            exited = process.poll() is not None
            finished = _finished(sources, out_dir, done, exited)
            for source in sources[done : done + finished]:
                self._collect(source, out_dir, result, on_done)
            if finished:
                done, last_progress = done + finished, time.monotonic()
            if exited:
                for source in sources[done:]:
                    result.failed[source] = "LibreOffice ended without converting it"
                return []
            if time.monotonic() - last_progress > self.timeout:
                _kill(process)
                return self._give_up(sources[done:], out_dir, result, on_done)
            time.sleep(_POLL_SECONDS)

    def _give_up(
        self,
        sources: Sequence[Path],
        out_dir: Path,
        result: ConversionResult,
        on_done: Callable[[Path], None],
    ) -> list[Path]:
        """After a kill: the documents with a PDF are done, the first without one was
        stuck; the rest are returned to be converted by a new process."""
        stuck = next(
            (i for i, s in enumerate(sources) if not (out_dir / f"{s.stem}.pdf").exists()),
            len(sources) - 1,
        )
        for source in sources[:stuck]:
            self._collect(source, out_dir, result, on_done)
        result.failed[sources[stuck]] = f"no PDF within {self.timeout:.0f} s (stuck)"
        (out_dir / f"{sources[stuck].stem}.pdf").unlink(missing_ok=True)
        on_done(sources[stuck])
        return list(sources[stuck + 1 :])

    def _start(self, sources: Sequence[Path], out_dir: Path) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                self._command(sources, out_dir),
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as error:
            raise ExternalToolError(
                f"cannot start {self.soffice}: {error}. {INSTALL_HINT}"
            ) from error

    def _collect(
        self, source: Path, out_dir: Path, result: ConversionResult, on_done: Callable[[Path], None]
    ) -> None:
        pdf = out_dir / f"{source.stem}.pdf"
        if pdf.exists() and pdf.stat().st_size > 0:
            result.pdfs[source] = pdf
        else:
            result.failed[source] = "LibreOffice wrote no PDF or an empty one"
        on_done(source)


def _finished(sources: Sequence[Path], out_dir: Path, done: int, exited: bool) -> int:
    """How many more sources are finished: a PDF is complete once the next one has
    appeared (soffice works in order) or the process has ended."""
    count = 0
    for index in range(done, len(sources)):
        nxt = sources[index + 1] if index + 1 < len(sources) else None
        next_started = nxt is not None and (out_dir / f"{nxt.stem}.pdf").exists()
        if not (next_started or exited):
            break
        count += 1
    return count


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()
