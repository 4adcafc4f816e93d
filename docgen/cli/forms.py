"""``docgen forms``: list the attachments and their fields, fill them from data (DOCX,
PDF and ODT), and check a custom template against its form (R2.1–R7.1, R9)."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli.common import (
    CliState,
    emit,
    format_option,
    output_option,
    pass_state,
    progress,
    say,
)
from docgen.cli.help import Group
from docgen.errors import InputError
from docgen.forms import BatchOptions, form_spec, resolve_variant
from docgen.forms.batch import require_docx_template
from docgen.forms.check import COLUMNS as CHECK_COLUMNS
from docgen.forms.check import check_template, issue_rows
from docgen.forms.describe import COLUMNS as LIST_COLUMNS
from docgen.forms.describe import all_rows, form_rows
from docgen.forms.environment import make_environment
from docgen.i18n import N_, _
from docgen.report import Report

_VARIANT_HELP = N_("附件4 only: monthly (月抽查) or half (半年抽查).")


@click.group(
    cls=Group, help=N_("Attachments 1–6 (附件1–6): list their fields, fill them, check templates.")
)
def forms() -> None:
    pass


@forms.command(
    "list",
    help=N_(
        "The attachments, their variants and fields (required or optional, type, masked).\n\n"
        "Field names or their Chinese titles may be used as column headers in the data.\n\n"
        "\b\n"
        "Example:\n"
        "  docgen forms list\n"
        "  docgen forms list 附件4 --format csv -o 附件4欄位.csv"
    ),
)
@click.argument("form", required=False)
@format_option()
@output_option()
def list_forms(form: str | None, fmt: str, output: Path | None) -> None:
    rows = form_rows(form_spec(form)) if form else all_rows()
    emit(Report(N_("Attachment fields"), LIST_COLUMNS, rows), fmt, output)


@forms.command(
    "fill",
    help=N_(
        "Fill FORM (1–6 or 附件1–附件6) once per record of DATA (YAML, JSON, CSV, XLSX, "
        "ODS).\n\n"
        "A table gives one document per row; a YAML/JSON file one per entry (nested lists "
        "such as 附件4 cases come from YAML/JSON). Every invalid row is reported before "
        "anything is written, and the batch is written whole or not at all. Files are "
        "named by form, period and record ID (no personal data); a manifest per batch "
        "(JSON and CSV, named with the batch's time) lists them with SHA-256 hashes. A "
        "document already in the folder with the same content is kept; one with other "
        "content is refused. --odt also writes each document as ODT (OpenDocument, the "
        "government's document standard ODF-CNS15251) beside its DOCX; templates are "
        "DOCX.\n\n"
        "\b\n"
        "Example:\n"
        "  docgen forms fill 2 data/forms/附件2_權限申請表.csv -d out/forms --pdf\n"
        "  docgen forms fill 3 data/forms/附件3_保密切結書.xlsx -d out/forms --pdf --odt\n"
        "  docgen forms fill 附件4 data/forms/附件4_月抽查.yaml --variant monthly -d out/forms"
    ),
)
@click.argument("form")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-d", "--out-dir", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help=N_("Folder for the documents and the manifest."),
)  # fmt: skip
@click.option("--variant", help=_VARIANT_HELP)
@click.option("--pdf", is_flag=True, help=N_("Also convert each document to PDF (LibreOffice)."))
@click.option("--odt", is_flag=True,
              help=N_("Also write each document as ODT (OpenDocument, LibreOffice) beside "
                      "its DOCX."))  # fmt: skip
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help=N_("Worker processes for large batches."))  # fmt: skip
@click.option("--pdf-timeout", default=120.0, show_default=True, type=click.FloatRange(1),
              help=N_("Seconds LibreOffice may take per document before it is declared "
                      "stuck."))  # fmt: skip
@click.option("--skip-invalid", is_flag=True, help=N_("Write the valid rows; list the others."))
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Use this DOCX template instead of the workspace's."))  # fmt: skip
@pass_state
def fill(
    state: CliState,
    form: str,
    data: Path,
    out_dir: Path,
    variant: str | None,
    pdf: bool,
    odt: bool,
    jobs: int,
    pdf_timeout: float,
    skip_invalid: bool,
    template: Path | None,
) -> None:
    from docgen.services.forms import fill_forms

    if template is not None:
        require_docx_template(template)
    options = BatchOptions(
        pdf, jobs, skip_invalid, template, progress=progress, pdf_timeout=pdf_timeout, odt=odt
    )
    result = fill_forms(state.workspace, form, variant, data, out_dir, options)
    pdfs = sum(1 for d in result.documents if d.pdf)
    converted = ""
    if pdfs:
        converted += _(" and {count} PDF(s)").format(count=pdfs)
    if result.odts:
        converted += _(" and {count} ODT(s)").format(count=len(result.odts))
    say(
        _("Wrote {count} document(s) of 附件{form}{converted} to {folder}; manifest {manifest}")
        .format(
            count=len(result.documents),
            form=result.form,
            converted=converted,
            folder=out_dir,
            manifest=result.manifest[0].name if result.manifest else "-",
        )
    )  # fmt: skip
    for problem in result.skipped:
        say(_("Skipped: {problem}").format(problem=problem), err=True)
    result.check_pdfs()


@forms.command(
    "check",
    help=N_(
        "Check a DOCX TEMPLATE (e.g. 民政局's official form) against FORM's schema.\n\n"
        "Reports Jinja syntax errors with the paragraph they are in, variables the form "
        "does not have, required fields the template never uses, and templates that reach "
        "for Python internals. Exits non-zero when there is an error.\n\n"
        "\b\n"
        "Example:\n"
        "  docgen forms check 附件3 templates/attachments/附件3_保密切結書.docx\n"
        "  docgen forms check 4 official_4.docx --variant half --format json"
    ),
)
@click.argument("form")
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--variant", help=_VARIANT_HELP)
@format_option()
@output_option()
@pass_state
def check(
    state: CliState,
    form: str,
    template: Path,
    variant: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    require_docx_template(template)
    spec = form_spec(form)
    key = resolve_variant(spec, variant)
    policy = state.workspace.config.masking.policy()
    issues, _names = check_template(spec, template, make_environment(policy), key or None)
    title = _("Template check: {template} (附件{form})").format(
        template=template.name, form=spec.key
    )
    emit(Report(title, CHECK_COLUMNS, issue_rows(issues)), fmt, output)
    errors = sum(1 for issue in issues if issue.severity == "error")
    if errors:
        raise InputError(
            _("{file}: {count} error(s); the template cannot be used as is").format(
                file=template, count=errors
            )
        )
    say(
        _("{file}: usable for 附件{form} ({count} warning(s))").format(
            file=template, form=spec.key, count=len(issues)
        ),
        err=True,
    )
