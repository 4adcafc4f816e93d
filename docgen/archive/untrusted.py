"""The archive's own trail files read back as untrusted input (ISSUE 9 item 2;
DESIGN.md, Conventions: everything a file says about itself is validated before it
touches a path or the database).

Tombstones (``records/.tombstones/``) and hold files (``records/.holds/``) are JSON
written by docgen, but anyone with access to the share can edit or forge them. Each
field is checked here: record IDs against the record-ID grammar
(:mod:`docgen.rules.record_id`, matched in full, or docgen's own ``F-``/``U-``
content IDs), paths to stay inside ``records/``, times and dates to parse. A file
that fails is a :class:`TrailFileError` naming the field; callers report it and go on.
"""

from __future__ import annotations

import json
import re
import stat
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from docgen.archive.placement import RECORDS, TOMBSTONES
from docgen.errors import InputError
from docgen.i18n import _
from docgen.rules.record_id import exact_record_id, is_content_id

#: Where hold files live under ``records/`` (ISSUE 9 item 1).
HOLDS = ".holds"
#: The IDs docgen gives a record without one of its own (:func:`classify.content_record_id`).
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: A trail file is a few kilobytes; anything much larger is not one of ours.
MAX_TRAIL_BYTES = 4 << 20


class TrailFileError(ValueError):
    """A tombstone or hold file that cannot be trusted; the text says why."""


def is_record_id(text: object) -> bool:
    """Whether ``text`` is a record ID, exactly (no spaces, no lower case, nothing around it)."""
    if not isinstance(text, str):
        return False
    return exact_record_id(text) is not None or is_content_id(text)


def check_record_id(text: str) -> str:
    """``text`` if it is a record ID, else :class:`InputError` with an example."""
    if not is_record_id(text):
        raise InputError(
            _(
                "{text!r} is not a record ID: expected e.g. DG-4M-202610-1A2B3C4D "
                "(as printed on the form and listed in the retention report)"
            ).format(text=text)
        )
    return text


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``, a regular file (not a link) of reasonable size."""
    try:
        info = path.lstat()
    except OSError as error:
        raise TrailFileError(
            _("cannot read it ({error})").format(error=error.strerror or error)
        ) from error
    if not stat.S_ISREG(info.st_mode):
        raise TrailFileError(_("not a regular file (a link or a folder)"))
    if info.st_size > MAX_TRAIL_BYTES:
        raise TrailFileError(_("{size} bytes: far too large").format(size=info.st_size))
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as error:
        raise TrailFileError(
            _("cannot read it ({error})").format(error=error.strerror or error)
        ) from error
    except UnicodeDecodeError as error:
        raise TrailFileError(_("not UTF-8 text ({reason})").format(reason=error.reason)) from error
    except json.JSONDecodeError as error:
        raise TrailFileError(
            _("not JSON (line {line}: {error})").format(line=error.lineno, error=error.msg)
        ) from error
    if not isinstance(data, dict):
        raise TrailFileError(_("not a JSON object"))
    return data


def check_format(data: dict[str, Any], expected: str) -> None:
    if data.get("format") != expected:
        raise TrailFileError(
            _("format is {found!r}, not {expected!r}").format(
                found=data.get("format"), expected=expected
            )
        )


def record_id_field(data: dict[str, Any], path: Path) -> str:
    """The ``record_id`` of a trail file, which must also be the file's name."""
    record_id = data.get("record_id")
    if not is_record_id(record_id):
        raise TrailFileError(
            _("record_id {record_id!r} is not a record ID").format(record_id=record_id)
        )
    assert isinstance(record_id, str)
    if path.name != f"{record_id}.json":
        raise TrailFileError(
            _("its name does not match its record_id {record_id}").format(record_id=record_id)
        )
    return record_id


def text_field(data: dict[str, Any], key: str, required: bool = False) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str):
        raise TrailFileError(_("{key} must be text").format(key=key))
    return value


def time_field(data: dict[str, Any], key: str, required: bool = True) -> datetime | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise TrailFileError(_("{key} must be a time such as 2026-11-30T10:00:00").format(key=key))
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise TrailFileError(
            _("{key} {value!r} is not a time").format(key=key, value=value)
        ) from None


def date_field(data: dict[str, Any], key: str) -> date | None:
    """An optional ISO date (empty or missing: None)."""
    value = data.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise TrailFileError(_("{key} must be a date such as 2026-11-30").format(key=key))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise TrailFileError(
            _("{key} {value!r} is not a date").format(key=key, value=value)
        ) from None


def records_path(value: object, key: str = "path") -> str:
    """A path relative to the archive root that stays inside ``records/`` (and out of
    its trail folders): no ``..``, no absolute path, no backslash."""
    outside = _("{key} {value!r} is not a path under records/")
    if not isinstance(value, str) or not value or "\\" in value or "\x00" in value:
        raise TrailFileError(outside.format(key=key, value=value))
    parts = PurePosixPath(value).parts
    inside = len(parts) >= 2 and parts[0] == RECORDS and parts[1] not in (TOMBSTONES, HOLDS)
    if value.startswith("/") or any(p in ("..", ".") for p in parts) or not inside:
        raise TrailFileError(outside.format(key=key, value=value))
    if PurePosixPath(value).as_posix() != value:
        raise TrailFileError(
            _("{key} {value!r} is not a plain path under records/").format(key=key, value=value)
        )
    return value


def sha256_field(value: object, key: str = "sha256") -> str:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise TrailFileError(
            _("{key} {value!r} is not a SHA-256 (64 hex digits)").format(key=key, value=value)
        )
    return value


def inside_records(root: Path, relative: str) -> Path:
    """``root / relative``, refused (:class:`InputError`) unless it stays under
    ``records/`` — checked before docgen removes anything."""
    try:
        records_path(relative)
    except TrailFileError as error:
        raise InputError(
            _("nothing was removed: the index names {problem}").format(problem=error)
        ) from None
    target = root / relative
    if not target.resolve().is_relative_to((root / RECORDS).resolve()):
        raise InputError(
            _("nothing was removed: {path} leads outside records/").format(path=relative)
        )
    return target
