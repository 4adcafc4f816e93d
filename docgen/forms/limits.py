"""The render-time bounds of the sandbox (ISSUE 9 item 2): a template from elsewhere
must not hang a batch or exhaust its memory, whatever its data.

:mod:`docgen.forms.policy` refuses what can be seen in a template before it runs
(``range(10**9)``, ``'x' * 10**9``, includes, method calls). What depends on the data
is bounded here, per render of one part, by a :class:`RenderBudget`:

* ``range()`` gives at most :attr:`RenderLimits.range_items` numbers;
* every ``{% for %}`` (the loop's iterable is wrapped by :func:`bound_tree`) counts
  its steps against :attr:`RenderLimits.loop_steps`, over all loops together;
* text the template builds (``~``, ``+`` and ``*`` on text or lists, the text
  filters, printing a list) is charged, before it is built, against
  :attr:`RenderLimits.chars`; numbers are kept below :attr:`RenderLimits.int_bits`;
* the output of the part is at most :attr:`RenderLimits.output_chars`;
* and the whole render at most :attr:`RenderLimits.seconds`.

Exceeding any of them raises :class:`LimitExceeded` (a Jinja ``SecurityError``),
which the engine reports in one line as a refusal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import nodes
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.runtime import markup_join
from jinja2.visitor import NodeTransformer

from docgen.i18n import _

#: The names under which the bounding helpers are reachable from compiled templates;
#: a template itself cannot name them (names starting with ``_`` are refused).
LOOP_HELPER = "_docgen_loop"
CONCAT_HELPER = "_docgen_concat"


@dataclass(frozen=True)
class RenderLimits:
    """The bounds on one render of one part (the defaults are far above any form)."""

    range_items: int = 10_000
    loop_steps: int = 100_000
    chars: int = 32 * 1024 * 1024
    output_chars: int = 64 * 1024 * 1024
    int_bits: int = 4096
    seconds: float = 60.0


DEFAULT_LIMITS = RenderLimits()


class LimitExceeded(SecurityError):
    """A template went past one of its :class:`RenderLimits`."""


class RenderBudget:
    """What one render has used so far of its :class:`RenderLimits`."""

    def __init__(self, limits: RenderLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.steps = 0
        self.chars = 0
        self.deadline = time.monotonic() + limits.seconds

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                _("the template ran longer than {seconds} s").format(
                    seconds=f"{self.limits.seconds:g}"
                )
            )

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.limits.loop_steps:
            raise LimitExceeded(
                _("the template's loops ran more than {limit} times").format(
                    limit=f"{self.limits.loop_steps:,}"
                )
            )
        if not self.steps & 1023:
            self.tick()

    def charge(self, chars: int) -> None:
        self.chars += chars
        if self.chars > self.limits.chars:
            raise LimitExceeded(
                _("the template builds more than {limit} characters of text").format(
                    limit=f"{self.limits.chars:,}"
                )
            )
        self.tick()

    def remaining(self) -> int:
        return max(0, self.limits.chars - self.chars)

    def join(self, chunks: Iterable[str]) -> str:
        """The output of a render, refused once it passes ``output_chars``."""
        out: list[str] = []
        size, limit = 0, self.limits.output_chars
        for chunk in chunks:
            size += len(chunk)
            out.append(chunk)
            if size > limit:
                raise LimitExceeded(
                    _("the output is larger than {limit} characters").format(limit=f"{limit:,}")
                )
            if not len(out) & 1023:
                self.tick()
        return "".join(out)


_CURRENT: ContextVar[RenderBudget | None] = ContextVar("docgen_render_budget", default=None)


def current_budget(limits: RenderLimits) -> RenderBudget:
    """The budget of the render under way; outside one (Jinja folding constants while
    it compiles), a fresh one, so that a single operation is still bounded."""
    return _CURRENT.get() or RenderBudget(limits)


def run_with_budget(limits: RenderLimits, render: Callable[[RenderBudget], str]) -> str:
    """``render(budget)`` with a fresh budget made current for the helpers."""
    budget = RenderBudget(limits)
    token = _CURRENT.set(budget)
    try:
        return render(budget)
    finally:
        _CURRENT.reset(token)


_SCALAR = (str, int, float, date)


def text_size(value: Any, cap: int) -> int:
    """About how many characters ``str(value)`` takes, counted without building it;
    stops counting past ``cap`` (a list holding the same long text many times is as
    long as its printout, not as its memory)."""
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, dict):
            total += 2 + 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            stack.extend(item)
        else:
            total += 32
    return total


def charge_text(limits: RenderLimits, *values: Any) -> None:
    """Charge the text ``values`` would print as before it is built."""
    budget = current_budget(limits)
    cap = budget.remaining()
    budget.charge(sum(text_size(value, cap) for value in values))


def bounded_range(limits: RenderLimits) -> Callable[..., range]:
    """``range`` that refuses more than ``limits.range_items`` numbers."""

    def range_(*args: int) -> range:
        numbers = range(*args)
        try:
            length = len(numbers)
        except OverflowError:
            length = limits.range_items + 1
        if length > limits.range_items:
            message = (
                _("range() of {length} numbers (at most {limit})")
                if length <= 10**15
                else _("range() of more than {limit} numbers")
            )
            raise LimitExceeded(
                message.format(length=f"{length:,}", limit=f"{limits.range_items:,}")
            )
        return numbers

    return range_


def loop_helper(limits: RenderLimits) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """What every ``{% for %}`` iterates through: the items, each one counted."""

    def loop(iterable: Iterable[Any]) -> Iterator[Any]:
        budget = current_budget(limits)
        for item in iterable:
            budget.step()
            yield item

    return loop


def concat_helper(limits: RenderLimits) -> Callable[..., str]:
    """``a ~ b``, charged before it is joined (as Jinja joins it, autoescaping)."""

    def concat(*values: Any) -> str:
        charge_text(limits, *values)
        return str(markup_join(values))

    return concat


def checked_binop(limits: RenderLimits, operator: str, left: Any, right: Any) -> None:
    """Refuse (or charge) ``left <operator> right`` before Python computes it."""
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and ints and right > 0:
        bits = max(abs(left).bit_length(), 1) * right
        if abs(left) > 1 and bits > limits.int_bits:
            raise LimitExceeded(
                _("{left} ** {right} is too large a number").format(left=left, right=right)
            )
    elif operator == "*" and ints:
        if abs(left).bit_length() + abs(right).bit_length() > limits.int_bits:
            raise LimitExceeded(_("the product is too large a number"))
    elif operator == "*":
        sequence, count = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            current_budget(limits).charge(len(sequence) * max(count, 0))
    elif operator == "+" and not ints:
        if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            current_budget(limits).charge(len(left) + len(right))
    elif operator == "%" and isinstance(left, str):
        raise LimitExceeded(_("text formatting with % is not allowed (use the filters)"))


class _Bound(NodeTransformer):
    """Wraps every loop's iterable in :data:`LOOP_HELPER` and turns every ``~`` into a
    call of :data:`CONCAT_HELPER`."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment

    def _call(self, helper: str, args: list[Any], lineno: int) -> nodes.Call:
        call = nodes.Call(nodes.Name(helper, "load"), args, [], None, None)
        return call.set_lineno(lineno).set_environment(self.environment)  # type: ignore[return-value]

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._call(LOOP_HELPER, [node.iter], node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return self._call(CONCAT_HELPER, list(node.nodes), node.lineno)


def bound_tree(tree: nodes.Template, environment: Environment) -> nodes.Template:
    """``tree`` with its loops counted and its concatenations charged (in place)."""
    _Bound(environment).visit(tree)
    return tree
