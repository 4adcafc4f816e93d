"""Messages in the office's language (ISSUE 11 item 1).

Every user-facing string is an English message ID that goes through gettext; the
catalog ``docgen/locale/zh_TW/LC_MESSAGES/docgen.po`` translates it into the
regulation's Traditional Chinese, the default language. English is the language of
the message IDs themselves, so it needs no catalog.

- :func:`_` translates now: errors, warnings, progress and summaries, as they happen.
- :func:`N_` only marks a message for the catalog: help texts, column headers and
  titles defined at import time are translated where they are shown (the CLI's help
  formatter, :mod:`docgen.report`), so that one process can show two languages.
- :func:`use_language` chooses the language for this thread or task (a context
  variable: the web application serves each request in its own).

The install compiles each ``.po`` into its ``.mo`` (``setup.py``); a catalog whose
``.mo`` is missing or older than its ``.po`` (a checkout being edited) is compiled in
memory instead, so that a stale translation is never shown.
"""

from __future__ import annotations

import functools
import gettext
import io
from contextvars import ContextVar
from pathlib import Path

LANGUAGES = ("zh_TW", "en")
DEFAULT_LANGUAGE = "zh_TW"
#: Our messages, and click's own (usage errors, "Options", "Show this message and exit.").
DOMAINS = ("docgen", "click")
LOCALE_DIR = Path(__file__).parent / "locale"
#: How people may write each language: ``zh-TW``, ``zh_tw``, ``EN``, ``en_US``.
_ALIASES = {"zh_tw": "zh_TW", "zh": "zh_TW", "en": "en", "en_us": "en"}

_language: ContextVar[str] = ContextVar("docgen_language", default=DEFAULT_LANGUAGE)


def language_code(text: str) -> str | None:
    """The language ``text`` names (``zh_TW`` or ``en``), or None when it names neither."""
    return _ALIASES.get(text.strip().lower().replace("-", "_"))


def use_language(language: str) -> None:
    """Show messages in ``language`` (one of :data:`LANGUAGES`) from now on, in this
    thread or task."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalog for language {language!r}")
    _language.set(language)


def current_language() -> str:
    """The language messages are shown in."""
    return _language.get()


def catalog_path(language: str, domain: str = "docgen") -> Path:
    """The ``.po`` file of ``domain`` in ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def translations(language: str, domain: str = "docgen") -> gettext.NullTranslations:
    """The compiled catalog of ``domain`` in ``language`` (English: the IDs themselves)."""
    if language == "en":
        return gettext.NullTranslations()
    po = catalog_path(language, domain)
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    return gettext.GNUTranslations(io.BytesIO(compile_catalog(po)))


def compile_catalog(po: Path) -> bytes:
    """``po`` compiled into the bytes of a ``.mo`` file (Babel), fuzzy entries left out."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_language.get()).gettext(message)


def translate(message_id: str) -> str:
    """A message marked with :func:`N_` where it was defined, in the current language
    (the same lookup as :func:`_`, for an ID that is not a literal here)."""
    return translations(_language.get()).gettext(message_id)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` (by ``n``) in the current language."""
    return translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated where it is shown, with :func:`_`."""
    return message


def click_gettext(message: str) -> str:
    """One of click's own messages in the current language."""
    return translations(_language.get(), "click").gettext(message)


def click_ngettext(singular: str, plural: str, n: int) -> str:
    """One of click's own plural messages in the current language."""
    return translations(_language.get(), "click").ngettext(singular, plural, n)
