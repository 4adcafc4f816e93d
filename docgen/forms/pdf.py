"""PDF copies of a batch's DOCX files: converted by LibreOffice in one process, given
the record metadata in their XMP (pikepdf), and moved into place atomically."""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pikepdf

from docgen.errors import ExternalToolError
from docgen.forms.libreoffice import ConversionResult, Converter
from docgen.forms.staging import WriteFailed
from docgen.forms.writer import GeneratedDocument, share_mode
from docgen.fsutil import atomic_path
from docgen.metadata import RecordMetadata, write_pdf_metadata

Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]


def add_pdfs(
    documents: list[GeneratedDocument], out_dir: Path, progress: Progress, timeout: float
) -> None:
    """Convert every document's DOCX to ``out_dir/<stem>.pdf`` and set ``.pdf``; raise
    :class:`ExternalToolError` naming the documents that failed (the others are kept)."""
    work = Path(tempfile.mkdtemp(prefix=".pdf-", dir=out_dir))
    try:
        by_source = {d.docx: d for d in documents}
        with Converter(timeout=timeout) as converter:
            result = _convert_with_progress(converter, list(by_source), work, progress)
        for source, pdf in result.pdfs.items():
            document = by_source[source]
            document.pdf = out_dir / pdf.name
            finish_pdf(pdf, document.pdf, document.metadata)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if result.failed:
        lines = [f"{path.name}: {why}" for path, why in result.failed.items()]
        raise ExternalToolError(f"{len(result.failed)} PDF(s) could not be made:", lines)


def finish_pdf(source: Path, target: Path, meta: RecordMetadata) -> None:
    """Copy ``source`` to ``target`` with ``meta`` in its XMP, atomically."""
    try:
        with pikepdf.open(source) as pdf, atomic_path(target) as tmp:
            write_pdf_metadata(pdf, meta)
            pdf.save(tmp)
        share_mode(target)
    except pikepdf.PdfError as error:
        raise ExternalToolError(
            f"{source.name}: LibreOffice wrote a broken PDF ({error})"
        ) from error
    except OSError as error:  # a full disk: the batch is not written (ISSUE 9 item 3)
        raise WriteFailed(target.name, error.strerror or str(error)) from error


def _convert_with_progress(
    converter: Converter, sources: list[Path], work: Path, progress: Progress
) -> ConversionResult:
    """Run the conversion in a thread so that the progress bar moves per document."""
    events: queue.Queue[Path | None] = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = converter.convert(sources, work, events.put)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error
        finally:
            events.put(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    for _ in progress(_drain(events), len(sources), "PDF"):
        pass
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    result: ConversionResult = outcome["result"]
    return result


def _drain(events: queue.Queue[Path | None]) -> Iterator[Path]:
    while (item := events.get()) is not None:
        yield item
