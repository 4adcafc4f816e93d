"""Drawing the monthly (R6.2, per unit) and half-year (R6.3, whole office) samples.

One pass over the logs (:mod:`docgen.audit.intake`) gives each unit's population and
the anomaly list; each population is drawn by :mod:`docgen.audit.population` and
becomes a :class:`~docgen.audit.samples.Sample` with masked cases and anomalies.
Writing the files is :mod:`docgen.audit.outputs`' job.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from docgen.audit.checks import OfficeFacts
from docgen.audit.intake import Intake, Listed, Progress, SpooledQuery
from docgen.audit.outputs import shown_path
from docgen.audit.population import (
    ALGORITHM,
    ALGORITHM_TEXT,
    case_key,
    default_seed,
    line_digest,
)
from docgen.audit.samples import (
    SHEET_CHECK,
    Anomaly,
    Sample,
    SampleCase,
    Source,
    case_key_secret,
    unit_refusal,
)
from docgen.calendar import Period
from docgen.config import Workspace
from docgen.db import Database
from docgen.errors import InputError
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.privacy import mask_id, mask_ids_in_text, mask_name
from docgen.records.queries import QueryLog
from docgen.rules.sampling import SampleSize, half_year_sample_size, monthly_sample_size


@dataclass
class Draw:
    """The samples of one period, and the configured units that had no queries."""

    period: Period
    samples: list[Sample]
    empty_units: list[str] = field(default_factory=list)
    outside_period: int = 0


def draw_period(
    workspace: Workspace,
    period: Period,
    sources: list[Path],
    seed: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    db: Database | None = None,
) -> Draw:
    """Check and sample ``sources`` for ``period`` (a month: per unit; a half: 全處),
    against the registry in ``db`` (default: the workspace's office database)."""
    facts = OfficeFacts.of(workspace, db)
    half = period.kind == "half"

    def refusal(unit: str) -> str:
        return unit_refusal(workspace, unit)

    with tempfile.TemporaryFile() as spool:
        intake = Intake(
            period.start,
            period.end,
            facts.check,
            spool,
            facts.units,
            half,
            refuse_unit=None if half else refusal,
            unit_cell=facts.unit_cell,
        )
        for source in sources:
            intake.add_log(QueryLog(source, workspace.config.columns), progress)
        context = _Context(
            workspace,
            period,
            sources,
            seed,
            now or datetime.now().astimezone(),
            facts,
            intake,
            case_key_secret(workspace),
        )
        samples = [context.sample(unit) for unit in sorted(intake.populations)]
    configured = [u.name for u in workspace.config.units]
    empty = [] if half else [u for u in configured if u not in intake.populations]
    return Draw(period, samples, empty, intake.outside)


def refuse_empty(draw: Draw, sources: list[Path]) -> None:
    """:class:`InputError` when no query of ``sources`` fell in the period."""
    if not draw.samples and draw.outside_period:
        names = ", ".join(str(p) for p in sources)
        raise InputError(
            _(
                "none of the {count} queries in {files} fall in {period}: check "
                "--month/--half and --queries"
            ).format(count=draw.outside_period, files=names, period=draw.period.label)
        )


@dataclass
class _Context:
    workspace: Workspace
    period: Period
    sources: list[Path]
    seed: str | None
    now: datetime
    facts: OfficeFacts
    intake: Intake
    secret: bytes
    _shown: dict[str, str] = field(default_factory=dict)

    def size(self, population: int) -> SampleSize:
        rounding = self.workspace.config.sampling.rounding
        if self.period.kind == "half":
            return half_year_sample_size(population, rounding)
        return monthly_sample_size(population, rounding)

    def sample(self, unit: str) -> Sample:
        population = self.intake.populations[unit]
        size = self.size(len(population))
        seed = self.seed or default_seed(self.period.label, unit, population.sha256)
        ordinals = population.draw(seed, size.sample_size)
        cases = [self.case(unit, no, ordinal) for no, ordinal in enumerate(ordinals, start=1)]
        listed = [x for x in self.intake.listed if x.unit == unit]
        return Sample(
            period=self.period.label,
            kind=self.period.kind,
            unit=unit,
            drawn_at=self.now,
            sources=self.source_files,
            population=len(population),
            population_sha256=population.sha256,
            outside_period=self.intake.outside,
            seed=seed,
            seed_given=bool(self.seed),
            algorithm=ALGORITHM,
            algorithm_text=ALGORITHM_TEXT,
            sample_size=size.sample_size,
            rule=size.rule,
            rule_en=size.rule_en,
            cases=cases,
            anomalies=[self.anomaly(x) for x in listed],
            sheet_check=SHEET_CHECK,
        )

    @cached_property
    def source_files(self) -> list[Source]:
        """The logs and their SHA-256 (hashed once for all units)."""
        return [
            Source(path=shown_path(self.workspace, p), sha256=sha256_file(p)) for p in self.sources
        ]

    def shown(self, source: str) -> str:
        if source not in self._shown:
            self._shown[source] = shown_path(self.workspace, Path(source))
        return self._shown[source]

    def masked(self, query: SpooledQuery) -> dict[str, object]:
        policy = self.facts.policy
        return {
            "source": self.shown(query.source),
            "row": query.row,
            "queried_at": query.queried_at,
            "account": query.account_id,
            "user_name": self.facts.user_name(query.account_id),
            "subject_id": mask_id(query.subject_id, policy),
            "subject_name": mask_name(query.subject_name, policy),
            "item": mask_ids_in_text(query.item, policy),
            "justification": mask_ids_in_text(query.justification, policy),
        }

    def case(self, unit: str, no: int, ordinal: int) -> SampleCase:
        query = self.intake.case(unit, ordinal)
        key = case_key(ordinal, line_digest(query.line, self.secret))
        return SampleCase(no=no, ordinal=ordinal, key=key, **self.masked(query))  # type: ignore[arg-type]

    def anomaly(self, listed: Listed) -> Anomaly:
        query = self.intake.case(listed.unit, listed.ordinal)
        # stored as the findings' values (Chinese, the same in every language: 附件4
        # prints them); the lists show them in the run's language (outputs.finding_label)
        findings = [str(f) for f in listed.findings]
        return Anomaly(findings=findings, anomaly=listed.is_anomaly, **self.masked(query))  # type: ignore[arg-type]
