"""Every duty the regulation sets for a year, with its due date (pure).

* **R6.2** monthly spot check (附件4 月抽查), per unit that had queries in the month:
  due by the **end of the following month** (RULES.md Decisions).
* **R6.3** half-year internal audit (附件4 半年抽查 for the whole office, and 附件5):
  the text gives no date of its own; it must be done for the report, so it is due
  with the report (R6.4).
* **R6.4** the audit results, colour-scanned, to 民政局: the first half **by 31 August**,
  the second half **by 10 March of the next year**.
* **R4.1a** account and permission review (清查) **at most 6 months** after the previous
  one (RULES.md Decisions): each due date is the end of a 6-month Civil Code period
  from the previous review (:func:`~docgen.calendar.civil_code_period_end`); with no
  review on record, the first is due by the end of June.

A year's obligations (:func:`obligations_for_year`) are those of its periods: 2026's
include the December check (due 2027-01-31) and the second half's report (due
2027-03-10). What falls due in a year (:func:`obligations_due_in`, the calendar) is
another list: 2026's holds December 2025's check (due 2026-01-31) and 2025's second
half's report (due 2026-03-10), and not December 2026's check. Each obligation lists the
records that fulfil it (:class:`RequiredRecord`), matched against the archive's record
metadata (form, variant, category, period, unit) or the journal. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from docgen.calendar import Period, civil_code_period_end
from docgen.i18n import N_, _, translate

#: The unit a whole-office record (附件4 半年抽查, 附件5) is filed under: stored in
#: the records' metadata, the same in every language.
WHOLE_OFFICE = "全處"

#: Each kind of duty, in the order of a day's duties; the labels are message IDs
#: (:func:`kind_title` shows one in the current language).
KIND_TITLES = {
    "monthly_check": N_("monthly spot check"),
    "half_year_audit": N_("half-year internal audit"),
    "audit_report": N_("audit results reported to 民政局"),
    "account_review": N_("account review"),
    "ethics_referral": N_("anomalies referred to the ethics unit"),
}


def kind_title(kind: str) -> str:
    """The label of a kind of duty in the current language: the R6.2 monthly check,
    the R6.3 half-year audit, the R6.4 report, the R4.1a account review."""
    return translate(KIND_TITLES[kind]) if kind in KIND_TITLES else kind


@dataclass(frozen=True)
class RequiredRecord:
    """A record an obligation needs. Archive records match on ``form``/``variant``/
    ``category`` as in :class:`docgen.metadata.RecordMetadata` (``form`` "" for a
    package); a ``journal_command`` record is an entry of the workspace journal; a
    ``correspondence`` record is a document of that kind recorded as sent (ISSUE 14).
    ``name`` is a message ID; :attr:`label` shows it in the current language."""

    name: str
    form: str = ""
    variant: str = ""
    category: str = ""
    journal_command: str = ""
    correspondence: str = ""

    @property
    def label(self) -> str:
        """What the record is, in the current language."""
        return translate(self.name)

    def matches(self, form: str, variant: str, category: str) -> bool:
        """Whether an archive record with this metadata is of this kind (the records
        of R6.2–R6.4; the R4.1a review is a journal entry, never an archive record)."""
        if self.journal_command or self.correspondence:
            return False
        return (form, variant, category) == (self.form, self.variant, self.category)


MONTHLY_FORM = RequiredRecord(N_("附件4 monthly spot check"), "4", "monthly", "monthly_check")
HALF_YEAR_FORM = RequiredRecord(N_("附件4 half-year sample"), "4", "half", "half_year_audit")
AUDIT_RECORD = RequiredRecord(N_("附件5 audit record"), "5", "", "half_year_audit")
SCAN_PACKAGE = RequiredRecord(N_("colour-scan package"), "", "", "half_year_audit")
RESULTS_LETTER = RequiredRecord(
    N_("函 sending the results to 民政局"), correspondence="results-letter"
)
REFERRAL_MEMO = RequiredRecord(
    N_("簽 referring them to the ethics unit"), correspondence="referral-memo"
)
OUTCOME_LETTER = RequiredRecord(
    N_("函 sending the outcome to 政風處 and the database authority"),
    correspondence="outcome-letter",
)
REVIEW_ENTRY = RequiredRecord(
    N_("account review record (docgen accounts review)"), journal_command="accounts review"
)


@dataclass(frozen=True)
class Obligation:
    """One duty: ``key`` is stable across runs (``monthly_check:2026-10:企劃室``,
    ``half_year_audit:2026-H1``, ``audit_report:2026-H1``, ``account_review:2026-H2``);
    ``unit`` is None for a whole-office duty; ``records`` are what fulfil it."""

    key: str
    kind: str
    rule: str
    title: str
    period: Period | None
    unit: str | None
    due: date
    records: tuple[RequiredRecord, ...]

    def fulfilled_by(
        self, form: str, variant: str, category: str, period: str, unit: str
    ) -> RequiredRecord | None:
        """The required record an archive record (by its metadata; ``period`` as
        ``2026-10``/``2026-H1``) stands for, or None if it is not one of this duty's
        (R6.2 per unit and month; R6.3, R6.4 per half-year)."""
        if self.period is None or period != self.period.label:
            return None
        if self.unit is not None and unit != self.unit:
            return None
        return next((r for r in self.records if r.matches(form, variant, category)), None)


def monthly_check(month: Period, unit: str) -> Obligation:
    """R6.2: the unit's spot check of ``month``, due by the end of the following month."""
    following = Period.containing(month.end + timedelta(days=1), "month")
    return Obligation(
        key=f"monthly_check:{month.label}:{unit}",
        kind="monthly_check",
        rule="R6.2",
        title=_("{unit} monthly spot check of the cases of {month} (附件4)").format(
            unit=unit, month=month.roc_label
        ),
        period=month,
        unit=unit,
        due=following.end,
        records=(MONTHLY_FORM,),
    )


def report_due(half: Period) -> date:
    """R6.4: H1 results by 31 August; H2 results by 10 March of the next year."""
    return date(half.year, 8, 31) if half.number == 1 else date(half.year + 1, 3, 10)


def half_year_audit(half: Period) -> Obligation:
    """R6.3: the half-year internal audit (附件4 半年抽查, 附件5), due with its report."""
    return Obligation(
        key=f"half_year_audit:{half.label}",
        kind="half_year_audit",
        rule="R6.3",
        title=_("{half} internal audit (附件4 half-year sample, 附件5)").format(
            half=half.roc_label
        ),
        period=half,
        unit=None,
        due=report_due(half),
        records=(HALF_YEAR_FORM, AUDIT_RECORD),
    )


def audit_report(half: Period) -> Obligation:
    """R6.4: the director-approved results, colour-scanned, sent to 民政局."""
    return Obligation(
        key=f"audit_report:{half.label}",
        kind="audit_report",
        rule="R6.4",
        title=_("{half} audit results reported to 民政局 (colour scan)").format(
            half=half.roc_label
        ),
        period=half,
        unit=None,
        due=report_due(half),
        records=(SCAN_PACKAGE, RESULTS_LETTER),
    )


def ethics_referral(period: Period) -> Obligation:
    """R6.5: the 否 cases and anomalies of a period's check reported to the ethics unit
    by 簽, and the outcome sent to 政風處 and the database authority by 函. The text
    gives no date: the referral is due with the check that found them (R6.2's month
    end, R6.4's date); the outcome waits on the ethics unit and is never late."""
    due = report_due(period) if period.kind == "half" else monthly_check(period, "").due
    return Obligation(
        key=f"ethics_referral:{period.label}",
        kind="ethics_referral",
        rule="R6.5",
        title=_("{period} anomalies referred to the ethics unit").format(period=period.roc_label),
        period=period,
        unit=None,
        due=due,
        records=(REFERRAL_MEMO, OUTCOME_LETTER),
    )


def account_review(due: date) -> Obligation:
    """R4.1a: an account and permission review due on ``due``."""
    half = Period.containing(due, "half")
    return Obligation(
        key=f"account_review:{half.label}",
        kind="account_review",
        rule="R4.1a",
        title=_("Account and permission review (staff transferred, leaving or retiring included)"),
        period=half,
        unit=None,
        due=due,
        records=(REVIEW_ENTRY,),
    )


def account_review_dues(year: int, reviews: Iterable[date] = ()) -> list[date]:
    """R4.1a due dates in ``year``, given the dates of the reviews on record.

    The chain starts at the last review before the year (none: the first is due at the
    end of June). Each due date is 6 months after the review before it; a review done
    early or late restarts the count from its own date, and a missed one is assumed
    done on its due date. A due date before the year that no review met is still
    outstanding and listed first.

    >>> account_review_dues(2026, [date(2025, 11, 30), date(2026, 4, 10)])
    [datetime.date(2026, 5, 31), datetime.date(2026, 10, 10)]
    """
    done = sorted(set(reviews))
    earlier = [r for r in done if r.year < year]
    basis = earlier[-1] if earlier else date(year - 1, 12, 31)
    due = civil_code_period_end(basis, months=6) if earlier else date(year, 6, 30)
    dues: list[date] = []
    while due.year <= year:
        dues.append(due)
        basis = next((r for r in done if r > basis), due)
        due = civil_code_period_end(basis, months=6)
    return [d for i, d in enumerate(dues) if d.year == year or i == 0]


def _period_duties(
    year: int,
    units: Iterable[str],
    units_by_month: Mapping[Period, Collection[str]] | None,
) -> list[Obligation]:
    """The duties of ``year``'s months and half-years (R6.2, R6.3, R6.4)."""
    unit_list = sorted(set(units))
    months = [Period("month", year, m) for m in range(1, 13)]
    result = [
        monthly_check(month, unit)
        for month in months
        for unit in (unit_list if units_by_month is None else sorted(units_by_month.get(month, ())))
    ]
    for half in (Period("half", year, 1), Period("half", year, 2)):
        result += [half_year_audit(half), audit_report(half)]
    return result


def _by_due_date(obligations: Iterable[Obligation]) -> list[Obligation]:
    order = list(KIND_TITLES)
    return sorted(obligations, key=lambda o: (o.due, order.index(o.kind), o.key))


def obligations_for_year(
    year: int,
    units: Iterable[str] = (),
    *,
    units_by_month: Mapping[Period, Collection[str]] | None = None,
    reviews: Iterable[date] = (),
    previous_review: date | None = None,
) -> list[Obligation]:
    """Every duty of ``year``'s periods (R6.2, R6.3, R6.4, R4.1a), by due date.
    Monthly checks are for every unit
    in ``units`` each month, or, given ``units_by_month``, for the units that had
    queries in each month. ``reviews`` are the dates of the account reviews on record
    (or just ``previous_review``, the last one before the year), if any."""
    result = _period_duties(year, units, units_by_month)
    result += [
        account_review(due)
        for due in account_review_dues(
            year, [*reviews, *([previous_review] if previous_review else [])]
        )
    ]
    return _by_due_date(result)


def obligations_due_in(
    year: int, units: Iterable[str] = (), *, reviews: Iterable[date] = ()
) -> list[Obligation]:
    """Every duty that falls due in ``year``, by due date (the calendar, ISSUE 11 item
    5): the monthly checks of the previous December to November (each due by the end
    of the following month, R6.2), the previous year's second-half audit and report
    (due 10 March, R6.3, R6.4) and the first half's (due 31 August), and the account
    reviews due in the year (R4.1a; a review still outstanding from before the year is
    listed first, as in :func:`account_review_dues`). Each duty keeps its own
    ``period``: December 2025's check is due in 2026.

    >>> [o.key for o in obligations_due_in(2026) if o.kind == "audit_report"]
    ['audit_report:2025-H2', 'audit_report:2026-H1']
    """
    unit_list = sorted(set(units))
    result = [
        duty
        for period_year in (year - 1, year)
        for duty in _period_duties(period_year, unit_list, None)
        if duty.due.year == year
    ]
    result += [account_review(due) for due in account_review_dues(year, reviews)]
    return _by_due_date(result)
