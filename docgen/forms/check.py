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

What ``fill`` refuses while rendering (:mod:`docgen.forms.limits`: nested loops of
10,000 × 10,000 steps, ``{% set s = s + s %}`` repeated until it is gigabytes) cannot
all be seen in the source, so a template that passes every rule is then rendered
once, as ``fill`` renders it (the same compiled parts, environment and limits), with
the form's example data (``docgen/data/example/forms``): whatever goes wrong there is
an error of kind ``render``, in ``fill``'s words. (What depends on the data, e.g.
``range(population)``, can still be refused by ``fill`` for other data.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import nodes
from pydantic import BaseModel

from docgen.errors import InputError
from docgen.forms.compiled import QR_PICTURE_NAME, CompiledTemplate
from docgen.forms.data import FormRecord, load_rows, validate_rows
from docgen.forms.environment import FormEnvironment
from docgen.forms.identity import EXTRA_NAMES, record_metadata, render_context
from docgen.forms.parts import TemplatePackage
from docgen.forms.policy import TemplateNames, analyse, locate, split_paragraphs
from docgen.forms.registry import FormSpec
from docgen.i18n import N_, _, translate
from docgen.privacy import DEFAULT_POLICY


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


#: The example data of each form and variant, the data of the trial render.
EXAMPLES = {
    ("1", ""): "附件1_戶政機關資料交換安全約定.yaml",
    ("2", ""): "附件2_權限申請表.csv",
    ("3", ""): "附件3_保密切結書.xlsx",
    ("4", "monthly"): "附件4_月抽查.yaml",
    ("4", "half"): "附件4_半年抽查.yaml",
    ("5", ""): "附件5_稽核紀錄表.yaml",
    ("6", ""): "附件6_外部稽核紀錄表.json",
}
EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "example" / "forms"
#: The office name the trial render prints.
EXAMPLE_OFFICE = "臺北市市場處"


def check_template(
    spec: FormSpec, path: Path, env: FormEnvironment, variant: str | None = None
) -> tuple[list[Issue], list[str]]:
    """The issues of the template at ``path`` for ``spec``, and the names it uses.
    ``variant`` picks the example data of the trial render (default: the first)."""
    package = TemplatePackage(path)
    names = TemplateNames.of(spec.schema, EXTRA_NAMES)
    issues: list[Issue] = []
    used: set[str] = set()
    for part in package.parts:
        src = split_paragraphs(part.source)
        tree, problems = analyse(env, src, names)
        for problem in problems:
            place = locate(src, problem.lineno)
            message = (
                _("{problem} {place}").format(problem=problem.message, place=place)
                if place
                else problem.message
            )
            issues.append(Issue("error", problem.kind, part.label, message))
        if tree is not None:
            used |= _names(tree)
    issues += _unused_required(spec.schema, used, issues)
    if not any(issue.severity == "error" for issue in issues):
        issues += _trial_render(spec, variant, path, env, names)
    issues += _warnings(package, used, issues)
    return issues, sorted(used)


def example_records(spec: FormSpec, variant: str | None) -> tuple[str, list[FormRecord]]:
    """The variant of ``spec`` and its example data's records, validated and masked as
    ``fill`` validates them."""
    key = variant or (spec.variants[0] if spec.variants else "")
    source = EXAMPLE_DIR / EXAMPLES[(spec.key, key)]
    rows = load_rows(source, spec.schema.model_fields)
    records, problems = validate_rows(spec, key, rows, str(source), DEFAULT_POLICY)
    if problems or not records:  # docgen's own data: a bug, not the template's fault
        raise RuntimeError(f"{source}: the example data does not validate: {problems}")
    return key, records


def _trial_render(
    spec: FormSpec, variant: str | None, path: Path, env: FormEnvironment, names: TemplateNames
) -> list[Issue]:
    """Render the template once with the example data as ``fill`` does; what ``fill``
    would refuse is an error."""
    key, records = example_records(spec, variant)
    try:
        compiled = CompiledTemplate(path, env, names)
        record = records[0]
        meta = record_metadata(spec, key, record.data, compiled.sha256)
        compiled.render(render_context(record.data, meta, EXAMPLE_OFFICE), {})
    except InputError as error:
        message = _("with the example data, fill fails: {error}").format(error=error.message)
        return [Issue("error", "render", "template", message)]
    return []


def _names(tree: nodes.Template) -> set[str]:
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}


def _unused_required(schema: type[BaseModel], used: set[str], issues: list[Issue]) -> list[Issue]:
    if any(issue.kind == "syntax" for issue in issues):
        return []  # a part that did not parse may well use them
    return [
        Issue(
            "error",
            "unused",
            "template",
            _("required field “{name}” ({title}) is never used").format(
                name=name, title=info.title
            ),
        )
        for name, info in schema.model_fields.items()
        if info.is_required() and name not in used
    ]


def _warnings(package: TemplatePackage, used: set[str], issues: list[Issue]) -> list[Issue]:
    found: list[Issue] = []
    if "record_id" not in used and not any(i.kind == "syntax" for i in issues):
        message = _("the record ID ({{ record_id }}) is not printed")
        found.append(Issue("warning", "record_id", "template", message))
    if QR_PICTURE_NAME.encode() not in package.entries.get(package.main, b""):
        message = _("no picture named “{name}”: no QR code will be printed").format(
            name=QR_PICTURE_NAME
        )
        found.append(Issue("warning", "qr", "template", message))
    for name in package.unrendered_tags():
        message = _(
            "holds {{ }} or {% %} tags, which are not filled (docgen, like docxtpl, fills "
            "the body, headers, footers, footnotes and document properties)"
        )
        found.append(Issue("warning", "unrendered", name, message))
    return found


#: How the report names each severity and kind: the codes the :class:`Issue` keeps
#: (a JSON report's values in English), translated.
SEVERITY_LABELS = {"error": N_("error"), "warning": N_("warning")}
KIND_LABELS = {
    "syntax": N_("syntax"),
    "unsafe": N_("unsafe"),
    "unknown": N_("unknown"),
    "unused": N_("unused"),
    "render": N_("render"),
    "record_id": N_("record_id"),
    "qr": N_("qr"),
    "unrendered": N_("unrendered"),
}


def issue_rows(issues: list[Issue]) -> list[dict[str, Any]]:
    """The report's rows: severity and kind in the current language."""
    return [
        {
            **vars(issue),
            "severity": translate(SEVERITY_LABELS.get(issue.severity, issue.severity)),
            "kind": translate(KIND_LABELS.get(issue.kind, issue.kind)),
        }
        for issue in issues
    ]


COLUMNS = {
    "severity": N_("Severity"),
    "kind": N_("Kind"),
    "where": N_("Where"),
    "message": N_("Message"),
}
