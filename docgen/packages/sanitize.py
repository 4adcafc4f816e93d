"""Active content stripped from every input PDF before it is merged (ISSUE 9 item 1).

An archival package is read by auditors for years; nothing in it may run, call out
or carry a hidden file. One walk over every object reachable from the trailer (the
objects qpdf writes) removes, and counts by kind:

* document-level JavaScript (the catalog's ``/Names /JavaScript`` tree), the
  catalog's ``/OpenAction``, and every ``/AA`` (additional actions) dictionary: on
  the catalog, pages, annotations and form fields;
* every action that runs, launches, calls out or leaves the file — JavaScript,
  Launch, URI, SubmitForm, ImportData, GoToR, GoToE, Rendition, Sound, Movie,
  RichMediaExecute, GoTo3DView — wherever it hangs (``/A`` of a link or widget,
  ``/Next`` of another action, an outline item …); GoTo and Named actions stay;
* embedded files (``/Names /EmbeddedFiles``, ``/EF`` of any file specification,
  FileAttachment annotations) and the portfolio view (``/Collection``);
* XFA forms (``/AcroForm /XFA``, which carries its own scripts);
* RichMedia, 3D, Movie, Sound and Screen annotations.

The same walk lists the streams that are left, for :mod:`docgen.packages.bounds`,
and counts dictionary entries whose object is missing (a truncated file).
Stream data is never read here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from docgen.i18n import N_, _, ngettext, translate

#: Actions that run code, start programs, call out, or open other files, and the kind
#: each is counted as. The kinds (here and below) are the
#: keys of the manifest's ``removed`` (the same in every language), and message IDs
#: for what the user is told (:func:`describe`).
ACTION_KINDS = {
    "/JavaScript": N_("JavaScript action"),
    "/Launch": N_("Launch action"),
    "/URI": N_("URI action"),
    "/SubmitForm": N_("SubmitForm action"),
    "/ImportData": N_("ImportData action"),
    "/GoToR": N_("GoToR action"),
    "/GoToE": N_("GoToE action"),
    "/Rendition": N_("Rendition action"),
    "/Sound": N_("Sound action"),
    "/Movie": N_("Movie action"),
    "/RichMediaExecute": N_("RichMediaExecute action"),
    "/GoTo3DView": N_("GoTo3DView action"),
}
DANGEROUS_ACTIONS = frozenset(ACTION_KINDS)
#: Annotations removed whole, and the kind they are counted as.
REMOVED_ANNOTATIONS = {
    "/FileAttachment": N_("embedded file"),
    "/RichMedia": N_("RichMedia annotation"),
    "/3D": N_("3D annotation"),
    "/Movie": N_("movie annotation"),
    "/Sound": N_("sound annotation"),
    "/Screen": N_("screen annotation"),
}
_NAME_TREES = {"/JavaScript": ACTION_KINDS["/JavaScript"], "/EmbeddedFiles": N_("embedded file")}
_NAME_TREES |= {"/AlternatePresentations": N_("alternate presentation")}
_EMBEDDED_FILE = REMOVED_ANNOTATIONS["/FileAttachment"]
_OPEN_ACTION, _ADDITIONAL_ACTION = N_("open action"), N_("additional action")
_XFA_FORM, _PORTFOLIO_VIEW = N_("XFA form"), N_("portfolio view")
_CONTAINERS = (Dictionary, Array, Stream)


@dataclass
class Scan:
    """What one walk found: what it removed (kind → count), the streams left, and how
    many dictionary entries point at an object the file does not have."""

    removed: Counter[str] = field(default_factory=Counter)
    streams: list[Stream] = field(default_factory=list)
    missing: int = 0


def describe(removed: Counter[str] | dict[str, int]) -> str:
    """``1 JavaScript action, 2 embedded files`` (most frequent first), in the
    current language."""
    ordered = sorted(removed.items(), key=lambda item: (-item[1], item[0].lower()))
    return _(", ").join(
        ngettext("{count} {kind}", "{count} {kind}s", n).format(count=n, kind=translate(kind))
        for kind, n in ordered
    )


def _action_kind(obj: object) -> str | None:
    """The kind of a dangerous action (``JavaScript action``), None for anything else."""
    if not isinstance(obj, Dictionary):
        return None
    kind = obj.get("/S")
    if isinstance(kind, Name) and str(kind) in DANGEROUS_ACTIONS:
        return ACTION_KINDS[str(kind)]
    return ACTION_KINDS["/JavaScript"] if "/JS" in obj else None


def _is_embedded_file(obj: object) -> bool:
    return isinstance(obj, Stream) and obj.get("/Type") == Name.EmbeddedFile


class _Walk:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.scan = Scan()
        self.seen: set[tuple[int, int]] = set()
        self.counted: set[tuple[int, int]] = set()
        self.stack: list[pikepdf.Object] = []

    def count(self, kind: str, obj: pikepdf.Object | None = None) -> None:
        if obj is not None and obj.is_indirect:
            if obj.objgen in self.counted:
                return
            self.counted.add(obj.objgen)
        self.scan.removed[kind] += 1

    def count_chain(self, action: object, otherwise: str | None = None) -> None:
        """Count the dangerous actions of ``action`` and its ``/Next`` chain; when there
        are none, count ``otherwise`` (the action is removed all the same)."""
        before = sum(self.scan.removed.values())
        pending, visited = [action], set()
        while pending:
            item = pending.pop()
            if isinstance(item, Array):
                pending += list(item)
                continue
            if not isinstance(item, Dictionary):
                continue
            if item.is_indirect:
                if item.objgen in visited:
                    continue
                visited.add(item.objgen)
            if (kind := _action_kind(item)) is not None:
                self.count(kind, item)
            if "/Next" in item:
                pending.append(item.get("/Next"))
        if otherwise and sum(self.scan.removed.values()) == before:
            self.count(otherwise)

    def catalog(self, root: pikepdf.Object) -> None:
        if "/OpenAction" in root:
            self.count_chain(root.get("/OpenAction"), _OPEN_ACTION)
            del root["/OpenAction"]
        names = root.get("/Names")
        if isinstance(names, Dictionary):
            for key, kind in _NAME_TREES.items():
                if key in names:
                    for _entry in range(_tree_size(names.get(key))):
                        self.count(kind)
                    del names[key]
        form = root.get("/AcroForm")
        if isinstance(form, Dictionary) and "/XFA" in form:
            self.count(_XFA_FORM)
            del form["/XFA"]
            if "/NeedsRendering" in form:
                del form["/NeedsRendering"]
        if "/Collection" in root:
            self.count(_PORTFOLIO_VIEW)
            del root["/Collection"]

    def annotations(self, annots: pikepdf.Object) -> None:
        for index in reversed(range(len(annots))):
            annot = annots[index]
            if not isinstance(annot, Dictionary):
                continue
            kind = REMOVED_ANNOTATIONS.get(str(annot.get("/Subtype", "")))
            if kind is None:
                continue
            self.count(kind, annot)
            if annot.is_indirect:  # anything else still pointing at it finds it empty
                self.seen.add(annot.objgen)
                for key in list(annot.keys()):
                    del annot[key]
            del annots[index]

    def dictionary(self, obj: pikepdf.Object) -> None:
        if "/AA" in obj:
            triggers = obj.get("/AA")
            if isinstance(triggers, Dictionary):
                for key in list(triggers.keys()):
                    self.count_chain(triggers.get(key), _ADDITIONAL_ACTION)
            del obj["/AA"]
        annots = obj.get("/Annots")
        if isinstance(annots, Array):
            self.annotations(annots)
        if "/EF" in obj:
            self.count(_EMBEDDED_FILE, obj)
            del obj["/EF"]
            if "/RF" in obj:
                del obj["/RF"]
        for key, value in list(obj.items()):
            if value is None:
                self.scan.missing += 1
            elif _action_kind(value) is not None:
                self.count_chain(value)
                del obj[key]
            elif _is_embedded_file(value):
                self.count(_EMBEDDED_FILE, value)
                del obj[key]
            elif isinstance(value, _CONTAINERS):
                self.stack.append(value)

    def array(self, obj: pikepdf.Object) -> None:
        for index in reversed(range(len(obj))):
            value = obj[index]
            if _action_kind(value) is not None:
                self.count_chain(value)
                del obj[index]
            elif _is_embedded_file(value):
                self.count(_EMBEDDED_FILE, value)
                del obj[index]
            elif isinstance(value, _CONTAINERS):
                self.stack.append(value)

    def run(self) -> Scan:
        self.catalog(self.pdf.Root)
        for key, value in self.pdf.trailer.items():
            if key != "/Encrypt" and isinstance(value, _CONTAINERS):
                self.stack.append(value)
        while self.stack:
            obj = self.stack.pop()
            if obj.is_indirect:
                if obj.objgen in self.seen:
                    continue
                self.seen.add(obj.objgen)
            if isinstance(obj, Array):
                self.array(obj)
                continue
            if isinstance(obj, Stream):
                self.scan.streams.append(obj)
            self.dictionary(obj)
        return self.scan


def _tree_size(tree: object) -> int:
    """Entries of a name tree (at least 1: a malformed tree is still one thing removed)."""
    try:
        return max(1, len(pikepdf.NameTree(tree)))  # type: ignore[arg-type]
    except (TypeError, ValueError, pikepdf.PdfError):
        return 1


def strip_active_content(pdf: pikepdf.Pdf) -> Scan:
    """Remove active content from ``pdf`` in memory (see the module doc); what was removed."""
    return _Walk(pdf).run()
