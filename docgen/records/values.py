"""Turning table cells into typed values, fast, with messages that never leak personal data.

Each parser raises ``ValueError`` with a short problem text; the readers turn it into a
:class:`~docgen.errors.RowProblem` naming file, row and column. Dates repeat a lot in
office data, so their parsing is cached.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from docgen.calendar import parse_date, parse_datetime
from docgen.errors import InputError
from docgen.i18n import _
from docgen.privacy import is_valid_national_id, mask_id, mask_ids_in_text

#: A national ID or resident certificate number (R8): a letter, 1/2/8/9/A–D, 8 digits.
ID_FORMAT = re.compile(r"[A-Z][1289A-D][0-9]{8}")


def text(value: Any) -> str:
    """A cell as stripped text (numbers from Excel without a trailing ``.0``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return "" if value is None else str(value).strip()


def quoted(value: Any) -> str:
    """A cell quoted for an error message, with any national ID in it masked."""
    return repr(mask_ids_in_text(text(value)))


@lru_cache(maxsize=8192)
def _date_text(value: str) -> date:
    try:
        return parse_date(value)
    except InputError as error:
        raise ValueError(error.message) from None


def date_value(value: Any) -> date:
    """A date cell: a date/datetime object, or ISO or ROC text (``115/10/01``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _date_text(text(value))


def optional_date(value: Any) -> date | None:
    """A date cell that may be empty."""
    if value == "" or value is None or (isinstance(value, str) and not value.strip()):
        return None
    return date_value(value)


def datetime_value(value: Any) -> datetime:
    """A date-and-time cell: a datetime object, ISO text (fast path) or ROC text."""
    if type(value) is datetime:
        return value if value.tzinfo is None else value.replace(tzinfo=None)
    if type(value) is str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return _slow_datetime(value)
        return parsed if parsed.tzinfo is None else parsed.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return _slow_datetime(text(value))


def _slow_datetime(value: str) -> datetime:
    value = value.strip()
    if not value:
        raise ValueError(_("empty: a date and time is required"))
    head, _space, rest = value.partition(" ")
    if rest and ":" in rest and ":" not in head:
        day = _date_text(head)
        try:
            return datetime.combine(day, datetime.strptime(rest.strip(), "%H:%M:%S").time())
        except ValueError:
            pass
    try:
        return parse_datetime(value)
    except InputError as error:
        raise ValueError(error.message) from None


def national_id(value: Any, check_digit: bool = True) -> str:
    """A national ID or resident certificate number, upper-cased; a citizen's ID must
    pass its check digit. Messages show the value masked."""
    found = text(value).upper()
    if not found:
        raise ValueError(_("empty: an ID is required"))
    if not ID_FORMAT.fullmatch(found):
        raise ValueError(
            _("{id!r} is not a national ID (a letter, then 9 digits, e.g. A12345****)").format(
                id=mask_id(found)
            )
        )
    if check_digit and found[1] in "12" and not is_valid_national_id(found):
        raise ValueError(_("{id!r} has a wrong check digit").format(id=mask_id(found)))
    return found
