"""A 公文 as data: the parts of a 函 or 簽 in the order 文書處理手冊 and the 104-version
DTDs give them (research/taiwan-conventions.md §1, §2.2). Pure: no I/O, no clock.

Both outputs read this one model — the print form (:mod:`docgen.correspondence.printed`:
ODT, DOCX, PDF) and the exchange form (:mod:`docgen.correspondence.exchange`: the DI
XML) — so that what is printed and what the document system imports never differ.

The parts of a 函, in order: 檔號, 保存年限, 發文機關 and 文別, 地址 and 聯絡方式,
受文者, 發文日期, 發文字號, 速別, 密等及解密條件或保密期限, 附件, 主旨, 說明 (辦法),
正本, 副本, 署名. A 簽 has 簽於 (the unit) and its date, 主旨, 說明, 擬辦, 敬陳 and the
signer. Items are numbered 一、 → （一） → 1、 → （1） (:func:`marker`); dates are
中華民國115年11月27日 (:func:`docgen.calendar.format_roc`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

#: 速別: the 104 DTD allows only these three (``速別 代碼``).
SPEEDS = ("普通件", "速件", "最速件")
#: 密等 (``密等 代碼``); "" is an unclassified document.
SECRECY_LEVELS = ("", "密", "機密", "極機密", "絕對機密")
#: 函類別 (``函類別 代碼``) docgen writes: a 函 between agencies, a 書函 for a notice.
LETTER_TYPES = ("函", "書函")

#: The numbering ladder: 一、 → （一） → 1、 → （1）, deeper levels repeat the last.
LADDER_DEPTH = 4
_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """``1`` → 一, ``10`` → 十, ``12`` → 十二, ``20`` → 二十, ``105`` → 一〇五 (items
    beyond 99 are rare; they keep the digits' order).

    >>> [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99)]
    ['一', '九', '十', '十一', '二十', '二十一', '九十九']
    """
    if n < 1:
        raise ValueError(f"item numbers start at 1, not {n}")
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return "".join(_DIGITS[int(d)] for d in str(n))


def marker(depth: int, n: int, exchange: bool = False) -> str:
    """The item marker at ``depth`` (0 outermost) for the ``n``-th item: 一、, （一）,
    1、, （1） — in print with full-width parentheses, in the DI file with half-width
    ones as the official sample writes them (``(一)``).

    >>> [marker(d, 2) for d in range(4)]
    ['二、', '（二）', '2、', '（2）']
    >>> marker(1, 3, exchange=True)
    '(三)'
    """
    level = min(depth, LADDER_DEPTH - 1)
    number = chinese_number(n) if level < 2 else str(n)
    if level % 2 == 0:
        return f"{number}、"
    return f"({number})" if exchange else f"（{number}）"


@dataclass(frozen=True)
class Item:
    """One numbered item (條列) with its sub-items, numbered by depth when shown."""

    text: str
    children: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Section:
    """A part after 主旨 (段落): 說明, 辦法 or 擬辦. Its ``text`` stands right after the
    label when the part is not itemised; else its ``items`` are numbered."""

    name: str
    text: str = ""
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Party:
    """A receiver or copy holder: an agency (``全銜`` with its 機關代碼), a unit of one
    (``單位名``, 機關代碼 and 單位代碼) or a person (``姓名`` with 職稱).
    ``with_attachments`` marks a copy that includes the attachments (含附件)."""

    name: str
    kind: Literal["agency", "unit", "person"] = "agency"
    code: str = ""
    unit_code: str = ""
    title: str = ""
    with_attachments: bool = False

    @property
    def shown(self) -> str:
        """How the party reads on paper: ``臺北市政府民政局``, ``王○明 科員``."""
        return f"{self.name} {self.title}".strip() if self.kind == "person" else self.name


@dataclass(frozen=True)
class Attachment:
    """An attachment: its name on paper, and the file sent with the DI (a bare file
    name next to it; "" when the attachment goes on paper only)."""

    name: str
    file: str = ""


@dataclass(frozen=True)
class DocumentNumber:
    """發文字號: 代字 (with 字, e.g. ``北市市企字``), the ROC year and the serial; the
    serial stays "" when the document system assigns it."""

    word: str
    year: int | None = None
    serial: str = ""

    @property
    def shown(self) -> str:
        """``北市市企字第1153025174號``; ``北市市企字第　　號`` with no serial yet."""
        if not self.serial:
            return f"{self.word}第　　　　號" if self.word else ""
        year = f"{self.year:03d}" if self.year is not None else ""
        return f"{self.word}第{year}{self.serial}號"


@dataclass(frozen=True)
class Sender:
    """The sending office: 全銜 and 機關代碼, the unit that writes (for a 簽, and
    單位代碼), the address and the contact lines (承辦人, 電話, 傳真, 電子信箱)."""

    name: str
    code: str = ""
    unit: str = ""
    unit_code: str = ""
    address: str = ""
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One 函 (``form="函"``) or 簽 (``form="簽"``), every part in its place.

    ``date`` None leaves 發文日期 (年月日 of a 簽) blank for the document system to
    fill; ``receiver`` None leaves 受文者 out (a 簽 addressed to no one but its
    deciders, ``submit_to``)."""

    form: Literal["函", "簽"]
    sender: Sender
    subject: str
    sections: tuple[Section, ...] = ()
    letter_type: str = "函"
    file_number: str = ""
    retention: str = ""
    receiver: Party | None = None
    date: date | None = None
    number: DocumentNumber = field(default_factory=lambda: DocumentNumber(""))
    speed: str = "普通件"
    secrecy: str = ""
    declassify: str = ""
    attachments_note: str = ""
    attachments: tuple[Attachment, ...] = ()
    originals: tuple[Party, ...] = ()
    copies: tuple[Party, ...] = ()
    signature: tuple[str, ...] = ()
    submit_to: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The head line: ``臺北市市場處　函``; a 簽: ``簽　於企劃室``."""
        if self.form == "簽":
            return f"簽　於{self.sender.unit}" if self.sender.unit else "簽"
        return f"{self.sender.name}　{self.letter_type}"


def problems(document: Document) -> list[str]:
    """What is wrong with ``document`` before either form is written: the values the
    DTD restricts (速別, 密等, 函類別) and the parts a 函 or 簽 cannot go without.
    Each problem names the part; an empty list means it may be written."""
    found = []
    if document.speed not in SPEEDS:
        found.append(f"速別「{document.speed}」: {'/'.join(SPEEDS)}")
    if document.secrecy not in SECRECY_LEVELS:
        found.append(f"密等「{document.secrecy}」: {'/'.join(SECRECY_LEVELS[1:])}")
    if document.form == "函" and document.letter_type not in LETTER_TYPES:
        found.append(f"函類別「{document.letter_type}」: {'/'.join(LETTER_TYPES)}")
    if not document.subject.strip():
        found.append("主旨")
    if not document.sender.name.strip():
        found.append("發文機關")
    if document.form == "函" and not document.originals:
        found.append("正本")
    if document.form == "簽" and not document.signature:
        found.append("署名")
    return found


def walk(items: tuple[Item, ...], depth: int = 0) -> Iterator[tuple[int, int, Item]]:
    """Every item with its depth and its number among its siblings, in reading order."""
    for n, item in enumerate(items, start=1):
        yield depth, n, item
        yield from walk(item.children, depth + 1)
