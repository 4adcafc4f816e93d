"""Every user-facing string goes through gettext (ISSUE 11 item 1): a scan of the
source for messages shown to people that are not marked for the catalog.

Shown to people: the message of a docgen error, of click's ``fail``/``BadParameter``/
``UsageError``, of ``echo``/``secho``/``confirm``/``prompt``/``warn``; every ``help=``;
a command's help (a docstring is not translated: the help must be ``help=N_(…)``);
a report's ``title=`` and its ``Columns`` headers. A string with a word of three or
more ASCII letters in it (a placeholder's name is not a word) is English and must be
marked; a report title or header must be marked whatever its language, so that
``--lang en`` translates it too. A marked message must be one literal string, the
message ID Babel extracts (never an f-string: its text would differ every time).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import docgen
from docgen.errors import DocgenError

SOURCE = Path(docgen.__file__).parent
#: Migrations are frozen history; their texts are never shown.
EXEMPT = ("db/migrations/", "i18n.py")
MARKERS = {"_", "N_", "ngettext"}
SHOWN_CALLS = {
    "echo",
    "secho",
    "confirm",
    "prompt",
    "warn",
    "fail",
    "BadParameter",
    "UsageError",
    "ClickException",
    "FileError",
}
WORD = re.compile(r"[A-Za-z]{3,}")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _error_classes() -> set[str]:
    for module in pkgutil.walk_packages(docgen.__path__, "docgen."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[str] = set()
    todo: list[type] = [DocgenError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _text(node: ast.expr) -> str | None:
    """The literal text of a plain or f-string, None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None and right is None else (left or "") + (right or "")
    return None


def _english(text: str) -> bool:
    return bool(WORD.search(PLACEHOLDER.sub("", text)))


def _problems(path: Path, tree: ast.AST, errors: set[str]) -> Iterator[str]:
    where = path.relative_to(SOURCE)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and _name(decorator.func) in {"command", "group"}
                    and not any(k.arg == "help" for k in decorator.keywords)
                    and ast.get_docstring(node)
                ):
                    yield f"{where}:{node.lineno}: command {node.name}: help=N_(…), not a docstring"
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in MARKERS:
            if not node.args or not (
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            ):
                yield f"{where}:{node.lineno}: {name}() of something other than one literal"
            continue
        if name in SHOWN_CALLS or name in errors:
            for arg in node.args[:1]:
                text = _text(arg)
                if text is not None and _english(text):
                    yield f"{where}:{node.lineno}: {name}({text[:50]!r}) not marked"
        for keyword in node.keywords:
            text = _text(keyword.value)
            if text is None:
                continue
            if keyword.arg == "help" and _english(text):
                yield f"{where}:{node.lineno}: help={text[:50]!r} not marked"
            if keyword.arg == "title" and name == "Report" and text.strip():
                yield f"{where}:{node.lineno}: Report title {text[:50]!r} not marked"
        if name == "Columns" and node.args and isinstance(node.args[0], ast.Dict):
            for value in node.args[0].values:
                text = _text(value) if value is not None else None
                if text is not None and text.strip():
                    yield f"{where}:{node.lineno}: column header {text!r} not marked"


def test_every_message_shown_to_people_is_marked_for_the_catalog() -> None:
    errors = _error_classes()
    problems = []
    for path in sorted(SOURCE.rglob("*.py")):
        if str(path.relative_to(SOURCE)).startswith(EXEMPT):
            continue
        problems += _problems(path, ast.parse(path.read_text(encoding="utf-8")), errors)
    assert not problems, f"{len(problems)} unmarked messages:\n" + "\n".join(problems)
