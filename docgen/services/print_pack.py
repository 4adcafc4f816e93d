"""The month's print pack of the monthly spot check (ISSUE 13 item 1; R6.2).

After the units submit their results, the 管理者 (or the 處長) prints every unit's
completed 附件4 at once, has each signed, and scans them back in colour: the archive
files each scan by the QR code the form carries (its record ID). :func:`print_pack`
makes that one PDF:

* every unit of the month whose results are submitted, in unit order (the units as
  docgen.toml lists them, then any other by name), its completed 附件4 converted from
  the DOCX by LibreOffice (:class:`docgen.forms.libreoffice.Converter`, one run for
  all), and nothing else;
* a bookmark (outline entry) per unit, ``<unit> 附件4 <record id>``, at its first page;
* written whole or not at all to ``out/audit/<month>/列印/列印_<month>.pdf``
  (:func:`docgen.fsutil.atomic_path`), and journalled as ``spot-check print pack``
  (month, units, record IDs, SHA-256).

A unit drawn but not submitted yet is named as missing and left out; when no unit of
the month has submitted, the pack is refused in one line.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pikepdf

from docgen.audit.outputs import default_out_dir
from docgen.audit.samples import audit_file, list_samples, load_results
from docgen.calendar import parse_period
from docgen.config import Workspace
from docgen.db import Database
from docgen.errors import ExternalToolError, InputError
from docgen.forms.libreoffice import Converter
from docgen.fsutil import atomic_path, sha256_file
from docgen.i18n import _
from docgen.journal import Journal

#: The pack's folder under the month's audit folder, and its name's first part.
PRINT_FOLDER = "列印"


@dataclass(frozen=True)
class PrintPack:
    """The pack written: its path, the units in it (in its order) with their record
    IDs, the units left out because their results are not submitted yet, and the
    pack's SHA-256."""

    path: Path
    units: tuple[str, ...]
    missing: tuple[str, ...]
    record_ids: tuple[str, ...]
    sha256: str


@dataclass(frozen=True)
class _Form:
    unit: str
    record_id: str
    docx: Path


def pack_path(workspace: Workspace, month: str) -> Path:
    """``out/audit/<month>/列印/列印_<month>.pdf``."""
    folder = default_out_dir(workspace, month) / PRINT_FOLDER
    return audit_file(folder, PRINT_FOLDER, month, suffix=".pdf")


def _unit_order(workspace: Workspace, units: list[str]) -> list[str]:
    """``units`` as docgen.toml lists them, then any other (全處, 未知單位) by name."""
    configured = [u.name for u in workspace.config.units]
    rank = {name: index for index, name in enumerate(configured)}
    return sorted(units, key=lambda unit: (rank.get(unit, len(rank)), unit))


def _forms(workspace: Workspace, db: Database, month: str) -> tuple[list[_Form], list[str]]:
    """The completed 附件4 of every submitted unit of ``month`` and the units missing."""
    units = _unit_order(workspace, [s.unit for s in list_samples(workspace, month, db=db)])
    forms: list[_Form] = []
    missing: list[str] = []
    for unit in units:
        results = load_results(workspace, month, unit, db=db)
        if results is None or not results.documents.get("form"):
            missing.append(unit)
            continue
        shown = results.documents["form"]
        docx = workspace.root / shown
        if not docx.is_file():
            raise InputError(
                _(
                    "{unit} {month}: the completed 附件4 {file} is not there any more; "
                    "nothing is printed"
                ).format(unit=unit, month=month, file=shown)
            )
        forms.append(_Form(unit, str(results.documents.get("record_id", "")), docx))
    return forms, missing


def _convert(forms: list[_Form], folder: Path) -> dict[Path, Path]:
    """Each form's DOCX → PDF in ``folder`` (one LibreOffice run); a failure is an
    :class:`ExternalToolError` naming the forms."""
    with Converter() as converter:
        result = converter.convert([form.docx for form in forms], folder)
    if result.failed:
        raise ExternalToolError(
            _("LibreOffice could not convert {files}: nothing is printed").format(
                files="; ".join(f"{path.name} ({why})" for path, why in result.failed.items())
            )
        )
    return result.written


def _merge(forms: list[_Form], pdfs: dict[Path, Path], target: Path, title: str) -> None:
    """The forms' PDFs one after the other into ``target``, a bookmark at each."""
    with contextlib.ExitStack() as stack:
        pack = stack.enter_context(pikepdf.new())
        with pack.open_outline() as outline:
            for form in forms:
                source = stack.enter_context(pikepdf.open(pdfs[form.docx]))
                start = len(pack.pages)
                pack.pages.extend(source.pages)
                label = f"{form.unit} 附件4 {form.record_id}".strip()
                outline.root.append(pikepdf.OutlineItem(label, start))
        pack.Root.PageMode = pikepdf.Name.UseOutlines
        pack.docinfo["/Title"] = title
        pack.save(target, deterministic_id=True)


def print_pack(
    workspace: Workspace,
    db: Database,
    month: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> PrintPack:
    """Write the print pack of ``month`` (see the module) and journal it; refused
    (:class:`InputError`, one line) when no unit of the month has submitted its
    results."""
    period = parse_period(month)
    if period.kind != "month":
        raise InputError(
            _("a print pack is of one month, not {period}").format(period=period.label)
        )
    label = period.label
    forms, missing = _forms(workspace, db, label)
    if not forms:
        raise InputError(
            _(
                "{month}: no unit has submitted its results yet, so there is nothing to print"
            ).format(month=label)
        )
    target = pack_path(workspace, label)
    title = _("Monthly spot check {month}: the completed 附件4 to sign").format(month=label)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".docgen-print-", dir=target.parent) as scratch:
        pdfs = _convert(forms, Path(scratch))
        with atomic_path(target) as tmp:
            _merge(forms, pdfs, tmp, title)
    digest = sha256_file(target)
    pack = PrintPack(
        path=target,
        units=tuple(form.unit for form in forms),
        missing=tuple(missing),
        record_ids=tuple(form.record_id for form in forms),
        sha256=digest,
    )
    details = {
        "user": actor,
        "month": label,
        "units": list(pack.units),
        "record_ids": list(pack.record_ids),
        "missing": list(pack.missing),
        "sha256": digest,
    }
    Journal(workspace.journal_path, workspace.root).append(
        "spot-check print pack",
        inputs=[form.docx for form in forms],
        outputs=[target],
        details=details,
        now=now,
        hashes={target: digest},
    )
    return pack
