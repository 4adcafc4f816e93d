"""The package of a unit and period from the signed colour scans that came back
(ISSUE 13 items 1 and 2; R6.2–R6.4).

After the director approves a unit's monthly results (R6.2) — or the half's 附件4
半年抽查 and 附件5 (R6.3) — the forms are printed, signed and colour-scanned; each scan
files itself in the archive by the record-ID QR code it carries. :func:`returned`
says what of a unit's package the archive holds; :func:`build_returned_package`
builds it through :func:`docgen.services.packages.build_evidence_package`:

* **the scans**: the files of the approved form's record (its record ID, the one its
  QR code carries) that are scans — an image, or a PDF without docgen's own metadata
  (a PDF docgen generated carries it; a scan of its paper does not) — in the order
  they were filed, one document per form (``附件4 案件抽查表``; for a half-year also
  ``附件5 稽核紀錄表``);
* **the evidence** each case of the approved results names (佐證檔案: a record ID or
  the name a file was filed or arrived under, as the evidence check finds it,
  :func:`docgen.archive.evidence.evidence_items`), filed in the archive, one evidence
  bookmark per case under 附件4;
* **the metadata**: the category (monthly_check, half_year_audit), the period, the
  unit (全處 for a half-year) and the director's approval date as the review date,
  so that the package's 3 years run from it (R6.2, R6.3).

Where it goes: as ``docgen package build`` in the README, to
``out/packages/<period>_<unit>.pdf`` with its manifest (the office's copy), and then
— README, *A month's work*, step 6: "everything goes into archive/inbox/" — a copy of
both into ``archive/inbox/``, each written whole under a temporary name and renamed,
so that the archive files the package as a record of its own like any package.

A second build: a package in the archive is a record and is never replaced. While
the last one still waits in the inbox, or holds exactly the scans and evidence filed
now, a new build is refused, naming it; when a scan or evidence was filed since (a
page scanned again, evidence added), a new version is built — ``第2版`` in its title
and file name, the earlier one kept beside it — which is what an archivist expects
of a corrected file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from docgen.archive.context import INBOX
from docgen.archive.evidence import evidence_items
from docgen.archive.placement import PACKAGE_MANIFEST
from docgen.audit import store
from docgen.audit.samples import Results, held, safe_name
from docgen.calendar import Period, parse_period
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.archive import File, Record
from docgen.errors import InputError
from docgen.fsutil import atomic_path
from docgen.i18n import _
from docgen.journal import Journal
from docgen.metadata import read_pdf_metadata
from docgen.packages import BuildOptions, BuildResult, PackageSpec, Part, read_manifest
from docgen.packages.inputs import INPUT_SUFFIXES
from docgen.packages.spec import DOCUMENT, EVIDENCE
from docgen.privacy import mask_ids_in_text
from docgen.rules.obligations import WHOLE_OFFICE
from docgen.rules.record_id import parse_record_id
from docgen.services.half_year import latest_record
from docgen.services.packages import build_evidence_package

#: The files a package takes, and of them the images.
IMAGE_SUFFIXES = INPUT_SUFFIXES - {".pdf"}
#: The forms' bookmarks: the forms' own names, the same in every language.
MONTHLY_FORM, AUDIT_FORM = "附件4 案件抽查表", "附件5 稽核紀錄表"
_KIND = {"month": ("monthly_check", "月抽查卷宗"), "half": ("half_year_audit", "半年稽核卷宗")}
#: Where ``docgen package build`` puts packages in the README (the office's copy).
PACKAGES_FOLDER = Path("out") / "packages"


@dataclass(frozen=True)
class ReturnedForm:
    """One signed form of the package: its bookmark, its record ID and its scans."""

    title: str
    record_id: str
    scans: tuple[Path, ...]
    hashes: tuple[str, ...]


@dataclass(frozen=True)
class Returned:
    """What the archive holds of a unit's package for a period (R6.2–R6.4)."""

    period: Period
    unit: str
    category: str
    results: Results | None
    forms: tuple[ReturnedForm, ...]
    review_date: date | None
    #: Record IDs of the packages of it filed already, oldest first.
    packages: tuple[str, ...]
    #: A package built for it that still waits in the inbox to be filed ("" if none).
    waiting: str
    #: Whether the last package filed holds every scan filed now.
    current: bool = False

    @property
    def scans_back(self) -> bool:
        """Whether every form's signed scan is filed."""
        return bool(self.forms) and all(form.scans for form in self.forms)

    @property
    def buildable(self) -> bool:
        """Whether a package can be built now: every scan filed, the director's
        approval given, none waiting in the inbox, and a scan the last one lacks."""
        ready = self.scans_back and self.review_date is not None
        return ready and not self.waiting and not self.current


@dataclass(frozen=True)
class ReturnedPackage:
    """A package built: the build's result, its copy in the inbox, its version and
    the review date it carries."""

    result: BuildResult
    inbox: Path
    version: int
    review_date: date


def _quietly(items: Iterable[Any], total: int, label: str) -> Iterator[Any]:
    yield from items


def _unit_of(period: Period, unit: str) -> str:
    """The unit of the package: the one given for a month; 全處 for a half-year."""
    if period.kind == "half":
        if unit not in ("", WHOLE_OFFICE):
            raise InputError(
                _("{period}: the half-year's package is the whole office's ({unit})").format(
                    period=period.label, unit=WHOLE_OFFICE
                )
            )
        return WHOLE_OFFICE
    if period.kind != "month" or not unit:
        raise InputError(
            _("a package from returned scans is of a month and unit, or of a half-year")
        )
    return unit


def _is_scan(path: Path) -> bool:
    """A scan: an image, or a PDF without docgen's metadata (a generated PDF has it).
    One that cannot be read counts as a scan: the build names what is wrong with it."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    try:
        return read_pdf_metadata(path) is None
    except InputError:
        return True


def _scans(session: Session, root: Path, title: str, record_id: str) -> ReturnedForm:
    query = (
        select(File.path, File.sha256)
        .join(Record, Record.record_id == File.record_id)
        .where(Record.record_id == record_id, Record.status == "filed")
        .where(File.kind == "document", File.status == "filed")
        .order_by(File.id)
    )
    found = [
        (root / path, sha256)
        for path, sha256 in session.execute(query)
        if PurePosixPath(path).suffix.lower() in INPUT_SUFFIXES
        and (root / path).is_file()
        and _is_scan(root / path)
    ]
    return ReturnedForm(title, record_id, tuple(p for p, _s in found), tuple(s for _p, s in found))


def _packages(session: Session, category: str, period: str, unit: str) -> list[tuple[str, str]]:
    """The packages of ``unit`` and ``period`` filed (known by the manifest filed with
    each): (record ID, the manifest's path), oldest first."""
    query = (
        select(Record.record_id, File.path)
        .join(File, File.record_id == Record.record_id)
        .where(Record.category == category, Record.period == period, Record.unit == unit)
        .where(Record.status == "filed", File.status == "filed")
        .where(File.path.endswith(PACKAGE_MANIFEST))
        .order_by(Record.first_filed_at, Record.record_id)
    )
    return [(row.record_id, row.path) for row in session.execute(query)]


def _name(period: Period, unit: str, version: int) -> str:
    """``<period>_<unit>.pdf``, from the second version ``<period>_<unit>_第N版.pdf``."""
    extra = [f"第{version}版"] if version > 1 else []
    return safe_name(period.label, unit, *extra, suffix=".pdf")


def _forms(workspace: Workspace, period: Period, results: Results | None) -> list[tuple[str, str]]:
    """The signed forms of the package, (bookmark, record ID): the completed 附件4 the
    results wrote, and for a half-year its latest 附件5 (R6.3)."""
    form4 = (results.documents.get("record_id", "") if results else "") or ""
    if period.kind == "month":
        return [(MONTHLY_FORM, form4)]
    return [(MONTHLY_FORM, form4), (AUDIT_FORM, latest_record(workspace, period.label))]


def _last_inputs(workspace: Workspace, manifest: str) -> set[str]:
    """The SHA-256 of every input of the filed package whose manifest is ``manifest``
    (none when the manifest cannot be read: then nothing counts as packaged)."""
    package = workspace.archive_root / (manifest.removesuffix(PACKAGE_MANIFEST) + ".pdf")
    try:
        data = read_manifest(package) or {}
    except InputError:
        return set()
    return {str(entry.get("sha256", "")) for entry in data.get("inputs", [])}


def returned(workspace: Workspace, db: Database, period: str, unit: str) -> Returned:
    """What the archive holds of ``unit``'s package for ``period`` (a month, or a
    half-year with unit 全處): the scans of each approved form, the director's review
    date (None until every form is reviewed), the packages filed, one waiting."""
    found = parse_period(period)
    unit = _unit_of(found, unit)
    category = _KIND[found.kind][0]
    root = workspace.archive_root
    with db.reading() as session:
        results = store.current_results(session, found.label, unit)
        forms = _forms(workspace, found, results)
        ids = [record_id for _title, record_id in forms]
        reviews = store.review_dates(session, ids)
        scans = [
            _scans(session, root, title, rid) if rid else ReturnedForm(title, "", (), ())
            for title, rid in forms
        ]
        packages = _packages(session, category, found.label, unit)
    reviewed = all(ids) and all(rid in reviews for rid in ids)
    scanned = {h for form in scans for h in form.hashes}
    current = bool(packages) and scanned <= _last_inputs(workspace, packages[-1][1])
    waiting = next(
        (
            name
            for version in range(1, len(packages) + 2)
            if (root / INBOX / (name := _name(found, unit, version))).exists()
        ),
        "",
    )
    return Returned(
        found,
        unit,
        category,
        results,
        tuple(scans),
        max(reviews.values()) if reviewed else None,
        tuple(rid for rid, _path in packages),
        waiting,
        current,
    )


# --- the evidence ------------------------------------------------------------------


def _named(session: Session, item: str) -> list[tuple[str, str]]:
    """(path, SHA-256) of the filed files an evidence item names: the files of the
    record whose ID it is, else the file filed or arrived under that name (with or
    without its extension), as the evidence check finds it."""
    kept = File.status.in_(("filed", "duplicate")) & (File.kind == "document")
    record = parse_record_id(item)
    if record is not None:
        of_record = select(File.path, File.sha256).join(Record, Record.record_id == File.record_id)
        of_record = of_record.where(Record.record_id == str(record), Record.status == "filed")
        of_record = of_record.where(kept).order_by(File.id)
        return [(row.path, row.sha256) for row in session.execute(of_record)]
    by_name = select(File.path, File.original_name, File.sha256).where(
        kept,
        or_(
            File.original_name == item,
            File.original_name.endswith("/" + item, autoescape=True),
            File.original_name.contains(item + ".", autoescape=True),
            File.path.endswith("/" + item, autoescape=True),
        ),
    )
    wanted = item.casefold()
    for row in session.execute(by_name.order_by(File.id)):
        names = [PurePosixPath(row.path).name, PurePosixPath(row.original_name).name]
        if wanted in {form.casefold() for n in names for form in (n, PurePosixPath(n).stem)}:
            return [(row.path, row.sha256)]
    return []


def _evidence(
    session: Session, root: Path, results: Results
) -> tuple[list[Part], list[str], list[str]]:
    """One evidence part per case that names evidence, its files as filed; the hashes
    of those files; and each item not filed yet (or that no package can take)."""
    parts, hashes, problems = [], [], []
    for case in results.cases:
        files: list[Path] = []
        for item in evidence_items(case.evidence):
            named = [(root / p, s) for p, s in _named(session, item) if (root / p).is_file()]
            usable = [(p, s) for p, s in named if p.suffix.lower() in INPUT_SUFFIXES]
            if not usable:
                item = mask_ids_in_text(item)  # a supervisor's free text (R8)
                problems.append(
                    _("case 序號 {no}: {item}").format(no=case.no, item=item)
                    if not named
                    else _("case 序號 {no}: {item} is not a PDF, JPEG, PNG or TIFF file").format(
                        no=case.no, item=item
                    )
                )
            for path, sha256 in usable:
                if path not in files:
                    files.append(path)
                    hashes.append(sha256)
        if files:
            title = f"佐證{case.no} 序號{case.no}"
            parts.append(Part(title, EVIDENCE, files, f"佐證{case.no}", parent=MONTHLY_FORM))
    return parts, hashes, problems


# --- building ----------------------------------------------------------------------


def _ready(found: Returned) -> tuple[Results, date]:
    """The approved results and their review date; a package that cannot be built yet
    refused in one line (R6.2–R6.4)."""
    where = f"{found.unit} {found.period.label}"
    if found.results is None:
        raise InputError(_("{where}: the results are not submitted yet").format(where=where))
    if found.review_date is None:
        raise InputError(
            _(
                "{where}: the director has not approved the results yet; the package "
                "carries the day of the approval, from which its 3 years run"
            ).format(where=where)
        )
    missing = [form for form in found.forms if not form.scans]
    if missing or not found.forms:
        raise InputError(
            _(
                "{where}: the signed colour scan of {forms} is not filed yet: put it in "
                "archive/inbox/ and file the inbox"
            ).format(where=where, forms="、".join(f"{f.title} {f.record_id}" for f in missing))
        )
    if found.waiting:
        raise InputError(
            _("{where}: the package {name} waits in archive/inbox/ to be filed").format(
                where=where, name=found.waiting
            )
        )
    return found.results, found.review_date


def _copy_to_inbox(source: Path, target: Path) -> None:
    """``source`` as ``target``, whole or not at all (the archive never sees half)."""
    with atomic_path(target) as tmp:
        try:
            shutil.copyfile(source, tmp)
        except OSError as error:
            raise InputError(
                _("cannot write {file}: {error}").format(file=target, error=error.strerror)
            ) from error


def build_returned_package(
    workspace: Workspace, db: Database, period: str, unit: str, *, by: str
) -> ReturnedPackage:
    """Build ``unit``'s package of ``period`` from its signed scans and its cases'
    evidence as filed, with the director's approval date as its review date (R6.2;
    a half-year's, unit 全處: R6.3, R6.4), into ``out/packages/`` and the archive's
    inbox (see the module). Refused in one line while the results are not approved,
    a scan or an evidence file is not filed, or nothing changed since the last one."""
    found = returned(workspace, db, period, unit)
    results, review_date = _ready(found)
    where = f"{found.unit} {found.period.label}"
    root = workspace.archive_root
    with db.reading() as session:
        evidence, hashes, problems = _evidence(session, root, results)
        earlier = _packages(session, found.category, found.period.label, found.unit)
    if problems:
        raise InputError(
            _("{where}: evidence not filed in the archive yet: {items}").format(
                where=where, items=_("; ").join(problems)
            )
        )
    inputs = {h for form in found.forms for h in form.hashes} | set(hashes)
    if earlier and _last_inputs(workspace, earlier[-1][1]) == inputs:
        raise InputError(
            _(
                "{where}: the package {record} holds these scans and evidence already; a "
                "new version is built only once a scan or evidence was filed since"
            ).format(where=where, record=earlier[-1][0])
        )
    version = len(earlier) + 1
    documents = [Part(f.title, DOCUMENT, list(f.scans), f.title.split()[0]) for f in found.forms]
    documents[0].evidence = evidence
    title = " ".join([found.unit, found.period.roc_label, _KIND[found.period.kind][1]])
    spec = PackageSpec(
        documents,
        title=f"{title} 第{version}版" if version > 1 else title,
        period=found.period.label,
        unit=found.unit,
        category=found.category,
        review_date=review_date.isoformat(),
    )
    name = _name(found.period, found.unit, version)
    output = held(workspace.root / PACKAGES_FOLDER, name)
    result = build_evidence_package(workspace, spec, BuildOptions(output), _quietly)
    inbox = held(root / INBOX, name)
    _copy_to_inbox(result.manifest, inbox.with_name(result.manifest.name))
    _copy_to_inbox(result.output, inbox)
    Journal(workspace.journal_path, workspace.root).append(
        "package returned scans",
        outputs=[inbox],
        hashes={inbox: result.sha256},
        details={
            "user": by,
            "period": found.period.label,
            "unit": found.unit,
            "version": version,
            "review_date": review_date.isoformat(),
            "record_ids": [form.record_id for form in found.forms],
            "supersedes": earlier[-1][0] if earlier else "",
        },
    )
    return ReturnedPackage(result, inbox, version, review_date)
