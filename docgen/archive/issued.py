"""The forms docgen issued, from the manifests the forms engine writes beside every
batch (``附件2_manifest_<batch time>.json`` and its twin ``.csv``: one entry per
generated document, with its record ID).

A manifest dropped into the inbox, JSON or CSV, is filed (category ``other``,
classified by ``manifest``) and its documents are recorded in the ``forms_issued``
table, so the index knows what was generated even before the signed paper comes
back; a rebuild reads the filed manifests again. The time of issue is the manifest
file's mtime.

A manifest is what a file says about other records, so it is untrusted (ISSUE 9
item 1): each entry is checked like a file's own metadata; one bad entry refuses the
whole manifest (:class:`~docgen.metadata.UntrustedMetadata`), which is then filed
unclassified with the reason, and nothing of it reaches the ``forms_issued`` table.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from docgen.archive.claims import check_metadata
from docgen.archive.paths import read_small
from docgen.cells import restore
from docgen.db.models.archive import FormIssued
from docgen.errors import InputError
from docgen.forms.manifest import COLUMNS, LATER_COLUMNS
from docgen.i18n import _
from docgen.metadata import RecordMetadata, UntrustedMetadata
from docgen.rules.record_id import parse_record_id

_FIELDS = ("form", "variant", "period", "unit", "subject")
#: A manifest lists a batch of documents: a few thousand at most.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_DOCUMENTS = 20_000


def manifest_documents(path: Path) -> list[dict[str, str]] | None:
    """The documents listed by a forms manifest (JSON or CSV) at ``path``; None if it
    is not one; :class:`UntrustedMetadata` if an entry is not valid."""
    suffix = path.suffix.lower()
    entries = _json_entries(path) if suffix == ".json" else None
    if suffix == ".csv":
        entries = _csv_entries(path)
    if not entries:
        return None
    if len(entries) > MAX_DOCUMENTS:
        raise UntrustedMetadata(
            _("forms manifest {name}: {count:,} documents (at most {limit:,})").format(
                name=path.name, count=len(entries), limit=MAX_DOCUMENTS
            )
        )
    return [_checked(path, number, entry) for number, entry in enumerate(entries, 1)]


def _checked(path: Path, number: int, entry: dict[str, Any]) -> dict[str, str]:
    """One entry, every field checked (a record ID in full, no control characters)."""
    values = {k: entry.get(k, "") for k in ("record_id", *_FIELDS)}
    values = {
        k: "" if v is None else str(v) if isinstance(v, int) else v for k, v in values.items()
    }
    where = _("forms manifest {name}, document {number}").format(name=path.name, number=number)
    meta = check_metadata(RecordMetadata(**values), where)
    if parse_record_id(meta.record_id) is None:
        raise UntrustedMetadata(
            _("{where}: field record_id: a form needs a DG- record ID").format(where=where)
        )
    return {"record_id": meta.record_id, **{k: getattr(meta, k) for k in _FIELDS}}


def _read_text(path: Path) -> str | None:
    try:
        return read_small(path, MAX_MANIFEST_BYTES).decode("utf-8-sig")
    except (InputError, UnicodeDecodeError):
        return None


def _json_entries(path: Path) -> list[dict[str, Any]] | None:
    text = _read_text(path)
    try:
        data: Any = json.loads(text) if text is not None else None
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        return None
    if "form" not in data:
        return None
    return [d for d in data["documents"] if isinstance(d, dict)]


def _csv_entries(path: Path) -> list[dict[str, Any]] | None:
    """The rows of a manifest CSV (the forms engine's columns, by their titles; every
    one but :data:`~docgen.forms.manifest.LATER_COLUMNS`, which older manifests lack)."""
    keys = {title: key for key, title in COLUMNS.items()}
    required = {title for key, title in COLUMNS.items() if key not in LATER_COLUMNS}
    text = _read_text(path)
    if text is None:
        return None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or required - set(reader.fieldnames):
            return None
        # docgen wrote it: its cells carry the quote docgen.cells added (ISSUE 9 item 7).
        return [{keys[t]: restore(v) for t, v in row.items() if t in keys} for row in reader]
    except csv.Error:
        return None


def note_issued(session: Session, path: Path) -> int:
    """Record (or refresh) the documents of the manifest at ``path``; how many."""
    documents = manifest_documents(path) or []
    issued_at = datetime.fromtimestamp(path.stat().st_mtime)
    for entry in documents:
        record = parse_record_id(entry["record_id"])
        row = session.get(FormIssued, entry["record_id"]) or FormIssued(
            record_id=entry["record_id"]
        )
        for key in _FIELDS:
            setattr(row, key, entry[key])
        row.category = record.category if record is not None else ""
        row.issued_at = min(filter(None, [row.issued_at, issued_at]))
        session.add(row)
        session.flush()  # a later manifest of the same batch must find it
    return len(documents)
