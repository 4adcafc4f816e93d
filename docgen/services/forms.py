"""Filling a batch of attachments, on record (ISSUE 10 item 3)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from docgen.config import Workspace
from docgen.errors import InputError
from docgen.forms import BatchOptions, BatchResult, fill_file
from docgen.i18n import _
from docgen.journal import Journal


def fill_forms(
    workspace: Workspace,
    form: str,
    variant: str | None,
    data: Path,
    out_dir: Path,
    options: BatchOptions,
) -> BatchResult:
    """Fill ``form`` once per record of ``data`` into ``out_dir`` (R9), the batch whole
    or not at all. The journal entry is written once the batch is in place; if it
    cannot be, the batch is removed again (ISSUE 9 item 3)."""
    if not data.exists():
        raise InputError(_("{file}: no such file").format(file=data))
    journal = Journal(workspace.journal_path, workspace.root)

    def on_record(result: BatchResult) -> None:
        try:
            journal.append(
                "forms fill",
                inputs=[data, result.template],
                outputs=result.files,
                details={
                    "form": result.form,
                    "variant": result.variant,
                    "batch": result.batch_id,
                    "documents": len(result.documents),
                    "record_ids": [d.record_id for d in result.documents],
                    "skipped_rows": [p.row for p in result.skipped],
                },
            )
        except OSError as error:
            raise InputError(
                _(
                    "cannot write the journal {file}: {reason}; nothing of this batch was "
                    "written to {folder}"
                ).format(
                    file=error.filename or journal.path,
                    reason=error.strerror or error,
                    folder=out_dir,
                )
            ) from error

    options = dataclasses.replace(options, on_written=on_record)
    return fill_file(workspace, form, variant, data, out_dir, options)
