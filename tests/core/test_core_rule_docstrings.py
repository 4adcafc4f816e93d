"""Every rule function of the pure core cites its rule (ISSUE 11 item 6).

A public function of ``docgen/rules/*.py`` — a module-level function, or a method of
a class that is not a ``Protocol`` — names the rule it applies (``R4.1``, ``R6.2`` …,
see docs/regulation/RULES.md) in its docstring. Properties read a value and are not
checked; dunder methods neither. The helpers below are not rules and say why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "docgen" / "rules"
CITATION = re.compile(r"\bR\d")

#: Public functions that apply no rule of the regulation, each with the reason.
NOT_RULES = {
    "record_id.make_record_id": "builds a record ID (DESIGN.md, Forms), a filing aid",
    "record_id.parse_record_id": "parses a record ID out of decoded QR text",
    "record_id.exact_record_id": "checks that a text is exactly a record ID",
    "record_id.is_content_id": "checks the grammar of a content ID",
    "retention.parse_term": "parses a period as typed into the retention schedule",
    "retention.undefined_rule": "a category no rule covers: there is no rule to cite",
}


def _is_property(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Name) and decorator.id in {"property", "cached_property"}:
            return True
        if isinstance(decorator, ast.Attribute) and decorator.attr in {"setter", "deleter"}:
            return True
    return False


def _is_protocol(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(b, ast.Name) and b.id == "Protocol")
        or (isinstance(b, ast.Attribute) and b.attr == "Protocol")
        for b in node.bases
    )


def _public_functions(
    body: list[ast.stmt], prefix: str
) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name.startswith("_") or _is_property(node):
                continue
            found.append((prefix + node.name, node))
        elif (
            isinstance(node, ast.ClassDef)
            and not node.name.startswith("_")
            and not _is_protocol(node)
        ):
            found += _public_functions(node.body, f"{prefix}{node.name}.")
    return found


def rule_functions() -> dict[str, str]:
    """``{"module.function": docstring}`` for every public function checked."""
    result = {}
    for path in sorted(RULES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, node in _public_functions(tree.body, f"{path.stem}."):
            result[name] = ast.get_docstring(node) or ""
    return result


def test_every_rule_function_cites_its_rule() -> None:
    uncited = [
        name
        for name, doc in rule_functions().items()
        if name not in NOT_RULES and not CITATION.search(doc)
    ]
    assert uncited == [], "cite the rule (R<number>…) in the docstring, or list it in NOT_RULES"


def test_the_exceptions_are_real_and_few() -> None:
    functions = rule_functions()
    assert sorted(set(NOT_RULES) - set(functions)) == []
    assert all(reason.strip() for reason in NOT_RULES.values())
    assert len(NOT_RULES) <= 8


def test_the_walk_sees_the_rules() -> None:
    functions = rule_functions()
    assert "account_review.review_accounts" in functions
    assert "account_review.long_suspended_from" in functions
    assert "obligations.Obligation.fulfilled_by" in functions
    assert "sampling.monthly_sample_size" in functions
    assert not any(".AccountRecord." in name for name in functions)  # a Protocol
    assert "retention.Term.label" not in functions  # a property
    assert not any(name.split(".")[-1].startswith("_") for name in functions)


def test_the_check_catches_a_function_without_a_citation() -> None:
    tree = ast.parse(
        'def cited():\n    """R6.2: monthly."""\n'
        'def uncited():\n    """No rule here."""\n'
        "class Rule:\n"
        '    def method(self):\n        """Neither."""\n'
        "    @property\n    def value(self):\n        return 1\n"
    )
    checked = {
        name: ast.get_docstring(node) or "" for name, node in _public_functions(tree.body, "")
    }
    assert sorted(checked) == ["Rule.method", "cited", "uncited"]
    assert [n for n, doc in checked.items() if not CITATION.search(doc)] == [
        "uncited",
        "Rule.method",
    ]
