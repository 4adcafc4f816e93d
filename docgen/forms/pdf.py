"""PDF copies of a batch's DOCX files: converted by LibreOffice in one process, given
the record metadata in their XMP (pikepdf), and moved into place atomically. The
batch may hand in its :class:`~docgen.forms.libreoffice.Converter` (one profile for
its PDF and ODT passes, the second a warm start)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pikepdf

from docgen.errors import ExternalToolError
from docgen.forms.libreoffice import PDF, Converter, convert_with_progress
from docgen.forms.staging import WriteFailed
from docgen.forms.writer import GeneratedDocument, share_mode
from docgen.fsutil import atomic_path
from docgen.i18n import _
from docgen.metadata import RecordMetadata, write_pdf_metadata

Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]


def add_pdfs(
    documents: list[GeneratedDocument],
    out_dir: Path,
    progress: Progress,
    timeout: float,
    converter: Converter | None = None,
) -> None:
    """Convert every document's DOCX to ``out_dir/<stem>.pdf`` and set ``.pdf``; raise
    :class:`ExternalToolError` naming the documents that failed (the others are kept).
    ``converter``: the batch's LibreOffice (else one of its own, with ``timeout``)."""
    work = Path(tempfile.mkdtemp(prefix=".pdf-", dir=out_dir))
    try:
        by_source = {d.docx: d for d in documents}
        with ExitStack() as stack:
            if converter is None:
                converter = stack.enter_context(Converter(timeout=timeout))
            result = convert_with_progress(converter, list(by_source), work, progress, PDF)
        for source, pdf in result.written.items():
            document = by_source[source]
            document.pdf = out_dir / pdf.name
            finish_pdf(pdf, document.pdf, document.metadata)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if result.failed:
        lines = [f"{path.name}: {why}" for path, why in result.failed.items()]
        raise ExternalToolError(
            _("{count} PDF(s) could not be made:").format(count=len(result.failed)), lines
        )


def finish_pdf(source: Path, target: Path, meta: RecordMetadata) -> None:
    """Copy ``source`` to ``target`` with ``meta`` in its XMP, atomically."""
    try:
        with pikepdf.open(source) as pdf, atomic_path(target) as tmp:
            write_pdf_metadata(pdf, meta)
            pdf.save(tmp)
        share_mode(target)
    except pikepdf.PdfError as error:
        raise ExternalToolError(
            _("{file}: LibreOffice wrote a broken PDF ({error})").format(
                file=source.name, error=error
            )
        ) from error
    except OSError as error:  # a full disk: the batch is not written (ISSUE 9 item 3)
        raise WriteFailed(target.name, error.strerror or str(error)) from error
