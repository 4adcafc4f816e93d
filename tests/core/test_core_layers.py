"""Layers point one way (DESIGN.md, Architecture): cli → capabilities → pure core.

* The pure core (``docgen.rules``, ``docgen.calendar``, ``docgen.privacy``) imports
  nothing else of ours, and reads neither the clock nor the environment: the date
  and every setting are passed in (ISSUE 11 item 6).
* Only the CLI imports the CLI.
* A capability uses another capability only through its public API (below).
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "docgen"
PURE = ("docgen.rules", "docgen.calendar", "docgen.privacy")
#: The errors it raises, and the catalog its messages go through (docgen.i18n imports
#: nothing of ours and reads only its own catalogs).
PURE_MAY_IMPORT = (*PURE, "docgen.errors", "docgen.i18n")

#: What the pure core may not touch, as dotted names after resolving imports: a
#: reference to one of these (called or not), or to anything under it, is a violation.
CLOCK_AND_ENVIRONMENT = (
    "datetime.date.today",
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
    "time.time",
    "time.time_ns",
    "os.environ",
    "os.environb",
    "os.getenv",
    "os.getenvb",
)

CAPABILITIES = (
    "docgen.records",
    "docgen.forms",
    "docgen.packages",
    "docgen.archive",
    "docgen.audit",
    "docgen.correspondence",
    "docgen.db",
)

#: A capability's public API: its package (``docgen.forms``, i.e. what its
#: ``__init__`` exports) and these modules, each declared public in the capability's
#: own docs. ``X.*`` means every module under X.
PUBLIC_MODULES: dict[str, tuple[str, ...]] = {
    # db/__init__: "docgen.db.models holds the tables, docgen.db.migrate the
    # migrations, docgen.db.maintenance checks, backups and restores".
    "docgen.db": (
        "docgen.db.models",
        "docgen.db.models.*",
        "docgen.db.migrate",
        "docgen.db.maintenance",
    ),
    # records/__init__: "the typed records of docgen.records.models"; records/stored:
    # "what every capability reads".
    "docgen.records": ("docgen.records.models", "docgen.records.stored"),
    # archive/db: "Public API (RET and the CLI use these)".
    "docgen.archive": ("docgen.archive.db",),
    # forms/__init__: "docgen.forms.libreoffice is public too".
    "docgen.forms": ("docgen.forms.libreoffice",),
    # correspondence/__init__: "Public API for other capabilities: stored".
    "docgen.correspondence": ("docgen.correspondence.stored",),
}

#: Known imports of another capability's internals, as (importer, imported) with the
#: reason each is tolerated today. Fixing one is a change in the importer (or in the
#: imported capability's API); a new one fails the test, an entry no longer needed
#: only warns (other work may fix an importer first) and should then be removed.
KNOWN_INTERNAL_IMPORTS: dict[tuple[str, str], str] = {
    # cheap: the name is already exported by the capability's package
    ("docgen.archive.evidence", "docgen.records.tables"): "read_table: use docgen.records",
    ("docgen.forms.data", "docgen.records.tables"): "read_table: use docgen.records",
    ("docgen.audit.accounts", "docgen.records.accounts"): "ACCOUNT_HEADERS: use docgen.records",
    ("docgen.audit.checks", "docgen.records.accounts"): "Registry: use docgen.records",
    ("docgen.audit.drawing", "docgen.records.queries"): "QueryLog: use docgen.records",
    # the name is not exported yet: the imported capability's API needs it
    ("docgen.audit.intake", "docgen.records.queries"): "Record (a raw log row) is not exported",
    ("docgen.audit.sheet", "docgen.records.tables"): "open_workbook, workbook_errors not exported",
    ("docgen.archive.classify", "docgen.packages.manifest"): "manifest FORMAT not exported",
    ("docgen.archive.issued", "docgen.forms.manifest"): "forms manifest COLUMNS not exported",
    ("docgen.audit.record", "docgen.forms.schemas"): "DEFAULT_CHECKLIST not exported",
    ("docgen.archive.db", "docgen.db.base"): "the archive's index shares the tables' Base",
    ("docgen.archive.evidence", "docgen.audit.samples"): "docgen.audit has no package API yet",
    ("docgen.archive.missing", "docgen.audit.samples"): "docgen.audit has no package API yet",
    ("docgen.db.legacy", "docgen.audit.legacy"): "taking over an earlier docgen's audit files",
    ("docgen.audit.samples", "docgen.archive.paths"): "path-safety helpers; archive has no API",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    """Whether ``name`` (``docgen.…``) is a module or package of ours."""
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an ``ImportFrom`` names, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports_of(path: Path) -> set[str]:
    """Every module of ours ``path`` imports (TYPE_CHECKING and local imports too);
    ``from docgen.forms import schemas`` counts as importing ``docgen.forms.schemas``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module, is_package = _module_name(path), path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, is_package)
            names.add(source)
            names.update(
                f"{source}.{alias.name}"
                for alias in node.names
                if _is_module(f"{source}.{alias.name}")
            )
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n == "docgen" or n.startswith("docgen.")}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _modules() -> list[tuple[str, set[str]]]:
    return [(_module_name(p), _imports_of(p)) for p in sorted(PACKAGE.rglob("*.py"))]


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


# ---------------------------------------------------------------- clock and environment


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` with ``a`` resolved through the module's imports, else None."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([aliases.get(node.id, node.id), *reversed(attrs)])


def clock_and_environment_reads(source: str) -> list[str]:
    """Every reference in ``source`` to the clock or the environment, as
    ``line: dotted.name`` — through any import form (``import datetime as dt``,
    ``from datetime import date``, ``from os import environ`` …)."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                found.append((node.lineno, f"{node.module}.{alias.name}"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
            name = _dotted(node, aliases)
            if name is not None:
                found.append((node.lineno, name))
    hits = {
        (line, forbidden)
        for line, name in found
        for forbidden in CLOCK_AND_ENVIRONMENT
        if _within(name, (forbidden,))
    }
    return [f"{line}: {name}" for line, name in sorted(hits)]


def test_pure_core_reads_neither_clock_nor_environment() -> None:
    wrong = [
        f"{_module_name(path)}:{hit}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if _within(_module_name(path), PURE)
        for hit in clock_and_environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert wrong == [], "pass today's date or the setting in as a parameter"


def test_the_clock_check_sees_every_import_form() -> None:
    source = (
        "import datetime as dt\nimport os\nimport time\n"
        "from datetime import date, datetime\n"
        "from os import getenv\n"
        "a = date.today()\n"
        "b = datetime.now()\n"
        "c = dt.datetime.today()\n"
        "d = os.environ.get('X')\n"
        "e = time.time()\n"
        "f = getenv('Y')\n"
        "g = date(2026, 1, 1) + dt.timedelta(1)\n"
        "h = os.path.join('a', 'b')\n"
    )
    assert clock_and_environment_reads(source) == [
        "5: os.getenv",
        "6: datetime.date.today",
        "7: datetime.datetime.now",
        "8: datetime.datetime.today",
        "9: os.environ",
        "10: time.time",
        "11: os.getenv",
    ]
    # datetime.time is not time.time
    assert clock_and_environment_reads("from datetime import time\nt = time(9, 30)\n") == []


# ---------------------------------------------------------------- capabilities


def _capability(name: str) -> str | None:
    return next((c for c in CAPABILITIES if _within(name, (c,))), None)


def is_public(name: str) -> bool:
    """Whether another capability may import ``name``: a capability's package itself,
    or a module its :data:`PUBLIC_MODULES` lists."""
    capability = _capability(name)
    if capability is None or name == capability:
        return True
    for public in PUBLIC_MODULES.get(capability, ()):
        if name == public or (public.endswith(".*") and name.startswith(public[:-1])):
            return True
    return False


def internal_imports() -> dict[tuple[str, str], None]:
    """Every (importer, imported) where a capability's module imports another
    capability's module that is not public."""
    found: dict[tuple[str, str], None] = {}
    for module, imports in _modules():
        own = _capability(module)
        if own is None:
            continue
        for name in sorted(imports):
            other = _capability(name)
            if other is not None and other != own and not is_public(name):
                found[(module, name)] = None
    return found


def test_capabilities_use_each_other_only_through_their_public_api() -> None:
    found = internal_imports()
    stale = [f"{a} → {b}" for a, b in KNOWN_INTERNAL_IMPORTS if (a, b) not in found]
    if stale:
        warnings.warn(f"KNOWN_INTERNAL_IMPORTS no longer needed: {stale}", stacklevel=1)
    new = [
        f"{importer} imports {imported}"
        for importer, imported in found
        if (importer, imported) not in KNOWN_INTERNAL_IMPORTS
    ]
    assert new == [], (
        "import the other capability's package (from docgen.forms import X) or a module "
        "in PUBLIC_MODULES; export the name from the package if it is missing"
    )


def test_the_capability_rules_are_well_formed() -> None:
    assert all(_is_module(c) for c in CAPABILITIES)
    for capability, publics in PUBLIC_MODULES.items():
        assert capability in CAPABILITIES
        for public in publics:
            assert _capability(public) == capability
            assert _is_module(public.removesuffix(".*"))
    for (importer, imported), reason in KNOWN_INTERNAL_IMPORTS.items():
        assert _capability(importer) not in (None, _capability(imported)), importer
        assert not is_public(imported) and reason.strip()


def test_the_capability_check_sees_internals() -> None:
    assert is_public("docgen.forms") and is_public("docgen.db.models.archive")
    assert is_public("docgen.records.models") and is_public("docgen.config")
    assert not is_public("docgen.forms.engine") and not is_public("docgen.db.base")
    imports = dict(_modules())["docgen.archive.issued"]
    assert "docgen.forms.manifest" in imports  # from docgen.forms.manifest import COLUMNS
