"""The account registry in the office database (ISSUE 10 item 4)."""

from __future__ import annotations

from docgen.config import Workspace
from docgen.db import Database
from docgen.records.accounts import Registry, find_registry, read_registry


def load_registry(workspace: Workspace, db: Database | None = None) -> Registry:
    """The office's current account registry."""
    # placeholder until the registry lives in the database: reads the file
    return read_registry(find_registry(workspace))
