"""``docgen forms check``: lint a DOCX template against its form's schema (R9: an office
drops in 民政局's official forms and must know before use whether they will fill).

The template is opened as ``forms fill`` opens it (:class:`docgen.forms.parts.
TemplatePackage`: bounded against zip bombs, parts found through the package's
relationships, so ``word/document2.xml`` as Word Online saves it) and every part
``fill`` renders is checked after docxtpl's own XML patching (so tags split across
Word's runs are seen as docxtpl will see them) by the same rules
(:mod:`docgen.forms.policy`, ISSUE 9 item 2): whatever ``fill`` refuses before
rendering, ``check`` reports, with the part and the paragraph. Errors: Jinja syntax
errors; anything unsafe (includes, imports, Python internals, filters and calls not
allowed, computed names, constants too large; the rest of such a part is still
checked); variables the schema does not know (also fields of rows in a loop,
``c.subject_idx``); required fields the template never uses. Warnings: no record ID,
no QR picture, tags in parts that nothing fills (endnotes, comments).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import nodes
from pydantic import BaseModel

from docgen.forms.compiled import QR_PICTURE_NAME
from docgen.forms.environment import FormEnvironment
from docgen.forms.identity import EXTRA_NAMES
from docgen.forms.parts import TemplatePackage
from docgen.forms.policy import TemplateNames, analyse, locate, split_paragraphs
from docgen.forms.registry import FormSpec


@dataclass(frozen=True)
class Issue:
    """One finding: ``severity`` is error or warning; ``where`` names the part."""

    severity: str
    kind: str
    where: str
    message: str


def template_parts(path: Path) -> dict[str, str]:
    """Each rendered part's source after docxtpl's patching, by its label: the main
    document, headers, footers, core properties (``docProps/core.xml (title)``),
    footnotes."""
    return {part.label: part.source for part in TemplatePackage(path).parts}


def check_template(
    spec: FormSpec, path: Path, env: FormEnvironment
) -> tuple[list[Issue], list[str]]:
    """The issues of the template at ``path`` for ``spec``, and the names it uses."""
    package = TemplatePackage(path)
    names = TemplateNames.of(spec.schema, EXTRA_NAMES)
    issues: list[Issue] = []
    used: set[str] = set()
    for part in package.parts:
        src = split_paragraphs(part.source)
        tree, problems = analyse(env, src, names)
        for problem in problems:
            place = locate(src, problem.lineno)
            message = f"{problem.message} {place}" if place else problem.message
            issues.append(Issue("error", problem.kind, part.label, message))
        if tree is not None:
            used |= _names(tree)
    issues += _unused_required(spec.schema, used, issues)
    issues += _warnings(package, used, issues)
    return issues, sorted(used)


def _names(tree: nodes.Template) -> set[str]:
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}


def _unused_required(schema: type[BaseModel], used: set[str], issues: list[Issue]) -> list[Issue]:
    if any(issue.kind == "syntax" for issue in issues):
        return []  # a part that did not parse may well use them
    return [
        Issue(
            "error", "unused", "template", f"required field “{name}” ({info.title}) is never used"
        )
        for name, info in schema.model_fields.items()
        if info.is_required() and name not in used
    ]


def _warnings(package: TemplatePackage, used: set[str], issues: list[Issue]) -> list[Issue]:
    found: list[Issue] = []
    if "record_id" not in used and not any(i.kind == "syntax" for i in issues):
        message = "the record ID ({{ record_id }}) is not printed"
        found.append(Issue("warning", "record_id", "template", message))
    if QR_PICTURE_NAME.encode() not in package.entries.get(package.main, b""):
        message = f"no picture named “{QR_PICTURE_NAME}”: no QR code will be printed"
        found.append(Issue("warning", "qr", "template", message))
    for name in package.unrendered_tags():
        message = (
            "holds {{ }} or {% %} tags, which are not filled (docgen, like docxtpl, fills "
            "the body, headers, footers, footnotes and document properties)"
        )
        found.append(Issue("warning", "unrendered", name, message))
    return found


def issue_rows(issues: list[Issue]) -> list[dict[str, Any]]:
    return [vars(issue) for issue in issues]


COLUMNS = {"severity": "嚴重度", "kind": "類別", "where": "位置", "message": "說明"}
