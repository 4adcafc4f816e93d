"""Saving a report to a file, on record (ISSUE 10 item 3): every report a person
takes away — as XLSX, CSV or JSON, from the CLI or later the browser — is written the
same way and leaves the same journal entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from docgen.config import Workspace
from docgen.journal import Journal
from docgen.report import Report, write_report


def save_report(
    workspace: Workspace,
    report: Report,
    fmt: str,
    path: Path,
    command: str,
    *,
    inputs: Iterable[Path] = (),
    details: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``report`` to ``path`` in ``fmt`` (whole or not at all) and journal it
    as ``command`` with its ``inputs``; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_report(report, fmt, path)
    Journal(workspace.journal_path, workspace.root).append(
        command, inputs=inputs, outputs=[path], details=details
    )
    return path
