"""Samples and results in the office database (:mod:`docgen.db.models.audit`): rows to
:class:`~docgen.audit.samples.Sample` / :class:`~docgen.audit.samples.Results` and back
(R6.2, R6.3, R6.5).

The values stored are those of the sample, already masked (R8). Times go in as naive
local times and come out aware (the office's local zone).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from docgen.audit.samples import (
    Anomaly,
    CaseResult,
    Results,
    Sample,
    SampleCase,
    Source,
)
from docgen.config import Workspace
from docgen.db import Database, open_database
from docgen.db.models import audit as rows


@contextlib.contextmanager
def reading(workspace: Workspace, db: Database | None) -> Iterator[Session]:
    """A session on ``db``, or on the workspace's database opened for it."""
    if db is not None:
        with db.session() as session:
            yield session
        return
    with open_database(workspace) as opened, opened.session() as session:
        yield session


def local(moment: datetime) -> datetime:
    """``moment`` as a naive local time, as stored."""
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _draws() -> Select[rows.Draw]:
    return select(rows.Draw).options(
        selectinload(rows.Draw.cases).selectinload(rows.DrawCase.result),
        selectinload(rows.Draw.anomalies),
        selectinload(rows.Draw.reading),
    )


def current_draw(session: Session, period: str, unit: str) -> rows.Draw | None:
    """The draw of ``unit`` for ``period`` not superseded (None if none was drawn)."""
    query = _draws().where(
        rows.Draw.period == period, rows.Draw.unit == unit, rows.Draw.superseded_by.is_(None)
    )
    return session.scalars(query).one_or_none()


def find_draw(session: Session, period: str, unit: str, number: int) -> rows.Draw | None:
    query = _draws().where(
        rows.Draw.period == period, rows.Draw.unit == unit, rows.Draw.number == number
    )
    return session.scalars(query).one_or_none()


def current_sample(session: Session, period: str, unit: str) -> Sample | None:
    found = current_draw(session, period, unit)
    return to_sample(found) if found else None


def current_samples(session: Session, period: str | None) -> list[Sample]:
    query = _draws().where(rows.Draw.superseded_by.is_(None))
    if period is not None:
        query = query.where(rows.Draw.period == period)
    found = session.scalars(query.order_by(rows.Draw.period, rows.Draw.unit))
    return [to_sample(draw) for draw in found]


def all_draws(session: Session, period: str, unit: str) -> list[Sample]:
    query = _draws().where(rows.Draw.period == period, rows.Draw.unit == unit)
    return [to_sample(draw) for draw in session.scalars(query.order_by(rows.Draw.number))]


def current_results(session: Session, period: str, unit: str) -> Results | None:
    found = current_draw(session, period, unit)
    return to_results(found) if found else None


def _listed(item: rows.DrawCase | rows.DrawAnomaly) -> dict[str, object]:
    return {
        "source": item.source,
        "row": item.row,
        "queried_at": item.queried_at,
        "account": item.account,
        "user_name": item.user_name,
        "subject_id": item.subject_id,
        "subject_name": item.subject_name,
        "item": item.item,
        "justification": item.justification,
    }


def to_sample(draw: rows.Draw) -> Sample:
    """The :class:`Sample` a draw's rows hold."""
    return Sample.model_validate(
        {
            "period": draw.period,
            "kind": draw.kind,
            "unit": draw.unit,
            "drawn_at": draw.drawn_at.astimezone(),
            "sources": draw.sources,
            "population": draw.population,
            "population_sha256": draw.population_sha256,
            "outside_period": draw.outside_period,
            "seed": draw.seed,
            "seed_given": draw.seed_given,
            "algorithm": draw.algorithm,
            "algorithm_text": draw.algorithm_text,
            "sample_size": draw.sample_size,
            "rule": draw.rule,
            "rule_en": draw.rule_en,
            "cases": [
                {"no": c.position, "ordinal": c.ordinal, "key": c.case_key, **_listed(c)}
                for c in draw.cases
            ],
            "anomalies": [
                {"findings": a.findings, "anomaly": a.anomaly, **_listed(a)} for a in draw.anomalies
            ],
            "documents": draw.documents,
            "sheet_check": draw.sheet_check,
            "number": draw.number,
            "reason": draw.reason,
            "drawn_by": draw.drawn_by,
            "superseded_at": draw.superseded_at.astimezone() if draw.superseded_at else None,
        }
    )


def to_results(draw: rows.Draw) -> Results | None:
    """The results read back for a draw (None before its sheet was read back)."""
    sheet = draw.reading
    if sheet is None:
        return None
    cases = [
        CaseResult(
            no=c.position,
            key=c.case_key,
            consistent=c.result.consistent,
            remark=c.result.remark,
            evidence=c.result.evidence,
        )
        for c in draw.cases
        if c.result is not None
    ]
    return Results(
        period=draw.period,
        unit=draw.unit,
        read_at=sheet.read_at.astimezone(),
        sheet=Source(path=sheet.sheet_path, sha256=sheet.sheet_sha256),
        cases=cases,
        documents=sheet.documents,
        referred=sheet.referred,
        read_by=sheet.read_by,
    )


def _listed_columns(query: SampleCase | Anomaly, position: int) -> dict[str, object]:
    return {
        "position": position,
        "source": query.source,
        "row": query.row,
        "queried_at": local(query.queried_at),
        "account": query.account,
        "user_name": query.user_name,
        "subject_id": query.subject_id,
        "subject_name": query.subject_name,
        "item": query.item,
        "justification": query.justification,
    }


def add_draw(session: Session, sample: Sample) -> rows.Draw:
    """Store ``sample`` as a new draw (its ``number``, ``reason`` and ``drawn_by`` as
    given); the caller supersedes the earlier one."""
    draw = rows.Draw(
        period=sample.period,
        kind=sample.kind,
        unit=sample.unit,
        number=sample.number,
        seed=sample.seed,
        seed_given=sample.seed_given,
        population=sample.population,
        population_sha256=sample.population_sha256,
        outside_period=sample.outside_period,
        sample_size=sample.sample_size,
        algorithm=sample.algorithm,
        algorithm_text=sample.algorithm_text,
        rule=sample.rule,
        rule_en=sample.rule_en,
        sheet_check=sample.sheet_check,
        sources=[s.model_dump() for s in sample.sources],
        documents=dict(sample.documents),
        drawn_by=sample.drawn_by,
        drawn_at=local(sample.drawn_at),
        reason=sample.reason,
        cases=[
            rows.DrawCase(ordinal=c.ordinal, case_key=c.key, **_listed_columns(c, c.no))
            for c in sample.cases
        ],
        anomalies=[
            rows.DrawAnomaly(findings=a.findings, anomaly=a.anomaly, **_listed_columns(a, n))
            for n, a in enumerate(sample.anomalies, start=1)
        ],
    )
    session.add(draw)
    session.flush()
    return draw


def supersede(earlier: rows.Draw, later: rows.Draw, now: datetime) -> None:
    """Mark ``earlier`` superseded by ``later`` (both stay on record)."""
    earlier.superseded_by = later.id
    earlier.superseded_at = local(now)


def store_results(session: Session, draw: rows.Draw, results: Results) -> None:
    """Store (or replace) the results read back for ``draw``, one row per case."""
    read_at = local(results.read_at)
    sheet = draw.reading or rows.ResultSheet(draw_id=draw.id)
    sheet.sheet_path, sheet.sheet_sha256 = results.sheet.path, results.sheet.sha256
    sheet.documents, sheet.referred = dict(results.documents), results.referred
    sheet.read_by, sheet.read_at = results.read_by, read_at
    draw.reading = sheet
    by_key = {c.key: c for c in results.cases}
    for case in draw.cases:
        mark = by_key.get(case.case_key)
        if mark is None:
            case.result = None
            continue
        result = case.result or rows.CaseResult(draw_case_id=case.id)
        result.consistent, result.remark, result.evidence = (
            mark.consistent,
            mark.remark,
            mark.evidence,
        )
        result.recorded_by, result.recorded_at = results.read_by, read_at
        case.result = result
    session.flush()


def review_dates(session: Session, record_ids: Iterable[str]) -> dict[str, date]:
    """The director's review date of each of ``record_ids`` that was reviewed."""
    wanted = sorted({r for r in record_ids if r})
    if not wanted:
        return {}
    query = select(rows.RecordReview.record_id, rows.RecordReview.reviewed_on).where(
        rows.RecordReview.record_id.in_(wanted)
    )
    return {row.record_id: row.reviewed_on for row in session.execute(query)}


def referred_periods(session: Session) -> list[str]:
    """The periods whose current draws found something to refer to the ethics unit
    (R6.5): a case judged 否 in the results recorded, or an anomaly (R5.1)."""
    current = rows.Draw.superseded_by.is_(None)
    judged = (
        select(rows.Draw.period)
        .join(rows.ResultSheet)
        .where(current, rows.ResultSheet.referred > 0)
    )
    flagged = (
        select(rows.Draw.period)
        .join(rows.DrawAnomaly)
        .where(current, rows.DrawAnomaly.anomaly.is_(True))
    )
    return sorted(set(session.scalars(judged)) | set(session.scalars(flagged)))
