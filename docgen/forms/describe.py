"""The fields of each form as rows for ``docgen forms list``: name, Chinese title,
type, required or optional, personal (masked, or a signer's name in full) or not;
nested lists as ``cases.no``."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from docgen.forms.registry import FORMS, VARIANT_NAMES, FormSpec
from docgen.report import Columns

_SIMPLE = {str: "text", int: "number", date: "date", datetime: "date and time"}


def type_name(annotation: Any) -> str:
    """A short, readable name of a field's type."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return type_name(args[0])
    if origin is Literal:
        return "one of " + "/".join(str(a) for a in args if a != "")
    if origin is list:
        item = args[0]
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "list of rows"
        return f"list of {type_name(item)}"
    return _SIMPLE.get(annotation, getattr(annotation, "__name__", str(annotation)))


#: What ``forms list`` says of each ``personal`` marker (ISSUE 11 item 8: signers).
PERSONAL_LABELS = {
    "id": "masked ID",
    "name": "masked name",
    "signer_id": "signer's ID, masked by default",
    "signer_name": "signer's name, in full",
}


def _personal(info: FieldInfo) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return PERSONAL_LABELS.get(str(extra.get("personal", "")), "")


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
        "form": "附件",
        "form_title": "名稱",
        "variants": "版本",
        "field": "欄位",
        "title": "中文名稱",
        "type": "型別",
        "required": "必填",
        "personal": "遮罩",
    },
    brief=("form", "field", "title", "type", "required", "personal"),
)
