"""Notes for the user about a package's inputs (an image given a resolution, active
content removed, evidence converted with Ghostscript), in two languages at once.

A note is shown to the user in the office's language (ISSUE 11 item 1), but it is
also part of the record: the manifest sidecar and the journal keep it, and a record
reads the same whatever language the build ran in. So a :class:`Note` is a ``str``
holding the English text (what the manifest and the journal write) with the text in
the current language beside it, in :attr:`Note.shown`.
"""

from __future__ import annotations

from collections.abc import Callable

from docgen.i18n import current_language, use_language


class Note(str):
    """A note's English text (the record's); :attr:`shown` is the user's language."""

    shown: str


def note(make: Callable[[], str]) -> Note:
    """The note ``make()`` writes (with ``_``), made in the current language and in
    English."""
    shown = make()
    language = current_language()
    if language == "en":
        text = shown
    else:
        use_language("en")
        try:
            text = make()
        finally:
            use_language(language)
    made = Note(text)
    made.shown = shown
    return made


def shown(text: str) -> str:
    """A note as the user sees it (any other text as it is)."""
    return getattr(text, "shown", text)
