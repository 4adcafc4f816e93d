"""The forms docgen issued, from the manifests the forms engine writes beside every
batch (``附件2_manifest.json`` and its twin ``附件2_manifest.csv``: one entry per
generated document, with its record ID).

A manifest dropped into the inbox, JSON or CSV, is filed (category ``other``,
classified by ``manifest``) and its documents are recorded in the ``forms_issued``
table, so the index knows what was generated even before the signed paper comes
back; a rebuild reads the filed manifests again. The time of issue is the manifest
file's mtime.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from docgen.archive.models import FormIssued
from docgen.forms.manifest import COLUMNS
from docgen.rules.record_id import parse_record_id

_FIELDS = ("form", "variant", "period", "unit", "subject")


def manifest_documents(path: Path) -> list[dict[str, str]] | None:
    """The documents listed by a forms manifest (JSON or CSV) at ``path``; None if it
    is not one."""
    suffix = path.suffix.lower()
    entries = _json_entries(path) if suffix == ".json" else None
    if suffix == ".csv":
        entries = _csv_entries(path)
    if entries is None:
        return None
    found = [d for d in entries if parse_record_id(str(d.get("record_id", "")))]
    if not found:
        return None
    return [
        {"record_id": str(d["record_id"]), **{k: str(d.get(k, "")) for k in _FIELDS}} for d in found
    ]


def _json_entries(path: Path) -> list[dict[str, Any]] | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        return None
    if "form" not in data:
        return None
    return [d for d in data["documents"] if isinstance(d, dict)]


def _csv_entries(path: Path) -> list[dict[str, Any]] | None:
    """The rows of a manifest CSV (the forms engine's columns, by their titles)."""
    keys = {title: key for key, title in COLUMNS.items()}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or set(keys) - set(reader.fieldnames):
                return None
            return [{keys[t]: v for t, v in row.items() if t in keys} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error):
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
