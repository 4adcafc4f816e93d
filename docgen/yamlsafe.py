"""YAML and JSON as docgen reads them from files it did not write (ISSUE 9, Beyond the
list).

``yaml.safe_load`` builds no objects, but it keeps aliases: ``*a`` repeated in nested
lists is a handful of bytes that expands exponentially as soon as anything walks or
prints the result (a billion laughs). No data file, sidecar or manifest of an office
needs aliases, so :func:`load_yaml` refuses them, as a :class:`yaml.YAMLError` naming
where (the callers already turn that into one line naming the file).

Both loaders also refuse what would end in a traceback further on, each as a
:class:`DocumentError` (a :class:`yaml.YAMLError` and a :class:`ValueError`, so that
callers catching either turn it into one line naming the file):

* nesting deeper than :data:`MAX_DEPTH` levels (``[[[[…]]]]`` 100,000 deep made the
  parsers, pydantic and every recursive walk raise ``RecursionError``);
* values the parsers refuse with ``ValueError`` or ``OverflowError`` rather than a
  syntax error: a YAML timestamp that is no date (``2026-02-30``), a JSON integer of
  more than 4,300 digits.

:func:`read_text_capped` reads a data file whole, refusing one over
:data:`MAX_DOCUMENT_BYTES`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from docgen.i18n import _

#: No document an office writes nests deeper than this (a form's rows: 3 levels).
MAX_DEPTH = 100
#: A YAML or JSON data file read whole is at most this large.
MAX_DOCUMENT_BYTES = 64 << 20


class DocumentError(yaml.YAMLError, ValueError):
    """A YAML or JSON text docgen does not read: too deep, too large, or holding a
    value its parser cannot make (the message says which)."""


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing every alias (``*name``) and nesting past
    :data:`MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, _("aliases (*name) are not accepted"), event.start_mark
            )
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                _("nested more than {levels} levels deep").format(levels=MAX_DEPTH),
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("{value!r} is not a valid date or time ({error})").format(
                    value=node.value, error=error
                ),
                node.start_mark,
            ) from error


_NoAliasLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _NoAliasLoader.construct_yaml_timestamp
)


def _where_and_what(error: yaml.MarkedYAMLError) -> str:
    """``line 2, column 8: aliases (*name) are not accepted``: PyYAML's own text quotes
    the offending line under a caret, which does not fit on the one line of an error."""
    mark = error.problem_mark or error.context_mark
    what = error.problem or error.context or _("not valid YAML")
    if mark is None:
        return what
    return _("line {line}, column {column}: {problem}").format(
        line=mark.line + 1, column=mark.column + 1, problem=what
    )


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)`` without aliases, nesting past :data:`MAX_DEPTH`, or a
    traceback: whatever is wrong is a :class:`yaml.YAMLError`."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as error:
        raise DocumentError(_where_and_what(error)) from error
    except yaml.YAMLError:
        raise
    except RecursionError as error:
        raise DocumentError(
            _("nested too deeply (more than {levels} levels)").format(levels=MAX_DEPTH)
        ) from error
    except (ValueError, OverflowError, TypeError) as error:
        raise DocumentError(_("a value cannot be read: {error}").format(error=error)) from error


def load_json(text: str) -> Any:
    """``json.loads(text)``, nesting at most :data:`MAX_DEPTH` levels deep; whatever
    is wrong (a syntax error too) is a :class:`DocumentError`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError(str(error)) from error
    except RecursionError as error:
        raise DocumentError(
            _("nested too deeply (more than {levels} levels)").format(levels=MAX_DEPTH)
        ) from error
    except (ValueError, OverflowError) as error:  # e.g. an integer of 4,301 digits
        raise DocumentError(_("a value cannot be read: {error}").format(error=error)) from error
    if depth(document) > MAX_DEPTH:
        raise DocumentError(
            _("nested too deeply (more than {levels} levels)").format(levels=MAX_DEPTH)
        )
    return document


def depth(document: Any, limit: int = MAX_DEPTH) -> int:
    """How deep lists and mappings nest in ``document`` (a scalar is 0), counted
    without recursion; stops counting at ``limit + 1``."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def read_text_capped(
    path: Path, limit: int = MAX_DOCUMENT_BYTES, encoding: str = "utf-8-sig"
) -> str:
    """The text of the file at ``path``, refused (a :class:`DocumentError`) when it is
    over ``limit`` bytes; ``OSError`` and ``UnicodeDecodeError`` as ``open`` raises them."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(
            _("larger than {size} MiB: too large for a YAML or JSON data file").format(
                size=limit // (1 << 20)
            )
        )
    return data.decode(encoding)
