"""Fixtures of the ODF tests (helpers: :mod:`tests.odf.odf_support`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.records.workspace import init_workspace


@pytest.fixture(scope="session")
def example_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``docgen init DIR --example`` (do not modify)."""
    root = tmp_path_factory.mktemp("odf") / "office"
    init_workspace(root, example=True)
    return root
