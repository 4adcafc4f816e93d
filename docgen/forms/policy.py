"""What a form template may contain, checked on its parsed tree before it runs
(ISSUE 9 item 2; R9: an office drops in templates from elsewhere).

The same rules serve ``docgen forms check`` (every problem, as a report) and
``docgen forms fill`` (the first problem, as one line), so that check refuses
whatever fill would refuse. Each problem names the paragraph it is in. Refused:

* syntax errors, and nesting too deep to parse;
* ``{% include %}``, ``{% import %}``, ``{% from … import %}``, ``{% extends %}``
  (a template never loads another), macros and ``{% call %}``, ``{% set %}`` and
  ``{% filter %}`` blocks, ``{% autoescape %}``, recursive loops;
* names starting with ``_`` and attributes or keys starting with ``_`` (Python
  internals such as ``__class__``), subscripts and attribute names that are
  computed rather than written out, filters other than the environment's (``attr``,
  ``format``, ``center`` …), calls of anything but ``range()``, ``dict()`` and
  ``loop.cycle()``/``loop.changed()``;
* constants too large: ``range(10**9)``, ``'x' * 10**9``, ``9**9**9``;
* with a schema (:class:`TemplateNames`): names that are not the form's fields,
  docgen's extra names, Jinja's ``loop`` or the template's own variables, and
  attributes that are not fields of the rows (``c.subject_idx``) or parts of a date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from pydantic import BaseModel

from docgen.forms.environment import DATE_ATTRIBUTES, GLOBALS, LOOP_ATTRIBUTES, FormEnvironment
from docgen.i18n import N_, _, translate

#: What is refused of each kind of block (message IDs: they hold ``{%``, so they are
#: put into their message as values, never formatted themselves).
_BLOCKED: dict[type[nodes.Node], str] = {
    nodes.Include: N_("{% include %} (a form template cannot load another template)"),
    nodes.Import: N_("{% import %} (a form template cannot load another template)"),
    nodes.FromImport: N_("{% from … import %} (a form template cannot load another template)"),
    nodes.Extends: N_("{% extends %} (a form template cannot load another template)"),
    nodes.Macro: N_("{% macro %} (macros are not supported)"),
    nodes.CallBlock: N_("{% call %} (macros are not supported)"),
    nodes.AssignBlock: N_("a {% set %}…{% endset %} block (use {% set name = value %})"),
    nodes.FilterBlock: N_("a {% filter %} block (apply the filter to the value)"),
    nodes.ScopedEvalContextModifier: N_("{% autoescape %} (escaping cannot be switched off)"),
    nodes.EvalContextModifier: N_("{% autoescape %} (escaping cannot be switched off)"),
}
#: Filters some of whose arguments name attributes (or, for map, a filter): the
#: positions of those arguments after the value; ``attribute=`` names one too.
_NAMING_FILTERS: dict[str, tuple[int, ...]] = {
    "map": (0,),
    "selectattr": (0,),
    "rejectattr": (0,),
    "sort": (2,),
    "unique": (1,),
    "min": (1,),
    "max": (1,),
    "sum": (0,),
    "join": (1,),
}
_CALLABLE_LOOP = frozenset({"cycle", "changed"})


@dataclass(frozen=True)
class Problem:
    """One thing a template may not do: ``kind`` is syntax, unsafe or unknown."""

    kind: str
    message: str
    lineno: int = 0


@dataclass(frozen=True)
class TemplateNames:
    """The names a form's template may use: ``fields`` (the schema's and docgen's),
    ``rows`` (list-of-rows fields → their row model), ``dates`` (date fields)."""

    schema: str
    fields: frozenset[str]
    rows: Mapping[str, type[BaseModel]] = field(default_factory=dict)
    dates: frozenset[str] = frozenset()

    @classmethod
    def of(cls, schema: type[BaseModel], extra: frozenset[str]) -> TemplateNames:
        from docgen.forms.describe import list_item_model

        rows = {n: m for n, i in schema.model_fields.items() if (m := list_item_model(i))}
        dates = {n for n, i in schema.model_fields.items() if _is_date(i.annotation)}
        return cls(schema.__name__, frozenset(schema.model_fields) | extra, rows, frozenset(dates))

    def row_fields(self) -> frozenset[str]:
        return frozenset(name for model in self.rows.values() for name in model.model_fields)


def _is_date(annotation: Any) -> bool:
    import typing

    args = typing.get_args(annotation)
    return (isinstance(annotation, type) and issubclass(annotation, date)) or any(
        _is_date(arg) for arg in args
    )


def split_paragraphs(source: str) -> str:
    """The XML with each paragraph on a line of its own (as docxtpl renders it)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", source)


def paragraph_text(xml_line: str) -> str:
    """The visible text of one line of patched XML (one paragraph)."""
    return re.sub(r"<[^>]+>", "", xml_line).strip()


def locate(src: str, lineno: int) -> str:
    """``in paragraph 3 “單位：{{ unit }”`` for line ``lineno`` of ``src``."""
    lines = src.splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    text = paragraph_text(lines[lineno - 1])
    text = text if len(text) <= 80 else text[:77] + "…"
    number = sum(1 for line in lines[:lineno] if line.startswith("<w:p"))
    if number:
        return _("in paragraph {number} “{text}”").format(number=number, text=text)
    return f"“{text}”"


def analyse(
    env: FormEnvironment, src: str, names: TemplateNames | None
) -> tuple[nodes.Template | None, list[Problem]]:
    """The parsed tree of ``src`` (None when it does not parse) and its problems."""
    try:
        tree = env.parse(src)
    except TemplateSyntaxError as error:
        message = _("Jinja syntax error ({error})").format(error=error.message)
        return None, [Problem("syntax", message, error.lineno)]
    except RecursionError:
        return None, [Problem("syntax", _("the template nests too deeply to be read"))]
    try:
        return tree, _Checker(env, names).run(tree)
    except RecursionError:
        return None, [Problem("syntax", _("the template nests too deeply to be read"))]


def describe(node: nodes.Node) -> str:
    """A short rendering of an expression for a message: ``c.no``, ``name.upper()``."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{describe(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{describe(node.node)}[…]"
    if isinstance(node, nodes.Call):
        return f"{describe(node.node)}()"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return "…"


class _TooLarge(Exception):
    pass


class _NotConstant(Exception):
    pass


class _Checker:
    def __init__(self, env: FormEnvironment, names: TemplateNames | None) -> None:
        self.filters, self.limits, self.names = env.filters, env.limits, names
        self.problems: list[Problem] = []
        self.loop_rows: dict[str, type[BaseModel]] = {}
        self.declared: set[str] = set()
        self.evaluated: set[int] = set()  # constant parts already judged with their whole

    def add(self, kind: str, message: str, node: nodes.Node) -> None:
        self.problems.append(Problem(kind, message, node.lineno))

    def run(self, tree: nodes.Template) -> list[Problem]:
        self.declared = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        for loop in tree.find_all(nodes.For):
            self._loop(loop)
        for node in tree.find_all(nodes.Node):
            self._node(node)
        return sorted(self.problems, key=lambda p: p.lineno)

    def _loop(self, loop: nodes.For) -> None:
        if loop.recursive:
            self.add("unsafe", _("refused: a recursive loop (not supported)"), loop)
        if self.names and isinstance(loop.target, nodes.Name) and isinstance(loop.iter, nodes.Name):
            model = self.names.rows.get(loop.iter.name)
            if model is not None:
                self.loop_rows[loop.target.name] = model

    def _node(self, node: nodes.Node) -> None:
        blocked = _BLOCKED.get(type(node))
        if blocked:
            self.add("unsafe", _("refused: {what}").format(what=translate(blocked)), node)
        elif isinstance(node, nodes.Name):
            self._name(node)
        elif isinstance(node, nodes.Getattr):
            self._attribute(node, node.node, node.attr)
        elif isinstance(node, nodes.Getitem):
            self._subscript(node)
        elif isinstance(node, nodes.Filter):
            self._filter(node)
        elif isinstance(node, nodes.Call):
            self._call(node)
        elif isinstance(node, nodes.BinExpr):
            self._constant(node)

    def _name(self, node: nodes.Name) -> None:
        if node.name.startswith("_"):
            message = _("refused: the name “{name}” reaches for Python internals")
            self.add("unsafe", message.format(name=node.name), node)
        elif node.ctx == "load" and self.names is not None:
            known = self.names.fields | GLOBALS | self.declared | {"loop"}
            if node.name not in known:
                message = _("“{name}” is not a field of {schema}").format(
                    name=node.name, schema=self.names.schema
                )
                self.add("unknown", message, node)

    def _attribute(self, node: nodes.Node, target: nodes.Node, attr: str) -> None:
        if attr.startswith("_"):
            message = _("refused: the template reaches for Python internals ({name})").format(
                name=attr
            )
            self.add("unsafe", message, node)
            return
        if self.names is None:
            return
        shown = f"“{describe(target)}.{attr}”"
        if isinstance(target, nodes.Name) and target.name in self.loop_rows:
            model = self.loop_rows[target.name]
            if attr not in model.model_fields:
                message = _("{name} is not a field of {schema}")
                self.add("unknown", message.format(name=shown, schema=model.__name__), node)
        elif isinstance(target, nodes.Name) and target.name == "loop":
            if attr not in LOOP_ATTRIBUTES:
                message = _("{name} is not an attribute of the loop")
                self.add("unknown", message.format(name=shown), node)
        elif isinstance(target, nodes.Name) and target.name in self.names.fields:
            if not (target.name in self.names.dates and attr in DATE_ATTRIBUTES):
                message = _("refused: {name} (only the fields of rows have fields)")
                self.add("unsafe", message.format(name=shown), node)
        elif attr not in self.names.row_fields() | DATE_ATTRIBUTES | LOOP_ATTRIBUTES:
            message = _("refused: {name} is not data the template can read")
            self.add("unsafe", message.format(name=shown), node)

    def _subscript(self, node: nodes.Getitem) -> None:
        arg = node.arg
        if isinstance(arg, nodes.Slice):
            return
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            self._attribute(node, node.node, arg.value)
        elif not (isinstance(arg, nodes.Const) and isinstance(arg.value, int)):
            message = _("refused: the computed subscript “{name}[…]” (write the name)").format(
                name=describe(node.node)
            )
            self.add("unsafe", message, node)

    def _filter(self, node: nodes.Filter) -> None:
        if node.name not in self.filters:
            message = (
                _(
                    "refused: the filter “{name}” is not allowed (it reaches for attributes "
                    "by a computed name)"
                )
                if node.name == "attr"
                else _("refused: the filter “{name}” is not allowed")
            )
            self.add("unsafe", message.format(name=node.name), node)
            return
        if node.name not in _NAMING_FILTERS:
            return
        naming = [a for i, a in enumerate(node.args) if i in _NAMING_FILTERS[node.name]]
        naming += [kw.value for kw in node.kwargs if kw.key == "attribute"]
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            message = _("refused: computed arguments of the filter “{name}”")
            self.add("unsafe", message.format(name=node.name), node)
        for argument in naming:
            value = argument.value if isinstance(argument, nodes.Const) else None
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                message = _("refused: a computed attribute name in the filter “{name}”")
                self.add("unsafe", message.format(name=node.name), node)
            elif isinstance(value, str) and any(p.startswith("_") for p in value.split(".")):
                message = _("refused: the filter “{name}” reaches for Python internals ({value})")
                self.add("unsafe", message.format(name=node.name, value=value), node)
        first = node.args[0] if node.name == "map" and node.args else None
        mapped = first.value if isinstance(first, nodes.Const) else None
        is_filter = not any(kw.key == "attribute" for kw in node.kwargs)
        if is_filter and isinstance(mapped, str) and mapped not in self.filters:
            message = _("refused: the filter “{name}” is not allowed")
            self.add("unsafe", message.format(name=mapped), node)

    def _call(self, node: nodes.Call) -> None:
        callee = node.node
        if isinstance(callee, nodes.Name) and callee.name in GLOBALS:
            if callee.name == "range":
                self._range(node)
            return
        if (
            isinstance(callee, nodes.Getattr)
            and isinstance(callee.node, nodes.Name)
            and callee.node.name == "loop"
            and callee.attr in _CALLABLE_LOOP
        ):
            return
        message = _("refused: calling “{name}()” (only range(), dict() and loop.cycle())").format(
            name=describe(callee)
        )
        self.add("unsafe", message, node)

    def _range(self, node: nodes.Call) -> None:
        try:
            args = [self._value(arg) for arg in node.args]
            length = len(range(*args)) if not node.kwargs else 0
        except _NotConstant:
            return
        except (_TooLarge, OverflowError):
            length = self.limits.range_items + 1
        except (ArithmeticError, TypeError, ValueError) as error:
            self.add("syntax", _("range() cannot count that ({error})").format(error=error), node)
            return
        if length > self.limits.range_items:
            message = _("refused: range() of more than {limit} numbers").format(
                limit=f"{self.limits.range_items:,}"
            )
            self.add("unsafe", message, node)

    def _constant(self, node: nodes.BinExpr) -> None:
        if id(node) in self.evaluated:
            return
        left = node.left.value if isinstance(node.left, nodes.Const) else None
        if node.operator == "%" and isinstance(left, str):
            self.add("unsafe", _("refused: text formatting with % (use the filters)"), node)
            return
        try:
            self._value(node)
        except _TooLarge as error:
            self.add("unsafe", _("refused: {what}").format(what=error), node)
        except (_NotConstant, ArithmeticError, TypeError, ValueError):
            pass

    def _value(self, node: nodes.Node) -> Any:
        """The value of a constant expression, refusing any too large to compute."""
        self.evaluated.add(id(node))
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, nodes.Neg):
            return -self._value(node.node)
        if isinstance(node, nodes.Pos):
            return self._value(node.node)
        if isinstance(node, nodes.BinExpr):
            left, right = self._value(node.left), self._value(node.right)
            ints = isinstance(left, int) and isinstance(right, int)
            power = node.operator == "**" and ints and right > 0 and abs(left) > 1
            if power and abs(left).bit_length() * right > self.limits.int_bits:
                raise _TooLarge(
                    _("{left} ** {right} is too large a number").format(left=left, right=right)
                )
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            repeat = node.operator == "*" and not ints and isinstance(count, int)
            if repeat and isinstance(sequence, (str, list, tuple)):
                size = len(sequence) * count
                if size > self.limits.chars:
                    raise _TooLarge(_("a value of {size} characters").format(size=f"{size:,}"))
            return _OPERATORS[node.operator](left, right)
        raise _NotConstant


_OPERATORS: dict[str, Any] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b if not isinstance(a, str) else _raise(_NotConstant()),
    "**": lambda a, b: a**b,
}


def _raise(error: Exception) -> Any:
    raise error
