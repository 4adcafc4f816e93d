"""``docgen forms check``: each kind of template error is caught (R9)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from docx import Document

from docgen.cli.main import cli
from docgen.forms.check import check_template
from docgen.forms.environment import make_environment
from docgen.forms.registry import FORMS
from docgen.forms.writer import packaged_templates

PLEDGE_FIELDS = "{{ name }} {{ unit }} {{ title }} {{ national_id }} {{ date|roc }} {{ record_id }}"


def _check(form: str, path: Path):  # type: ignore[no-untyped-def]
    issues, used = check_template(FORMS[form], path, make_environment())
    return {(i.severity, i.kind): i.message for i in issues}, issues, used


def test_shipped_templates_have_no_errors() -> None:
    for spec in FORMS.values():
        for variant in spec.templates:
            _, issues, _ = _check(spec.key, packaged_templates() / spec.template_name(variant))
            assert issues == [], (spec.key, variant, issues)


def test_syntax_error_is_reported_with_its_paragraph(tmp_path, make_template) -> None:
    path = make_template(tmp_path / "t.docx", PLEDGE_FIELDS, "立切結書人 {{ name ", "後文")
    found, _, _ = _check("3", path)
    assert ("error", "syntax") in found
    assert "立切結書人" in found[("error", "syntax")]


def test_unknown_variables_and_row_fields(tmp_path, make_template) -> None:
    path = make_template(tmp_path / "t.docx", PLEDGE_FIELDS, "{{ nmae }}")
    found, _, _ = _check("3", path)
    assert "nmae" in found[("error", "unknown")]
    fields = " ".join(
        f"{{{{ {f} }}}}"
        for f in ("period", "unit", "population", "sample_size", "rule", "seed", "algorithm")
    )
    loop = "{% for c in cases %}{{ c.subject_idx }}{% endfor %}{{ population_sha256 }}"
    path = make_template(tmp_path / "t4.docx", fields, loop, "{{ record_id }}")
    found, _, _ = _check("4", path)
    assert "c.subject_idx" in found[("error", "unknown")]


def test_required_field_never_used(tmp_path, make_template) -> None:
    path = make_template(
        tmp_path / "t.docx", "{{ name }} {{ unit }} {{ date|roc }} {{ record_id }}"
    )
    _, issues, _ = _check("3", path)
    unused = [i.message for i in issues if i.kind == "unused"]
    assert any("title" in m for m in unused) and any("national_id" in m for m in unused)
    assert not any("“name”" in m for m in unused)


def test_unsafe_template_is_an_error(tmp_path, make_template) -> None:
    path = make_template(tmp_path / "t.docx", PLEDGE_FIELDS, "{{ name.__class__.__mro__ }}")
    found, _, _ = _check("3", path)
    assert "__class__" in found[("error", "unsafe")]


def test_an_unsafe_template_is_still_checked_through(tmp_path, make_template) -> None:
    path = make_template(
        tmp_path / "t.docx", PLEDGE_FIELDS, "{{ name.__class__.__mro__ }}", "{{ bogus_field }}"
    )
    found, issues, used = _check("3", path)
    assert "__class__" in found[("error", "unsafe")]
    assert "“bogus_field”" in found[("error", "unknown")]
    assert [i.message for i in issues if i.kind == "unused"] == []  # every field is used
    assert {"name", "unit", "title", "national_id", "date", "record_id"} <= set(used)


def test_tags_split_across_runs_are_checked_as_docxtpl_sees_them(tmp_path) -> None:
    document = Document()
    paragraph = document.add_paragraph()
    for piece in ("{{ na", "me }} {{ un", "it }} {{ ti", "tle }}"):
        paragraph.add_run(piece).bold = piece.startswith("me")
    document.add_paragraph("{{ national_id }} {{ date|roc }} {{ record_id }}")
    path = tmp_path / "split.docx"
    document.save(str(path))
    _, issues, used = _check("3", path)
    assert {"name", "unit", "title"} <= set(used)
    assert [i for i in issues if i.severity == "error"] == []
    assert any(i.kind == "qr" for i in issues)  # a warning: no QR picture


def test_cli_exit_codes(tmp_path, make_template) -> None:
    runner = CliRunner()
    (tmp_path / "docgen.toml").write_text("", encoding="utf-8")
    good = packaged_templates() / FORMS["3"].template_name("")
    result = runner.invoke(cli, ["-w", str(tmp_path), "forms", "check", "附件3", str(good)])
    assert result.exit_code == 0, result.output
    bad = make_template(tmp_path / "bad.docx", "{{ nmae }}")
    result = runner.invoke(
        cli, ["-w", str(tmp_path), "forms", "check", "3", str(bad), "--format", "json"]
    )
    assert result.exit_code != 0
    assert "nmae" in result.output


def test_not_a_docx_is_a_clear_error(tmp_path) -> None:
    from docgen.errors import InputError

    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip", encoding="utf-8")
    try:
        _check("3", fake)
    except InputError as error:
        assert "not a DOCX" in str(error)
    else:
        raise AssertionError("a text file passed as a template")
