"""Bring the message catalogs up to date with the code (ISSUE 11 item 1).

    python scripts/catalogs.py

extracts every message docgen marks (``_``, ``N_``, ``ngettext``) and every message of
the installed click, merges them into ``docgen/locale/zh_TW/LC_MESSAGES/{docgen,click}.po``
(translations kept, new messages added untranslated, gone ones dropped) and compiles
each ``.mo``. Translate the new entries, then run it again; ``tests/core/test_catalogs.py``
fails while any message lacks its translation.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "docgen" / "locale"
LANGUAGES = ("zh_TW",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
HEADER = "# docgen's messages in Traditional Chinese (Taiwan): the regulation's terms.\n#"


def extracted(source: Path, domain: str) -> Catalog:
    """Every marked message under ``source``, as a template catalog."""
    template = Catalog(project="docgen", domain=domain)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(source),
        [("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
    ):
        if filename.startswith("locale"):
            continue
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update(template: Catalog, language: str) -> Path:
    """Merge ``template`` into the ``language`` catalog and compile it; its path."""
    po = LOCALE / language / "LC_MESSAGES" / f"{template.domain}.po"
    if po.exists():
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
    else:
        po.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(
            locale=language,
            domain=template.domain,
            project="docgen",
            copyright_holder="docgen",
            header_comment=HEADER,
        )
    template.creation_date = catalog.creation_date  # no new date while nothing changed
    catalog.update(template, no_fuzzy_matching=True)
    catalog.fuzzy = False
    catalog.obsolete.clear()
    text = io.BytesIO()
    write_po(text, catalog, width=100, omit_header=False, sort_output=True)
    po.write_bytes(text.getvalue())
    with po.with_suffix(".mo").open("wb") as compiled:
        write_mo(compiled, catalog)
    return po


def _strings(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def main() -> int:
    sources = {"docgen": ROOT / "docgen", "click": Path(click.__file__).parent}
    for domain, source in sources.items():
        template = extracted(source, domain)
        for language in LANGUAGES:
            po = update(template, language)
            with po.open("rb") as stream:
                catalog = read_po(stream)
            missing = sum(1 for m in catalog if m.id and not all(_strings(m.string)))
            print(f"{po.relative_to(ROOT)}: {len(template)} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
