"""The audit's use cases (ISSUE 10 item 3): drawing a sample (R5.1, R6.2, R6.3),
recording the results read back (R6.2, R6.3, R6.5), filling the half-year audit
record (附件5, R6.3) and the director's review of a record (R6.2, R6.3 — the date
its retention counts from).

Each validates, writes the office database in one transaction and appends the
journal. A (period, unit) has at most one current draw: drawing it again needs a
reason, and the new draw supersedes the earlier one, which stays on record; results
are recorded only against the current draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docgen.audit import store
from docgen.audit.drawing import Draw, draw_period, refuse_empty
from docgen.audit.forms import fill_audit_record
from docgen.audit.intake import Progress
from docgen.audit.outputs import default_out_dir, write_sample_files
from docgen.audit.population import ALGORITHM_TEXT_EN
from docgen.audit.record import audit_record_data
from docgen.audit.results import read_back, write_results
from docgen.audit.samples import Results, Sample
from docgen.calendar import Period
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.archive import Record
from docgen.db.models.audit import RecordReview
from docgen.errors import InputError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.rules.record_id import parse_record_id
from docgen.services.queries import take_in_log

#: The log files taken for a period when none are given: ``data/queries/<month>.*``.
LOG_SUFFIXES = (".csv", ".xlsx", ".ods", ".json", ".yaml", ".yml")
#: The forms whose records the director reviews (附件4 案件抽查表, 附件5 稽核紀錄表).
REVIEWED_FORMS = (4, 5)


def _journal(workspace: Workspace) -> Journal:
    return Journal(workspace.journal_path, workspace.root)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now().astimezone()


# --- drawing -------------------------------------------------------------------------


@dataclass
class SampleOutcome:
    """What :func:`draw_sample` did: the draw, the files written, where, the months of a
    half without a query (``--partial``), and the logs drawn from."""

    draw: Draw
    written: list[Path]
    target: Path
    sources: list[Path]
    missing_months: list[str] = field(default_factory=list)


def default_logs(workspace: Workspace, period: Period, partial: bool) -> list[Path]:
    """``data/queries/<month>.*`` of each month of ``period``; a half-year with a month
    without its log is refused unless ``partial`` (R6.3: the sample is of the half)."""
    folder = workspace.data_dir / "queries"
    by_month = {
        month.label: [
            path
            for path in sorted(folder.glob(f"{month.label}.*"))
            if path.suffix.lower() in LOG_SUFFIXES
        ]
        for month in period.months()
    }
    found = [path for paths in by_month.values() for path in paths]
    if not found:
        raise InputError(
            _("no query log for {period} in {folder}: give --queries FILE").format(
                period=period.label, folder=folder
            )
        )
    without = [month for month, paths in by_month.items() if not paths]
    if without and not partial:
        raise InputError(
            _(
                "no query log for {months} in {folder}: a half-year sample covers every "
                "month of {period}; add the logs, or pass --partial to sample the months "
                "there are"
            ).format(months=_(", ").join(without), folder=folder, period=period.label)
        )
    return found


def _month_watch(
    seen: set[tuple[int, int]], progress: Progress | None
) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """A pass over a log's rows (:data:`docgen.records.queries.Record` tuples: row,
    queried_at, …) that notes each query's month, behind ``progress`` if given."""

    def watch(records: Iterable[Any]) -> Iterator[Any]:
        for record in progress(records) if progress else records:
            stamp = record[1]
            seen.add((stamp.year, stamp.month))
            yield record

    return watch


def _missing_months(period: Period, seen: set[tuple[int, int]], partial: bool) -> list[str]:
    """The half's months without a query in the logs: an :class:`InputError` naming
    them unless ``partial`` (then they are returned, to warn and journal)."""
    if period.kind != "half":
        return []
    missing = [m.label for m in period.months() if (m.year, m.number) not in seen]
    if missing and not partial:
        raise InputError(
            _(
                "the query logs have no query in {months}: a half-year sample covers every "
                "month of {period}; give every month's log, or pass --partial to sample the "
                "months there are"
            ).format(months=_(", ").join(missing), period=period.label)
        )
    return missing


def _current_numbers(db: Database, samples: Sequence[Sample]) -> dict[str, int]:
    """The number of each unit's current draw (units never drawn are absent)."""
    with db.session() as session:
        found = {s.unit: store.current_draw(session, s.period, s.unit) for s in samples}
    return {unit: draw.number for unit, draw in found.items() if draw is not None}


def _redraw_refusal(period: Period, current: dict[str, int]) -> InputError:
    draw = _("{unit} (draw {number})")
    drawn = "、".join(
        draw.format(unit=unit, number=number) for unit, number in sorted(current.items())
    )
    return InputError(
        _(
            "{period} already has a current draw for {units}: drawing it again needs "
            "--reason TEXT (why); the new draw then supersedes the earlier one, which stays "
            "on record"
        ).format(period=period.label, units=drawn)
    )


def _number(samples: Sequence[Sample], current: dict[str, int], reason: str, actor: str) -> None:
    for sample in samples:
        sample.drawn_by = actor
        if sample.unit in current:
            sample.number, sample.reason = current[sample.unit] + 1, reason


def _store_draws(db: Database, samples: Sequence[Sample], current: dict[str, int]) -> None:
    """One transaction: each sample a new draw, superseding the current one (refused
    if another draw was made meanwhile)."""
    with db.session() as session:
        for sample in samples:
            earlier = store.current_draw(session, sample.period, sample.unit)
            if (earlier.number if earlier else None) != current.get(sample.unit):
                raise InputError(
                    _(
                        "another draw of {unit} {period} was made meanwhile: run the command again"
                    ).format(unit=sample.unit, period=sample.period)
                )
            later = store.add_draw(session, sample)
            if earlier is not None:
                store.supersede(earlier, later, sample.drawn_at)


def _take_in_logs(workspace: Workspace, db: Database, sources: Sequence[Path], actor: str) -> None:
    """Take the logs drawn from into the office database (ISSUE 10 item 1), each in its
    own transaction (:func:`~docgen.services.queries.take_in_log`; a log taken in
    before changes nothing)."""
    for source in sources:
        take_in_log(workspace, db, source, actor=actor)


def _journal_unit(drawn: Sample) -> dict[str, object]:
    entry: dict[str, object] = {
        "draw": drawn.number,
        "population": drawn.population,
        "population_sha256": drawn.population_sha256,
        "sample_size": drawn.sample_size,
        "rule": drawn.rule,
        "seed": drawn.seed,
        "seed_given": drawn.seed_given,
        "algorithm": drawn.algorithm,
        "algorithm_text": ALGORITHM_TEXT_EN,
        "anomalies": sum(1 for a in drawn.anomalies if a.anomaly),
        "hints": sum(1 for a in drawn.anomalies if not a.anomaly),
        "cases": [c.key for c in drawn.cases],
    }
    if drawn.replaces:
        entry |= {"supersedes": drawn.replaces, "reason": drawn.reason}
    return entry


def draw_sample(
    workspace: Workspace,
    db: Database,
    period: Period,
    sources: Sequence[Path] = (),
    *,
    seed: str | None = None,
    partial: bool = False,
    reason: str = "",
    out_dir: Path | None = None,
    pdf: bool = False,
    actor: str = "",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> SampleOutcome:
    """Check every query's justification (R5.1) and draw the audit sample of
    ``period``: per unit for a month (R6.2), 全處 for a half (R6.3).

    ``sources`` default to ``data/queries/<month>.*``; a half with a month without a
    query is refused unless ``partial``. A unit with a current draw is drawn again
    only with a ``reason``: the new draw (number n+1) supersedes it, its 附件4 says so,
    and the journal records the reason. Writes each unit's files into ``out_dir``
    (default ``out/audit/<period>/``), stores the draws in one transaction, then
    journals ``audit sample``."""
    reason = reason.strip()
    logs = list(sources) or default_logs(workspace, period, partial)
    seen: set[tuple[int, int]] = set()
    draw = draw_period(workspace, period, logs, seed, now, _month_watch(seen, progress), db)
    refuse_empty(draw, logs)
    missing = _missing_months(period, seen, partial)
    current = _current_numbers(db, draw.samples)
    if current and not reason:
        raise _redraw_refusal(period, current)
    _number(draw.samples, current, reason, actor)
    target = out_dir or default_out_dir(workspace, period.label)
    written = [
        p for drawn in draw.samples for p in write_sample_files(workspace, drawn, target, pdf)
    ]
    _store_draws(db, draw.samples, current)
    _take_in_logs(workspace, db, logs, actor)
    details: dict[str, object] = {
        "period": period.label,
        "units": {s.unit: _journal_unit(s) for s in draw.samples},
    }
    if current:
        details["reason"] = reason
    if missing:
        details["missing_months"] = missing
    _journal(workspace).append("audit sample", inputs=logs, outputs=written, details=details)
    return SampleOutcome(draw, written, target, logs, missing)


# --- results -------------------------------------------------------------------------


@dataclass
class ResultsOutcome:
    """The results of one sheet and the files written for it (the completed 附件4 first)."""

    results: Results
    files: list[Path]


def record_results(
    workspace: Workspace,
    db: Database,
    sheets: Sequence[Path],
    *,
    out_dir: Path | None = None,
    pdf: bool = False,
    actor: str = "",
    now: datetime | None = None,
) -> list[ResultsOutcome]:
    """Read the supervisors' filled sheets back (R6.2, R6.3): every sheet is checked
    against the current draw of its period and unit (nothing is written unless every
    sheet is right; a sheet of a superseded draw is refused), then per sheet the
    completed 附件4 and the referral list for 政風 (R6.5) are written, the results of
    every case stored in one transaction and ``audit results`` journalled."""
    checked = read_back(workspace, db, list(sheets))
    moment = _now(now)
    done: list[tuple[Sample, ResultsOutcome]] = []
    for sheet in checked:
        target = out_dir or default_out_dir(workspace, sheet.sample.period)
        results, files = write_results(workspace, sheet, target, pdf, moment)
        results.read_by = actor
        done.append((sheet.sample, ResultsOutcome(results, files)))
    with db.session() as session:
        for sample, outcome in done:
            draw = store.current_draw(session, sample.period, sample.unit)
            if draw is None or draw.number != sample.number:
                raise InputError(
                    _(
                        "{unit} {period} was drawn again meanwhile (draw {number}): results "
                        "are recorded only against the current draw; fill its sheet"
                    ).format(
                        unit=sample.unit, period=sample.period, number=draw.number if draw else "?"
                    )
                )
            store.store_results(session, draw, outcome.results)
    summary: dict[str, object] = {
        f"{s.period}/{s.unit}": {
            "draw": s.number,
            "cases": len(o.results.cases),
            "否": sum(1 for c in o.results.cases if c.consistent == "否"),
        }
        for s, o in done
    }
    written = [p for _, o in done for p in o.files]
    _journal(workspace).append("audit results", inputs=sheets, outputs=written, details=summary)
    return [o for _, o in done]


# --- the audit record ----------------------------------------------------------------


@dataclass
class AuditRecordOutcome:
    """附件5 as filled: its data, record ID and files (the DOCX first)."""

    data: dict[str, Any]
    record_id: str
    files: list[Path]


def write_audit_record(
    workspace: Workspace,
    db: Database,
    half: Period,
    as_of: date | None = None,
    *,
    out_dir: Path | None = None,
    pdf: bool = False,
    results: Sequence[str] = (),
    findings: Sequence[dict[str, Any]] = (),
    audit_date: date | None = None,
    actor: str = "",
) -> AuditRecordOutcome:
    """Fill 附件5 稽核紀錄表 for ``half`` (R6.3) with the facts as of ``as_of`` (default
    the half's last day, or today if earlier) into ``out_dir`` (default
    ``out/audit/<half>/``), and journal ``audit record``. The auditors' judgement, when
    given (ISSUE 13 item 2): ``results`` — 符合/不符合 per checklist item, in order —
    ``findings`` (發現事項, 改善措施, 改善期限) and the ``audit_date``."""
    day = as_of or min(date.today(), half.end)
    data = audit_record_data(workspace, db, half, day)
    for item, result in zip(data["checklist"], results, strict=False):
        item["result"] = result
    data["findings"] = [dict(f) for f in findings]
    if audit_date is not None:
        data["audit_date"] = audit_date
    target = out_dir or default_out_dir(workspace, half.label)
    record_id, files = fill_audit_record(workspace, data, target, pdf)
    details = {"half": half.label, "as_of": day.isoformat(), "record_id": record_id}
    if actor:
        details["user"] = actor
    _journal(workspace).append("audit record", outputs=files, details=details)
    return AuditRecordOutcome(data, record_id, files)


# --- the director's review -------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """The director's review of a record, as stored."""

    record_id: str
    reviewed_by: str
    reviewed_on: date
    archived: bool  # whether the archive holds the record (its review date set there too)


def record_review(
    workspace: Workspace,
    db: Database,
    record_id: str,
    reviewed_on: date,
    *,
    reviewed_by: str,
    actor: str = "",
    now: datetime | None = None,
) -> Review:
    """Record that ``reviewed_by`` (the director) reviewed the record ``record_id`` (a
    附件4 or 附件5) on ``reviewed_on`` (R6.2, R6.3): the date its retention counts
    from. Stored in ``record_reviews`` and, when the archive already holds the record,
    as its ``review_date``; journalled as ``audit review``."""
    parsed = parse_record_id(record_id)
    if parsed is None or str(parsed) != record_id.strip().upper():
        raise InputError(
            _("{id!r} is not a docgen record ID (e.g. DG-4M-202610-1A2B3C4D)").format(id=record_id)
        )
    if parsed.form not in REVIEWED_FORMS:
        raise InputError(
            _("{id}: the director reviews 附件4 and 附件5 records, not 附件{form}").format(
                id=parsed, form=parsed.form
            )
        )
    moment = _now(now)
    if reviewed_on > moment.date():
        raise InputError(
            _("{id}: review date {date} is in the future").format(
                id=parsed, date=reviewed_on.isoformat()
            )
        )
    who = reviewed_by.strip()
    if not who:
        raise InputError(
            _("{id}: say who reviewed it (--by NAME, or [office] director)").format(id=parsed)
        )
    key = str(parsed)
    with db.session() as session:
        review = session.get(RecordReview, key) or RecordReview(record_id=key)
        review.reviewed_by, review.reviewed_on = who, reviewed_on
        review.recorded_by, review.recorded_at = actor, store.local(moment)
        session.add(review)
        record = session.get(Record, key)
        if record is not None:
            record.review_date = reviewed_on
    details = {"record_id": key, "reviewed_by": who, "reviewed_on": reviewed_on.isoformat()}
    _journal(workspace).append("audit review", details=details, now=moment)
    return Review(key, who, reviewed_on, record is not None)
