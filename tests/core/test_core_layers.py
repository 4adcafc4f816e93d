"""Layers point one way (DESIGN.md, Architecture): cli → capabilities → pure core."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "docgen"
PURE = ("docgen.rules", "docgen.calendar", "docgen.privacy")
PURE_MAY_IMPORT = (*PURE, "docgen.errors")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _our_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n == "docgen" or n.startswith("docgen.")}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _modules() -> list[tuple[str, set[str]]]:
    return [(_module_name(p), _our_imports(p)) for p in sorted(PACKAGE.rglob("*.py"))]


def test_pure_core_imports_nothing_else_of_ours() -> None:
    wrong = [
        f"{module} imports {name}"
        for module, imports in _modules()
        if _within(module, PURE)
        for name in imports
        if not _within(name, PURE_MAY_IMPORT)
    ]
    assert wrong == []


def test_only_the_cli_imports_the_cli() -> None:
    wrong = [
        f"{module} imports {name}"
        for module, imports in _modules()
        if not _within(module, ("docgen.cli", "docgen.__main__"))
        for name in imports
        if _within(name, ("docgen.cli",))
    ]
    assert wrong == []


def test_the_walk_sees_the_package() -> None:
    modules = dict(_modules())
    assert "docgen.rules.record_id" in modules
    assert "docgen.errors" in modules["docgen.journal"]
