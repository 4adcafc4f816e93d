"""The safe engine: data comes out literally (escaping, Jinja-looking text), templates
cannot reach Python internals, a missing variable is a clear error, masking is
idempotent, filters print ROC dates and Arabic numerals."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import pytest

from docgen.errors import InputError
from docgen.forms import fill_one
from docgen.forms.data import mask_personal
from docgen.forms.environment import make_environment
from docgen.forms.schemas import CaseCheck
from docgen.privacy import DEFAULT_POLICY

APPLICATION = {
    "application_type": "新增",
    "unit": "企劃室",
    "title": "科員",
    "name": "王小明",
    "national_id": "A123456789",
    "account": "plan09",
    "role": "一般使用者",
    "purpose": "審查",
    "legal_basis": "零售市場管理條例",
    "application_date": "115/10/01",
}
NASTY = "A&B <tag> \"quoted\" 'single' {{ 7*7 }} {% if true %}x{% endif %} </w:t>"


def test_markup_and_jinja_in_data_come_out_literally(forms_workspace, tmp_path, docx_text) -> None:
    document = fill_one(forms_workspace, "2", None, {**APPLICATION, "purpose": NASTY}, tmp_path)
    text = docx_text(document.docx)
    assert NASTY in text
    assert "49" not in text
    with zipfile.ZipFile(document.docx) as package:
        xml = package.read("word/document.xml").decode()
    assert "A&amp;B &lt;tag&gt;" in xml


def test_template_reaching_for_python_internals_is_refused(
    forms_workspace, tmp_path, make_template
) -> None:
    template = make_template(
        tmp_path / "evil.docx", "{{ ''.__class__.__mro__ }}", "{{ record_id }}"
    )
    from docgen.forms import BatchOptions, fill_rows

    with pytest.raises(InputError, match=r"refused.*Python internals.*__class__"):
        fill_rows(
            forms_workspace,
            "2",
            None,
            [(1, APPLICATION)],
            tmp_path / "out",
            options=BatchOptions(template=template),
        )
    assert not (tmp_path / "out").exists()


def test_sandbox_also_blocks_attribute_tricks_at_render_time() -> None:
    env = make_environment()
    template = env.from_string("{{ x.__class__ }}")
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError, match=r"__class__"):
        template.render(x="")


def test_missing_variable_is_a_clear_error(forms_workspace, tmp_path, make_template) -> None:
    template = make_template(tmp_path / "typo.docx", "姓名：{{ nmae }}")
    from docgen.forms import BatchOptions, fill_rows

    with pytest.raises(InputError, match="nmae"):
        fill_rows(
            forms_workspace,
            "2",
            None,
            [(1, APPLICATION)],
            tmp_path / "out",
            options=BatchOptions(template=template),
        )


def test_template_syntax_error_names_the_paragraph(
    forms_workspace, tmp_path, make_template
) -> None:
    template = make_template(tmp_path / "broken.docx", "單位：{{ unit }", "其他")
    from docgen.forms import BatchOptions, fill_rows

    with pytest.raises(InputError, match="單位："):
        fill_rows(
            forms_workspace,
            "2",
            None,
            [(1, APPLICATION)],
            tmp_path,
            options=BatchOptions(template=template),
        )


def test_masking_is_idempotent() -> None:
    case = {
        "no": 1,
        "queried_at": "115/10/01 09:30",
        "account": "plan01",
        "user_name": "王美玲",
        "subject_id": "A123456789",
        "subject_name": "歐陽娜娜",
        "item": "戶籍資料",
        "justification": "案號 1",
    }
    data = CaseCheck.model_validate(
        {
            "period": "2026-10",
            "unit": "企劃室",
            "population": 10,
            "sample_size": 6,
            "rule": "R6.2",
            "seed": "s",
            "algorithm": "a",
            "population_sha256": "0" * 64,
            "cases": [case],
        }
    )
    once = mask_personal(data, DEFAULT_POLICY)
    twice = mask_personal(once, DEFAULT_POLICY)
    assert once == twice
    assert once.cases[0].subject_id == "A12345****"
    assert once.cases[0].subject_name == "歐○○娜"
    assert once.cases[0].user_name == "王美玲"  # staff name stays (DESIGN.md, 附件4)


def test_filters_print_roc_dates_and_arabic_numerals() -> None:
    env = make_environment()
    render = lambda text, **values: env.from_string(text).render(**values)  # noqa: E731
    assert render("{{ d|roc }}", d=date(2026, 10, 1)) == "中華民國115年10月1日"
    assert render("{{ d|roc }}", d=None) == "中華民國　　年　　月　　日"
    assert render("{{ d|roc_short }}", d=datetime(2026, 10, 1, 9, 5)) == "115/10/01 09:05"
    assert render("{{ p|roc_period }}", p="2026-H2") == "115年下半年"
    assert render("{{ n|number }}", n=1482) == "1,482"
    assert (
        render("{{ i|mask_id }} {{ n|mask_name }}", i="A123456789", n="王小明")
        == "A12345**** 王○明"
    )
    assert render("{{ v }}", v=None) == ""
