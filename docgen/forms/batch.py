"""Filling a form for many records at once: validate every row first, compile the
template once, write each DOCX atomically (optionally in parallel), convert them all
to PDF in one LibreOffice process, and write a manifest of what was written."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from docgen.config import Workspace
from docgen.errors import ExternalToolError, InputError, RowProblem, ValidationFailed
from docgen.forms.data import FormRecord, load_rows, validate_rows
from docgen.forms.libreoffice import find_soffice
from docgen.forms.manifest import write_manifest
from docgen.forms.registry import form_spec, resolve_variant
from docgen.forms.writer import FormWriter, GeneratedDocument, template_path
from docgen.metadata import RecordMetadata

T = TypeVar("T")
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]


def _no_progress(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    return items


@dataclass
class BatchResult:
    """What one batch wrote; ``skipped`` lists the invalid rows left out."""

    form: str
    variant: str
    template: Path
    documents: list[GeneratedDocument]
    skipped: list[RowProblem] = field(default_factory=list)
    manifest: list[Path] = field(default_factory=list)
    pdf_error: ExternalToolError | None = None

    def check_pdfs(self) -> None:
        """Raise the PDF step's error, if it had one (the DOCX files and the manifest
        are written either way, so that a caller can journal them first)."""
        if self.pdf_error is not None:
            raise self.pdf_error

    @property
    def files(self) -> list[Path]:
        pdfs = [d.pdf for d in self.documents if d.pdf is not None]
        return [d.docx for d in self.documents] + pdfs + self.manifest


@dataclass
class BatchOptions:
    """How to fill: PDF too, worker processes, invalid rows, template, progress."""

    pdf: bool = False
    jobs: int = 1
    skip_invalid: bool = False
    template: Path | None = None
    manifest: bool = True
    progress: Progress = _no_progress
    pdf_timeout: float = 120.0


def fill_rows(
    workspace: Workspace,
    form: str,
    variant: str | None,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    out_dir: Path,
    source: str = "data",
    options: BatchOptions | None = None,
) -> BatchResult:
    """Fill ``form`` once per row; every invalid row is reported before anything is
    written (a :class:`ValidationFailed`), unless ``options.skip_invalid``. A failed
    PDF conversion is kept in ``result.pdf_error`` (see :meth:`BatchResult.check_pdfs`)."""
    options = options or BatchOptions()
    spec = form_spec(form)
    key = resolve_variant(spec, variant)
    template = options.template or template_path(workspace, spec, key)
    policy = workspace.config.masking.policy()
    writer = FormWriter(spec, key, template, policy, workspace.config.office.name)
    records, problems = validate_rows(spec, key, rows, source, policy)
    identified, problems = _identify(writer, records, problems, source)
    if problems and not options.skip_invalid:
        raise ValidationFailed(problems)
    if not identified:
        raise InputError(f"{source}: no valid records to fill")
    if options.pdf:
        find_soffice()  # before anything is written: LibreOffice must be there
    out_dir.mkdir(parents=True, exist_ok=True)
    documents = _write_all(writer, identified, out_dir, options)
    result = BatchResult(spec.key, key, template, documents, problems)
    if options.pdf:
        result.pdf_error = _add_pdfs(documents, out_dir, options)
    if options.manifest:
        result.manifest = write_manifest(result, out_dir)
    return result


def _add_pdfs(
    documents: list[GeneratedDocument], out_dir: Path, options: BatchOptions
) -> ExternalToolError | None:
    """Convert the documents to PDF; the error, if some could not be converted."""
    from docgen.forms.pdf import add_pdfs

    try:
        add_pdfs(documents, out_dir, options.progress, options.pdf_timeout)
    except ExternalToolError as error:
        return error
    return None


def fill_file(
    workspace: Workspace,
    form: str,
    variant: str | None,
    data: Path,
    out_dir: Path,
    options: BatchOptions | None = None,
) -> BatchResult:
    """Fill ``form`` from a YAML/JSON/CSV/XLSX file: one document per row (table) or
    per entry (YAML/JSON list)."""
    fields = form_spec(form).schema.model_fields
    return fill_rows(workspace, form, variant, load_rows(data, fields), out_dir, str(data), options)


def fill_one(
    workspace: Workspace,
    form: str,
    variant: str | None,
    data: Mapping[str, Any],
    out_dir: Path,
    pdf: bool = False,
) -> GeneratedDocument:
    """Fill ``form`` for one record (no manifest); invalid data is a ValidationFailed."""
    options = BatchOptions(pdf=pdf, manifest=False)
    label = f"附件{form_spec(form).key} data"
    result = fill_rows(workspace, form, variant, [(1, data)], out_dir, label, options)
    result.check_pdfs()
    return result.documents[0]


Identified = tuple[FormRecord, RecordMetadata]


def _identify(
    writer: FormWriter, records: list[FormRecord], problems: list[RowProblem], source: str
) -> tuple[list[Identified], list[RowProblem]]:
    """Each record with its metadata; rows that would give the same record ID as an
    earlier row are problems."""
    seen: dict[str, int] = {}
    unique = []
    for record in records:
        meta = writer.metadata(record)
        if meta.record_id in seen:
            problem = (
                f"same record as row {seen[meta.record_id]} ({meta.record_id}): a duplicate row?"
            )
            problems.append(RowProblem(source, record.row, None, problem))
            continue
        seen[meta.record_id] = record.row
        unique.append((record, meta))
    return unique, sorted(problems, key=lambda p: p.row or 0)


def _write_all(
    writer: FormWriter, records: list[Identified], out_dir: Path, options: BatchOptions
) -> list[GeneratedDocument]:
    label = f"附件{writer.spec.key} DOCX"
    jobs = max(1, min(options.jobs, os.cpu_count() or 1, len(records) // 20 or 1))
    if jobs == 1:
        written = (writer.write(record, out_dir, meta) for record, meta in records)
        return list(options.progress(written, len(records), label))
    return list(options.progress(_parallel(writer, records, out_dir, jobs), len(records), label))


_WORKER: FormWriter | None = None


def _init_worker(writer: FormWriter) -> None:
    global _WORKER
    _WORKER = writer


def _write_in_worker(task: tuple[FormRecord, Path, RecordMetadata]) -> GeneratedDocument:
    assert _WORKER is not None
    return _WORKER.write(*task)


def _parallel(
    writer: FormWriter, records: list[Identified], out_dir: Path, jobs: int
) -> Iterator[GeneratedDocument]:
    """Write in ``jobs`` forked processes, each with its own copy of the compiled
    template (forked, so not compiled again)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, context, _init_worker, (writer,)) as pool:
        tasks = ((record, out_dir, meta) for record, meta in records)
        yield from pool.map(_write_in_worker, tasks, chunksize=16)
