"""What an earlier docgen left in files, which only ``docgen db upgrade`` takes over
(:mod:`docgen.services.takeover`) — a workspace with any of it and no office database
yet is refused by :func:`docgen.db.migrate.open_database` with that command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docgen.db.legacy_index import is_old_index

if TYPE_CHECKING:
    from docgen.config import Workspace


def legacy_state(workspace: Workspace) -> list[str]:
    """The files of an earlier docgen's state in this workspace (for a message): its
    archive index and its drawn samples. A registry file or query logs alone are
    input, not state: a new database starts empty and says how to import them."""
    from docgen.audit.legacy import legacy_audit

    found = []
    if is_old_index(workspace.index_path):
        found.append(str(workspace.index_path))
    found += legacy_audit(workspace)
    return found
