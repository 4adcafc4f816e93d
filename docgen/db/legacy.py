"""Taking over the state an earlier docgen kept in files (ISSUE 10 item 2).

:func:`take_over` runs inside the first migration, in the same transaction that
makes the tables: either the whole workspace moves into the office database or
nothing does. The files themselves are left as they were (a backup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from docgen.db.legacy_index import is_old_index, take_over_index

if TYPE_CHECKING:
    from docgen.config import Workspace


def legacy_state(workspace: Workspace) -> list[str]:
    """What an earlier docgen left in files of this workspace (paths, for a message)."""
    found = []
    if is_old_index(workspace.index_path):
        found.append(str(workspace.index_path))
    return found


def take_over(conn: Connection, workspace: Workspace) -> None:
    """Move every piece of the workspace's file state into the database behind ``conn``."""
    if is_old_index(workspace.index_path):
        take_over_index(conn, workspace.index_path)
