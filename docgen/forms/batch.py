"""Filling a form for many records at once: validate every row first, compile the
template once, write each DOCX (optionally in parallel), convert them all to PDF in
one LibreOffice process, and write a manifest of what was written.

The batch is written whole or not at all (ISSUE 9 item 3): everything is written
into a staging folder and moved into the output folder at the end
(:mod:`docgen.forms.staging`); ``BatchOptions.on_written`` (the CLI's journal entry)
runs after the move, and if it fails the batch is removed again. Nothing of an
earlier batch in the same folder is overwritten (ISSUE 9 item 4)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from docgen.config import Workspace
from docgen.errors import ExternalToolError, InputError, RowProblem, ValidationFailed
from docgen.forms.data import FormRecord, load_rows, validate_rows
from docgen.forms.libreoffice import find_soffice
from docgen.forms.manifest import free_batch_id, write_manifest
from docgen.forms.registry import form_spec, resolve_variant
from docgen.forms.staging import Staging, WriteFailed
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
    batch_id: str = ""

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
    """How to fill: PDF too, worker processes, invalid rows, template, progress;
    ``on_written`` is called with the result once the batch is in place (if it
    raises, the batch is removed again)."""

    pdf: bool = False
    jobs: int = 1
    skip_invalid: bool = False
    template: Path | None = None
    manifest: bool = True
    progress: Progress = _no_progress
    pdf_timeout: float = 120.0
    on_written: Callable[[BatchResult], None] | None = None


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
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is a file, not a folder")
    with Staging(out_dir, workspace.state_dir) as staging:
        try:
            result = _write_staged(writer, identified, problems, staging, options)
        except WriteFailed as error:
            raise staging.failed(error) from error
        staging.commit(_to_move(result, staging))
        _finalise(result, staging)
        if options.on_written is not None:
            options.on_written(result)
    return result


def _write_staged(
    writer: FormWriter,
    records: list[Identified],
    skipped: list[RowProblem],
    staging: Staging,
    options: BatchOptions,
) -> BatchResult:
    """Documents, PDFs and the manifest, all in the staging folder."""
    documents = _write_all(writer, records, staging.path, options)
    result = BatchResult(writer.spec.key, writer.variant, writer.compiled.path, documents, skipped)
    if options.pdf:
        result.pdf_error = _add_pdfs(documents, staging.path, options)
    for document in documents:
        _keep_existing(document, staging)
    if options.manifest:
        now = datetime.now().astimezone()
        result.batch_id = free_batch_id(result, staging.out_dir, now.strftime("%Y%m%d-%H%M%S"))
        result.manifest = write_manifest(result, staging.path, now.isoformat(timespec="seconds"))
    return result


def _keep_existing(document: GeneratedDocument, staging: Staging) -> None:
    """A document already in the output folder with the same content is kept there,
    with its PDF; a file there with other content is refused (by the staging)."""
    same = staging.existing_same(document.docx)
    if same is not None:
        document.docx = same
    if document.pdf is None or not staging.final(document.pdf).exists():
        return
    if same is not None:
        document.pdf = staging.final(document.pdf)  # the PDF of that same document
    else:
        document.pdf = staging.existing_same(document.pdf) or document.pdf


def _to_move(result: BatchResult, staging: Staging) -> list[Path]:
    return [path for path in result.files if path.parent == staging.path]


def _finalise(result: BatchResult, staging: Staging) -> None:
    """Point the result at the files' places in the output folder."""

    def final(path: Path) -> Path:
        return staging.final(path) if path.parent == staging.path else path

    for document in result.documents:
        document.docx = final(document.docx)
        document.pdf = final(document.pdf) if document.pdf is not None else None
    result.manifest = [final(path) for path in result.manifest]


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
