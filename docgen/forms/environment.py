"""The Jinja environment every template is rendered with: sandboxed, autoescaping,
strict about undefined names, with filters for ROC dates, masking and numbers.

docxtpl's default (a plain ``jinja2.Environment`` without autoescape) would let data
such as ``<`` break the XML and let a template reach Python internals; ours refuses
both (R8, R9: an office drops in templates from elsewhere).

ISSUE 9 item 2: beyond Jinja's own sandbox, a template sees plain data only. There
is no loader (no include, import or extends); the globals are ``range`` (bounded)
and ``dict``; the filters are those a form needs, none that reaches attributes by
a computed name (``attr``) or builds text from a number (``center``, ``indent``,
``format``); attributes are the keys of the data's mappings, the parts of a date
and the ``loop`` variable's; nothing is callable but ``range``, ``dict`` and
``loop.cycle``/``loop.changed``. Every render runs within :mod:`docgen.forms.limits`.
:mod:`docgen.forms.policy` refuses the same before a template runs.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from jinja2 import StrictUndefined, Template, nodes, pass_environment, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext, Undefined
from jinja2.sandbox import SandboxedEnvironment

from docgen.forms import limits as bounds
from docgen.forms.limits import DEFAULT_LIMITS, RenderLimits
from docgen.i18n import _
from docgen.privacy import DEFAULT_POLICY, MaskingPolicy, mask_id, mask_name

#: What ``roc`` prints for an empty date, so the clerk can write the date by hand (the
#: form's content: Chinese in every language).
BLANK_ROC_DATE = "中華民國　　年　　月　　日"

#: The attributes a template may read: of ``loop``, and of a date or date and time.
LOOP_ATTRIBUTES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth"}
    | {"depth0", "previtem", "nextitem", "cycle", "changed"}
)
DATE_ATTRIBUTES = frozenset({"year", "month", "day", "hour", "minute", "second"})
#: Jinja's filters that build text from their input (charged before they run).
TEXT_FILTERS = frozenset(
    {"capitalize", "e", "escape", "lower", "upper", "title", "trim", "striptags", "string"}
    | {"list"}
)
#: Jinja's filters that only pick, count, order or convert (nothing to charge).
DATA_FILTERS = frozenset(
    {"abs", "count", "d", "default", "dictsort", "first", "float", "int", "items", "last"}
    | {"length", "map", "max", "min", "reject", "rejectattr", "reverse", "round"}
    | {"select", "selectattr", "sort", "unique", "wordcount"}
)
#: Globals a template may name (``loop`` is Jinja's, inside a loop).
GLOBALS = frozenset({"range", "dict"})


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


class BoundedTemplate(Template):
    """A template whose every render runs within its environment's limits."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        limits = getattr(self.environment, "limits", DEFAULT_LIMITS)

        def run(budget: bounds.RenderBudget) -> str:
            context = self.new_context(dict(*args, **kwargs))
            try:
                return budget.join(self.root_render_func(context))
            except Exception:
                self.environment.handle_exception()

        return bounds.run_with_budget(limits, run)


class FormEnvironment(SandboxedEnvironment):
    """The sandbox with docgen's rules (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = BoundedTemplate

    def __init__(self, limits: RenderLimits = DEFAULT_LIMITS, **options: Any) -> None:
        super().__init__(**options)
        self.limits = limits
        self.globals.clear()
        self.globals.update(
            {
                "range": bounds.bounded_range(limits),
                "dict": dict,
                bounds.LOOP_HELPER: bounds.loop_helper(limits),
                bounds.CONCAT_HELPER: bounds.concat_helper(limits),
            }
        )
        self._callable = {id(value) for value in self.globals.values()}
        self.filters = {name: FILTERS[name] for name in DATA_FILTERS}
        self.filters.update({name: self._charged(FILTERS[name]) for name in TEXT_FILTERS})
        self.filters.update(_bounded_filters(limits))

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        bounds.bound_tree(source, self)
        return str(super()._generate(source, name, filename, defer_init))

    def _charged(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` with its arguments' text charged first."""

        @functools.wraps(function)
        def charged(*args: Any, **kwargs: Any) -> Any:
            bounds.charge_text(self.limits, *args, *kwargs.values())
            return function(*args, **kwargs)

        return charged

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        """Add docgen's own filters (charged like Jinja's text filters)."""
        self.filters.update({name: self._charged(f) for name, f in filters.items()})

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Plain data only: a mapping's keys, a date's parts, ``loop``'s attributes."""
        if isinstance(obj, Undefined):
            return super().getattr(obj, attribute)
        if isinstance(obj, dict):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        allowed = (
            LOOP_ATTRIBUTES
            if isinstance(obj, LoopContext)
            else DATE_ATTRIBUTES
            if isinstance(obj, date)
            else ()
        )
        if attribute in allowed and not attribute.startswith("_"):
            return getattr(obj, attribute)
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """A mapping's key, a sequence's index or slice; text keys as :meth:`getattr`."""
        if isinstance(obj, dict):
            try:
                return obj[argument] if argument in obj else self.undefined(obj=obj, name=argument)
            except TypeError:  # an unhashable key
                return self.undefined(obj=obj, name=str(argument))
        if isinstance(obj, (list, tuple, str)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except (IndexError, TypeError):
                return self.undefined(obj=obj, name=str(argument))
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=str(argument))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Nothing is callable but the globals and ``loop.cycle``/``loop.changed``."""
        allowed = id(__obj) in __self._callable or (
            inspect.ismethod(__obj)
            and isinstance(__obj.__self__, LoopContext)
            and __obj.__name__ in ("cycle", "changed")
        )
        if not allowed and not isinstance(__obj, Undefined):
            raise SecurityError(
                _("calling {what} is not allowed in a form template").format(what=_describe(__obj))
            )
        return __context.call(__obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        bounds.checked_binop(self.limits, operator, left, right)
        return super().call_binop(context, operator, left, right)


def _bounded_filters(limits: RenderLimits) -> dict[str, Callable[..., Any]]:
    """``join``, ``replace`` and ``sum``, each refusing what it would build too large."""

    @pass_eval_context
    def join(eval_ctx: EvalContext, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = value if isinstance(value, (list, tuple, str)) else list(value)
        bounds.charge_text(limits, items, *([d] * len(items)))
        return FILTERS["join"](eval_ctx, items, d, attribute)

    @pass_eval_context
    def replace(eval_ctx: EvalContext, s: Any, old: Any, new: Any, count: Any = None) -> Any:
        text = str(s)
        found = text.count(str(old)) if old else len(text) + 1
        found = found if count is None or count < 0 else min(found, count)
        bounds.current_budget(limits).charge(len(text) + found * len(str(new)))
        return FILTERS["replace"](eval_ctx, s, old, new, count)

    @pass_environment
    def sum_(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        if not isinstance(start, (int, float)):
            raise SecurityError(_("sum() of anything but numbers is not allowed"))
        return FILTERS["sum"](environment, iterable, attribute, start)

    return {"join": join, "replace": replace, "sum": sum_}


def _describe(obj: Any) -> str:
    name = getattr(obj, "__name__", None)
    if isinstance(name, str):
        return f"“{name}”"
    return _("a {kind}").format(kind=type(obj).__name__)


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict, set)):
        bounds.charge_text(DEFAULT_LIMITS, value)  # printing a list builds its text
    return value


def make_environment(
    policy: MaskingPolicy = DEFAULT_POLICY, limits: RenderLimits = DEFAULT_LIMITS
) -> FormEnvironment:
    """A new sandboxed environment with autoescape, StrictUndefined and our filters."""
    env = FormEnvironment(limits, autoescape=True, undefined=StrictUndefined, finalize=_finalize)
    env.add_filters(
        roc=roc,
        roc_short=roc_short,
        roc_period=roc_period,
        number=number,
        mask_id=lambda value: mask_id(str(value or ""), policy),
        mask_name=lambda value: mask_name(str(value or ""), policy),
    )
    return env
