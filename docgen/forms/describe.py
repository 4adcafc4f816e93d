"""The fields of each form as rows for ``docgen forms list``: name, Chinese title,
type, required or optional, personal (masked, or a signer's name in full) or not;
nested lists as ``cases.no``. The types and the personal markers are described in
the current language; the field names and the Chinese titles are the forms' own
(accepted as column headers in the data: the same in every language)."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from docgen.forms.registry import FORMS, VARIANT_NAMES, FormSpec
from docgen.i18n import N_, _, translate
from docgen.report import Columns

_SIMPLE = {str: N_("text"), int: N_("number"), date: N_("date"), datetime: N_("date and time")}


def type_name(annotation: Any) -> str:
    """A short, readable name of a field's type, in the current language."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return type_name(args[0])
    if origin is Literal:
        choices = "/".join(str(a) for a in args if a != "")
        return _("one of {choices}").format(choices=choices)
    if origin is list:
        item = args[0]
        if isinstance(item, type) and issubclass(item, BaseModel):
            return _("list of rows")
        return _("list of {type}").format(type=type_name(item))
    if annotation in _SIMPLE:
        return translate(_SIMPLE[annotation])
    return getattr(annotation, "__name__", str(annotation))


#: What ``forms list`` says of each ``personal`` marker (ISSUE 11 item 8: signers).
PERSONAL_LABELS = {
    "id": N_("masked ID"),
    "name": N_("masked name"),
    "signer_id": N_("signer's ID, masked by default"),
    "signer_name": N_("signer's name, in full"),
}


def _personal(info: FieldInfo) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    label = PERSONAL_LABELS.get(str(extra.get("personal", "")), "")
    return translate(label) if label else ""


def list_item_model(info: FieldInfo) -> type[BaseModel] | None:
    """The row model of a list-of-rows field (附件4 cases → SampledCase), if it is one."""
    for arg in typing.get_args(info.annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def field_rows(model: type[BaseModel], prefix: str = "") -> list[dict[str, Any]]:
    rows = []
    for name, info in model.model_fields.items():
        rows.append(
            {
                "field": prefix + name,
                "title": info.title or "",
                "type": type_name(info.annotation),
                "required": info.is_required(),
                "personal": _personal(info),
            }
        )
        item = list_item_model(info)
        if item is not None:
            rows += field_rows(item, f"{prefix}{name}.")
    return rows


def form_rows(spec: FormSpec) -> list[dict[str, Any]]:
    """One row per field of ``spec``, each with the form and its variants."""
    variants = "、".join(f"{v} {VARIANT_NAMES[v]}" for v in spec.variants)
    return [
        {"form": f"附件{spec.key}", "form_title": spec.title, "variants": variants, **row}
        for row in field_rows(spec.schema)
    ]


def all_rows() -> list[dict[str, Any]]:
    return [row for spec in FORMS.values() for row in form_rows(spec)]


#: A terminal shows the field columns (``--wide`` adds the form's name and variants).
COLUMNS = Columns(
    {
        "form": N_("Attachment"),
        "form_title": N_("Form name"),
        "variants": N_("Variants"),
        "field": N_("Field"),
        "title": N_("Chinese title"),
        "type": N_("Type"),
        "required": N_("Required field"),
        "personal": N_("Masking"),
    },
    brief=("form", "field", "title", "type", "required", "personal"),
)
