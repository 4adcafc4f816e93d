"""The package's navigation: one bookmark per document with its evidence nested
under it, and page labels that match (``附件4-1``, ``佐證1-1`` …)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from docgen.packages.spec import Part


@dataclass(frozen=True)
class Placed:
    """Where a part's pages are in the package: ``first`` is 0-based, ``count`` pages."""

    part: Part
    first: int
    count: int

    @property
    def page_range(self) -> tuple[int, int]:
        """First and last page, counted from 1 as a person does."""
        return self.first + 1, self.first + self.count


@dataclass(frozen=True)
class Bookmark:
    """A bookmark read back from a package: its level (0 = document), title and page."""

    level: int
    title: str
    page: int | None


def write_outline(pdf: pikepdf.Pdf, placed: Sequence[Placed]) -> None:
    """Replace the outline: documents at the top, each one's evidence under it."""
    with pdf.open_outline() as outline:
        outline.root.clear()
        tops: dict[str, OutlineItem] = {}
        for place in placed:
            item = OutlineItem(place.part.title, place.first)
            if place.part.parent is None:
                outline.root.append(item)
                tops[place.part.title] = item
            else:
                tops[place.part.parent].children.append(item)


def write_page_labels(pdf: pikepdf.Pdf, placed: Sequence[Placed]) -> None:
    """Label each part's pages ``<label>-1``, ``<label>-2`` …"""
    numbers: list[object] = []
    for place in placed:
        style = Dictionary(S=Name.D, P=String(f"{place.part.label}-"), St=1)
        numbers += [place.first, style]
    pdf.Root.PageLabels = Dictionary(Nums=Array(numbers))


def _page_of(pdf: pikepdf.Pdf, item: OutlineItem) -> int | None:
    destination = item.destination
    if not isinstance(destination, Array) or len(destination) == 0:
        return None
    try:
        return pdf.pages.index(pikepdf.Page(destination[0])) + 1
    except (ValueError, TypeError, pikepdf.PdfError):
        return None


def read_outline(pdf: pikepdf.Pdf) -> list[Bookmark]:
    """Every bookmark, depth first, with the page (from 1) it points to."""
    found: list[Bookmark] = []

    def visit(items: Sequence[OutlineItem], level: int) -> None:
        for item in items:
            found.append(Bookmark(level, item.title, _page_of(pdf, item)))
            visit(item.children, level + 1)

    with pdf.open_outline() as outline:
        visit(outline.root, 0)
    return found


def read_page_labels(pdf: pikepdf.Pdf) -> list[str]:
    """The label of every page, in order."""
    return [str(page.label) for page in pdf.pages]
