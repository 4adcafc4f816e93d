"""The six attachments: their titles, variants, template files and schemas, and how a
filled form is identified (record ID period, unit, subject; DESIGN.md, Forms)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from docgen.errors import InputError, UsageError
from docgen.forms import schemas
from docgen.forms.fields import FormModel
from docgen.i18n import _

#: Variant names and the words a clerk may type for them (the regulation's names of
#: 附件4's two variants: the same in every language, as are the forms' titles below).
VARIANT_NAMES = {"monthly": "月抽查", "half": "半年抽查"}
_VARIANT_ALIASES = {
    "monthly": "monthly",
    "month": "monthly",
    "m": "monthly",
    "月抽查": "monthly",
    "half": "half",
    "h": "half",
    "半年抽查": "half",
}


@dataclass(frozen=True)
class FormSpec:
    """One attachment: ``key`` "1"–"6", its schema and, per variant, its template."""

    key: str
    title: str
    schema: type[FormModel]
    templates: dict[str, str]
    identity: Callable[[Any], tuple[str, ...]]
    document_date: Callable[[Any], date | None]
    period: Callable[[Any], str] = lambda data: ""
    unit: Callable[[Any], str] = lambda data: ""
    subject: Callable[[Any], str] = lambda data: ""
    review_date: Callable[[Any], date | None] = lambda data: None

    @property
    def variants(self) -> list[str]:
        return [v for v in self.templates if v]

    def template_name(self, variant: str) -> str:
        return self.templates[variant]


FORMS: dict[str, FormSpec] = {
    "1": FormSpec(
        "1",
        "戶政機關資料交換安全約定",
        schemas.SecurityAgreement,
        {"": "附件1_戶政機關資料交換安全約定.docx"},
        identity=lambda d: (d.user_agency, d.provider),
        document_date=lambda d: d.date,
    ),
    "2": FormSpec(
        "2",
        "權限申請表（各機關內部使用）",
        schemas.AccountApplication,
        {"": "附件2_權限申請表.docx"},
        identity=lambda d: (d.account, d.application_type),
        document_date=lambda d: d.application_date,
        unit=lambda d: d.unit,
        subject=lambda d: d.account,
    ),
    "3": FormSpec(
        "3",
        "保密切結書",
        schemas.ConfidentialityPledge,
        {"": "附件3_保密切結書.docx"},
        identity=lambda d: (d.account or d.unit,),
        document_date=lambda d: d.date,
        unit=lambda d: d.unit,
        subject=lambda d: d.account,
    ),
    "4": FormSpec(
        "4",
        "案件抽查表",
        schemas.CaseCheck,
        {
            "monthly": "附件4_案件抽查表_月抽查.docx",
            "half": "附件4_案件抽查表_半年抽查.docx",
        },
        # a redraw is a record of its own, even with the same seed (ISSUE 10 item 1)
        identity=lambda d: (
            (d.unit, d.seed, d.population_sha256) + ((f"draw{d.draw}",) if d.draw > 1 else ())
        ),
        document_date=lambda d: d.check_date,
        period=lambda d: d.period,
        unit=lambda d: d.unit,
        review_date=lambda d: d.review_date,
    ),
    "5": FormSpec(
        "5",
        "稽核紀錄表",
        schemas.AuditRecord,
        {"": "附件5_稽核紀錄表.docx"},
        identity=lambda d: ("全處",),
        document_date=lambda d: d.audit_date,
        period=lambda d: d.half,
        unit=lambda d: "全處",
        review_date=lambda d: d.review_date,
    ),
    "6": FormSpec(
        "6",
        "外部稽核紀錄表",
        schemas.ExternalAudit,
        {"": "附件6_外部稽核紀錄表.docx"},
        identity=lambda d: (d.audited_agency, d.auditor_agency),
        document_date=lambda d: d.audit_date,
    ),
}


def form_spec(name: str) -> FormSpec:
    """The form called ``name``: ``2``, ``附件2``, ``attachment2`` all mean 附件2."""
    key = re.sub(r"^(附件|attachment|att|form)\s*", "", name.strip(), flags=re.IGNORECASE)
    if key not in FORMS:
        raise InputError(
            _("no such form: {name!r} (forms are 1–6, e.g. 附件2 or 2)").format(name=name)
        )
    return FORMS[key]


def resolve_variant(spec: FormSpec, variant: str | None) -> str:
    """The variant key of ``spec`` named by ``variant`` (None/"" when it has none)."""
    if not spec.variants:
        if variant:
            raise UsageError(
                _("附件{form} has no variants (got {variant!r})").format(
                    form=spec.key, variant=variant
                )
            )
        return ""
    if not variant:
        choices = _(", ").join(f"{v} ({VARIANT_NAMES[v]})" for v in spec.variants)
        raise UsageError(
            _("附件{form} needs --variant: one of {choices}").format(form=spec.key, choices=choices)
        )
    key = _VARIANT_ALIASES.get(variant.strip().lower())
    if key not in spec.variants:
        raise UsageError(
            _("附件{form} has no variant {variant!r} (monthly 月抽查, half 半年抽查)").format(
                form=spec.key, variant=variant
            )
        )
    return key
