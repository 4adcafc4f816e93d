"""Field types shared by the form schemas: ROC-or-ISO dates, personal-data markers,
and a base model that accepts each field under its Chinese label too.

A field marked :data:`PERSONAL_ID` or :data:`PERSONAL_NAME` is masked by the engine
before rendering (R8; RULES.md, Decisions: masking), so callers cannot forget it: the
persons whose data was queried (被查詢人), masked on every form in the office's
``name_style``. ISSUE 11 item 8: a form is signed by the person it names, so the
signer's name (:data:`SIGNER_NAME`: 申請人 on 附件2, 立切結書人 on 附件3, the
signature rows of 附件1, 附件4, 附件5 and 附件6) is printed in full, and the signer's
own national ID (:data:`SIGNER_ID`, 附件2/附件3) is masked unless the office sets
``[masking] print_signer_id``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

#: ``json_schema_extra`` markers of personal fields, read by the engine.
PERSONAL_ID = {"personal": "id"}
PERSONAL_NAME = {"personal": "name"}
#: The name of the person who signs the form: printed in full, never masked.
SIGNER_NAME = {"personal": "signer_name"}
#: The signer's own national ID: masked, unless the policy's ``print_signer_id``.
SIGNER_ID = {"personal": "signer_id"}


def _to_date(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    from docgen.calendar import parse_date

    return _parsed(parse_date, value)


def _to_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    from docgen.calendar import parse_datetime

    return _parsed(parse_datetime, value)


def _parsed(parse: Any, value: Any) -> Any:
    """``parse(value)``, its InputError turned into the ValueError pydantic reports."""
    from docgen.errors import InputError

    try:
        return parse(str(value).strip())
    except InputError as error:
        raise ValueError(str(error)) from error


def _to_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value.strip() if isinstance(value, str) else value


def _to_text_list(value: Any) -> Any:
    if isinstance(value, str):
        parts = value.replace("、", "\n").replace("；", "\n").replace(";", "\n").splitlines()
        return [p.strip() for p in parts if p.strip()]
    return [] if value is None else value


#: A date given as ISO (2026-10-01) or ROC (115/10/01, 115年10月1日); empty → None.
RocDate = Annotated[date, BeforeValidator(_to_date)]
#: A date and time, ISO or ROC followed by ``HH:MM[:SS]``.
RocDateTime = Annotated[datetime, BeforeValidator(_to_datetime)]
#: Text; numbers from a spreadsheet become text, surrounding blanks are stripped.
Text = Annotated[str, BeforeValidator(_to_text)]
#: A list of text; in a table cell the items are separated by 、 ； ; or new lines.
TextList = Annotated[list[str], BeforeValidator(_to_text_list)]


def label(title: str, **extra: Any) -> Any:
    """A required field shown as ``title``."""
    return Field(title=title, json_schema_extra=extra or None)


def optional(title: str, default: Any = "", **extra: Any) -> Any:
    """An optional field shown as ``title``."""
    if isinstance(default, list):
        return Field(default_factory=list, title=title, json_schema_extra=extra or None)
    return Field(default=default, title=title, json_schema_extra=extra or None)


class FormModel(BaseModel):
    """Base of every schema: fields may also be given under their Chinese title
    (``姓名`` for ``name``), so a registry exported from Excel fills a form as is.
    Unknown columns are ignored (a registry has more columns than a form needs).
    An empty cell is no value: a required field is then reported missing, an
    optional one takes its default."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _accept_titles(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        by_title = {info.title: name for name, info in cls.model_fields.items() if info.title}
        result: dict[str, Any] = {}
        for key, value in data.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            result.setdefault(by_title.get(str(key).strip(), str(key).strip()), value)
        return result
