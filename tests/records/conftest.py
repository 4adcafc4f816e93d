"""Shared fixtures of the records tests: a real example workspace, laid out once."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.config import open_workspace
from docgen.records.workspace import init_workspace
from docgen.services.accounts import init_registry


@pytest.fixture(scope="session")
def example_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An example office laid out by ``docgen init --example``, its registry imported
    into the office database (do not modify)."""
    root = tmp_path_factory.mktemp("records") / "office"
    init_workspace(root, example=True)
    init_registry(open_workspace(root, environ={}))
    return root
