"""Drawn samples and their results, as docgen handles them (R6.2, R6.3, R6.5).

Stored in the office database (:mod:`docgen.db.models.audit`, read and written by
:mod:`docgen.audit.store`); :func:`load_sample`, :func:`list_samples`,
:func:`load_results` and :func:`draw_history` read it. A sample drawn by an earlier
docgen is a JSON file ``<state>/samples/<period>/<unit>.json`` (results beside it,
``<unit>.results.json``), taken over by ``docgen db upgrade``
(:mod:`docgen.audit.legacy`); ``<state>`` is the workspace's ``.docgen``,
``<period>`` ``2026-10`` or ``2026-H1``, ``<unit>`` the unit's name or ``全處`` for a
half-year sample over the whole office. Names and IDs in them are masked.

Sample (:class:`Sample`; ``format: "docgen-sample/1"`` in a file): ``period``, ``kind``
(``month``/``half``), ``unit``, ``drawn_at``, ``sources`` [{``path``, ``sha256``}],
``population``, ``population_sha256``, ``outside_period`` (queries in the files but
not in the period, not sampled), ``seed``, ``seed_given`` (true when ``--seed`` was
used), ``algorithm``, ``algorithm_text``, ``sample_size``, ``rule``, ``rule_en``,
``cases`` [{``no``, ``ordinal``, ``key``, ``source``, ``row``, ``queried_at``,
``account``, ``user_name``, ``subject_id``, ``subject_name``, ``item``,
``justification``}], ``anomalies`` [the same fields without ``no``/``ordinal``/``key``,
plus ``findings`` (list of text) and ``anomaly`` (true for R5.1, false for a hint)],
``documents`` {``form``, ``form_pdf``, ``record_id``, ``sheet``, ``anomalies_xlsx``,
``anomalies_csv``} (paths relative to the workspace), ``sheet_check`` (how the
supervisor's sheet is sealed: :data:`SHEET_CHECK`, keyed check codes; absent in a
sample drawn before sheets were keyed). From the database also: ``number`` (the draw
of its period and unit: 1, 2, …), ``reason`` (why it was drawn again), ``drawn_by``,
and for a draw superseded since, ``superseded_at``; ``replaces`` and
``superseded_by`` follow from ``number``.

Results (``format: "docgen-results/1"``): ``period``, ``unit``, ``read_at``,
``sheet`` {``path``, ``sha256``}, ``cases`` [{``no``, ``key``, ``consistent``
(是/否), ``remark``, ``evidence``}], ``documents`` {``form``, ``form_pdf``,
``record_id``, ``referrals_xlsx``, ``referrals_csv``}, ``referred`` (number of
cases and anomalies on the referral list); from the database also ``read_by``.

Untrusted names (a query log's 查詢人員單位, the registry's 單位, a sheet's ``docgen``
sheet): a unit is one of :func:`audit_units` — the workspace's ``[[units]]``,
:data:`WHOLE_OFFICE`, :data:`UNKNOWN_UNIT` — and a period matches
:data:`PERIOD_GRAMMAR` (:func:`unit_refusal`, :func:`check_period`). Behind that, every
file name made from a unit or a period goes through :func:`safe_name`
(:func:`docgen.archive.paths.safe_file_name`) and every such path through
:func:`docgen.archive.paths.contained` (:func:`audit_file`) before it is read or
written.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from docgen.archive.paths import contained, safe_file_name
from docgen.config import Workspace
from docgen.errors import InputError, IntegrityError
from docgen.i18n import _

if TYPE_CHECKING:
    from docgen.db import Database

SAMPLE_FORMAT = "docgen-sample/1"
RESULTS_FORMAT = "docgen-results/1"
RESULTS_SUFFIX = ".results.json"
#: The unit of a half-year sample over the whole office (R6.3).
WHOLE_OFFICE = "全處"
#: The unit of queries by an account the registry does not know (and no unit logged).
UNKNOWN_UNIT = "未知單位"
#: A period as docgen names it: ``2026-10`` or ``2026-H1``/``2026-H2``.
PERIOD_GRAMMAR = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2]|H[12])")
#: How the sheets of a sample drawn now are sealed (stored in the sample).
SHEET_CHECK = "hmac-sha256/1"
#: Characters of an untrusted value shown in a message.
_SHOWN = 60
M = TypeVar("M", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    path: str
    sha256: str


class ListedQuery(_Model):
    """A query as it appears on the sample sheet and lists (masked)."""

    source: str
    row: int
    queried_at: datetime
    account: str
    user_name: str = ""
    subject_id: str
    subject_name: str = ""
    item: str = ""
    justification: str = ""


class SampleCase(ListedQuery):
    no: int
    ordinal: int
    key: str


class Anomaly(ListedQuery):
    findings: list[str]
    anomaly: bool


class Sample(_Model):
    format: str = SAMPLE_FORMAT
    period: str
    kind: str
    unit: str
    drawn_at: datetime
    sources: list[Source]
    population: int
    population_sha256: str
    outside_period: int = 0
    seed: str
    seed_given: bool = False
    algorithm: str
    algorithm_text: str
    sample_size: int
    rule: str
    rule_en: str
    cases: list[SampleCase]
    anomalies: list[Anomaly] = Field(default_factory=list)
    documents: dict[str, str] = Field(default_factory=dict)
    sheet_check: str = ""
    number: int = 1
    reason: str = ""
    drawn_by: str = ""
    superseded_at: datetime | None = None

    @property
    def replaces(self) -> int:
        """The number of the draw this one superseded (0 for a first draw): a draw
        only ever supersedes the current one, its predecessor."""
        return self.number - 1

    @property
    def superseded_by(self) -> int:
        """The number of the draw that superseded this one (0 while it is current)."""
        return self.number + 1 if self.superseded_at is not None else 0

    @property
    def draw_label(self) -> str:
        """Which draw this is, for a form: ``第2次抽樣（取代第1次：<reason>）``."""
        if not self.replaces:
            return f"第{self.number}次抽樣"
        return f"第{self.number}次抽樣（取代第{self.replaces}次：{self.reason}）"


class CaseResult(_Model):
    no: int
    key: str
    consistent: str
    remark: str = ""
    evidence: str = ""


class Results(_Model):
    format: str = RESULTS_FORMAT
    period: str
    unit: str
    read_at: datetime
    sheet: Source
    cases: list[CaseResult]
    documents: dict[str, str] = Field(default_factory=dict)
    referred: int = 0
    read_by: str = ""


#: Bytes of the case-key secret (an HMAC-SHA256 key of the hash's own size).
CASE_KEY_BYTES = 32


def _create_case_key(path: Path) -> None:
    """Write a new secret whole or not at all (ISSUE 9 item 11): into a temporary file,
    synced, then linked to its name — which fails if another process made one first,
    and never leaves a short key under the name (a full disk fails the write)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".case-key.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(CASE_KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(name, path)
    finally:
        os.unlink(name)


def case_key_secret(workspace: Workspace) -> bytes:
    """The workspace's secret for case keys (``<state>/case-key``, made on first use,
    readable by its owner only). Case keys are keyed hashes of the full query lines so
    that nobody can recover a masked ID or name by hashing guesses (R8). A key that is
    not :data:`CASE_KEY_BYTES` long is refused: an empty one would key nothing."""
    path = workspace.state_dir / "case-key"
    try:
        if not path.exists():
            _create_case_key(path)
        secret = path.read_bytes()
    except OSError as error:
        raise InputError(
            _("{file}: cannot make or read the case key ({reason})").format(
                file=path, reason=error.strerror
            )
        ) from error
    if len(secret) != CASE_KEY_BYTES:
        raise IntegrityError(
            _(
                "{file}: the case key is {size} bytes, not {expected} (damaged, perhaps by a "
                "full disk): restore it from the workspace's backup; if no sample was ever "
                "drawn with it, delete it and docgen makes a new one"
            ).format(file=path, size=len(secret), expected=CASE_KEY_BYTES)
        )
    return secret


def shown_value(text: str) -> str:
    """An untrusted value quoted for a message, at most :data:`_SHOWN` characters."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def audit_units(workspace: Workspace) -> frozenset[str]:
    """The units a sample may be of: the configured ones, 全處 and 未知單位."""
    return frozenset({*(u.name for u in workspace.config.units), WHOLE_OFFICE, UNKNOWN_UNIT})


def unit_refusal(workspace: Workspace, unit: str, remedy: str | None = None) -> str:
    """Why ``unit`` is not a unit a sample may be of ("" when it is one), ending in
    ``remedy`` (translated; default: correct the row, or add the unit there)."""
    if unit in audit_units(workspace):
        return ""
    configured = "、".join(u.name for u in workspace.config.units)
    units = (
        _("one of {units}").format(units=configured)
        if configured
        else _("a unit, but docgen.toml lists none")
    )
    return _(
        "unit {unit} is not a unit of this workspace: it must be {units} "
        "(docgen.toml [[units]]); {remedy}"
    ).format(
        unit=shown_value(unit),
        units=units,
        remedy=remedy or _("correct the row, or add the unit there"),
    )


def check_period(period: str, where: str) -> str:
    """``period`` if it matches :data:`PERIOD_GRAMMAR`; else :class:`InputError` at ``where``."""
    if not PERIOD_GRAMMAR.fullmatch(period):
        raise InputError(
            _("{where}: period {period} is not a period (YYYY-MM or YYYY-H1/H2)").format(
                where=where, period=shown_value(period)
            )
        )
    return period


def safe_name(*parts: str, suffix: str = "") -> str:
    """The file name ``<part>_<part>…<suffix>`` made safe: every name docgen makes from a
    unit or a period goes through here (:func:`~docgen.archive.paths.safe_file_name`:
    no separator, no ``..``, no control character, not too long)."""
    stem, _suffix = safe_file_name("_".join(parts) + ".x")  # (".x": no part taken for a suffix)
    return stem + suffix


def audit_file(folder: Path, *parts: str, suffix: str = "") -> Path:
    """``folder / safe_name(parts, suffix)``, held inside ``folder`` (:func:`held`)."""
    return held(folder, safe_name(*parts, suffix=suffix))


def held(folder: Path, name: str) -> Path:
    """``folder / name``, refused (:func:`contained`) unless it resolves inside
    ``folder``. ``folder`` itself is the user's (``-o``) or the workspace's choice and
    may be a link (to a share): the name is held inside where it leads, and a name
    that is itself a link leading out is refused."""
    base = folder.resolve()
    contained(base, base / name)
    return folder / name


def samples_dir(workspace: Workspace, period: str | None = None) -> Path:
    """``.docgen/samples`` or one period's folder in it."""
    base = workspace.state_dir / "samples"
    if period is None:
        return base
    return audit_file(base, check_period(period, _("sample folder")))


def sample_path(workspace: Workspace, period: str, unit: str) -> Path:
    return audit_file(samples_dir(workspace, period), unit, suffix=".json")


def results_path(workspace: Workspace, period: str, unit: str) -> Path:
    return audit_file(samples_dir(workspace, period), unit, suffix=RESULTS_SUFFIX)


def load_sample(workspace: Workspace, period: str, unit: str, db: Database | None = None) -> Sample:
    """The current draw of ``unit`` for ``period``; :class:`InputError` if none."""
    from docgen.audit import store

    with store.reading(workspace, db) as session:
        found = store.current_sample(session, period, unit)
    if found is None:
        raise InputError(
            _("no sample drawn for {unit} in {period}: run `docgen audit sample` first").format(
                unit=unit, period=period
            )
        )
    return found


def load_results(
    workspace: Workspace, period: str, unit: str, db: Database | None = None
) -> Results | None:
    """The results of the current draw of ``unit`` for ``period``, or None if not read
    back yet."""
    from docgen.audit import store

    with store.reading(workspace, db) as session:
        return store.current_results(session, period, unit)


def list_samples(
    workspace: Workspace, period: str | None = None, db: Database | None = None
) -> list[Sample]:
    """Every current draw (of one period, or all), by period then unit."""
    from docgen.audit import store

    if period is not None:
        check_period(period, _("samples"))
    with store.reading(workspace, db) as session:
        return store.current_samples(session, period)


def draw_history(
    workspace: Workspace, period: str, unit: str, db: Database | None = None
) -> list[Sample]:
    """Every draw of ``unit`` for ``period``, the superseded ones too, first draw first."""
    from docgen.audit import store

    with store.reading(workspace, db) as session:
        return store.all_draws(session, period, unit)


def read_file(path: Path, model: type[M]) -> M:
    """A sample or results file of an earlier docgen, validated (it is untrusted)."""
    try:
        return model.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as error:
        raise InputError(
            _("{file}: not a readable docgen sample file ({error})").format(file=path, error=error)
        ) from error
