"""Taking over the state an earlier docgen kept in files (ISSUE 10 item 2).

``docgen db upgrade`` runs :func:`take_over` inside the first migration, in the same
transaction that makes the tables: either the whole workspace moves into the office
database or nothing does. The files themselves are left as they were (a backup).
"""

from __future__ import annotations

from sqlalchemy import Connection

from docgen.audit.legacy import take_over_audit
from docgen.config import Workspace
from docgen.db.legacy_index import is_old_index, take_over_index
from docgen.services.accounts import take_over_accounts
from docgen.services.queries import take_over_queries


def take_over(conn: Connection, workspace: Workspace) -> None:
    """Move the archive index, the registry and its review dates, the query logs'
    facts, and the drawn samples with their results into the database behind ``conn``."""
    if is_old_index(workspace.index_path):
        take_over_index(conn, workspace.index_path)
    take_over_accounts(conn, workspace)
    take_over_queries(conn, workspace)
    take_over_audit(conn, workspace)
