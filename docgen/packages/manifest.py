"""The sidecar ``OUT.pdf.manifest.json``: every input with its SHA-256, size and page
range in the output, and the output's own SHA-256, so that anyone can check later
that the package is the one that was built, from the files it names.

Format (``"format": "docgen-package-manifest/1"``)::

    {"format": …, "created": "2026-11-27T10:00:00+08:00",
     "output": {"file": "OUT.pdf", "sha256": …, "size": 123, "pages": 9},
     "pdfa": "2b" or null,
     "metadata": {"title": …, "period": "2026-10", "unit": …, "category": …,
                  "trigger": "2026-10-31", "record_ids": [...]},
     "inputs": [{"document": "附件4", "role": "document" | "evidence",
                 "parent": null | "附件4", "label": "附件4", "path": "/abs/scan.jpg",
                 "type": "jpeg", "sha256": …, "size": 1234,
                 "pages": [1, 2], "notes": [...],
                 "removed": {"JavaScript action": 1, "embedded file": 1}}]}

``removed`` counts, by kind, the active content left out of that input (ISSUE 9
item 1; see :mod:`docgen.packages.sanitize`); ``{}`` when there was none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.errors import InputError
from docgen.fsutil import atomic_write_text, sha256_file
from docgen.i18n import _
from docgen.metadata import RecordMetadata
from docgen.packages.inputs import Source

FORMAT = "docgen-package-manifest/1"


def manifest_path(output: Path) -> Path:
    """``OUT.pdf`` → ``OUT.pdf.manifest.json`` beside it."""
    return output.with_name(output.name + ".manifest.json")


def input_entry(source: Source, first_page: int) -> dict[str, Any]:
    """The manifest entry of one input placed at ``first_page`` (from 1)."""
    part = source.part
    return {
        "document": part.title, "role": part.role, "parent": part.parent,
        "label": part.label, "path": str(source.path.resolve()), "type": source.kind,
        "sha256": source.sha256, "size": source.size,
        "pages": [first_page, first_page + source.pages - 1], "notes": source.notes,
        "removed": source.removed,
    }  # fmt: skip


def write_manifest(
    output: Path,
    sha256: str,
    meta: RecordMetadata,
    inputs: Sequence[dict[str, Any]],
    pages: int,
    pdfa: bool,
    now: datetime | None = None,
) -> Path:
    """Write the sidecar of the finished ``output`` (whose SHA-256 is ``sha256``)."""
    body = {
        "format": FORMAT,
        "created": (now or datetime.now().astimezone()).isoformat(timespec="seconds"),
        "output": {
            "file": output.name,
            "sha256": sha256,
            "size": output.stat().st_size,
            "pages": pages,
        },
        "pdfa": "2b" if pdfa else None,
        "metadata": asdict(meta),
        "inputs": list(inputs),
    }
    target = manifest_path(output)
    atomic_write_text(target, json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    return target


def read_manifest(output: Path) -> dict[str, Any] | None:
    """The sidecar of ``output``, or None when there is none."""
    path = manifest_path(output)
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(
            _("{file}: not a package manifest ({error})").format(file=path, error=error)
        ) from error
    if data.get("format") != FORMAT:
        raise InputError(
            _("{file}: not a package manifest (format {format!r})").format(
                file=path, format=data.get("format")
            )
        )
    return data


def manifest_problems(output: Path, manifest: dict[str, Any], pages: int) -> list[str]:
    """What no longer matches between ``output`` and its manifest (empty: all matches)."""
    recorded = manifest.get("output", {})
    found = []
    if recorded.get("sha256") != sha256_file(output):
        found.append(_("the PDF's SHA-256 differs from the manifest's: the file was changed"))
    if recorded.get("size") != output.stat().st_size:
        found.append(
            _("size {size} bytes, manifest says {recorded}").format(
                size=output.stat().st_size, recorded=recorded.get("size")
            )
        )
    if recorded.get("pages") != pages:
        found.append(
            _("{pages} pages, manifest says {recorded}").format(
                pages=pages, recorded=recorded.get("pages")
            )
        )
    return found
