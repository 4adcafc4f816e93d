"""The install compiles the message catalogs (docgen/locale/*/LC_MESSAGES/*.po) into
the .mo files gettext reads (ISSUE 11 item 1): no manual step. Everything else about
the package is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """build_py, then each catalog compiled beside its source (an editable install
    reads them from the checkout) or into the build (a wheel)."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        editable = getattr(self, "editable_mode", False)
        for po in sorted(Path("docgen/locale").glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo") if editable else Path(self.build_lib) / po.with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as compiled:
                write_mo(compiled, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
