"""``docgen package build``: scans and evidence merged into one archival PDF.

A pipeline over files in a private work folder outside the output folder
(:mod:`docgen.packages.workdir`; ISSUE 9 item 2): check every input (nothing is
written before all pass; decompression bombs refused) → each image to its own PDF,
one at a time, and each PDF holding active content copied without it
(:mod:`docgen.packages.sanitize`; ISSUE 9 item 1) → PDF/A conformance of the inputs
(evidence repaired with Ghostscript on request) → merge with qpdf's job interface
(memory does not grow with the package) → outline, page labels and metadata in a
second pass that streams the page data → the output moved into place only when
complete → the manifest sidecar, which names what was removed from each input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pikepdf

from docgen.errors import InputError
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.metadata import RecordMetadata
from docgen.packages import pdfa
from docgen.packages.ghostscript import repair_to_pdfa
from docgen.packages.images import ImageFacts, image_to_pdf
from docgen.packages.inputs import Source, check_sources, raise_together
from docgen.packages.manifest import input_entry, write_manifest
from docgen.packages.merge import MergeInput, merge_pdfs
from docgen.packages.metadata import apply_metadata, resolve_metadata
from docgen.packages.notes import note
from docgen.packages.pdfs import write_clean
from docgen.packages.spec import EVIDENCE, PackageSpec, Part
from docgen.packages.structure import Placed, write_outline, write_page_labels
from docgen.packages.update import append_update
from docgen.packages.workdir import place, work_folder

T = TypeVar("T")
Progress = Callable[[Iterable[Any], int, str], Iterator[Any]]


def _no_progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    yield from items


@dataclass
class BuildOptions:
    """How to build: the output file, passwords to try, the ``--dpi`` fallback, PDF/A,
    and where the work folder goes (None: the system's temporary directory)."""

    output: Path
    passwords: Sequence[str] = ()
    dpi: int | None = None
    pdfa: bool = False
    repair_evidence: bool = False
    work_root: Path | None = None


@dataclass
class BuildResult:
    """What was built: the package, its manifest, its metadata, and notes for the user."""

    output: Path
    sha256: str
    manifest: Path
    pages: int
    metadata: RecordMetadata
    sources: list[Source]
    notes: list[str] = field(default_factory=list)


def _check_output(output: Path, sources: Sequence[Source]) -> None:
    target = output.resolve()
    if any(s.path.resolve() == target for s in sources):
        raise InputError(
            _("{file}: the output would overwrite one of the inputs").format(file=output)
        )
    if output.exists() and output.is_dir():
        raise InputError(_("{file}: is a folder; give the PDF file to write").format(file=output))


def _placed(parts: Sequence[Part], sources: Sequence[Source]) -> list[Placed]:
    placed, first = [], 0
    for part in parts:
        count = sum(s.pages for s in sources if s.part is part)
        placed.append(Placed(part, first, count))
        first += count
    return placed


def _to_pdf(source: Source, work: Path, number: int, passwords: Sequence[str]) -> MergeInput:
    target = work / f"{number:04d}.pdf"
    if source.is_image:
        facts = ImageFacts(source.pages, source.dpi)
        source.notes += image_to_pdf(source.path, target, facts)
        return MergeInput(target)
    if source.repaired or source.removed:
        write_clean(source.path, target, passwords)
        return MergeInput(target)
    return MergeInput(source.path, source.password)


def _conform(source: Source, item: MergeInput, work: Path, options: BuildOptions) -> MergeInput:
    reasons = pdfa.conformance_problems(item.path, [item.password] if item.password else ())
    if not reasons:
        return item
    because = "; ".join(reasons[:3])  # the validator's words (English)
    if source.part.role != EVIDENCE:
        raise InputError(
            _(
                "{file}: cannot be part of a PDF/A-2b package: {because}. Scans and forms "
                "are never rewritten: scan or export it again as PDF/A"
            ).format(file=source.path, because=because)
        )
    if not options.repair_evidence:
        raise InputError(
            _(
                "{file}: evidence that cannot be PDF/A-2b: {because}. "
                "Add --repair-evidence to convert it with Ghostscript"
            ).format(file=source.path, because=because)
        )
    target = work / f"{source.sha256[:16]}-pdfa.pdf"
    repair_to_pdfa(item.path, target, item.password)
    left = pdfa.conformance_problems(target)
    if left:
        raise InputError(
            _("{file}: still not PDF/A-2b after Ghostscript: {reason}").format(
                file=source.path, reason=left[0]
            )
        )
    name = source.path.name
    source.notes.append(
        note(
            lambda: _("{file}: converted to PDF/A with Ghostscript ({because})").format(
                file=name, because=because
            )
        )
    )
    return MergeInput(target)


def _conform_all(sources: Sequence[Source], items: Sequence[MergeInput], work: Path,
                 options: BuildOptions) -> list[MergeInput]:  # fmt: skip
    """Every input ready for PDF/A, or one error naming every one that is not."""
    ready, problems = [], []
    for source, item in zip(sources, items, strict=True):
        try:
            ready.append(_conform(source, item, work, options))
        except InputError as error:
            problems.append(error.message)
    raise_together(problems)
    return ready


def _navigation(placed: Sequence[Placed], meta: RecordMetadata) -> Callable[[pikepdf.Pdf], None]:
    def edit(pdf: pikepdf.Pdf) -> None:
        write_outline(pdf, placed)
        write_page_labels(pdf, placed)
        apply_metadata(pdf, meta)

    return edit


def _write_plain(items: Sequence[MergeInput], target: Path, placed: Sequence[Placed],
                 meta: RecordMetadata) -> int:  # fmt: skip
    """qpdf writes the pages straight to ``target``; navigation and metadata are
    appended as an incremental update, so the page data is written once."""
    merge_pdfs(items, target, object_streams="disable")
    return append_update(target, _navigation(placed, meta))


def _write_pdfa(items: Sequence[MergeInput], work: Path, target: Path,
                placed: Sequence[Placed], meta: RecordMetadata) -> int:  # fmt: skip
    """PDF/A: merge, then one full rewrite by pikepdf (prepare, metadata) and validation."""
    merged = work / "merged.pdf"
    merge_pdfs(items, merged)
    with pikepdf.open(merged, access_mode=pikepdf.AccessMode.stream) as pdf:
        pdfa.prepare(pdf)
        _navigation(placed, meta)(pdf)
        pdfa.describe_docgen_namespace(pdf)
        kwargs = pdfa.save_kwargs()
        pdf.save(target, **kwargs)
        pages = len(pdf.pages)
    if problems := pdfa.validate(target, kwargs):
        raise InputError(
            _("the package does not pass PDF/A-2b validation: {problems}").format(
                problems="; ".join(problems)
            )
        )
    return pages


def build_package(
    spec: PackageSpec, options: BuildOptions, progress: Progress = _no_progress
) -> BuildResult:
    """Build the package ``spec`` describes into ``options.output`` (see module doc)."""
    parts = spec.parts()
    sources = check_sources(parts, options.passwords, options.dpi)
    _check_output(options.output, sources)
    meta = resolve_metadata(spec, [s.metadata for s in sources if s.metadata])
    with work_folder(options.work_root) as work:
        numbered = progress(enumerate(sources), len(sources), _("preparing"))
        items = [_to_pdf(s, work, n, options.passwords) for n, s in numbered]
        if options.pdfa:
            items = _conform_all(sources, items, work, options)
        placed = _placed(parts, sources)
        built = work / "package.pdf"
        if options.pdfa:
            pages = _write_pdfa(items, work, built, placed, meta)
        else:
            pages = _write_plain(items, built, placed, meta)
        digest = sha256_file(built)
        place(built, options.output)
    entries, first = [], 1
    for source in sources:
        entries.append(input_entry(source, first))
        first += source.pages
    manifest = write_manifest(options.output, digest, meta, entries, pages, options.pdfa)
    notes = [note for s in sources for note in s.notes]
    return BuildResult(options.output, digest, manifest, pages, meta, sources, notes)
