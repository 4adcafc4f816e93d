"""One pydantic schema per attachment (DESIGN.md, Forms; R2.1–R7.1).

Each field has a Chinese title (shown by ``docgen forms list`` and accepted as a
column header). Personal fields carry a ``personal`` marker and are masked by the
engine (R8); the names of the persons who sign a form carry the signer's marker and are
printed in full, the signer's ID on 附件2/附件3 masked unless the office prints it
(ISSUE 11 item 8). The schemas of 附件4 and 附件5 are the contract with the audit code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from docgen.forms.fields import (
    PERSONAL_ID,
    PERSONAL_NAME,
    SIGNER_ID,
    SIGNER_NAME,
    FormModel,
    RocDate,
    RocDateTime,
    Text,
    TextList,
    label,
    optional,
)
from docgen.i18n import _

YesNo = Literal["是", "否", ""]
CheckResult = Literal["符合", "不符合", "不適用", ""]


def _period_label(text: str, kinds: tuple[str, ...]) -> str:
    from docgen.calendar import parse_period

    period = parse_period(text.strip())
    if period.kind not in kinds:
        message = (
            _("{period!r} is not a half-year such as 2026-H1")
            if kinds == ("half",)
            else _("{period!r} is not a month or half-year")
        )
        raise ValueError(message.format(period=text))
    return str(period.label)


class SecurityAgreement(FormModel):
    """附件1 戶政機關資料交換安全約定 (R2.1)."""

    user_agency: Text = label("使用機關")
    provider: Text = optional("提供機關", "臺北市政府民政局")
    data_items: TextList = label("資料項目")
    purpose: Text = label("使用目的")
    legal_basis: Text = label("法令依據")
    connection: Text = optional("連線方式", "臺北市政府資料整合平臺")
    term_start: RocDate = label("約定起日")
    term_end: RocDate | None = optional("約定迄日", None)
    contact: Text = optional("聯絡人")
    contact_phone: Text = optional("聯絡電話")
    provider_signatory: Text = optional("提供機關代表人", **SIGNER_NAME)
    user_signatory: Text = optional("使用機關代表人", **SIGNER_NAME)
    extra_terms: TextList = optional("其他約定事項", [])
    date: RocDate = label("簽訂日期")


class AccountApplication(FormModel):
    """附件2 權限申請表（各機關內部使用） (R2.2, R3.2, R3.3)."""

    application_type: Literal["新增", "異動", "停用", "復用", "註銷"] = label("申請類別")
    unit: Text = label("單位")
    title: Text = label("職稱")
    #: 申請人, who signs the form.
    name: Text = label("姓名", **SIGNER_NAME)
    national_id: Text = label("身分證統一編號", **SIGNER_ID)
    account: Text = label("帳號")
    phone: Text = optional("電話")
    email: Text = optional("電子郵件")
    role: Literal["一般使用者", "稽核人員"] = label("角色")
    functions: Text = optional("申請功能", "戶籍資料查詢")
    purpose: Text = label("使用目的")
    legal_basis: Text = label("法令依據")
    application_date: RocDate = label("申請日期")
    effective_date: RocDate | None = optional("生效日期", None)
    processed_date: RocDate | None = optional("管理者處理日期", None)
    admin_note: Text = optional("管理者處理情形")


class ConfidentialityPledge(FormModel):
    """附件3 保密切結書 (R3.2)."""

    #: 立切結書人, who signs the pledge.
    name: Text = label("姓名", **SIGNER_NAME)
    unit: Text = label("單位")
    title: Text = label("職稱")
    national_id: Text = label("身分證統一編號", **SIGNER_ID)
    account: Text = optional("帳號")
    date: RocDate = label("切結日期")


class SampledCase(FormModel):
    """One sampled query on 附件4."""

    no: int = label("序號")
    queried_at: RocDateTime = label("查詢日期時間")
    account: Text = label("查詢人員帳號")
    user_name: Text = label("查詢人員")  # staff in their role, as the audit code gives it
    #: 被查詢人: masked on every form, in the office's name style.
    subject_id: Text = label("被查詢人身分證統一編號", **PERSONAL_ID)
    subject_name: Text = optional("被查詢人姓名", **PERSONAL_NAME)
    item: Text = optional("查詢項目")  # a platform export may have no such column
    justification: Text = label("查詢事由/依據")
    consistent: YesNo = optional("是否與業務相符")
    remark: Text = optional("備註")
    #: The evidence the supervisor named (佐證檔案 of the sample sheet): the table shows
    #: the label 佐證<序號>, and the files are listed after it (ISSUE 11 item 9).
    evidence: Text = optional("佐證檔案")


class CaseCheck(FormModel):
    """附件4 案件抽查表, 月抽查 (R6.2) and 半年抽查 (R6.3)."""

    period: Text = label("期間")
    unit: Text = label("單位")
    population: int = label("查詢總筆數")
    sample_size: int = label("抽查件數")
    rule: Text = label("抽查規則")
    seed: Text = label("亂數種子")
    algorithm: Text = label("抽樣演算法")
    population_sha256: Text = label("母體雜湊值")
    #: Which draw of the period and unit this is: 2 and up for a redraw (ISSUE 10 item 1).
    draw: int = optional("抽樣次別", 1)
    cases: list[SampledCase] = optional("抽查案件", [])
    #: The signature rows: 抽查人員, 單位主管, 核閱人員 (printed in full).
    checker: Text = optional("抽查人員", **SIGNER_NAME)
    supervisor: Text = optional("單位主管", **SIGNER_NAME)
    check_date: RocDate | None = optional("抽查日期", None)
    reviewer: Text = optional("核閱人員", **SIGNER_NAME)
    review_date: RocDate | None = optional("核閱日期", None)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        return _period_label(value, ("month", "half"))


class ChecklistItem(FormModel):
    """One line of the 附件5 checklist."""

    item: Text = label("稽核項目")
    result: CheckResult = optional("結果")
    note: Text = optional("說明")


class Finding(FormModel):
    """A finding of 附件5 with its corrective action."""

    finding: Text = label("發現事項")
    action: Text = optional("改善措施")
    due: RocDate | None = optional("改善期限", None)


#: The checklist of 附件5 when the data gives none (DESIGN.md, Forms; R4.1, R3.2, R6.2, R6.5):
#: the form's content, Chinese in every language.
DEFAULT_CHECKLIST = (
    "使用者名冊已更新（R7.2）",
    "帳號權限每6個月清查已辦理（R4.1）",
    "逾6個月未使用帳號已停用或註銷（R4.1）",
    "使用者權限申請表及保密切結書均已存檔（R3.2）",
    "每月案件抽查已辦理並經處長核閱（R6.2）",
    "抽查案件結果均與業務相符（R6.2、R6.3）",
    "異常使用已通報政風單位（R6.5）",
)


class AuditRecord(FormModel):
    """附件5 稽核紀錄表 (R6.3)."""

    half: Text = label("半年度")
    audit_date: RocDate | None = optional("稽核日期", None)
    #: The signature rows: 稽核人員, 政風人員, 處長或授權人員 (printed in full).
    auditors: TextList = optional("稽核人員", [], **SIGNER_NAME)
    ethics_officer: Text = optional("政風人員", **SIGNER_NAME)
    checklist: list[ChecklistItem] = optional("稽核項目", [])
    findings: list[Finding] = optional("發現事項及改善措施", [])
    director: Text = optional("處長或授權人員", **SIGNER_NAME)
    review_date: RocDate | None = optional("核閱日期", None)

    @field_validator("half")
    @classmethod
    def _half(cls, value: str) -> str:
        return _period_label(value, ("half",))

    @field_validator("checklist", mode="after")
    @classmethod
    def _default_checklist(cls, value: list[Any]) -> list[Any]:
        return value or [ChecklistItem(item=text) for text in DEFAULT_CHECKLIST]


class ExternalFinding(FormModel):
    """A finding of 民政局's audit on 附件6, tracked to closure (R7.1)."""

    no: int = label("序號")
    item: Text = label("稽核項目")
    finding: Text = optional("稽核發現")
    action: Text = optional("改善措施")
    due: RocDate | None = optional("改善期限", None)
    status: Literal["", "待改善", "改善中", "已改善"] = optional("辦理情形")
    closed_on: RocDate | None = optional("完成日期", None)


class ExternalAudit(FormModel):
    """附件6 外部稽核紀錄表, filled by 民政局 (R7.1)."""

    audit_date: RocDate = label("稽核日期")
    audited_agency: Text = label("受稽核機關")
    auditor_agency: Text = optional("稽核機關", "臺北市政府民政局")
    auditors: TextList = optional("稽核人員", [], **SIGNER_NAME)
    office_contact: Text = optional("受稽核機關聯絡人")
    findings: list[ExternalFinding] = optional("稽核發現事項", [])
    conclusion: Text = optional("稽核結論")
