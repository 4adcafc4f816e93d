"""``docgen forms check``: lint a DOCX template against its form's schema (R9: an office
drops in 民政局's official forms and must know before use whether they will fill).

Checked after docxtpl's own XML patching (so tags split across Word's runs are seen
as docxtpl will see them): Jinja syntax errors, with the paragraph they are in;
reaching for Python internals (the rest of such a part is still checked); variables the schema does not know (also fields of
rows in a loop, ``c.subject_idx``); required fields the template never uses; and,
as warnings, no record ID or no QR picture.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from docgen.errors import DocgenError, InputError
from docgen.forms.compiled import FOOTNOTES, QR_PICTURE_NAME, compile_part
from docgen.forms.describe import list_item_model
from docgen.forms.identity import EXTRA_NAMES
from docgen.forms.registry import FormSpec

#: Names Jinja itself provides.
_JINJA_NAMES = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop"})


@dataclass(frozen=True)
class Issue:
    """One finding: ``severity`` is error or warning; ``where`` names the part."""

    severity: str
    kind: str
    where: str
    message: str


def template_parts(path: Path) -> dict[str, str]:
    """Each part's XML after docxtpl's patching: body, headers, footers, footnotes."""
    try:
        template = DocxTemplate(io.BytesIO(path.read_bytes()))
        template.render_init()
    except OSError as error:
        raise InputError(f"{path}: cannot read the template ({error.strerror})") from error
    except Exception as error:  # python-docx raises many kinds for a non-DOCX
        raise InputError(f"{path}: not a DOCX file ({error})") from error
    parts = {"body": template.patch_xml(template.get_xml())}
    for relation in template.docx.part.rels.values():
        if relation.reltype.endswith(("/header", "/footer")) and not relation.is_external:
            name = str(relation.target_part.partname).lstrip("/")
            parts[name] = template.patch_xml(template.get_part_xml(relation.target_part))
    for part in template.docx.part.package.parts:
        if part.content_type == FOOTNOTES:
            name = str(part.partname).lstrip("/")
            parts[name] = template.patch_xml(part.blob.decode("utf-8"))
    return parts


def check_template(
    spec: FormSpec, path: Path, env: SandboxedEnvironment
) -> tuple[list[Issue], list[str]]:
    """The issues of the template at ``path`` for ``spec``, and the names it uses."""
    issues: list[Issue] = []
    used: set[str] = set()
    for where, source in template_parts(path).items():
        try:
            compile_part(env, source, where)
        except DocgenError as error:
            kind = "syntax" if isinstance(error.__cause__, TemplateSyntaxError) else "unsafe"
            issues.append(Issue("error", kind, where, str(error).split(": ", 1)[1]))
            if kind == "syntax":
                continue  # nothing more can be read from a part that does not parse
        tree = env.parse(source)  # an unsafe part parses: check the rest of it too
        used |= _names(tree)
        issues += _unknown(spec.schema, tree, where)
    issues += _unused_required(spec.schema, used, issues)
    issues += _warnings(path, used, issues)
    return issues, sorted(used)


def _names(tree: nodes.Template) -> set[str]:
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}


def _unknown(schema: type[BaseModel], tree: nodes.Template, where: str) -> list[Issue]:
    known = set(schema.model_fields) | EXTRA_NAMES | _JINJA_NAMES
    loop_vars = _loop_rows(schema, tree)
    declared = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    issues = [
        Issue("error", "unknown", where, f"“{name}” is not a field of {schema.__name__}")
        for name in sorted(_names(tree) - known - declared)
    ]
    for node in tree.find_all(nodes.Getattr):
        target = node.node
        if isinstance(target, nodes.Name) and target.name in loop_vars:
            model = loop_vars[target.name]
            if node.attr not in model.model_fields:
                message = f"“{target.name}.{node.attr}” is not a field of {model.__name__}"
                issues.append(Issue("error", "unknown", where, message))
    return issues


def _loop_rows(schema: type[BaseModel], tree: nodes.Template) -> dict[str, type[BaseModel]]:
    """Loop variables over list-of-rows fields: ``for c in cases`` → {c: SampledCase}."""
    result = {}
    for loop in tree.find_all(nodes.For):
        if isinstance(loop.target, nodes.Name) and isinstance(loop.iter, nodes.Name):
            info = schema.model_fields.get(loop.iter.name)
            item = list_item_model(info) if info else None
            if item is not None:
                result[loop.target.name] = item
    return result


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


def _warnings(path: Path, used: set[str], issues: list[Issue]) -> list[Issue]:
    found: list[Issue] = []
    if "record_id" not in used and not any(i.kind == "syntax" for i in issues):
        message = "the record ID ({{ record_id }}) is not printed"
        found.append(Issue("warning", "record_id", "template", message))
    if QR_PICTURE_NAME.encode() not in _document_xml(path):
        message = f"no picture named “{QR_PICTURE_NAME}”: no QR code will be printed"
        found.append(Issue("warning", "qr", "template", message))
    return found


def _document_xml(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml")


def issue_rows(issues: list[Issue]) -> list[dict[str, Any]]:
    return [vars(issue) for issue in issues]


COLUMNS = {"severity": "嚴重度", "kind": "類別", "where": "位置", "message": "說明"}
