"""Tombstones: what a disposed record was, in ``records/.tombstones/<record ID>.json``
(DESIGN.md, Retention: the file's hash, metadata and the approval stay as a
tombstone; a disposed record ID is final).

Format ``docgen-tombstone/1``: ``record_id``, ``metadata`` (the record's fields),
``files`` (each ``path``, ``sha256``, ``size``, ``kind``), ``approval`` (the 發文字號),
``approved_by`` and ``approved_on`` (ISSUE 9 item 4), ``disposed_by``,
``disposed_at`` and ``plan`` (the disposal plan, ISSUE 9 item 3). The last four
fields were added without a new format version: older tombstones lack them, and
older docgen reads newer ones. Read back by :func:`read_tombstone` as untrusted input
(:mod:`docgen.archive.untrusted`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docgen.archive.approval import Approval
from docgen.archive.placement import RECORDS, TOMBSTONES, write_durably
from docgen.archive.untrusted import (
    TrailFileError,
    check_format,
    date_field,
    is_record_id,
    read_json_object,
    record_id_field,
    records_path,
    sha256_field,
    text_field,
    time_field,
)
from docgen.i18n import _

TOMBSTONE_FORMAT = "docgen-tombstone/1"
_KINDS = ("document", "sidecar")
_META_TEXT = ("category", "form", "variant", "period", "unit", "subject", "title", "source")


@dataclass(frozen=True)
class Tombstone:
    """A tombstone file, validated; ``path`` relative to the archive root."""

    path: str
    record_id: str
    metadata: dict[str, Any]
    files: list[dict[str, Any]]
    approval: str
    approved_by: str
    approved_on: date | None
    disposed_by: str
    disposed_at: datetime
    plan_id: str


def tombstone_file(root: Path, record_id: str) -> Path:
    return root / RECORDS / TOMBSTONES / f"{record_id}.json"


def write_tombstone(
    root: Path,
    record_id: str,
    files: list[dict[str, Any]],
    metadata: dict[str, Any],
    approval: Approval,
    by: str,
    now: datetime,
    plan_id: str = "",
) -> Path:
    """The tombstone file of ``record_id``, written atomically and durably."""
    target = tombstone_file(root, record_id)
    payload = {
        "format": TOMBSTONE_FORMAT,
        "record_id": record_id,
        "metadata": metadata,
        "files": files,
        "approval": approval.reference,
        "approved_by": approval.approved_by,
        "approved_on": approval.approved_on.isoformat() if approval.approved_on else "",
        "disposed_by": by,
        "disposed_at": now.isoformat(timespec="seconds"),
        "plan": plan_id,
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    write_durably(target, text.encode("utf-8"))
    return target


def _metadata(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TrailFileError(_("metadata must be an object"))
    meta = dict(value)
    for key in _META_TEXT:
        text_field(meta, key)
    for key in ("trigger", "review_date"):
        date_field(meta, key)
    listed = meta.get("record_ids", [])
    if not isinstance(listed, list) or not all(isinstance(r, str) for r in listed):
        raise TrailFileError(_("metadata.record_ids must be a list of record IDs"))
    return meta


def _files(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise TrailFileError(_("files must be a list"))
    found = []
    for number, entry in enumerate(value, 1):
        if not isinstance(entry, dict):
            raise TrailFileError(_("files[{number}] must be an object").format(number=number))
        size = entry.get("size", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise TrailFileError(
                _("files[{number}].size must be a whole number of bytes").format(number=number)
            )
        kind = entry.get("kind", "document")
        if kind not in _KINDS:
            raise TrailFileError(
                _("files[{number}].kind {kind!r} is not one of {kinds}").format(
                    number=number, kind=kind, kinds=", ".join(_KINDS)
                )
            )
        found.append(
            {
                "path": records_path(entry.get("path"), f"files[{number}].path"),
                "sha256": sha256_field(entry.get("sha256"), f"files[{number}].sha256"),
                "size": size,
                "kind": kind,
            }
        )
    return found


def read_tombstone(path: Path, root: Path) -> Tombstone:
    """The tombstone at ``path``; :class:`TrailFileError` saying what is wrong."""
    data = read_json_object(path)
    check_format(data, TOMBSTONE_FORMAT)
    record_id = record_id_field(data, path)
    disposed_at = time_field(data, "disposed_at")
    assert disposed_at is not None
    return Tombstone(
        path=path.relative_to(root).as_posix(),
        record_id=record_id,
        metadata=_metadata(data.get("metadata")),
        files=_files(data.get("files", [])),
        approval=text_field(data, "approval", required=True),
        approved_by=text_field(data, "approved_by"),
        approved_on=date_field(data, "approved_on"),
        disposed_by=text_field(data, "disposed_by"),
        disposed_at=disposed_at,
        plan_id=text_field(data, "plan"),
    )


def read_tombstones(root: Path) -> tuple[list[Tombstone], list[tuple[str, str]]]:
    """Every readable tombstone, and ``(file, problem)`` for each that is not."""
    found, problems = [], []
    for path in sorted((root / RECORDS / TOMBSTONES).glob("*.json")):
        try:
            found.append(read_tombstone(path, root))
        except TrailFileError as error:
            problems.append((path.relative_to(root).as_posix(), str(error)))
    return found, problems


def tombstone_ids(root: Path) -> set[str]:
    """The record IDs that have a tombstone file (read or not): each is disposed."""
    folder = root / RECORDS / TOMBSTONES
    names = (p.name[: -len(".json")] for p in folder.glob("*.json"))
    return {name for name in names if is_record_id(name)}
