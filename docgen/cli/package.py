"""``docgen package``: build an archival PDF package from scans and evidence; inspect one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from docgen.cli.common import (
    DATE,
    CliState,
    chosen_period,
    emit,
    format_option,
    output_option,
    pass_state,
    say,
)
from docgen.cli.common import progress as progress_bar
from docgen.cli.help import Group
from docgen.errors import IntegrityError, UsageError
from docgen.i18n import N_, _
from docgen.packages import (
    BuildOptions,
    BuildResult,
    PackageSpec,
    inspect_package,
    read_spec_yaml,
    spec_from_options,
)
from docgen.packages.metadata import CATEGORIES
from docgen.packages.notes import shown


@click.group(
    cls=Group,
    help=N_(
        "Evidence packages: scans and evidence merged into one archival PDF (R6.4).\n\n"
        "\b\n"
        "Example:\n"
        "  docgen package build --document 附件4=scans/附件4.jpg \\\n"
        "      --evidence 附件4=佐證1=evidence/查詢紀錄.pdf -o out/package.pdf\n"
        "  docgen package inspect out/package.pdf"
    ),
)
def package() -> None:
    pass


def _spec(manifest: Path | None, documents: tuple[str, ...], evidence: tuple[str, ...],
          given: dict[str, str]) -> PackageSpec:  # fmt: skip
    if manifest is not None and (documents or evidence):
        raise UsageError(_("give either --manifest or --document/--evidence, not both"))
    if manifest is not None:
        spec = read_spec_yaml(manifest)
    else:
        spec = PackageSpec(spec_from_options(list(documents), list(evidence)))
    for key, value in given.items():
        if value:
            setattr(spec, key, value)
    return spec


def _say(result: BuildResult) -> None:
    for note in result.notes:
        say(_("Note: {note}").format(note=shown(note)), err=True)
    meta = result.metadata
    say(
        _(
            "Wrote {output} ({pages} pages from {files} files; {category}, {period}, "
            "trigger {trigger}) and {manifest}"
        ).format(
            output=result.output,
            pages=result.pages,
            files=len(result.sources),
            category=meta.category,
            period=meta.period,
            trigger=meta.trigger,
            manifest=result.manifest.name,
        )
    )


def _period(month: str | None, half: str | None) -> str:
    """The period ``--month`` or ``--half`` names; empty when neither is given (the
    inputs' metadata says)."""
    period = chosen_period(month, half, required=False)
    return period.label if period else ""


@package.command(
    "build",
    help=N_(
        "Merge scans (PDF, JPEG, PNG, TIFF) and evidence into one PDF with bookmarks, "
        "page labels, record metadata and a SHA-256 manifest (OUT.pdf.manifest.json). "
        "Images are embedded without loss; every input is checked before anything is "
        "written. Nothing active reaches the package: JavaScript, actions that launch, "
        "call out or submit, embedded files, XFA forms and multimedia are removed from "
        "input PDFs, and each removal is noted here and in the manifest. Work files go to "
        "the system's temporary folder (TMPDIR), never beside the output.\n\n"
        "\b\n"
        "Example:\n"
        "  docgen package build --month 2026-10 --unit 企劃室 \\\n"
        '      --document "附件4 案件抽查表=scans/附件4.pdf" \\\n'
        '      --evidence "附件4 案件抽查表=佐證1 查詢紀錄=evidence/查詢紀錄.pdf" \\\n'
        "      --dpi 300 --pdfa -o out/packages/2026-10-企劃室.pdf\n"
        "  docgen package build --manifest package.yaml -o out/package.pdf"
    ),
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=N_("The package PDF to write (its manifest goes beside it)."))  # fmt: skip
@click.option("--manifest", "manifest", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("A YAML listing the documents, their files and evidence, in order."))  # fmt: skip
@click.option("--document", "documents", multiple=True, metavar="TITLE=PATH",
              help=N_("A form or scan; repeat the TITLE to add more files to it."))  # fmt: skip
@click.option("--evidence", multiple=True, metavar="[FORM=]TITLE=PATH",
              help=N_("Evidence TITLE supporting the document FORM (FORM may be left out "
              "when there is one document)."))  # fmt: skip
@click.option("--title", default="", help=N_("Package title (default: unit, period, kind)."))
@click.option("--month", default=None, metavar="2026-10",
              help=N_("The month the package is of (default: from the inputs)."))  # fmt: skip
@click.option("--half", default=None, metavar="2026-H1",
              help=N_("The half-year the package is of (default: from the inputs)."))  # fmt: skip
@click.option("--unit", default="", help=N_("The unit (default: from the inputs)."))
@click.option("--category", type=click.Choice(CATEGORIES), default=None,
              help=N_("Retention category (default: from the inputs)."))  # fmt: skip
@click.option("--trigger", type=DATE, default=None,
              help=N_("Retention trigger date (default: review date, else period end)."))  # fmt: skip
@click.option("--review-date", type=DATE, default=None, help=N_("The director's review date."))
@click.option("--dpi", type=click.IntRange(72, 2400), default=None,
              help=N_("Resolution of images whose file gives none (or 96 dpi or less)."))  # fmt: skip
@click.option("--password", "passwords", multiple=True,
              help=N_("Password of a protected PDF (repeat for several; each is tried)."))  # fmt: skip
@click.option("--pdfa", is_flag=True, help=N_("Write PDF/A-2b and validate it."))
@click.option("--repair-evidence", is_flag=True,
              help=N_("With --pdfa: pass evidence that cannot conform through Ghostscript."))  # fmt: skip
@pass_state
def build(state: CliState, output: Path, manifest: Path | None, documents: tuple[str, ...],
          evidence: tuple[str, ...], title: str, month: str | None, half: str | None, unit: str,
          category: str | None,
          trigger: date | None, review_date: date | None, dpi: int | None,
          passwords: tuple[str, ...], pdfa: bool, repair_evidence: bool) -> None:  # fmt: skip
    if repair_evidence and not pdfa:
        raise UsageError(_("--repair-evidence only applies with --pdfa"))
    period = _period(month, half)
    given = {"title": title, "period": period, "unit": unit, "category": category or ""}
    given |= {"trigger": trigger.isoformat() if trigger else ""}
    given |= {"review_date": review_date.isoformat() if review_date else ""}
    spec = _spec(manifest, documents, evidence, given)
    options = BuildOptions(output, passwords, dpi, pdfa, repair_evidence)
    from docgen.services.packages import build_evidence_package

    result = build_evidence_package(state.workspace, spec, options, progress_bar)
    _say(result)


@package.command(
    "inspect",
    help=N_(
        "Show a package's outline, page labels and metadata, and check it against its "
        "manifest; exits non-zero when the manifest does not match (the file was "
        "changed).\n\n"
        "\b\n"
        "Example:\n"
        "  docgen package inspect out/packages/2026-10-企劃室.pdf\n"
        "  docgen package inspect out/package.pdf --format json"
    ),
)
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@format_option()
@output_option()
def inspect(pdf: Path, fmt: str, output: Path | None) -> None:
    found = inspect_package(pdf)
    emit(found.report, fmt, output)
    if found.problems:
        raise IntegrityError(
            _("{file}: does not match its manifest: {problems}").format(
                file=pdf, problems=_("; ").join(found.problems)
            )
        )
