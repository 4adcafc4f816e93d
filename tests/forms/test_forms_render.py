"""Every form and variant rendered from the example data: values found with
python-docx, masked personal data, record identity (QR, custom properties), and the
compiled engine's document.xml equal to a fresh docxtpl render."""

from __future__ import annotations

import io
import zipfile

import pytest
import zxingcpp
from docxtpl import DocxTemplate
from PIL import Image

from docgen.forms.data import validate_rows
from docgen.forms.environment import make_environment
from docgen.forms.identity import render_context
from docgen.forms.registry import FORMS
from docgen.forms.writer import FormWriter, packaged_templates
from docgen.metadata import read_docx_metadata
from docgen.privacy import DEFAULT_POLICY, find_unmasked_ids
from docgen.rules.record_id import parse_record_id

#: Values each form must show (from the example data), per (form, variant).
EXPECTED = {
    ("1", None): ["臺北市市場處", "臺北市政府民政局", "中華民國114年12月15日", "遷徙紀錄"],
    # the signer's name in full (ISSUE 11 item 8), the ID masked
    ("2", None): ["攤販管理科", "ven04", "蘇怡安", "A24151****", "中華民國115年2月24日", "■新增"],
    ("3", None): ["攤販管理科", "蘇怡安", "立切結書人", "中華民國115年2月24日"],
    ("4", "monthly"): ["115年10月", "企劃室", "R6.2：6% × 100", "2026-10-企劃室", "■否"],
    ("4", "half"): ["115年上半年", "全處", "1,482", "2026-H1-全處", "■是"],
    ("5", None): ["115年上半年", "周怡君、許文傑", "蔡明哲", "不符合", "115/08/15"],
    ("6", None): ["臺北市政府民政局", "已改善", "115/10/02", "中華民國115年9月15日"],
}


def test_every_form_renders_with_its_values(rendered_forms, docx_text) -> None:
    for case, words in EXPECTED.items():
        document = rendered_forms.by_case[case][0]
        text = docx_text(document.docx)
        for word in words:
            assert word in text, f"{case}: {word!r} missing from {document.docx.name}"
        assert document.record_id in text


def test_table_rows_give_one_document_each(rendered_forms) -> None:
    assert len(rendered_forms.by_case[("2", None)]) == 4
    assert len(rendered_forms.by_case[("3", None)]) == 3
    half = rendered_forms.by_case[("4", "half")][0]
    with zipfile.ZipFile(half.docx) as package:
        xml = package.read("word/document.xml").decode()
    assert xml.count("<w:tr") >= 75 + 1  # every sampled case has its row


def test_personal_data_masked_everywhere(rendered_forms, example_dir) -> None:
    for document in rendered_forms.documents:
        with zipfile.ZipFile(document.docx) as package:
            for name in package.namelist():
                if name.endswith(".xml"):
                    text = package.read(name).decode("utf-8")
                    assert find_unmasked_ids(text) == [], (document.docx.name, name)
                    assert "王小明" not in text  # a queried person (被查詢人) of 附件4
    for manifest in rendered_forms.manifests:
        assert find_unmasked_ids(manifest.read_text(encoding="utf-8-sig")) == []
    raw = (example_dir / "附件4_月抽查.yaml").read_text(encoding="utf-8")
    assert find_unmasked_ids(raw), "the example data must hold full IDs for this test to bite"


def test_custom_properties_round_trip(rendered_forms) -> None:
    for (form, variant), documents in rendered_forms.by_case.items():
        for document in documents:
            meta = read_docx_metadata(document.docx)
            assert meta == document.metadata
            assert meta.form == form and meta.variant == (variant or "")
            assert parse_record_id(meta.record_id) is not None
            assert len(meta.data_sha256) == 64 and len(meta.template_sha256) == 64
    monthly = rendered_forms.by_case[("4", "monthly")][0].metadata
    assert (monthly.period, monthly.unit, monthly.category) == (
        "2026-10",
        "企劃室",
        "monthly_check",
    )
    assert monthly.review_date == "2026-11-12"
    application = rendered_forms.by_case[("2", None)][0].metadata
    assert application.subject.startswith(("ven", "adm", "audit"))
    assert application.category == "account_application"


def test_qr_picture_in_docx_carries_the_record_id(rendered_forms) -> None:
    for document in rendered_forms.documents:
        with zipfile.ZipFile(document.docx) as package:
            media = [n for n in package.namelist() if n.startswith("word/media/")]
            image = Image.open(io.BytesIO(package.read(media[0])))
        decoded = zxingcpp.read_barcodes(image)
        assert [code.text for code in decoded] == [document.record_id]


def test_file_names_are_predictable_and_impersonal(rendered_forms) -> None:
    for document in rendered_forms.documents:
        assert document.docx.name.startswith(f"附件{document.metadata.form}")
        assert document.record_id in document.docx.name
        assert "蘇" not in document.docx.name and not find_unmasked_ids(document.docx.name)
    names = [d.docx.name for d in rendered_forms.by_case[("4", "monthly")]]
    assert names == [
        f"附件4_月抽查_2026-10_企劃室_{rendered_forms.by_case[('4', 'monthly')][0].record_id}.docx"
    ]


@pytest.mark.parametrize("form,variant", [("2", ""), ("4", "half"), ("5", ""), ("6", "")])
def test_compiled_engine_matches_a_fresh_docxtpl_render(form, variant, example_dir) -> None:
    from docgen.forms.data import load_rows

    spec = FORMS[form]
    name = {"2": "附件2_權限申請表.csv", "4": "附件4_半年抽查.yaml"}.get(form)
    name = name or {"5": "附件5_稽核紀錄表.yaml", "6": "附件6_外部稽核紀錄表.json"}[form]
    template = packaged_templates() / spec.template_name(variant)
    writer = FormWriter(spec, variant, template, DEFAULT_POLICY, "臺北市市場處")
    records, problems = validate_rows(
        spec, variant, load_rows(example_dir / name), name, DEFAULT_POLICY
    )
    assert not problems
    for record in records[:2]:
        meta = writer.metadata(record)
        ours = zipfile.ZipFile(io.BytesIO(writer.render(record, meta)))
        fresh = DocxTemplate(str(template))
        context = render_context(record.data, meta, "臺北市市場處")
        fresh.render(context, jinja_env=make_environment(), autoescape=True)
        buffer = io.BytesIO()
        fresh.save(buffer)
        theirs = zipfile.ZipFile(buffer)
        for part in ("word/document.xml", "word/footer1.xml", "docProps/core.xml"):
            assert ours.read(part) == theirs.read(part), part
