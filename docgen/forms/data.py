"""Form data: read from YAML, JSON, CSV or XLSX, validated against the form's schema
and masked, with every invalid row reported (row, field, problem) before anything
is written.

* CSV and XLSX (``docgen.records.read_table``): one document per row.
* YAML and JSON: one mapping is one document; a list of mappings (or a mapping
  whose only key holds that list, e.g. ``records:``) is one document per entry.
  Titles as keys work too (``姓名:``), as in a table's header.
  Nested lists (附件4 ``cases``, 附件5 ``checklist``) come from these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from docgen.errors import InputError, RowProblem
from docgen.forms.fields import FormModel
from docgen.forms.registry import FormSpec
from docgen.i18n import _
from docgen.privacy import MaskingPolicy, mask_id, mask_name
from docgen.yamlsafe import load_json, load_yaml, read_text_capped


def _signer_id(value: str, policy: MaskingPolicy) -> str:
    """The signer's own ID on 附件2/附件3: in full only if the office prints it."""
    return value.strip() if policy.print_signer_id else mask_id(value, policy)


def _in_full(value: str, policy: MaskingPolicy) -> str:
    """The signer's name, as given (ISSUE 11 item 8)."""
    return value


#: What each ``personal`` marker of :mod:`docgen.forms.fields` does to its value.
_MASKS = {"id": mask_id, "name": mask_name, "signer_id": _signer_id, "signer_name": _in_full}


@dataclass(frozen=True)
class FormRecord:
    """One valid, masked document's data and the row it came from."""

    row: int
    data: FormModel


def load_rows(path: Path, fields: Iterable[str] = ()) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The documents in the data file at ``path`` as ``(row number, mapping)``; a
    YAML/JSON mapping whose only key is not one of the form's ``fields`` (e.g.
    ``records:``) and holds a list of mappings gives one document per entry."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        yield from _document_rows(path, set(fields))
        return
    from docgen.records.tables import read_table

    yield from read_table(path)


def _document_rows(path: Path, fields: set[str]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        text = read_text_capped(path)
        loaded = load_json(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except FileNotFoundError as error:
        raise InputError(_("{file}: no such file").format(file=path)) from error
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise InputError(
            _("{file}: not readable as {kind}: {error}").format(
                file=path, kind=path.suffix[1:].upper(), error=error
            )
        ) from error
    if isinstance(loaded, dict) and len(loaded) == 1 and not set(loaded) & fields:
        only = next(iter(loaded.values()))
        if isinstance(only, list) and all(isinstance(entry, dict) for entry in only):
            loaded = only
    entries = loaded if isinstance(loaded, list) else [loaded]
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(
                _("{file}, row {row}: expected a mapping of field: value").format(
                    file=path, row=number
                )
            )
        yield number, entry


def _problems(
    error: ValidationError, source: str, row: int, schema: type[FormModel]
) -> list[RowProblem]:
    result = []
    for item in error.errors():
        column = ".".join(str(part) for part in item["loc"]) or None
        field = schema.model_fields.get(str(item["loc"][0])) if item["loc"] else None
        if column and field is not None and field.title:
            column = f"{column} ({field.title})"
        # pydantic's own messages are English: only docgen's are translated
        message = _("required field missing") if item["type"] == "missing" else item["msg"]
        result.append(RowProblem(source, row, column, message.removeprefix("Value error, ")))
    return result


def validate_rows(
    spec: FormSpec,
    variant: str,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str,
    policy: MaskingPolicy,
) -> tuple[list[FormRecord], list[RowProblem]]:
    """Every row validated and masked; the invalid ones as problems (all of them)."""
    records: list[FormRecord] = []
    problems: list[RowProblem] = []
    for row, values in rows:
        try:
            model = spec.schema.model_validate(dict(values))
        except ValidationError as error:
            problems.extend(_problems(error, source, row, spec.schema))
            continue
        mismatch = _variant_problem(spec, variant, model)
        if mismatch:
            problems.append(RowProblem(source, row, "period", mismatch))
            continue
        records.append(FormRecord(row, mask_personal(model, policy)))
    return records, problems


def _variant_problem(spec: FormSpec, variant: str, model: FormModel) -> str:
    """附件4 月抽查 needs a month, 半年抽查 a half-year (R6.2, R6.3)."""
    if spec.key != "4":
        return ""
    is_half = "H" in spec.period(model)
    if variant == "half" and not is_half:
        return _("{period!r} is a month, but 半年抽查 needs a half-year (2026-H1)").format(
            period=spec.period(model)
        )
    if variant == "monthly" and is_half:
        return _("{period!r} is a half-year, but 月抽查 needs a month (2026-10)").format(
            period=spec.period(model)
        )
    return ""


def mask_personal(model: BaseModel, policy: MaskingPolicy) -> Any:
    """``model`` with every field marked personal masked (idempotent; R8): IDs and the
    queried persons' names in the policy's style, the signer's ID unless the policy
    prints it; the signer's name is left as given."""
    updates: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        kind = extra.get("personal")
        if isinstance(kind, str) and isinstance(value, str):
            updates[name] = _MASKS[kind](value, policy)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            updates[name] = [mask_personal(item, policy) for item in value]
    return model.model_copy(update=updates)
