"""Masking of personal data (R8; RULES.md, Decisions: 國發會 rule of 民國103年).

A national ID keeps its first six characters and masks the last four
(``A123456789`` → ``A12345****``); a name keeps its first character and masks the
rest, except the last one of a name of three or more (``王小明`` → ``王○明``,
``王明`` → ``王○``). :func:`find_unmasked_ids` finds full IDs left in any text; the
tests run it over every output. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A Taiwan national ID or resident certificate number: a letter, then 1/2 (citizens),
#: 8/9 (new resident certificates) or A–D (old ones), then eight digits.
ID_PATTERN = re.compile(r"(?<![A-Za-z0-9])([A-Z][1289A-D][0-9]{8})(?![0-9])")

_LETTER_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


#: The most of a national ID the rule lets a masked ID keep (the last four are masked):
#: keeping more gives the ID back, the check digit filling in a missing last one.
MAX_ID_KEEP = 6


@dataclass(frozen=True)
class MaskingPolicy:
    """How much of an ID to keep and which characters hide the rest (R8; ISSUE 9 item
    14: a policy that would expose more than the rule allows cannot be made)."""

    id_keep: int = 6
    id_mask_char: str = "*"
    name_mask_char: str = "○"

    def __post_init__(self) -> None:
        if not 0 <= self.id_keep <= MAX_ID_KEEP:
            raise ValueError(f"id_keep must be 0 to {MAX_ID_KEEP}, not {self.id_keep}")
        for char in (self.id_mask_char, self.name_mask_char):
            if len(char) != 1 or char.isdigit() or char.isspace():
                raise ValueError(f"a mask character must be one non-digit, not {char!r}")


DEFAULT_POLICY = MaskingPolicy()


def mask_id(value: str, policy: MaskingPolicy = DEFAULT_POLICY) -> str:
    """``A123456789`` → ``A12345****``: keep ``policy.id_keep`` characters, mask the rest."""
    value = value.strip()
    if not value:
        return value
    keep = min(policy.id_keep, max(len(value) - 1, 0))
    return value[:keep] + policy.id_mask_char * (len(value) - keep)


def mask_name(value: str, policy: MaskingPolicy = DEFAULT_POLICY) -> str:
    """``王小明`` → ``王○明``, ``王明`` → ``王○``, ``歐陽娜娜`` → ``歐○○娜``.

    A one-character name is masked whole, so that no name ever appears in full.
    """
    value = value.strip()
    mask = policy.name_mask_char
    if len(value) <= 1:
        return mask * len(value)
    if len(value) == 2:
        return value[0] + mask
    return value[0] + mask * (len(value) - 2) + value[-1]


def mask_ids_in_text(text: str, policy: MaskingPolicy = DEFAULT_POLICY) -> str:
    """``text`` with every full ID in it masked (for free text and log lines)."""
    return ID_PATTERN.sub(lambda m: mask_id(m.group(1), policy), text)


def find_unmasked_ids(text: str) -> list[str]:
    """Every full, unmasked ID in ``text`` (empty when the text is safe)."""
    return ID_PATTERN.findall(text)


def is_valid_national_id(value: str) -> bool:
    """Whether ``value`` is a citizen's national ID with a correct check digit."""
    if not re.fullmatch(r"[A-Z][12][0-9]{8}", value):
        return False
    code = _LETTER_CODES[value[0]]
    digits = [code // 10, code % 10] + [int(c) for c in value[1:]]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0
