"""The account registry and the query logs' facts as the office database holds them:
what every capability reads (ISSUE 10 item 1). Writing them is the services' job
(:mod:`docgen.services.accounts`, :mod:`docgen.services.queries`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.config import Workspace
from docgen.db import Database, open_database
from docgen.db.models.accounts import AccountReview, RegistryAccount
from docgen.db.models.queries import QueryCount, QueryLogFile
from docgen.errors import InputError
from docgen.i18n import _
from docgen.privacy import mask_ids_in_text
from docgen.records.accounts import ACCOUNT_HEADERS, Registry, find_registry
from docgen.records.models import Account, Role, Status
from docgen.records.tables import TABLE_SUFFIXES

FIELDS = tuple(ACCOUNT_HEADERS)
#: Where the platform's query-log exports are put (under ``data/``).
QUERIES_FOLDER = "queries"


@contextlib.contextmanager
def database_of(workspace: Workspace, db: Database | None) -> Iterator[Database]:
    """``db``, or the workspace's office database opened for this call."""
    if db is not None:
        yield db
        return
    with open_database(workspace) as opened:
        yield opened


def stored_account(row: RegistryAccount) -> Account:
    values = {name: getattr(row, name) for name in FIELDS}
    values["role"], values["status"] = Role(row.role), Status(row.status)
    return Account(**values)


def stored_accounts(session: Session) -> dict[str, RegistryAccount]:
    """The registry's rows, in the order of the file last imported."""
    query = select(RegistryAccount).order_by(RegistryAccount.position, RegistryAccount.account_id)
    return {row.account_id: row for row in session.scalars(query)}


def registry_file(workspace: Workspace) -> Path | None:
    """The registry file in ``data/`` (``accounts.csv`` …), if there is one."""
    try:
        return find_registry(workspace)
    except InputError:
        return None


def load_registry(workspace: Workspace, db: Database | None = None) -> Registry:
    """The office's current account registry, from the office database, in the order
    of the file last imported. An :class:`InputError` when it holds no account yet
    (saying which file to import, when ``data/`` has one)."""
    with database_of(workspace, db) as database, database.session() as session:
        accounts = [stored_account(row) for row in stored_accounts(session).values()]
    if not accounts:
        found = registry_file(workspace)
        hint = (
            _("import it with `docgen accounts import {file}`").format(file=found)
            if found
            else _(
                "import it with `docgen accounts import FILE` (see `docgen accounts --help` "
                "for its columns)"
            )
        )
        raise InputError(_("no account registry in the office database: {hint}").format(hint=hint))
    return Registry(None, accounts)


def account_review_dates(workspace: Workspace, db: Database | None = None) -> list[date]:
    """The dates of the recorded account reviews (R4.1a), oldest first."""
    with database_of(workspace, db) as database, database.session() as session:
        return list(session.scalars(select(AccountReview.as_of).order_by(AccountReview.as_of)))


def query_log_files(workspace: Workspace) -> list[Path]:
    """The query logs in ``data/queries/`` (tables; no hidden or Excel lock files)."""
    folder = workspace.data_dir / QUERIES_FOLDER
    if not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.iterdir())
        if path.suffix.lower() in TABLE_SUFFIXES
        and not path.name.startswith((".", "~$"))
        and path.is_file()
    ]


def untaken_logs(workspace: Workspace, session: Session) -> list[str]:
    """The names (IDs masked, R8) of the logs in ``data/queries/`` not taken in yet,
    judged by name and size only (no log is opened: a report must not read them, nor
    change anything)."""
    policy = workspace.config.masking.policy()
    query = select(QueryLogFile.name, QueryLogFile.size)
    known = {(name, size) for name, size in session.execute(query)}
    found = [
        (mask_ids_in_text(path.name, policy), path.stat().st_size)
        for path in query_log_files(workspace)
    ]
    return [name for name, size in found if (name, size) not in known]


def untaken_warning(names: Iterable[str]) -> str:
    """One line naming the logs a report did not count, and how to count them."""
    shown = ", ".join(names)
    return (
        _("query log(s) not taken in, not counted: {files}: run `docgen queries take-in`").format(
            files=shown
        )
        if shown
        else ""
    )


def month_units(session: Session, units: Mapping[str, str] | None = None) -> dict[str, set[str]]:
    """The units that had queries in each month (``YYYY-MM``), from the logs taken in;
    ``units`` (account → unit, the registry) names the unit of a query whose unit
    was not known at intake (R6.2: each unit's monthly check)."""
    units = units or {}
    rows = session.execute(select(QueryCount.month, QueryCount.unit, QueryCount.account).distinct())
    found: dict[str, set[str]] = {}
    for month, unit, account in rows:
        unit = unit or units.get(account, "")
        if unit:
            found.setdefault(month, set()).add(unit)
    return found
