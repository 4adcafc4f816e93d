"""Audit sample sizes (R6.2 monthly, R6.3 half-year).

* R6.2 — monthly, per unit: 6% of the unit's queries, at least 6, at most 80.
* R6.3 — half-year internal audit: ≤500 queries: 6% (at least 20);
  501–2,000: 5% (at least 30, at most 80); ≥2,001: 4% (at most 150).

RULES.md, Decisions: the percentage is rounded up to a whole case (``ceil``; the
workspace may choose ``half_up``), then the minimum and maximum apply, and the
result never exceeds the number of queries. Tier boundaries are inclusive as
written. Zero queries: nothing to sample, and the rule text says so.

Every result carries the rule that produced it, in Chinese (for 附件4) and English,
e.g. ``R6.3（501–2,000 件）：5% × 1,000 = 50 → 50 件（無條件進位）→ 抽查 50 件``.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Literal

Rounding = Literal["ceil", "half_up"]

_ROUNDING_MODES = {"ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}
_ROUNDING_ZH = {"ceil": "無條件進位", "half_up": "四捨五入"}
_ROUNDING_EN = {"ceil": "rounded up", "half_up": "rounded half up"}


@dataclass(frozen=True)
class Tier:
    """One line of the regulation: who it covers, the percentage and the bounds."""

    rule_id: str
    label_zh: str
    label_en: str
    percent: int
    minimum: int | None
    maximum: int | None


MONTHLY = Tier("R6.2", "每月抽查", "monthly", 6, 6, 80)
HALF_TIERS = (
    (500, Tier("R6.3", "500 件以下", "≤500", 6, 20, None)),
    (2000, Tier("R6.3", "501–2,000 件", "501–2,000", 5, 30, 80)),
    (None, Tier("R6.3", "2,001 件以上", "≥2,001", 4, None, 150)),
)


@dataclass(frozen=True)
class SampleSize:
    """How many of ``population`` queries to check, and why (``rule`` in Chinese,
    ``rule_en`` in English)."""

    population: int
    sample_size: int
    rule: str
    rule_en: str

    @property
    def text(self) -> str:
        """Both languages on one line (for reports and ``--format json``)."""
        return f"{self.rule} / {self.rule_en}"


def monthly_sample_size(population: int, rounding: Rounding = "ceil") -> SampleSize:
    """R6.2: a unit's monthly spot check — 6%, at least 6, at most 80."""
    return _apply(MONTHLY, population, rounding)


def half_year_sample_size(population: int, rounding: Rounding = "ceil") -> SampleSize:
    """R6.3: the half-year audit's sample, by tier (≤500, 501–2,000, ≥2,001)."""
    return _apply(half_year_tier(population), population, rounding)


def half_year_tier(population: int) -> Tier:
    """The R6.3 tier a half-year population falls in (boundaries inclusive)."""
    for upper, tier in HALF_TIERS:
        if upper is None or population <= upper:
            return tier
    raise AssertionError("unreachable: the last tier has no upper bound")


def _apply(tier: Tier, population: int, rounding: Rounding) -> SampleSize:
    if population < 0:
        raise ValueError(f"a population cannot be negative: {population}")
    if rounding not in _ROUNDING_MODES:
        raise ValueError(f"unknown rounding {rounding!r}: use ceil or half_up")
    if population == 0:
        return SampleSize(
            0,
            0,
            f"{tier.rule_id}：本期無查詢紀錄，無須抽查",
            f"{tier.rule_id}: no queries in the period, nothing to sample",
        )
    raw = Decimal(tier.percent) * population / 100
    rounded = int(raw.to_integral_value(rounding=_ROUNDING_MODES[rounding]))
    size, steps_zh, steps_en = _bound(tier, population, rounded)
    head = f"{tier.rule_id}（{tier.label_zh}）：{tier.percent}% × {population:,} = {_num(raw)}"
    head_en = f"{tier.rule_id} {tier.label_en}: {tier.percent}% × {population:,} = {_num(raw)}"
    zh = f"{head} → {rounded:,} 件（{_ROUNDING_ZH[rounding]}）{steps_zh} → 抽查 {size:,} 件"
    en = f"{head_en} → {rounded:,} ({_ROUNDING_EN[rounding]}){steps_en} → sample {size:,}"
    return SampleSize(population, size, zh, en)


def _bound(tier: Tier, population: int, size: int) -> tuple[int, str, str]:
    """Apply the minimum, the maximum and the population cap, saying which applied."""
    zh, en = "", ""
    if tier.minimum is not None and size < tier.minimum:
        size = tier.minimum
        zh, en = f"，至少 {size} 件", f", at least {size}"
    if tier.maximum is not None and size > tier.maximum:
        size = tier.maximum
        zh, en = f"，至多 {size} 件", f", at most {size}"
    if size > population:
        size = population
        zh += f"，不超過查詢件數 {population} 件"
        en += f", capped at the population of {population}"
    return size, zh, en


def _num(value: Decimal) -> str:
    """``50.00`` → ``50``, ``25.05`` → ``25.05``, with thousands separators."""
    return f"{value.normalize():,f}"
