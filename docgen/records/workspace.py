"""Laying out a new workspace (``docgen init``), optionally with the example office.

The layout (docs/DEVELOPING.md, "Workspace layout"): ``docgen.toml`` with every key
commented, ``data/``, ``templates/attachments/`` (the shipped 附件1–6 templates),
``retention/`` (the shipped schedule), ``archive/inbox/`` and ``archive/records/``,
and ``.docgen/`` with the journal. Whatever ships in ``docgen/data/`` at run time is
copied. The workspace is built in a temporary folder beside the target and renamed
into place when complete, so a failure leaves nothing half-written; an existing,
non-empty folder is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from string import Template
from typing import Any

from docgen import example_office
from docgen.config import CONFIG_NAME, Config, Workspace
from docgen.errors import InputError
from docgen.i18n import _
from docgen.journal import Journal

#: What ships inside the package: templates, the retention schedule, example data.
PACKAGE_DATA = Path(__file__).resolve().parent.parent / "data"
_BLANK_OFFICE: dict[str, Any] = {
    **{"name": "臺北市市場處", "director": "", "administrator": ""},
    **{"ethics_officer": "", "auditors": [], "planning_unit": "企劃室"},
}
_BLANK_UNITS = [{"name": "企劃室", "supervisor": ""}]
_BLANK_CORRESPONDENCE: dict[str, Any] = {
    **{"agency_code": "", "word": "", "address": ""},
    **{"clerk": "", "phone": "", "fax": "", "email": ""},
}


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def render_config(
    office: Mapping[str, Any],
    units: Sequence[Mapping[str, Any]],
    correspondence: Mapping[str, Any] | None = None,
) -> str:
    """The text of ``docgen.toml``: the commented template with the office filled in."""
    template = Template((PACKAGE_DATA / "workspace" / CONFIG_NAME).read_text(encoding="utf-8"))
    office_lines = [f"{key} = {_toml_value(value)}" for key, value in office.items()]
    unit_blocks = [
        "[[units]]\n" + "\n".join(f"{k} = {_toml_value(v)}" for k, v in unit.items())
        for unit in units
    ]
    letters = correspondence if correspondence is not None else _BLANK_CORRESPONDENCE
    return template.substitute(
        office="\n".join(office_lines),
        units="\n\n".join(unit_blocks),
        correspondence="\n".join(f"{k} = {_toml_value(v)}" for k, v in letters.items()),
    )


def _copy_files(source: Path, target: Path, pattern: str = "*") -> list[Path]:
    """Copy the files matching ``pattern`` (recursively) from ``source`` into ``target``."""
    copied = []
    for path in sorted(source.rglob(pattern)) if source.is_dir() else []:
        if path.is_file() and not path.name.startswith("."):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            copied.append(destination)
    return copied


def _lay_out(root: Path, example: bool) -> list[Path]:
    """Write the workspace into the (empty) folder ``root``; the files written."""
    config = example_office.example_config() if example else {}
    text = render_config(
        config.get("office", _BLANK_OFFICE),
        config.get("units", _BLANK_UNITS),
        config.get("correspondence"),
    )
    (root / CONFIG_NAME).write_text(text, encoding="utf-8")
    workspace = Workspace(root, Config())
    for folder in (workspace.data_dir, workspace.templates_dir, workspace.retention_dir):
        folder.mkdir(parents=True, exist_ok=True)
    for name in ("inbox", "records"):
        (workspace.archive_root / name).mkdir(parents=True, exist_ok=True)
    written = [root / CONFIG_NAME]
    written += _copy_files(PACKAGE_DATA / "templates" / "attachments", workspace.templates_dir)
    written += _copy_files(PACKAGE_DATA / "retention", workspace.retention_dir)
    if example:
        written += _copy_files(PACKAGE_DATA / "example", workspace.data_dir)
        written += example_office.write_example(workspace.data_dir)  # overwrites 附件2/3 data
        written = list(dict.fromkeys(written))
    Journal(workspace.journal_path, root).append(
        "init", outputs=written, details={"example": example}
    )
    return written


def _refuse_existing(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(
            _("{folder} is a file: docgen init needs an empty or new folder").format(folder=target)
        )
    if target.is_dir() and any(target.iterdir()):
        message = (
            _(
                "{folder} is a docgen workspace: docgen init lays out a workspace only in an "
                "empty or new folder and never overwrites files; choose another folder"
            )
            if (target / CONFIG_NAME).exists()
            else _(
                "{folder} is not empty: docgen init lays out a workspace only in an empty or "
                "new folder and never overwrites files; choose another folder"
            )
        )
        raise InputError(message.format(folder=target))


def init_workspace(target: Path, example: bool = False) -> list[Path]:
    """Lay out a new workspace at ``target`` (empty or new); with ``example``, add the
    example office (:mod:`docgen.example_office`). Returns the files written."""
    target = Path(os.path.abspath(target))
    _refuse_existing(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".init", dir=target.parent))
    try:
        written = _lay_out(building, example)
        umask = os.umask(0)
        os.umask(umask)
        building.chmod(0o777 & ~umask)
        os.replace(building, target)
    except OSError as error:
        raise InputError(
            _("{folder}: cannot lay out the workspace ({reason})").format(
                folder=target, reason=error.strerror
            )
        ) from error
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return [target / path.relative_to(building) for path in written]
