"""Generate the seven attachment templates in docgen/data/templates/attachments/.

Run: .venv/bin/python scripts/make_templates.py
The output is committed; an office may replace any of them with 民政局's official
form (R9), checked by ``docgen forms check``. Fields follow docgen/forms/schemas.py.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from template_layout import (
    date_line,
    field_table,
    heading,
    loop_table,
    new_document,
    paragraph,
    signature_block,
    spacer,
    title_block,
)

OUT = Path(__file__).resolve().parent.parent / "docgen" / "data" / "templates" / "attachments"


def _box(field: str, value: str) -> str:
    return f"{{{{ '■' if {field} == '{value}' else '□' }}}}{value}"


def form1() -> object:
    doc = new_document("附件1 戶政機關資料交換安全約定")
    title_block(doc, "附件1", "戶政機關資料交換安全約定")
    field_table(
        doc,
        [
            [("提供機關", "{{ provider }}"), ("使用機關", "{{ user_agency }}")],
            [("資料項目", "{{ data_items|join('、') }}")],
            [("使用目的", "{{ purpose }}")],
            [("法令依據", "{{ legal_basis }}")],
            [("連線方式", "{{ connection }}")],
            [
                (
                    "約定期間",
                    "自{{ term_start|roc }}起{{ '至' ~ (term_end|roc) if term_end else '' }}",
                )
            ],
            [("聯絡人", "{{ contact }}"), ("聯絡電話", "{{ contact_phone }}")],
        ],
    )
    heading(doc, "約定事項")
    clauses = [
        "一、使用機關應依前開使用目的及法令依據，於執行法定職務必要範圍內使用戶役政資料，不得為目的外之利用。",
        "二、使用機關應經由{{ connection }}連線查詢，並指定管理者管理帳號，使用者應填具權限申請表及保密切結書。",
        "三、使用機關應採取適當之資訊安全措施，防止資料被竊取、竄改、毀損、滅失或洩漏；查詢結果不得複製提供申請人或其代理人。",
        "四、使用機關應每月抽查查詢紀錄，每半年辦理內部稽核，並配合提供機關之稽核，提供使用者名冊、稽核紀錄及相關佐證資料。",
        "五、使用機關或其人員違反本約定或個人資料保護法者，提供機關得以書面通知限期改善，屆期未改善者得停止其查詢權限；涉及刑事責任者，依法處理。",
        "六、使用者異動、離職或調職時，應於10個工作日前申請註銷或異動帳號。",
    ]
    for clause in clauses:
        paragraph(doc, clause, indent_cm=0.85)
    paragraph(doc, "{%p if extra_terms %}", 0.85)
    paragraph(doc, "七、其他約定事項：", 0.85)
    paragraph(doc, "{%p for term in extra_terms %}", 0.85)
    paragraph(doc, "（{{ loop.index }}）{{ term }}", 1.7)
    paragraph(doc, "{%p endfor %}", 0.85)
    paragraph(doc, "{%p endif %}", 0.85)
    spacer(doc)
    signature_block(
        doc,
        [
            ("提供機關代表人", "{{ provider_signatory }}"),
            ("使用機關代表人", "{{ user_signatory }}"),
        ],
    )
    date_line(doc, "{{ date|roc }}")
    return doc


def form2() -> object:
    doc = new_document("附件2 權限申請表（各機關內部使用）")
    title_block(doc, "附件2", "戶役政資料查詢權限申請表", "各機關內部使用")
    types = "　".join(_box("application_type", v) for v in ("新增", "異動", "停用", "復用", "註銷"))
    roles = "　".join(_box("role", v) for v in ("一般使用者", "稽核人員"))
    field_table(
        doc,
        [
            [("申請類別", types)],
            [("單位", "{{ unit }}"), ("職稱", "{{ title }}")],
            [("姓名", "{{ name }}"), ("身分證統一編號", "{{ national_id }}")],
            [("帳號", "{{ account }}"), ("電話", "{{ phone }}")],
            [("電子郵件", "{{ email }}")],
            [("角色", roles)],
            [("申請功能", "{{ functions }}")],
            [("使用目的", "{{ purpose }}")],
            [("法令依據", "{{ legal_basis }}")],
            [("申請日期", "{{ application_date|roc }}"), ("生效日期", "{{ effective_date|roc }}")],
        ],
    )
    paragraph(doc, "申請人已詳閱並遵守戶役政資料查詢作業管理規定，查詢資料僅供公務使用。")
    signature_block(
        doc,
        [("申請人", ""), ("單位主管", ""), ("管理者", ""), ("處長或授權人員", "")],
    )
    heading(doc, "管理者處理情形")
    field_table(
        doc,
        [
            [("處理日期", "{{ processed_date|roc }}"), ("帳號", "{{ account }}")],
            [("處理情形", "{{ admin_note }}")],
        ],
    )
    return doc


def form3() -> object:
    doc = new_document("附件3 保密切結書")
    title_block(doc, "附件3", "保密切結書")
    paragraph(
        doc,
        "立切結書人{{ name }}任職於{{ office }}{{ unit }}，擔任{{ title }}，因業務需要"
        "經由臺北市政府資料整合平臺查詢戶役政資料，茲切結遵守下列事項：",
    )
    items = [
        "一、查詢所得資料僅供執行公務使用，不得為目的外之利用，亦不得複製提供申請人或其代理人。",
        "二、對於職務上知悉之個人資料，應負保密義務，離職或調職後亦同；不得洩漏、交付或以任何方式使他人知悉。",
        "三、帳號及密碼應妥善保管，不得交付他人使用；如有遺失或遭冒用，應立即通知管理者。",
        "四、每次查詢應登錄公文文號、案號、案件名稱、使用目的或法令依據。",
        "五、如有違反，願負個人資料保護法、刑法及其他相關法令之民事、刑事及行政責任。",
    ]
    for item in items:
        paragraph(doc, item, indent_cm=0.85)
    paragraph(doc, "此致")
    paragraph(doc, "{{ office }}")
    spacer(doc)
    field_table(
        doc,
        [
            [("立切結書人", "{{ name }}（簽章）"), ("身分證統一編號", "{{ national_id }}")],
            [("單位", "{{ unit }}"), ("職稱", "{{ title }}")],
            [("帳號", "{{ account }}")],
        ],
    )
    date_line(doc, "{{ date|roc }}")
    return doc


#: The case table of 附件4 over the text width (17 cm), narrow cell margins: every
#: column as wide as its longest usual value on one or two lines (a date above its
#: time, a name above the account or masked ID). The evidence is a label, 佐證<序號>,
#: whose files are listed after the table.
_CASE_COLUMNS = [
    ("序號", 1.0, "{{ c.no }}", "center"),
    ("查詢日期時間", 1.8, "{{ c.queried_at|roc_short }}", "center"),
    ("查詢人員", 1.7, "{{ c.user_name }}\n{{ c.account }}", "left"),
    ("被查詢人", 2.0, "{{ c.subject_name }}\n{{ c.subject_id }}", "left"),
    ("查詢項目", 1.7, "{{ c.item }}", "left"),
    ("查詢事由/依據", 3.4, "{{ c.justification }}", "left"),
    (
        "是否與業務相符",
        1.8,
        _box("c.consistent", "是") + " " + _box("c.consistent", "否"),
        "center",
    ),
    ("佐證", 1.5, "{% if c.evidence %}佐證{{ c.no }}{% endif %}", "center"),
    ("備註", 2.1, "{{ c.remark }}", "left"),
]
#: Cell margins of the case table (the style's are 85 twips, 0.15 cm).
_CASE_MARGINS = 57


def form4(variant: str) -> object:
    half = variant == "half"
    name = "半年抽查" if half else "月抽查"
    doc = new_document(f"附件4 案件抽查表（{name}）")
    title_block(doc, "附件4", "案件抽查表", name)
    # The seed and the population hash on one line (the full hash is in the journal and
    # the manifest); the algorithm by its name only: README and journal describe it.
    field_table(
        doc,
        [
            [("抽查期間", "{{ period|roc_period }}"), ("受查單位", "{{ unit }}")],
            [
                ("查詢總筆數 N", "{{ population|number }}"),
                ("抽查件數 n", "{{ sample_size|number }}"),
            ],
            [("抽查規則", "{{ rule }}（抽樣演算法：{{ algorithm }}）")],
            [
                ("亂數種子", "{{ seed }}"),
                ("母體雜湊值", "SHA-256 {{ population_sha256[:16] }}…"),
            ],
        ],
    )
    spacer(doc)
    loop_table(doc, _CASE_COLUMNS, "c in cases", margin_twips=_CASE_MARGINS)
    paragraph(doc, "{%p if not cases %}")
    paragraph(doc, "本期無查詢紀錄，無須抽查。")
    paragraph(doc, "{%p endif %}")
    # 佐證<序號>：the files the supervisor named for the case, after the table.
    paragraph(doc, "{%p for c in cases %}", style="Table Text")
    paragraph(doc, "{%p if c.evidence %}", style="Table Text")
    paragraph(doc, "佐證{{ c.no }}：{{ c.evidence }}", indent_cm=1.4, style="Table Text")
    paragraph(doc, "{%p endif %}", style="Table Text")
    paragraph(doc, "{%p endfor %}", style="Table Text")
    spacer(doc)
    if half:
        roles = [("稽核人員", "{{ checker }}"), ("政風人員", "{{ supervisor }}")]
    else:
        roles = [("抽查人員", "{{ checker }}"), ("單位主管", "{{ supervisor }}")]
    roles += [("管理者彙整", ""), ("處長或授權人員核閱", "{{ reviewer }}")]
    signature_block(doc, roles)
    field_table(
        doc,
        [[("抽查日期", "{{ check_date|roc }}"), ("核閱日期", "{{ review_date|roc }}")]],
    )
    return doc


def form5() -> object:
    doc = new_document("附件5 稽核紀錄表")
    title_block(doc, "附件5", "稽核紀錄表")
    field_table(
        doc,
        [
            [("稽核期間", "{{ half|roc_period }}"), ("稽核日期", "{{ audit_date|roc }}")],
            [("稽核人員", "{{ auditors|join('、') }}"), ("政風人員", "{{ ethics_officer }}")],
        ],
    )
    heading(doc, "一、稽核項目")
    # the three boxes on one line (4.7 cm), the note the widest column (it is the longest)
    results = " ".join(_box("i.result", v) for v in ("符合", "不符合", "不適用"))
    loop_table(
        doc,
        [
            ("項次", 1.1, "{{ loop.index }}", "center"),
            ("稽核項目", 5.3, "{{ i.item }}", "left"),
            ("稽核結果", 4.7, results, "left"),
            ("說明", 5.9, "{{ i.note }}", "left"),
        ],
        "i in checklist",
    )
    heading(doc, "二、發現事項及改善措施")
    loop_table(
        doc,
        [
            ("序號", 1.1, "{{ loop.index }}", "center"),
            ("發現事項", 6.9, "{{ f.finding }}", "left"),
            ("改善措施", 6.9, "{{ f.action }}", "left"),
            ("改善期限", 2.1, "{{ f.due|roc_short }}", "center"),
        ],
        "f in findings",
        empty_rows=2,
        empty_test="not findings",
    )
    spacer(doc)
    signature_block(
        doc,
        [
            ("稽核人員", "{{ auditors|join('、') }}"),
            ("政風人員", "{{ ethics_officer }}"),
            ("處長或授權人員", "{{ director }}"),
        ],
    )
    field_table(doc, [[("核閱日期", "{{ review_date|roc }}")]])
    return doc


def form6() -> object:
    doc = new_document("附件6 外部稽核紀錄表")
    title_block(doc, "附件6", "外部稽核紀錄表")
    field_table(
        doc,
        [
            [("受稽核機關", "{{ audited_agency }}"), ("稽核機關", "{{ auditor_agency }}")],
            [("稽核日期", "{{ audit_date|roc }}"), ("聯絡人", "{{ office_contact }}")],
            [("稽核人員", "{{ auditors|join('、') }}")],
        ],
    )
    heading(doc, "稽核發現事項及改善追蹤")
    loop_table(
        doc,
        [
            ("序號", 1.1, "{{ f.no }}", "center"),
            ("稽核項目", 2.8, "{{ f.item }}", "left"),
            ("稽核發現", 3.6, "{{ f.finding }}", "left"),
            ("改善措施", 3.6, "{{ f.action }}", "left"),
            ("改善期限", 2.0, "{{ f.due|roc_short }}", "center"),
            ("辦理情形", 1.9, "{{ f.status }}", "center"),
            ("完成日期", 2.0, "{{ f.closed_on|roc_short }}", "center"),
        ],
        "f in findings",
        empty_rows=5,
        empty_test="not findings",
    )
    heading(doc, "稽核結論")
    paragraph(doc, "{{ conclusion }}")
    spacer(doc)
    signature_block(doc, [("稽核人員", "{{ auditors|join('、') }}"), ("受稽核機關代表", "")])
    return doc


TEMPLATES = {
    "附件1_戶政機關資料交換安全約定.docx": form1,
    "附件2_權限申請表.docx": form2,
    "附件3_保密切結書.docx": form3,
    "附件4_案件抽查表_月抽查.docx": lambda: form4("monthly"),
    "附件4_案件抽查表_半年抽查.docx": lambda: form4("half"),
    "附件5_稽核紀錄表.docx": form5,
    "附件6_外部稽核紀錄表.docx": form6,
}


def reproducible(docx: bytes) -> bytes:
    """The same package with fixed timestamps, so that regenerating an unchanged
    template gives the same bytes (and the same template SHA-256)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES.items():
        buffer = io.BytesIO()
        build().save(buffer)  # type: ignore[attr-defined]
        (OUT / name).write_bytes(reproducible(buffer.getvalue()))
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
