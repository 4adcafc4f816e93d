"""The catalogs hold every message (ISSUE 11 item 1): each message the code marks,
and each of click's own, has its zh_TW translation, with the same placeholders; and
the compiled catalogs say what the sources say."""

from __future__ import annotations

import contextlib
import gettext
import io
import re
import string
import sys
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po

from docgen.i18n import catalog_path, compile_catalog

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import catalogs  # noqa: E402  (scripts/catalogs.py: the extraction the catalogs come from)

SOURCES = {"docgen": ROOT / "docgen", "click": Path(click.__file__).parent}
PERCENT = re.compile(r"%\((\w+)\)[sdr]")


def _placeholders(text: str) -> set[str]:
    """The names a message formats in: ``{name!r}`` and ``%(name)s`` alike."""
    names = set(PERCENT.findall(text))
    with contextlib.suppress(ValueError):  # a lone brace: not a format string
        names |= {field for _, field, _, _ in string.Formatter().parse(text) if field}
    return {name.split("!")[0].split(".")[0].split("[")[0] for name in names}


def _catalog(domain: str):  # type: ignore[no-untyped-def]
    with catalog_path("zh_TW", domain).open("rb") as source:
        return read_po(source, locale="zh_TW")


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("domain", list(SOURCES))
def test_every_message_has_its_translation(domain: str) -> None:
    extracted = catalogs.extracted(SOURCES[domain], domain)
    translated = _catalog(domain)
    missing = [
        message.id
        for message in extracted
        if message.id
        and (
            (found := translated.get(message.id)) is None
            or found.fuzzy
            or not all(_strings(found.string))
        )
    ]
    assert not missing, (
        f"{len(missing)} messages without a zh_TW translation (run scripts/catalogs.py, "
        "then translate them):\n" + "\n".join(repr(m) for m in missing[:40])
    )
    gone = [m.id for m in translated if m.id and extracted.get(m.id) is None]
    assert not gone, f"{len(gone)} translations of messages the code no longer has: {gone[:10]}"


@pytest.mark.parametrize("domain", list(SOURCES))
def test_translations_keep_the_placeholders(domain: str) -> None:
    wrong = []
    for message in _catalog(domain):
        if not message.id:
            continue
        ids = _strings(message.id)
        for text in _strings(message.string):
            if text and _placeholders(text) != _placeholders(ids[0]):
                wrong.append(f"{ids[0]!r} → {text!r}")
    assert not wrong, "translations whose placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("domain", list(SOURCES))
def test_the_compiled_catalog_says_what_the_source_says(domain: str) -> None:
    po = catalog_path("zh_TW", domain)
    compiled = gettext.GNUTranslations(io.BytesIO(compile_catalog(po)))
    installed = po.with_suffix(".mo")
    assert installed.exists(), f"{installed}: not compiled; the install compiles it (setup.py)"
    for message in _catalog(domain):
        if message.id and not isinstance(message.id, tuple) and message.string:
            assert compiled.gettext(message.id) == message.string


def test_translations_use_full_width_punctuation() -> None:
    """Chinese text takes ，：；（） — except in what is code: options, paths, names."""
    half_width = re.compile(r"[\u4e00-\u9fff][,;:]\s|[,;]\s?[\u4e00-\u9fff]")
    wrong = [
        f"{m.id!r} → {m.string!r}"
        for m in _catalog("docgen")
        if m.id and isinstance(m.string, str) and half_width.search(m.string)
    ]
    assert not wrong, "half-width punctuation after Chinese text:\n" + "\n".join(wrong[:20])
