"""Filling a form for many records at once: validate every row first, compile the
template once, write each DOCX (optionally in parallel), convert them all to PDF in
one LibreOffice process, and write a manifest of what was written.

ODT too (``BatchOptions.odt``, ``forms fill --odt``; ISSUE 11 item 10): the
OpenDocument text of the government's document standard ODF-CNS15251, made by
LibreOffice from each DOCX in one more process of the batch (soffice converts to one
format per process; the PDF and ODT passes share one
:class:`~docgen.forms.libreoffice.Converter`, so the second starts on the profile the
first made), ``FORM.odt`` beside ``FORM.docx``; LibreOffice keeps the DOCX's
``docgen.*`` custom properties as the ODT's user-defined metadata, so the archive
files an ODT by its record ID like its DOCX (:func:`docgen.metadata.read_odf_metadata`). Templates stay DOCX
(docxtpl fills Word files only): an ODF template is refused in one line
(:func:`require_docx_template`).

The batch is written whole or not at all (ISSUE 9 item 3): everything is written
into a staging folder and moved into the output folder at the end
(:mod:`docgen.forms.staging`); ``BatchOptions.on_written`` (the CLI's journal entry)
runs after the move, and if it fails the batch is removed again. Nothing of an
earlier batch in the same folder is overwritten (ISSUE 9 item 4)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from docgen.config import Workspace
from docgen.errors import ExternalToolError, InputError, RowProblem, ValidationFailed
from docgen.forms.data import FormRecord, load_rows, validate_rows
from docgen.forms.libreoffice import ODT, Converter, convert_with_progress, find_soffice
from docgen.forms.manifest import free_batch_id, write_manifest
from docgen.forms.registry import form_spec, resolve_variant
from docgen.forms.staging import Staging, WriteFailed
from docgen.forms.writer import FormWriter, GeneratedDocument, share_mode, template_path
from docgen.i18n import _
from docgen.metadata import RecordMetadata

T = TypeVar("T")
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]
#: Template files docxtpl cannot fill: OpenDocument text and its template, flat or not.
ODF_TEMPLATE_SUFFIXES = (".odt", ".ott", ".fodt")


def _no_progress(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    return items


@dataclass
class BatchResult:
    """What one batch wrote; ``skipped`` lists the invalid rows left out; ``odts`` the
    ODT of each document (by record ID) when asked for."""

    form: str
    variant: str
    template: Path
    documents: list[GeneratedDocument]
    skipped: list[RowProblem] = field(default_factory=list)
    manifest: list[Path] = field(default_factory=list)
    pdf_error: ExternalToolError | None = None
    batch_id: str = ""
    odts: dict[str, Path] = field(default_factory=dict)
    odt_error: ExternalToolError | None = None

    def check_pdfs(self) -> None:
        """Raise the PDF or ODT step's error, if one had one (the DOCX files and the
        manifest are written either way, so that a caller can journal them first)."""
        if self.pdf_error is not None:
            raise self.pdf_error
        if self.odt_error is not None:
            raise self.odt_error

    @property
    def files(self) -> list[Path]:
        pdfs = [d.pdf for d in self.documents if d.pdf is not None]
        odts = [self.odts[d.record_id] for d in self.documents if d.record_id in self.odts]
        return [d.docx for d in self.documents] + pdfs + odts + self.manifest


@dataclass
class BatchOptions:
    """How to fill: PDF too, worker processes, invalid rows, template, progress, ODT
    too; ``on_written`` is called with the result once the batch is in place (if it
    raises, the batch is removed again)."""

    pdf: bool = False
    jobs: int = 1
    skip_invalid: bool = False
    template: Path | None = None
    manifest: bool = True
    progress: Progress = _no_progress
    pdf_timeout: float = 120.0
    on_written: Callable[[BatchResult], None] | None = None
    odt: bool = False


def require_docx_template(template: Path) -> None:
    """Refuse an OpenDocument template in one line: docgen fills DOCX templates."""
    if template.suffix.lower() in ODF_TEMPLATE_SUFFIXES:
        raise InputError(
            _(
                "{file}: a template must be DOCX (Word), not {suffix}: docgen fills DOCX "
                "templates; save it from LibreOffice as Word (.docx), and use --odt for "
                "ODT documents"
            ).format(file=template, suffix=template.suffix)
        )


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
    require_docx_template(template)
    policy = workspace.config.masking.policy()
    writer = FormWriter(spec, key, template, policy, workspace.config.office.name)
    records, problems = validate_rows(spec, key, rows, source, policy)
    identified, problems = _identify(writer, records, problems, source)
    if problems and not options.skip_invalid:
        raise ValidationFailed(problems)
    if not identified:
        raise InputError(_("{source}: no valid records to fill").format(source=source))
    if options.pdf or options.odt:
        find_soffice()  # before anything is written: LibreOffice must be there
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(_("{folder}: is a file, not a folder").format(folder=out_dir))
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
    """Documents, PDFs, ODTs and the manifest, all in the staging folder."""
    documents = _write_all(writer, records, staging.path, options)
    result = BatchResult(writer.spec.key, writer.variant, writer.compiled.path, documents, skipped)
    if options.pdf or options.odt:
        with Converter(timeout=options.pdf_timeout) as converter:  # one profile for both
            if options.pdf:
                result.pdf_error = _add_pdfs(documents, staging.path, options, converter)
            if options.odt:
                result.odts, result.odt_error = _add_odts(
                    documents, staging.path, options, converter
                )
    for document in documents:
        _keep_existing(document, staging, result.odts)
    if options.manifest:
        now = datetime.now().astimezone()
        result.batch_id = free_batch_id(result, staging.out_dir, now.strftime("%Y%m%d-%H%M%S"))
        result.manifest = write_manifest(result, staging.path, now.isoformat(timespec="seconds"))
    return result


def _keep_existing(document: GeneratedDocument, staging: Staging, odts: dict[str, Path]) -> None:
    """A document already in the output folder with the same content is kept there,
    with its PDF and ODT; a file there with other content is refused (by the staging)."""
    same = staging.existing_same(document.docx)
    if same is not None:
        document.docx = same
    odt = odts.get(document.record_id)
    if odt is not None and staging.final(odt).exists():
        # an ODT is not made byte for byte again: the one of that same document stays
        odts[document.record_id] = staging.final(odt) if same else staging.existing_same(odt) or odt
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
    result.odts = {record_id: final(path) for record_id, path in result.odts.items()}
    result.manifest = [final(path) for path in result.manifest]


def _add_pdfs(
    documents: list[GeneratedDocument],
    out_dir: Path,
    options: BatchOptions,
    converter: Converter,
) -> ExternalToolError | None:
    """Convert the documents to PDF with the batch's ``converter``; the error, if some
    could not be converted."""
    from docgen.forms.pdf import add_pdfs

    try:
        add_pdfs(documents, out_dir, options.progress, options.pdf_timeout, converter)
    except ExternalToolError as error:
        return error
    return None


def _add_odts(
    documents: list[GeneratedDocument],
    out_dir: Path,
    options: BatchOptions,
    converter: Converter,
) -> tuple[dict[str, Path], ExternalToolError | None]:
    """Convert the documents to ``out_dir/<stem>.odt`` in one LibreOffice process of the
    batch's ``converter`` (after its PDF pass, if any: the same profile): the ODTs by
    record ID, and the error naming the documents that could not be converted (the
    others are kept)."""
    work = Path(tempfile.mkdtemp(prefix=".odt-", dir=out_dir))
    odts: dict[str, Path] = {}
    try:
        by_source = {d.docx: d for d in documents}
        try:
            converted = convert_with_progress(
                converter, list(by_source), work, options.progress, ODT
            )
        except ExternalToolError as error:
            return odts, error
        for source, made in converted.written.items():
            target = out_dir / made.name
            try:
                os.replace(made, target)
                share_mode(target)
            except OSError as error:  # a full disk: the batch is not written
                raise WriteFailed(target.name, error.strerror or str(error)) from error
            odts[by_source[source].record_id] = target
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not converted.failed:
        return odts, None
    lines = [f"{path.name}: {why}" for path, why in converted.failed.items()]
    count = len(converted.failed)
    return odts, ExternalToolError(
        _("{count} ODT(s) could not be made:").format(count=count), lines
    )


def fill_file(
    workspace: Workspace,
    form: str,
    variant: str | None,
    data: Path,
    out_dir: Path,
    options: BatchOptions | None = None,
) -> BatchResult:
    """Fill ``form`` from a YAML/JSON/CSV/XLSX/ODS file: one document per row (table)
    or per entry (YAML/JSON list)."""
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
            problem = _("same record as row {row} ({record_id}): a duplicate row?").format(
                row=seen[meta.record_id], record_id=meta.record_id
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
