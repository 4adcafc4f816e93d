"""The 函 and 簽 the regulation calls for, drafted from the facts (ISSUE 14 item 1).
Pure: every fact is passed in (:mod:`docgen.services.correspondence` gathers them
from the office database); the text is the official Chinese of 公文, in every
language of the interface, as the forms are.

* ``results-letter`` (R6.4, 第六點第四款): the 函 sending a half-year's 稽核紀錄表 and
  案件抽查表, with the colour-scan package, to 民政局 by 31 August / 10 March.
* ``referral-memo`` (R6.5, 第六點第五款): the 簽 reporting a period's 否 cases and
  anomalies to the ethics unit for 議處, the referral list attached.
* ``outcome-letter`` (R6.5): the 函 sending the 議處 outcome to 本府政風處 and the
  database authority.
* ``holder-notice`` (R4.1c, 第四點第一款): the 書函 telling the holder of an account
  suspended for a year or more to apply for its cancellation.
* ``review-memo`` (R4.1a): the 簽 reporting the six-monthly account review.
* ``destruction-memo`` (檔案法 Art. 12; 機關檔案保存年限及銷毀辦法 §8): the 簽
  sending the draft 銷毀目錄 up for approval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from docgen.calendar import Period, format_roc, roc_year
from docgen.correspondence.document import (
    Attachment,
    Document,
    DocumentNumber,
    Item,
    Party,
    Section,
    Sender,
)
from docgen.i18n import N_

#: The regulation, as a document cites it.
REGULATION = "臺北市市場處使用臺北市政府資料整合平臺應用臺北市戶役政資訊連結作業管理規定"


@dataclass(frozen=True)
class Kind:
    """A kind of document: its 文別, the rule that calls for it, what it is (a
    message ID) and the 保存年限 printed on it (audit records 3 years, R6.2–R6.4;
    account papers 5 years, R4.2; a destruction memo's is the archive unit's call)."""

    form: str
    rule: str
    label: str
    retention: str


KINDS = {
    "results-letter": Kind("函", "R6.4", N_("letter sending the half-year audit results"), "3年"),
    "referral-memo": Kind("簽", "R6.5", N_("memo referring anomalies to the ethics unit"), "3年"),
    "outcome-letter": Kind("函", "R6.5", N_("letter sending the outcome of the referral"), "3年"),
    "holder-notice": Kind("函", "R4.1c", N_("notice to the holder of a suspended account"), "5年"),
    "review-memo": Kind("簽", "R4.1a", N_("memo reporting the account review"), "5年"),
    "destruction-memo": Kind("簽", "§8", N_("memo sending the draft destruction list"), ""),
}


@dataclass(frozen=True)
class Office:
    """Who writes: the office (``docgen.toml`` ``[office]`` and ``[correspondence]``)."""

    name: str
    code: str
    word: str
    planning_unit: str
    address: str
    contacts: tuple[str, ...]
    signatory: str
    director_title: str
    speed: str
    secrecy: str
    classification: str
    civil_affairs: Party
    ethics_office: Party
    database_authority: Party
    ethics_unit: str

    def sender(self, unit: bool = False) -> Sender:
        return Sender(
            name=self.name,
            code=self.code,
            unit=self.planning_unit if unit else "",
            address=self.address,
            contacts=self.contacts,
        )

    def number(self, today: date) -> DocumentNumber:
        """The 發文字號 with the office's 代字 and year; the serial is the document
        system's to assign."""
        return DocumentNumber(self.word, roc_year(today))

    def file_number(self, today: date) -> str:
        """檔號 ``115/0402`` (年度號/分類號) when the office set its 分類號, else blank
        for the archive unit (案次號, 卷次號, 目次號 are assigned at filing)."""
        return f"{roc_year(today)}/{self.classification}" if self.classification else ""

    def unit_party(self, name: str, with_attachments: bool = False) -> Party:
        return Party(f"本處{name}", kind="unit", code=self.code, with_attachments=with_attachments)


@dataclass(frozen=True)
class UnitResults:
    """One unit's (or, for a half-year, the whole office's) sample and its results."""

    unit: str
    population: int
    sample_size: int
    consistent: int
    inconsistent: int
    pending: int
    anomalies: int


@dataclass(frozen=True)
class AuditFacts:
    """A period's checks: the samples and results per unit, what went on the referral
    lists (R6.5), the attachments."""

    period: Period
    units: tuple[UnitResults, ...]
    attachments: tuple[Attachment, ...] = ()

    @property
    def queries(self) -> int:
        return sum(u.population for u in self.units)

    @property
    def sampled(self) -> int:
        return sum(u.sample_size for u in self.units)

    @property
    def inconsistent(self) -> int:
        return sum(u.inconsistent for u in self.units)

    @property
    def anomalies(self) -> int:
        return sum(u.anomalies for u in self.units)

    @property
    def referred(self) -> int:
        return self.inconsistent + self.anomalies


@dataclass(frozen=True)
class Holder:
    """The holder of an account suspended for a year or more (R4.1c): their own name
    and title, to address the notice."""

    account_id: str
    name: str
    title: str
    unit: str
    suspended_on: date


def _period_text(period: Period) -> str:
    """``115年上半年（115年1月1日至115年6月30日）``, ``115年10月``."""
    span = f"{format_roc(period.start)[4:]}至{format_roc(period.end)[4:]}"
    return f"{period.roc_label}（{span}）" if period.kind == "half" else period.roc_label


class Stamp(TypedDict):
    """The parts every document of a kind shares."""

    file_number: str
    retention: str
    date: date
    number: DocumentNumber
    speed: str
    secrecy: str


def _stamp(office: Office, kind: str, today: date) -> Stamp:
    """The parts every document of ``kind`` shares: 檔號, 保存年限, date, 發文字號 and
    the office's default 速別 and 密等."""
    return Stamp(
        file_number=office.file_number(today),
        retention=KINDS[kind].retention,
        date=today,
        number=office.number(today),
        speed=office.speed,
        secrecy=office.secrecy,
    )


def _attachment_items(attachments: Sequence[Attachment]) -> tuple[Item, ...]:
    return tuple(Item(f"{a.name}1份。") for a in attachments)


def _counts(facts: AuditFacts) -> tuple[Item, ...]:
    """The sample and its results, one item per fact (R6.2, R6.3, R6.5)."""
    pending = sum(u.pending for u in facts.units)
    checked = [
        Item(
            f"經查與業務相符{sum(u.consistent for u in facts.units)}筆，"
            f"與業務不符{facts.inconsistent}筆"
            + (f"，尚待查核{pending}筆" if pending else "")
            + "。"
        ),
        Item(f"查詢未敘明事由等異常{facts.anomalies}筆。"),
    ]
    if facts.referred:
        checked.append(Item(f"前述{facts.referred}筆已簽報政風單位議處。"))
    else:
        checked.append(Item("未發現異常使用或重大缺失。"))
    return tuple(checked)


def results_letter(office: Office, facts: AuditFacts, due: date, today: date) -> Document:
    """R6.4: the 函 sending the half-year's audit record and case sampling record,
    approved by the director and colour-scanned, to 民政局 — by ``due``."""
    half = facts.period
    what = "應用戶籍資料稽核紀錄表及戶籍資料案件抽查紀錄表"
    basis = Item(f"依據「{REGULATION}」第六點第三款及第四款辦理。")
    counts = Item(
        f"本處{_period_text(half)}查詢戶役政資料計{facts.queries}筆，依規定抽查{facts.sampled}筆：",
        _counts(facts),
    )
    enclosed = Item(
        "檢附下列文件（經處長核閱之彩色掃描檔）：", _attachment_items(facts.attachments)
    )
    return Document(
        form="函",
        sender=office.sender(),
        receiver=office.civil_affairs,
        attachments_note="如說明三" if facts.attachments else "",
        attachments=facts.attachments,
        subject=(
            f"檢送本處{half.roc_label}{what}彩色掃描檔各1份（依規定應於{format_roc(due)}前"
            "函送），請　查照。"
        ),
        sections=(Section("說明", items=(basis, counts, enclosed)),),
        originals=(office.civil_affairs,),
        copies=(office.unit_party(office.ethics_unit), office.unit_party(office.planning_unit)),
        signature=(office.signatory,),
        **_stamp(office, "results-letter", today),
    )


def referral_memo(office: Office, facts: AuditFacts, today: date) -> Document:
    """R6.5: the 簽 reporting the period's 否 cases and anomalies to the ethics unit
    for 議處, with the (masked) referral lists attached."""
    period = facts.period
    by_unit = tuple(
        Item(f"{u.unit}：與業務不符{u.inconsistent}筆，查詢未敘明事由等異常{u.anomalies}筆。")
        for u in facts.units
        if u.inconsistent or u.anomalies
    )
    check = "內部稽核案件抽查" if period.kind == "half" else "每月案件抽查"
    return Document(
        form="簽",
        sender=office.sender(unit=True),
        attachments_note="如說明三" if facts.attachments else "",
        attachments=facts.attachments,
        subject=(
            f"本處{period.roc_label}戶役政資料{check}發現異常使用計{facts.referred}筆，"
            f"擬移請{office.ethics_unit}議處，簽請　核示。"
        ),
        sections=(
            Section(
                "說明",
                items=(
                    Item(f"依據「{REGULATION}」第六點第五款辦理。"),
                    Item(
                        f"{_period_text(period)}查詢戶役政資料計{facts.queries}筆，"
                        f"抽查{facts.sampled}筆，發現異常如下：",
                        by_unit,
                    ),
                    Item(
                        "異常案件清單（被查詢人資料已遮罩）：",
                        _attachment_items(facts.attachments),
                    ),
                ),
            ),
            Section(
                "擬辦",
                items=(
                    Item(f"陳核後移請{office.ethics_unit}議處。"),
                    Item(
                        f"議處結果另函知{office.ethics_office.name}及"
                        f"{office.database_authority.name}。"
                    ),
                ),
            ),
        ),
        submit_to=(office.director_title,),
        signature=(f"{office.planning_unit}　承辦人",),
        **_stamp(office, "referral-memo", today),
    )


def outcome_letter(
    office: Office,
    facts: AuditFacts,
    outcome: str,
    referral: tuple[date, str] | None,
    today: date,
) -> Document:
    """R6.5: the 函 sending the outcome of the 議處 to 本府政風處 and the database
    authority; ``referral`` is the date and 文號 the referral memo went out under."""
    period = facts.period
    referred = (
        f"本處{format_roc(referral[0])}{referral[1]}簽" if referral and referral[1] else "本處簽"
    )
    receivers = (office.ethics_office, office.database_authority)
    originals = tuple(dict.fromkeys(receivers))
    return Document(
        form="函",
        sender=office.sender(),
        receiver=office.ethics_office,
        subject=(f"函送本處{period.roc_label}戶役政資料查詢異常使用案件議處結果，請　查照。"),
        sections=(
            Section(
                "說明",
                items=(
                    Item(f"依據「{REGULATION}」第六點第五款辦理。"),
                    Item(
                        f"{_period_text(period)}案件抽查發現異常使用計{facts.referred}筆"
                        f"（與業務不符{facts.inconsistent}筆、查詢未敘明事由等異常"
                        f"{facts.anomalies}筆），經{referred}報{office.ethics_unit}議處。"
                    ),
                    Item(f"議處結果：{outcome}"),
                ),
            ),
        ),
        originals=originals,
        copies=(office.unit_party(office.ethics_unit),),
        signature=(office.signatory,),
        **_stamp(office, "outcome-letter", today),
    )


def holder_notice(office: Office, holder: Holder, today: date) -> Document:
    """R4.1c: the 書函 telling the holder of an account suspended for a year or more
    to apply for its cancellation (附件2 註銷)."""
    person = Party(holder.name, kind="person", title=holder.title, code=office.code)
    return Document(
        form="函",
        letter_type="書函",
        sender=office.sender(),
        receiver=person,
        subject=(
            f"臺端戶役政資料查詢帳號（{holder.account_id}）自{format_roc(holder.suspended_on)}"
            "停用已逾1年，請依規定申請註銷帳號，請　查照。"
        ),
        sections=(
            Section(
                "說明",
                items=(
                    Item(f"依據「{REGULATION}」第四點第一款辦理。"),
                    Item("對於停權1年以上之帳號，應通知當事人申請帳號註銷。"),
                    Item(
                        "請填具權限申請表（附件2，申請類別「註銷」），經單位主管核章後送"
                        f"{office.planning_unit}管理者辦理。"
                    ),
                ),
            ),
        ),
        originals=(person,),
        copies=(office.unit_party(holder.unit), office.unit_party(office.planning_unit)),
        signature=(office.name,),
        **_stamp(office, "holder-notice", today),
    )


def review_memo(
    office: Office,
    as_of: date,
    accounts: int,
    findings: Mapping[str, int],
    attachments: Sequence[Attachment],
    today: date,
) -> Document:
    """R4.1a: the 簽 reporting the six-monthly account and permission review: how many
    accounts, what was found (by kind), and the actions the rule allows (R4.1b, c)."""
    found = tuple(Item(f"{label}：{count}個。") for label, count in findings.items() if count)
    return Document(
        form="簽",
        sender=office.sender(unit=True),
        attachments_note="如說明三" if attachments else "",
        attachments=tuple(attachments),
        subject=(f"陳報本處戶役政資料查詢帳號及權限{format_roc(as_of)}清查結果，簽請　核示。"),
        sections=(
            Section(
                "說明",
                items=(
                    Item(f"依據「{REGULATION}」第四點第一款，帳號及權限至少每半年清查一次。"),
                    Item(
                        f"截至{format_roc(as_of)}，本處帳號計{accounts}個，清查結果如下：",
                        found or (Item("未發現應處理之帳號。"),),
                    ),
                    Item("清查結果表：", _attachment_items(attachments)),
                ),
            ),
            Section(
                "擬辦",
                items=(
                    Item("逾6個月未使用之帳號，擬予停用或註銷。"),
                    Item("停權1年以上之帳號，擬通知當事人申請帳號註銷。"),
                    Item("缺漏之權限申請表或保密切結書，擬請當事人補正。"),
                ),
            ),
        ),
        submit_to=(office.director_title,),
        signature=(f"{office.planning_unit}　管理者",),
        **_stamp(office, "review-memo", today),
    )


def destruction_memo(
    office: Office,
    as_of: date,
    candidates: Mapping[str, int],
    attachments: Sequence[Attachment],
    today: date,
) -> Document:
    """The 簽 sending the draft 銷毀目錄 up: records past their retention as of
    ``as_of`` (by kind), to be destroyed only once approved (檔案法 Art. 12;
    機關檔案保存年限及銷毀辦法 §8, §12: a 政風 officer supervises the destruction)."""
    total = sum(candidates.values())
    listed = tuple(Item(f"{label}：{count}件。") for label, count in candidates.items())
    return Document(
        form="簽",
        sender=office.sender(unit=True),
        attachments_note="如說明二" if attachments else "",
        attachments=tuple(attachments),
        subject=(f"檢陳本處戶役政資料相關檔案已屆保存年限之銷毀目錄（計{total}件），簽請　核定。"),
        sections=(
            Section(
                "說明",
                items=(
                    Item(
                        "依據檔案法第12條及機關檔案保存年限及銷毀辦法第8條辦理。"
                        f"截至{format_roc(as_of)}已屆保存年限者如下：",
                        listed,
                    ),
                    Item("檔案銷毀目錄：", _attachment_items(attachments)),
                ),
            ),
            Section(
                "擬辦",
                items=(
                    Item("陳核後依規定送審，核准後始得銷毀，核准文號填入銷毀目錄。"),
                    Item(f"銷毀時會同{office.ethics_unit}人員監督。"),
                ),
            ),
        ),
        submit_to=(office.director_title,),
        signature=(f"{office.planning_unit}　檔管人員",),
        **_stamp(office, "destruction-memo", today),
    )
