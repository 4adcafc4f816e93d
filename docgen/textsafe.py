"""Text that is safe to print or log on one line (ISSUE 9 item 13).

A file name may hold a newline, a carriage return, an escape sequence or a bidi
override: printed raw, it splits a log line in two (a forged line) or rewrites what a
terminal shows. Every line docgen prints or logs escapes such characters in the
values it shows, as Python writes them in a string literal (``\\n``, ``\\x1b``,
``\\u202e``), so the text stays readable and one line stays one line.
"""

from __future__ import annotations

import logging
import re

#: C0 and C1 controls, DEL, the line and paragraph separators, and the bidi controls
#: (embeddings, overrides, isolates, marks) that reorder what a terminal shows, and the
#: lone surrogates of a file name that is not UTF-8 (which no terminal can print).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufeff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control, line-separator and bidi character escaped."""
    return _UNSAFE.sub(_escape, text)


class EscapingFormatter(logging.Formatter):
    """A log formatter whose every record is one line: the message (arguments
    included) has its controls escaped; a traceback, if any, keeps its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)
