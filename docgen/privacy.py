"""Masking of personal data (R8; RULES.md, Decisions: 國發會 rule of 民國103年).

A national ID keeps its first six characters and masks the last four
(``A123456789`` → ``A12345****``). A name is masked in one of two styles
(:data:`NAME_STYLES`, ``[masking] name_style``): ``"middle"`` (the default) keeps its
first character and the last one of a name of three or more (``王小明`` → ``王○明``,
``王明`` → ``王○``); ``"surname"`` keeps the surname's first character only (``王小明``
→ ``王○○``), as 臺北市政府個人資料遮罩作業SOP (民國109年9月30日) asks where a name must
not be recognised at all. :func:`find_unmasked_ids` finds full IDs left in any text; the
tests run it over every output. IDs are also found written in full-width letters and
digits (matched in the text's NFKC form, masked in the text as written). Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, get_args

#: A Taiwan national ID or resident certificate number: a letter, then 1/2 (citizens),
#: 8/9 (new resident certificates) or A–D (old ones), then eight digits.
ID_PATTERN = re.compile(r"(?<![A-Za-z0-9])([A-Z][1289A-D][0-9]{8})(?![0-9])")
#: The archive's own record ID of a record without one (``F-``/``U-`` and 16 hex
#: digits of its SHA-256, :func:`docgen.archive.classify.content_record_id`): its hex
#: digits can read as an ID (``U-F162386173AB12CD``), and are never one.
CONTENT_RECORD_ID = re.compile(r"(?<![A-Za-z0-9])[FU]-([0-9A-F]{16})(?![A-Za-z0-9])")

_LETTER_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


#: The most of a national ID the rule lets a masked ID keep (the last four are masked):
#: keeping more gives the ID back, the check digit filling in a missing last one.
MAX_ID_KEEP = 6


#: How a masked name shows (ISSUE 11 item 8): ``"middle"`` 王○明 (first and last
#: character kept) or ``"surname"`` 王○○ (the surname's first character only, the
#: Taipei City SOP).
NameStyle = Literal["middle", "surname"]
NAME_STYLES: tuple[str, ...] = get_args(NameStyle)


@dataclass(frozen=True)
class MaskingPolicy:
    """How much of an ID to keep, which characters hide the rest, and how a masked name
    shows (R8; ISSUE 9 item 14: a policy that would expose more than the rule allows
    cannot be made).

    ``name_style`` applies to every name docgen masks: the persons whose data was
    queried (被查詢人) above all. ``print_signer_id`` prints the signer's own national
    ID in full on the forms the signer signs (附件2, 附件3; ISSUE 11 item 8); off by
    default, and it never unmasks anyone else's ID."""

    id_keep: int = 6
    id_mask_char: str = "*"
    name_mask_char: str = "○"
    name_style: NameStyle = "middle"
    print_signer_id: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.id_keep <= MAX_ID_KEEP:
            raise ValueError(f"id_keep must be 0 to {MAX_ID_KEEP}, not {self.id_keep}")
        if self.name_style not in NAME_STYLES:
            styles = " or ".join(repr(style) for style in NAME_STYLES)
            raise ValueError(f"name_style must be {styles}, not {self.name_style!r}")
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
    """In the policy's ``name_style``: ``"middle"`` ``王小明`` → ``王○明``, ``王明`` →
    ``王○``, ``歐陽娜娜`` → ``歐○○娜``; ``"surname"`` ``王小明`` → ``王○○``, ``歐陽娜娜``
    → ``歐○○○`` (the first character only: a compound surname cannot be told from a
    given name), ``John Smith`` → ``J○○○○○○○○○``.

    A one-character name is masked whole, so that no name ever appears in full. Masking
    a masked name again changes nothing, and a name masked ``"middle"`` becomes the
    ``"surname"`` one (``王○明`` → ``王○○``).
    """
    value = value.strip()
    mask = policy.name_mask_char
    if len(value) <= 1:
        return mask * len(value)
    if len(value) == 2 or policy.name_style == "surname":
        return value[0] + mask * (len(value) - 1)
    return value[0] + mask * (len(value) - 2) + value[-1]


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` with each character NFKC-normalised (``Ａ１`` → ``A1``), and for each
    character of the result the index of the character of ``text`` it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = char if char.isascii() else unicodedata.normalize("NFKC", char)
        chars.append(folded)
        origin += [index] * len(folded)
    return "".join(chars), origin


def _wide_ids(text: str, policy: MaskingPolicy) -> list[tuple[int, int, str]]:
    """IDs in ``text`` written (in part) in full-width or other compatibility forms of
    letters and digits (``Ａ１２３４５６７８９``): (start, end, the original text there
    masked). Found in the NFKC form of ``text``; the masked text keeps the characters
    of ``text`` that stand for the first ``policy.id_keep`` characters of the ID, and
    puts one mask character for each other one, so nothing around it changes."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return []  # no compatibility form at all: nothing folds into an ID
    folded, origin = _folded(text)
    found = []
    for match in ID_PATTERN.finditer(folded):
        first, end = match.start(1), match.end(1)
        keep_until = first + min(policy.id_keep, len(match.group(1)) - 1)
        start, stop = origin[first], origin[end - 1] + 1
        last: dict[int, int] = {}
        for position in range(first, end):
            last[origin[position]] = position
        masked = "".join(
            text[k] if last.get(k, first) < keep_until else policy.id_mask_char
            for k in range(start, stop)
        )
        found.append((start, stop, masked))
    return found


def _masking(text: str, policy: MaskingPolicy) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with every full ID masked, and where each was (masking keeps the length
    of the text, so the places are those of ``text`` too). Repeated until no ID is left:
    masking one ID can free the next from the letter or digit in front of it
    (``A123456789B287654321``)."""
    spans: list[tuple[int, int]] = []
    while True:
        kept = {m.start(1) for m in CONTENT_RECORD_ID.finditer(text)}
        found = [
            (m.start(1), m.end(1), mask_id(m.group(1), policy))
            for m in ID_PATTERN.finditer(text)
            if m.start(1) not in kept
        ] or [item for item in _wide_ids(text, policy) if item[0] not in kept]
        if not found:
            return text, spans
        for start, stop, masked in reversed(found):
            text = text[:start] + masked + text[stop:]
        spans += [(start, stop) for start, stop, _ in found]


def mask_ids_in_text(text: str, policy: MaskingPolicy = DEFAULT_POLICY) -> str:
    """``text`` with every full ID in it masked (for free text and log lines), also one
    written in full-width letters or digits (``Ａ１２３４５６７８９`` →
    ``Ａ１２３４５****``); every other character is left as it was."""
    return _masking(text, policy)[0]


def find_unmasked_ids(text: str) -> list[str]:
    """Every full, unmasked ID in ``text`` — each one :func:`mask_ids_in_text` masks —
    as written there (also in full-width letters or digits), in order (empty when the
    text is safe)."""
    return [text[start:stop] for start, stop in sorted(_masking(text, DEFAULT_POLICY)[1])]


def is_valid_national_id(value: str) -> bool:
    """Whether ``value`` is a citizen's national ID with a correct check digit."""
    if not re.fullmatch(r"[A-Z][12][0-9]{8}", value):
        return False
    code = _LETTER_CODES[value[0]]
    digits = [code // 10, code % 10] + [int(c) for c in value[1:]]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0
