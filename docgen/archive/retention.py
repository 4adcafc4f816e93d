"""The retention schedule (``retention/schedule.yaml``) read and validated, and each
archived record's retention computed from the index, the account registry and the
schedule (DESIGN.md, Retention; R4.2, R6.2–R6.4).

The schedule file is human-edited: every problem is reported with the file and the
line (PyYAML node marks). Retention is computed, never stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from sqlalchemy import ClauseElement, ColumnElement, select
from sqlalchemy.orm import Session

from docgen.archive.placement import NOT_CLASSIFIED
from docgen.calendar import parse_period
from docgen.config import Workspace
from docgen.db.models.archive import File, Hold, Record
from docgen.errors import ConfigError, InputError
from docgen.i18n import _
from docgen.records.models import Account
from docgen.records.models import Status as AccountStatus
from docgen.rules.retention import (
    CATEGORIES,
    REGULATION_MINIMUMS,
    RecordFacts,
    Retention,
    RetentionRule,
    Term,
    Trigger,
    parse_term,
    retention_of,
    rule_problems,
    undefined_rule,
)

SCHEDULE_NAME = "schedule.yaml"
_FIELDS = ("label_zh", "label_en", "trigger", "period", "rule")


@dataclass(frozen=True)
class Schedule:
    """The retention rule of every category, and the file it came from."""

    rules: dict[str, RetentionRule]
    source: str = ""

    def rule(self, category: str) -> RetentionRule:
        """The rule of ``category``; a category the schedule does not know falls
        under ``other``, and a category without a rule is undefined."""
        key = category if category in CATEGORIES else "other"
        return self.rules.get(key) or undefined_rule(key)


@dataclass
class _Problems:
    source: str
    lines: list[str] = field(default_factory=list)

    def add(self, node: yaml.Node, message: str) -> None:
        self.lines.append(
            _("{file}, line {line}: {problem}").format(
                file=self.source, line=node.start_mark.line + 1, problem=message
            )
        )

    def raise_if_any(self) -> None:
        if len(self.lines) == 1:
            raise ConfigError(self.lines[0])
        if self.lines:
            raise ConfigError(_("invalid retention schedule:"), self.lines)


def packaged_schedule_path() -> Path:
    """The schedule shipped inside docgen (the regulation's minimums)."""
    return Path(str(resources.files("docgen") / "data" / "retention" / SCHEDULE_NAME))


def schedule_path(workspace: Workspace) -> Path:
    """The workspace's schedule, else the packaged one (a workspace not made by init)."""
    path = workspace.retention_dir / SCHEDULE_NAME
    return path if path.exists() else packaged_schedule_path()


def load_workspace_schedule(workspace: Workspace) -> Schedule:
    """The validated schedule of ``workspace``."""
    return load_schedule(schedule_path(workspace))


def load_schedule(path: Path) -> Schedule:
    """Read and validate the schedule at ``path``; :class:`ConfigError` names the
    file and the line of every problem."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(
            _("{file}: cannot read the retention schedule ({error})").format(file=path, error=error)
        ) from error
    except UnicodeDecodeError as error:
        raise ConfigError(
            _("{file}: not UTF-8 text ({reason})").format(file=path, reason=error.reason)
        ) from error
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise ConfigError(
            _("{file}, line {line}: not valid YAML: {problem}").format(
                file=path, line=line, problem=error.problem
            )
        ) from error
    problems = _Problems(str(path))
    categories = _categories_node(root, problems)
    problems.raise_if_any()
    assert categories is not None
    rules = _read_rules(categories, problems)
    for missing in sorted(set(REGULATION_MINIMUMS) - set(rules)):
        problems.add(
            categories,
            _("category {category} is missing; the regulation requires it").format(
                category=missing
            ),
        )
    problems.raise_if_any()
    return Schedule(rules, str(path))


def _mapping_items(node: yaml.Node) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    return [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


def _categories_node(root: yaml.Node | None, problems: _Problems) -> yaml.MappingNode | None:
    if not isinstance(root, yaml.MappingNode):
        message = _("the schedule must be a mapping with a 'categories' key")
        if root is None:
            problems.lines.append(
                _("{file}, line 1: {problem} (the file is empty)").format(
                    file=problems.source, problem=message
                )
            )
        else:
            problems.add(root, message)
        return None
    found = None
    for key, value in _mapping_items(root):
        if key.value == "version":
            if value.value not in ("1", 1):
                problems.add(
                    value,
                    _("unsupported schedule version {version!r}: use 1").format(
                        version=value.value
                    ),
                )
        elif key.value == "categories":
            found = value
        else:
            problems.add(
                key,
                _("unknown key {key!r}: expected version, categories").format(key=key.value),
            )
    if found is None:
        problems.add(root, _("no 'categories' key"))
    elif not isinstance(found, yaml.MappingNode):
        problems.add(found, _("'categories' must map each category to its rule"))
        return None
    return found


def _read_rules(node: yaml.MappingNode, problems: _Problems) -> dict[str, RetentionRule]:
    rules: dict[str, RetentionRule] = {}
    for key, value in _mapping_items(node):
        if key.value in rules:
            problems.add(key, _("category {category} is listed twice").format(category=key.value))
            continue
        rule = _read_rule(key, value, problems)
        if rule is not None:
            rules[key.value] = rule
    return rules


def _read_rule(key: yaml.ScalarNode, node: yaml.Node, problems: _Problems) -> RetentionRule | None:
    name = key.value
    if name not in CATEGORIES:
        problems.add(
            key,
            _("unknown category {category!r}: use one of {categories}").format(
                category=name, categories=", ".join(CATEGORIES)
            ),
        )
        return None
    if not isinstance(node, yaml.MappingNode):
        problems.add(
            node,
            _("{category}: expected the keys {keys}").format(
                category=name, keys=", ".join(_FIELDS)
            ),
        )
        return None
    nodes = _field_nodes(name, node, problems)
    before = len(problems.lines)
    trigger = _trigger(name, nodes, problems)
    term = _term(name, nodes, problems)
    if len(problems.lines) > before or trigger is None:
        return None
    rule = RetentionRule(
        name,
        trigger,
        term,
        rule_id=_text(nodes.get("rule")),
        label_zh=_text(nodes.get("label_zh")),
        label_en=_text(nodes.get("label_en")),
    )
    for where, message in rule_problems(rule):
        problems.add(
            nodes.get(where, key),
            _("{category}: {key}: {problem}").format(category=name, key=where, problem=message),
        )
    return rule


def _field_nodes(name: str, node: yaml.MappingNode, problems: _Problems) -> dict[str, yaml.Node]:
    found: dict[str, yaml.Node] = {}
    for key, value in _mapping_items(node):
        if key.value not in _FIELDS:
            problems.add(
                key,
                _("{category}: unknown key {key!r}: expected {keys}").format(
                    category=name, key=key.value, keys=", ".join(_FIELDS)
                ),
            )
        elif not isinstance(value, yaml.ScalarNode):
            problems.add(
                value,
                _("{category}: {key} must be a single value").format(category=name, key=key.value),
            )
        else:
            found[key.value] = value
    for required in ("trigger", "period"):
        if required not in found:
            problems.add(node, _("{category}: no {key}").format(category=name, key=required))
    return found


def _text(node: yaml.Node | None) -> str:
    if node is None or node.value is None:
        return ""
    return str(node.value).strip()


def _trigger(name: str, nodes: dict[str, yaml.Node], problems: _Problems) -> Trigger | None:
    node = nodes.get("trigger")
    if node is None:
        return None
    try:
        return Trigger(_text(node))
    except ValueError:
        known = ", ".join(t.value for t in Trigger)
        problems.add(
            node,
            _("{category}: trigger {trigger!r} is not one of {known}").format(
                category=name, trigger=_text(node), known=known
            ),
        )
        return None


def _term(name: str, nodes: dict[str, yaml.Node], problems: _Problems) -> Term | None:
    node = nodes.get("period")
    if node is None:
        return None
    try:
        return parse_term(_text(node))
    except ValueError as error:
        problems.add(node, _("{category}: {problem}").format(category=name, problem=error))
        return None


# --- each record's retention, from the index ---------------------------------------


class RecordRetention(NamedTuple):
    """One indexed record with its retention as of a date; ``hold_reason`` is None
    unless the record is on an unreleased hold. (A named tuple: 100,000 of them are
    made in a report, and a frozen dataclass is several times slower to build.)"""

    record_id: str
    category: str
    period: str
    unit: str
    subject: str
    title: str
    path: str
    document_date: date | None
    rule: RetentionRule
    retention: Retention
    hold_reason: str | None
    unclassified: bool = False


def load_accounts(workspace: Workspace) -> dict[str, Account] | None:
    """The registry's accounts by account ID (the office database's), or None when the
    office database holds no registry yet."""
    from docgen.records.stored import load_registry

    try:
        registry = load_registry(workspace)
    except InputError:
        return None
    return {account.account_id: account for account in registry.accounts}


def record_retentions(
    session: Session,
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
    extra_holds: Mapping[str, str] | None = None,
    only: ColumnElement[bool] | None = None,
) -> list[RecordRetention]:
    """The retention of every record not disposed (with ``only``, of those it selects),
    as of ``as_of``. ``extra_holds`` (record ID → reason) adds holds the index may
    lack: those of the hold files (ISSUE 9 item 1).

    Three SELECTs (records with their dates as stored text, document paths, holds),
    never one per record; the date maths runs once per distinct combination
    of category, period, dates and account, not once per record, so 100,000
    records take well under 2 s."""
    holds: dict[str, str] = {**(extra_holds or {}), **dict(fetch_raw(session, _HOLDS))}
    records, documents = _RECORDS, _DOCUMENTS
    if only is not None:
        records = records.where(only)
        documents = documents.where(File.record_id.in_(select(Record.record_id).where(only)))
    paths = _first_documents(fetch_raw(session, documents))
    memo: dict[tuple[str, ...], tuple[RetentionRule, date | None, Retention]] = {}
    result = []
    for row in fetch_raw(session, records):
        record_id, category, period, unit, subject, title, trigger, review, filed, status = row
        id_date = "" if trigger or period else record_id_date(record_id)
        trigger, review, filed = _stored(trigger), _stored(review), _stored(filed)
        key = (category, period, trigger, review, subject, id_date, filed[:10])
        if key not in memo:
            memo[key] = compute_retention(key, schedule, accounts, as_of)
        rule, document_date, retention = memo[key]
        result.append(
            RecordRetention(
                record_id,
                category,
                period,
                unit,
                subject,
                title,
                paths.get(record_id, ""),
                document_date,
                rule,
                retention,
                holds.get(record_id),
                status in NOT_CLASSIFIED,
            )
        )
    return result


#: Unreleased holds: record ID → reason.
_HOLDS = select(Hold.record_id, Hold.reason).where(Hold.released_at.is_(None))
#: Document files (not duplicates or sidecars): record ID, path.
_DOCUMENTS = select(File.record_id, File.path).where(
    File.kind == "document", File.status != "duplicate"
)
#: The records not disposed (dates come as stored text, parsed once per distinct value).
_RECORDS = select(
    Record.record_id,
    Record.category,
    Record.period,
    Record.unit,
    Record.subject,
    Record.title,
    Record.trigger,
    Record.review_date,
    Record.first_filed_at,
    Record.status,
).where(Record.status != "disposed")


def fetch_raw(session: Session, statement: ClauseElement) -> list[Any]:
    """The rows of ``statement`` straight from the DB-API cursor, in the session's
    transaction: values as SQLite stores them, without SQLAlchemy's per-row work
    (a third of the time over 100,000 rows)."""
    connection = session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        return list(cursor.execute(sql).fetchall())
    finally:
        cursor.close()


#: Rows a scan takes from the database at a time.
SCAN_BATCH = 10_000


def scan_raw(session: Session, statement: ClauseElement) -> Iterator[tuple[Any, ...]]:
    """The rows of ``statement`` as :func:`fetch_raw` gives them, streamed: a million
    rows are never all in memory at once (on PostgreSQL through a server-side
    cursor, which the driver would otherwise read to its end first)."""
    connection = session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor(name="docgen_scan")
    else:
        cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(SCAN_BATCH):
            yield from rows
    finally:
        cursor.close()


def _stored(value: str | date | None) -> str:
    """A date or time as SQLite stores it (text); PostgreSQL's driver gives objects."""
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _first_documents(rows: list[tuple[str, str]]) -> dict[str, str]:
    """Each record's first document file (by path): what the report points to."""
    first = dict(rows)
    if len(first) == len(rows):  # one document per record, the usual case
        return first
    return dict(sorted(rows, reverse=True))  # the last, i.e. smallest, path wins


def record_id_date(record_id: str) -> str:
    """The date in a record ID of a form not tied to a period (``DG-2-20260315-…``)."""
    parts = record_id.split("-")
    return parts[2] if len(parts) == 4 and len(parts[2]) == 8 else ""


def compute_retention(
    key: tuple[str, ...],
    schedule: Schedule,
    accounts: Mapping[str, Account] | None,
    as_of: date,
) -> tuple[RetentionRule, date | None, Retention]:
    category, period, trigger, review, subject, id_date, filed = key
    rule = schedule.rule(category)
    review_date = _date(review)
    document_date = _date(trigger) or _date(id_date) or review_date or period_end(period)
    document_date = document_date or _date(filed)
    account = accounts.get(subject) if accounts is not None and subject else None
    facts = RecordFacts(
        review_date=review_date,
        period_end=period_end(period),
        document_date=document_date,
        account_known=account is not None,
        account_cancelled=account is not None and account.status is AccountStatus.CANCELLED,
        cancelled_on=account.cancelled_on if account is not None else None,
    )
    return rule, document_date, retention_of(rule, facts, as_of)


def _date(text: str) -> date | None:
    """A date stored as text (``2026-10-31``, ``20261031`` or a datetime), else None."""
    if not text:
        return None
    with contextlib.suppress(ValueError):
        if len(text) == 8 and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date.fromisoformat(text[:10])
    return None


@lru_cache(maxsize=4096)
def period_end(text: str) -> date | None:
    """The last day of a record's period (``2026-10``, ``2026-H1``), None if it has none."""
    if not text:
        return None
    try:
        return parse_period(text).end
    except InputError:
        return None
