"""The one wrapper around LibreOffice (``soffice``): DOCX → PDF or ODT, headless.

A batch runs in **one** soffice process given every file (not one process per file),
with its own temporary user profile (so it never collides with a clerk's open
LibreOffice) and docgen's fontconfig alias (標楷體 / DFKai-SB / BiauKai → AR PL UKai
TW, embedded in the PDF). The process is watched: soffice converts the files in the
order given, so when no new PDF appears within the per-document time limit, the
document being converted is declared stuck, the process is killed, and a new one
carries on with the rest. Every PDF is checked to exist and not be empty.

The target is a :class:`Target`: :data:`PDF` (``writer_pdf_Export``) or :data:`ODT`
(``writer8``, the OpenDocument text of the government's document standard
ODF-CNS15251; ISSUE 11 item 10). soffice converts to one format per process, so a
batch that wants both runs the same :class:`Converter` twice: the second process
starts on the profile the first one made. The profile turns off the thumbnail an ODT
would otherwise carry (rendering it costs a page per document; a PDF has none).
"""

from __future__ import annotations

import contextvars
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from docgen.errors import ExternalToolError
from docgen.i18n import N_, _, current_language, translate, use_language

Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]

INSTALL_HINT = N_(
    "LibreOffice is needed for PDF and ODT output: install it with "
    "`sudo apt-get install libreoffice-writer-nogui fonts-arphic-ukai` "
    "(soffice must be on PATH)"
)
#: Where LibreOffice's program lives when it is not on PATH.
_KNOWN_PLACES = ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice")
_POLL_SECONDS = 0.05
#: Files per soffice run; keeps the command line short for very large batches.
_CHUNK = 400
#: The profile's settings: no thumbnail in a written ODT (see the module).
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="GenerateThumbnail" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


@dataclass(frozen=True)
class Target:
    """What soffice converts to: the file suffix (no dot), the ``--convert-to`` filter,
    and the name messages give the files."""

    suffix: str
    filter: str
    label: str


PDF = Target("pdf", "pdf:writer_pdf_Export", "PDF")
ODT = Target("odt", "odt:writer8", "ODT")


def find_soffice() -> str:
    """The soffice program: ``soffice`` or ``libreoffice`` on PATH, else its usual place."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for place in _KNOWN_PLACES:
        if os.access(place, os.X_OK):
            return place
    raise ExternalToolError(translate(INSTALL_HINT))


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
    """Files written (source → PDF or ODT) and documents that failed (source → reason)."""

    written: dict[Path, Path] = field(default_factory=dict)
    failed: dict[Path, str] = field(default_factory=dict)

    @property
    def pdfs(self) -> dict[Path, Path]:
        """The files written (by the name of the PDF conversion, the first there was)."""
        return self.written


class Converter:
    """DOCX → PDF or ODT with one soffice process per batch and target. Use as a
    context manager: the temporary profile and work folder are removed on exit."""

    def __init__(self, timeout: float = 120.0, soffice: str | None = None) -> None:
        self.timeout = timeout
        self.soffice = soffice or find_soffice()
        #: The language of the reasons given for failed documents: the caller's, also
        #: when :meth:`convert` runs in a thread (a new thread starts in the default).
        self._language = current_language()
        self._work = Path(tempfile.mkdtemp(prefix="docgen-soffice-"))
        self._env = {
            **os.environ,
            "FONTCONFIG_FILE": str(fontconfig_file(self._work)),
            "SAL_USE_VCLPLUGIN": "svp",
            "HOME": str(self._work),
        }
        settings = self._work / "profile" / "user" / "registrymodifications.xcu"
        settings.parent.mkdir(parents=True)
        settings.write_text(_REGISTRY, encoding="utf-8")

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self._work, ignore_errors=True)

    def convert(
        self,
        sources: Sequence[Path],
        out_dir: Path,
        on_done: Callable[[Path], None] = lambda path: None,
        target: Target = PDF,
    ) -> ConversionResult:
        """Convert ``sources`` (distinct file names) to ``out_dir/<stem>.<suffix>`` of
        ``target`` (PDF unless told)."""
        use_language(self._language)
        out_dir.mkdir(parents=True, exist_ok=True)
        result = ConversionResult()
        pending = list(sources)
        self._target = target
        while pending:
            chunk, pending = pending[:_CHUNK], pending[_CHUNK:]
            remaining = self._run(chunk, out_dir, result, on_done)
            pending = remaining + pending
        return result

    _target: Target = PDF

    def _output(self, out_dir: Path, source: Path) -> Path:
        return out_dir / f"{source.stem}.{self._target.suffix}"

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
            self._target.filter,
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
            finished = _finished(sources, lambda s: self._output(out_dir, s), done, exited)
            for source in sources[done : done + finished]:
                self._collect(source, out_dir, result, on_done)
            if finished:
                done, last_progress = done + finished, time.monotonic()
            if exited:
                for source in sources[done:]:
                    result.failed[source] = _("LibreOffice ended without converting it")
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
        """After a kill: the documents with an output are done, the first without one
        was stuck; the rest are returned to be converted by a new process."""
        stuck = next(
            (i for i, s in enumerate(sources) if not self._output(out_dir, s).exists()),
            len(sources) - 1,
        )
        for source in sources[:stuck]:
            self._collect(source, out_dir, result, on_done)
        result.failed[sources[stuck]] = _("no {kind} within {seconds} s (stuck)").format(
            kind=self._target.label, seconds=f"{self.timeout:.0f}"
        )
        self._output(out_dir, sources[stuck]).unlink(missing_ok=True)
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
                _("cannot start {program}: {error}. {hint}").format(
                    program=self.soffice, error=error, hint=translate(INSTALL_HINT)
                )
            ) from error

    def _collect(
        self, source: Path, out_dir: Path, result: ConversionResult, on_done: Callable[[Path], None]
    ) -> None:
        output = self._output(out_dir, source)
        if output.exists() and output.stat().st_size > 0:
            result.written[source] = output
        else:
            result.failed[source] = _("LibreOffice wrote no {kind} or an empty one").format(
                kind=self._target.label
            )
        on_done(source)


def _finished(
    sources: Sequence[Path], output: Callable[[Path], Path], done: int, exited: bool
) -> int:
    """How many more sources are finished: an output is complete once the next one has
    appeared (soffice works in order) or the process has ended."""
    count = 0
    for index in range(done, len(sources)):
        nxt = sources[index + 1] if index + 1 < len(sources) else None
        next_started = nxt is not None and output(nxt).exists()
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


def convert_with_progress(
    converter: Converter,
    sources: Sequence[Path],
    out_dir: Path,
    progress: Progress,
    target: Target = PDF,
) -> ConversionResult:
    """:meth:`Converter.convert` in a thread, so that a progress bar labelled with the
    target (``PDF``, ``ODT``) moves per document."""
    events: queue.Queue[Path | None] = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = converter.convert(sources, out_dir, events.put, target)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error
        finally:
            events.put(None)

    thread = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
    thread.start()
    for _done in progress(_drain(events), len(sources), target.label):
        pass
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    result: ConversionResult = outcome["result"]
    return result


def _drain(events: queue.Queue[Path | None]) -> Iterator[Path]:
    while (item := events.get()) is not None:
        yield item
