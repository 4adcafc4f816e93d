"""The approval a disposal is done under (ISSUE 9 item 4; DESIGN.md, Retention: a
candidate leaves the archive only with a recorded approval reference, proposed and
approved by two different people; 檔案法 Art. 12; 機關檔案保存年限及銷毀辦法 §17: the
approving 文號 is written onto the destruction list).

The reference is an official document number (發文字號) as the approving letter
prints it: the agency's abbreviation (代字) in CJK characters — a parenthesised part
is allowed, as in 院授發檔(資)字 — then 字第, the number, 號. The number leads with the
3-digit ROC year and a 7-digit serial (10 digits), optionally one more digit of 支號
(11 digits): 北市市企字第1153025174號, 府授市企字第11530251741號
(research/taiwan-conventions.md §1.3). Full-width digits and spaces are tidied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from docgen.calendar import format_roc_short, roc_year
from docgen.errors import InputError
from docgen.i18n import _
from docgen.privacy import find_unmasked_ids, mask_ids_in_text
from docgen.textsafe import escape_controls

EXAMPLE = "北市市企字第1153025174號"
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_REFERENCE = re.compile(
    rf"(?P<agency>{_CJK}+(?:[(（]{_CJK}+[)）]{_CJK}*)*)字第(?P<number>\d{{10,11}})號"
)
#: The longest approver (name and title) accepted (ISSUE 9 review).
MAX_APPROVER = 60
_TIDY = str.maketrans("０１２３４５６７８９", "0123456789", " \t\u3000")


@dataclass(frozen=True)
class Approval:
    """Who approved the destruction list, when, and the 發文字號 that says so."""

    reference: str
    approved_by: str
    approved_on: date | None

    def details(self) -> dict[str, str]:
        """The approval as a journal entry records it."""
        return {
            "approval": self.reference,
            "approved_by": self.approved_by,
            "approved_on": self.approved_on.isoformat() if self.approved_on else "",
        }


def parse_reference(text: str, latest: date) -> str:
    """The 發文字號 in ``text``, tidied; :class:`InputError` in one line with an example
    if it is not one, or if its year is after ``latest`` (the approval's date)."""
    tidy = text.translate(_TIDY)
    match = _REFERENCE.fullmatch(tidy)
    if match is None:
        raise InputError(
            _(
                "--approval {text!r} is not an official document number (發文字號): "
                "give it as the approving letter prints it, e.g. {example}"
            ).format(text=text, example=EXAMPLE)
        )
    year = int(match["number"][:3])
    if not 1 <= year <= roc_year(latest):
        raise InputError(
            _(
                "--approval {reference}: its number starts with the ROC year {year:03d}, "
                "which is not a year up to the approval's ({latest}): check the 文號 and "
                "--approved-on"
            ).format(reference=tidy, year=year, latest=roc_year(latest))
        )
    return tidy


def check_approver(text: str) -> str:
    """The approver's name, tidied: required, at most :data:`MAX_APPROVER` characters,
    no control characters, no national ID (it is kept for years in the plan, the
    tombstone and the journal, and printed)."""
    if escape_controls(text) != text:
        raise InputError(
            _(
                "--approved-by {name} holds control characters (a new line, a tab, an "
                "escape): give the approver's name only"
            ).format(name=escape_controls(mask_ids_in_text(text)))
        )
    approved_by = " ".join(text.split())
    if not approved_by:
        raise InputError(
            _(
                "a disposal needs who approved the destruction list: add --approved-by NAME "
                "(someone other than the person disposing)"
            )
        )
    if find_unmasked_ids(approved_by):
        raise InputError(
            _(
                "--approved-by {name} holds a national ID: give the approver's name "
                "(and title), never an ID"
            ).format(name=mask_ids_in_text(approved_by))
        )
    if len(approved_by) > MAX_APPROVER:
        raise InputError(
            _(
                "--approved-by is {length} characters long: give the approver's name "
                "(and title) in at most {limit}"
            ).format(length=len(approved_by), limit=MAX_APPROVER)
        )
    return approved_by


def check_approval(approval: Approval, disposed_by: str, today: date) -> Approval:
    """``approval`` checked and tidied for a disposal by ``disposed_by`` today."""
    reference = approval.reference.strip()
    if not reference:
        raise InputError(
            _(
                "a disposal needs the approval reference (文號) of the approved destruction "
                "list: add --approval 文號 (e.g. {example})"
            ).format(example=EXAMPLE)
        )
    approved_by = check_approver(approval.approved_by)
    if approved_by.casefold() == " ".join(disposed_by.split()).casefold():
        raise InputError(
            _(
                "--approved-by {name} is also the person disposing: a disposal is "
                "proposed and approved by two different people (give --by or --approved-by)"
            ).format(name=approved_by)
        )
    approved_on = approval.approved_on
    if approved_on is None:
        raise InputError(
            _(
                "a disposal needs the date of the approval: add --approved-on DATE "
                "(e.g. 115/11/20 or 2026-11-20)"
            )
        )
    if approved_on > today:
        raise InputError(
            _(
                "--approved-on {date} is later than today ({today}): give the date of "
                "the approving letter"
            ).format(date=format_roc_short(approved_on), today=format_roc_short(today))
        )
    return Approval(parse_reference(reference, approved_on), approved_by, approved_on)
