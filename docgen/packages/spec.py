"""What a package is made of: documents (forms, scans) with their evidence, in order.

Two ways to say it, both giving one :class:`PackageSpec`:

* the command line: ``--document TITLE=PATH`` (repeat the same TITLE to add more
  files to that document, in order) and ``--evidence FORM=TITLE=PATH`` (evidence
  TITLE supporting the document FORM; ``TITLE=PATH`` alone when the package has
  exactly one document);
* a manifest YAML (paths relative to the YAML's folder, and inside it: an absolute
  path, ``..`` or a link that leads out of the folder is refused, as are YAML
  aliases and a manifest over 1 MiB; ISSUE 9 item 3)::

      title: 企劃室 2026-10 月抽查卷宗      # optional; also period, unit, category,
      period: 2026-10                      # trigger, review_date
      documents:
        - title: 附件4 案件抽查表
          label: 附件4                      # page-label prefix; default: the title's first word
          files: [scans/附件4-p1.jpg, scans/附件4-p2.jpg]
          evidence:
            - title: 佐證1 查詢紀錄
              files: [evidence/查詢紀錄.pdf]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from docgen.errors import InputError, UsageError
from docgen.i18n import _
from docgen.privacy import mask_ids_in_text
from docgen.yamlsafe import load_yaml, read_text_capped

#: Roles of a part: a document (form or scan; never sent to Ghostscript) or evidence.
DOCUMENT, EVIDENCE = "document", "evidence"
#: A package manifest lists files; one larger than this is not one.
MAX_SPEC_BYTES = 1 << 20


@dataclass
class Part:
    """One bookmark of the package: a document or a piece of evidence, its files in order."""

    title: str
    role: str
    files: list[Path]
    label: str = ""
    parent: str | None = None
    evidence: list[Part] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.title = mask_ids_in_text(self.title)  # bookmarks are read by everyone (R8)
        if not self.label:
            self.label = self.title.split()[0] if self.title.split() else self.title

    def walk(self) -> list[Part]:
        """This part followed by its evidence: the order of pages in the package."""
        return [self, *self.evidence]


@dataclass
class PackageSpec:
    """The parts of a package and the metadata given for it (empty: taken from the inputs)."""

    documents: list[Part]
    title: str = ""
    period: str = ""
    unit: str = ""
    category: str = ""
    trigger: str = ""
    review_date: str = ""

    def parts(self) -> list[Part]:
        """Every part in page order: each document followed by its evidence."""
        return [part for doc in self.documents for part in doc.walk()]


def _split(text: str, pieces: int, option: str, shape: str) -> list[str]:
    parts = [p.strip() for p in text.split("=", pieces - 1)]
    if len(parts) != pieces or not all(parts):
        raise InputError(
            _("{option} {value!r}: write it as {shape}").format(
                option=option, value=text, shape=shape
            )
        )
    return parts


def _document_for(documents: list[Part], text: str) -> tuple[Part, str, str]:
    if text.count("=") >= 2:
        form, title, path = _split(text, 3, "--evidence", "FORM=TITLE=PATH")
    elif len(documents) == 1:
        form, (title, path) = documents[0].title, _split(text, 2, "--evidence", "TITLE=PATH")
    else:
        raise UsageError(
            _("--evidence {value!r}: name the form it supports: FORM=TITLE=PATH").format(value=text)
        )
    owner = next((d for d in documents if d.title == mask_ids_in_text(form)), None)
    if owner is None:
        known = "、".join(d.title for d in documents) or _("none")
        raise UsageError(
            _("--evidence {value!r}: no --document titled {form!r} (there are: {known})").format(
                value=text, form=form, known=known
            )
        )
    return owner, title, path


def spec_from_options(documents: list[str], evidence: list[str]) -> list[Part]:
    """Parts from ``--document TITLE=PATH`` and ``--evidence [FORM=]TITLE=PATH`` values."""
    parts: dict[str, Part] = {}
    for text in documents:
        title, path = _split(text, 2, "--document", "TITLE=PATH")
        parts.setdefault(title, Part(title, DOCUMENT, [])).files.append(Path(path))
    ordered = list(parts.values())
    for text in evidence:
        owner, title, path = _document_for(ordered, text)
        found = next((e for e in owner.evidence if e.title == mask_ids_in_text(title)), None)
        if found is None:
            found = Part(title, EVIDENCE, [], parent=owner.title)
            owner.evidence.append(found)
        found.files.append(Path(path))
    if not ordered:
        raise UsageError(_("nothing to package: give --document TITLE=PATH or --manifest FILE"))
    return ordered


class _YamlPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    label: str = ""
    file: str | None = None
    files: list[str] = Field(default_factory=list)

    def paths(self, base: Path) -> list[Path]:
        names = ([self.file] if self.file else []) + self.files
        if not names:
            raise ValueError(_("{title}: no file or files").format(title=self.title))
        return [_inside(base, self.title, name) for name in names]


def _inside(base: Path, title: str, name: str) -> Path:
    """``base / name``, which must be in ``base`` or below it, links followed (an
    absolute ``name`` too: what counts is where it leads)."""
    path = base / name
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte
        inside = False
    if not inside:
        raise ValueError(
            _(
                "{title}: {name!r} is outside the manifest's folder; list only files in "
                "that folder or below it"
            ).format(title=title, name=name)
        )
    return path


class _YamlDocument(_YamlPart):
    evidence: list[_YamlPart] = Field(default_factory=list)


class _YamlSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = ""
    period: str = ""
    unit: str = ""
    category: str = ""
    trigger: str = ""
    review_date: str = ""
    documents: list[_YamlDocument] = Field(min_length=1)

    @field_validator("period", "trigger", "review_date", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> str:
        return "" if value is None else str(value)


def _part_from_yaml(item: _YamlDocument, base: Path) -> Part:
    document = Part(item.title, DOCUMENT, item.paths(base), item.label)
    document.evidence = [
        Part(e.title, EVIDENCE, e.paths(base), e.label, parent=document.title)
        for e in item.evidence
    ]
    return document


def read_spec_yaml(path: Path) -> PackageSpec:
    """The :class:`PackageSpec` of a manifest YAML; errors name the file and the field."""
    try:
        if path.exists() and not path.is_file():
            raise ValueError(_("not a regular file"))
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise ValueError(
                _("over {size} KiB: not a package manifest").format(size=MAX_SPEC_BYTES // 1024)
            )
        raw = load_yaml(read_text_capped(path, MAX_SPEC_BYTES, "utf-8"))
        model = _YamlSpec.model_validate(raw)
        documents = [_part_from_yaml(item, path.parent) for item in model.documents]
    except OSError as error:
        raise InputError(
            _("{file}: cannot read the package manifest ({reason})").format(
                file=path, reason=error.strerror
            )
        ) from error
    except yaml.YAMLError as error:
        raise InputError(
            _("{file}: not valid YAML ({error})").format(file=path, error=error)
        ) from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            _("{where}: {problem}").format(where=f"{path}: {where}", problem=first["msg"])
        ) from error
    except ValueError as error:
        raise InputError(_("{where}: {problem}").format(where=path, problem=error)) from error
    fields = model.model_dump(exclude={"documents"})
    return PackageSpec(documents=documents, **fields)
