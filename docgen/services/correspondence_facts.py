"""The facts the 函 and 簽 are drafted from, read from the office database and the
workspace configuration (ISSUE 14 item 1): the office's letterhead, a period's
samples and results (R6.2–R6.5), the colour-scan package of a half-year (R6.4), the
accounts suspended for a year or more (R4.1c). Reading changes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.audit import store
from docgen.audit.sheet import NO, YES
from docgen.calendar import Period
from docgen.config import Workspace
from docgen.correspondence.document import Party
from docgen.correspondence.drafts import AuditFacts, Holder, Office, UnitResults
from docgen.db.models.archive import File, Record
from docgen.errors import InputError
from docgen.i18n import _
from docgen.records.models import Account, Status
from docgen.rules.account_review import long_suspended_from
from docgen.rules.obligations import SCAN_PACKAGE


def office_of(workspace: Workspace) -> Office:
    """The letterhead: ``[office]`` and ``[correspondence]`` of ``docgen.toml``; each
    contact line carries its own label (承辦人：…, 電話：…)."""
    office, letters = workspace.config.office, workspace.config.correspondence
    labelled = (
        ("承辦人", letters.clerk or office.administrator),
        ("電話", letters.phone),
        ("傳真", letters.fax),
        ("電子信箱", letters.email),
    )
    return Office(
        name=office.name,
        code=letters.agency_code,
        word=letters.word,
        planning_unit=office.planning_unit,
        address=letters.address,
        contacts=tuple(f"{label}：{value}" for label, value in labelled if value),
        signatory=f"{letters.director_title}　{office.director}".strip(),
        director_title=letters.director_title,
        speed=letters.speed,
        secrecy=letters.secrecy,
        classification=letters.classification,
        civil_affairs=Party(letters.civil_affairs.name, code=letters.civil_affairs.code),
        ethics_office=Party(letters.ethics_office.name, code=letters.ethics_office.code),
        database_authority=Party(
            letters.database_authority.name, code=letters.database_authority.code
        ),
        ethics_unit=letters.ethics_unit,
    )


def audit_facts(session: Session, period: Period) -> AuditFacts:
    """The current draw of every unit for ``period`` (the whole office's for a
    half-year), with the results recorded so far (R6.2, R6.3) and the anomalies
    (R5.1); refused when nothing was drawn for it."""
    samples = store.current_samples(session, period.label)
    if not samples:
        raise InputError(
            _("no sample drawn for {period}: run docgen audit sample first").format(
                period=period.label
            )
        )
    units = []
    for sample in samples:
        results = store.current_results(session, period.label, sample.unit)
        marks = [case.consistent for case in results.cases] if results else []
        units.append(
            UnitResults(
                unit=sample.unit,
                population=sample.population,
                sample_size=sample.sample_size,
                consistent=marks.count(YES),
                inconsistent=marks.count(NO),
                pending=sample.sample_size - len(marks),
                anomalies=sum(1 for anomaly in sample.anomalies if anomaly.anomaly),
            )
        )
    return AuditFacts(period, tuple(units))


def referral_lists(session: Session, workspace: Workspace, period: Period) -> list[Path]:
    """The lists to attach to the referral (R6.5), those still on disk: the referral
    list (XLSX) ``audit results`` wrote for each unit, else — results not read back
    yet — the anomaly list its draw wrote (R5.1)."""
    found = []
    for sample in store.current_samples(session, period.label):
        results = store.current_results(session, period.label, sample.unit)
        listed = (results.documents if results else {}).get("referrals_xlsx", "")
        listed = listed or sample.documents.get("anomalies_xlsx", "")
        path = workspace.root / listed if listed else None
        if path is not None and path.is_file():
            found.append(path)
    return found


def scan_package(session: Session, workspace: Workspace, half: Period) -> Path | None:
    """The half-year's colour-scan package in the archive (R6.4), if filed."""
    query = (
        select(File.path)
        .join(Record, File.record_id == Record.record_id)
        .where(
            Record.period == half.label,
            Record.form == SCAN_PACKAGE.form,
            Record.category == SCAN_PACKAGE.category,
            Record.status != "disposed",
            File.path.like("%.pdf"),
        )
        .order_by(File.path)
    )
    found = session.scalars(query).first()
    path = workspace.archive_root / found if found else None
    return path if path is not None and path.is_file() else None


def long_suspended(accounts: list[Account], as_of: date) -> list[Holder]:
    """The holders of accounts suspended for one year or more on ``as_of`` (R4.1c)."""
    return [
        Holder(a.account_id, a.name, a.title, a.unit, a.suspended_on)
        for a in accounts
        if a.status is Status.SUSPENDED
        and a.suspended_on is not None
        and long_suspended_from(a.suspended_on) <= as_of
    ]
