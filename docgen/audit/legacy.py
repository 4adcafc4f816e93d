"""Taking over the samples and results an earlier docgen kept as JSON files under
``.docgen/samples/<period>/`` (ISSUE 10 item 2; R6.2, R6.3, R6.5).

The files are untrusted, as they always were: each is validated whole
(:func:`docgen.audit.samples.read_file`), must lie where docgen wrote it — in the
folder of its own period, under the name made from its own unit
(:func:`docgen.audit.samples.sample_path`) — and results must match the cases of
their sample. Every personal value is masked again with the office's policy (R8),
so a hand-edited file cannot put a full ID into the database. Each sample becomes
draw 1 of its period and unit; the files are left as they were (a backup).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from docgen.audit import store
from docgen.audit.samples import (
    RESULTS_FORMAT,
    RESULTS_SUFFIX,
    SAMPLE_FORMAT,
    ListedQuery,
    Results,
    Sample,
    check_period,
    read_file,
    results_path,
    sample_path,
    samples_dir,
)
from docgen.calendar import parse_period
from docgen.config import Workspace
from docgen.errors import IntegrityError
from docgen.i18n import _
from docgen.privacy import MaskingPolicy, mask_id, mask_ids_in_text, mask_name


def _folders(workspace: Workspace) -> list[Path]:
    base = samples_dir(workspace)
    return sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def _sample_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(RESULTS_SUFFIX))


def legacy_audit(workspace: Workspace) -> list[str]:
    """``.docgen/samples`` when it holds a sample an earlier docgen drew (it needs
    ``docgen db upgrade``)."""
    if any(_sample_files(folder) for folder in _folders(workspace)):
        return [str(samples_dir(workspace))]
    return []


def _refused(path: Path, why: str) -> IntegrityError:
    return IntegrityError(
        _("{file}: {why}: not taken over (correct or remove the file)").format(file=path, why=why)
    )


def _masked(query: ListedQuery, policy: MaskingPolicy) -> None:
    query.user_name = mask_name(query.user_name, policy)
    query.subject_id = mask_id(query.subject_id, policy)
    query.subject_name = mask_name(query.subject_name, policy)
    query.item = mask_ids_in_text(query.item, policy)
    query.justification = mask_ids_in_text(query.justification, policy)


def _sample(workspace: Workspace, folder: Path, path: Path) -> Sample:
    sample = read_file(path, Sample)
    if sample.format != SAMPLE_FORMAT:
        why = _("format {found!r} is not {expected}")
        raise _refused(path, why.format(found=sample.format, expected=SAMPLE_FORMAT))
    if sample.period != folder.name:
        why = _("a sample of {period!r} in the folder of {folder}")
        raise _refused(path, why.format(period=sample.period, folder=folder.name))
    if sample.kind != parse_period(sample.period).kind:
        why = _("kind {kind!r} is not that of {period}")
        raise _refused(path, why.format(kind=sample.kind, period=sample.period))
    if sample_path(workspace, sample.period, sample.unit).name != path.name:
        raise _refused(path, _("its unit is not the one its name was made from"))
    if [c.no for c in sample.cases] != list(range(1, len(sample.cases) + 1)):
        raise _refused(path, _("its cases are not numbered 1, 2, …"))
    policy = workspace.config.masking.policy()
    for query in [*sample.cases, *sample.anomalies]:
        _masked(query, policy)
    return sample.model_copy(update={"number": 1, "reason": "", "drawn_by": ""})


def _results(workspace: Workspace, path: Path, samples: dict[str, Sample]) -> Results:
    results = read_file(path, Results)
    if results.format != RESULTS_FORMAT:
        why = _("format {found!r} is not {expected}")
        raise _refused(path, why.format(found=results.format, expected=RESULTS_FORMAT))
    sample = samples.get(results.unit)
    if sample is None or results_path(workspace, sample.period, sample.unit).name != path.name:
        raise _refused(path, _("results without the sample they are of"))
    if results.period != sample.period:
        why = _("results of {period!r} beside a sample of {sample}")
        raise _refused(path, why.format(period=results.period, sample=sample.period))
    if [(c.no, c.key) for c in results.cases] != [(c.no, c.key) for c in sample.cases]:
        raise _refused(path, _("its cases are not those of the sample"))
    if any(c.consistent not in ("是", "否") for c in results.cases):
        raise _refused(path, _("a case not marked 是 or 否"))
    policy = workspace.config.masking.policy()
    for case in results.cases:
        case.remark = mask_ids_in_text(case.remark, policy)
    return results


def take_over_audit(conn: Connection, workspace: Workspace) -> None:
    """Import every sample and results file under ``.docgen/samples/`` into the office
    database behind ``conn`` (in its transaction: flushed, never committed); an
    :class:`IntegrityError` naming the first file that is not right."""
    with Session(bind=conn) as session:  # joins conn's transaction, never commits it
        _take_over(session, workspace)


def _take_over(session: Session, workspace: Workspace) -> None:
    for folder in _folders(workspace):
        check_period(folder.name, str(folder))
        samples = {}
        for path in _sample_files(folder):
            sample = _sample(workspace, folder, path)
            samples[sample.unit] = sample
            store.add_draw(session, sample)
        for path in sorted(folder.glob("*" + RESULTS_SUFFIX)):
            results = _results(workspace, path, samples)
            draw = store.current_draw(session, results.period, results.unit)
            assert draw is not None  # added above
            store.store_results(session, draw, results)
