"""The Jinja environment every template is rendered with: sandboxed, autoescaping,
strict about undefined names, with filters for ROC dates, masking and numbers.

docxtpl's default (a plain ``jinja2.Environment`` without autoescape) would let data
such as ``<`` break the XML and let a template reach Python internals; ours refuses
both (R8, R9: an office drops in templates from elsewhere).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.sandbox import SandboxedEnvironment

from docgen.privacy import DEFAULT_POLICY, MaskingPolicy, mask_id, mask_name

#: What ``roc`` prints for an empty date, so the clerk can write the date by hand.
BLANK_ROC_DATE = "中華民國　　年　　月　　日"


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    from docgen.calendar import parse_date

    return parse_date(str(value))


def roc(value: Any) -> str:
    """``中華民國115年10月1日``; an empty date gives a blank to fill in by hand."""
    from docgen.calendar import format_roc

    day = _as_date(value)
    if day is None:
        return BLANK_ROC_DATE
    return format_roc(day.date() if isinstance(day, datetime) else day)


def roc_short(value: Any) -> str:
    """``115/10/01``, with ``HH:MM`` for a date and time; empty for no date."""
    from docgen.calendar import format_roc_short

    day = _as_date(value)
    if day is None:
        return ""
    if isinstance(day, datetime):
        return f"{format_roc_short(day.date())} {day:%H:%M}"
    return format_roc_short(day)


def roc_period(value: Any) -> str:
    """``2026-10`` → ``115年10月``, ``2026-H1`` → ``115年上半年``."""
    from docgen.calendar import parse_period

    return str(parse_period(str(value)).roc_label) if value else ""


def number(value: Any) -> str:
    """Arabic numerals with thousands separators (``1,234``); empty for None."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def make_environment(policy: MaskingPolicy = DEFAULT_POLICY) -> SandboxedEnvironment:
    """A new sandboxed environment with autoescape, StrictUndefined and our filters."""
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize)
    env.filters.update(
        roc=roc,
        roc_short=roc_short,
        roc_period=roc_period,
        number=number,
        mask_id=lambda value: mask_id(str(value or ""), policy),
        mask_name=lambda value: mask_name(str(value or ""), policy),
    )
    return env


def unsafe_names(tree: nodes.Template) -> list[str]:
    """Attribute or item names in a parsed template that reach for Python internals
    (anything starting with an underscore, e.g. ``__class__``, ``__mro__``)."""
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else _const(node.arg)  # type: ignore[attr-defined]
        if isinstance(name, str) and name.startswith("_"):
            found.append(name)
    return found


def _const(node: nodes.Node) -> Any:
    return node.value if isinstance(node, nodes.Const) else None
