"""Running ``docgen`` in the audit tests as a user does, through the real entry point."""

from __future__ import annotations

import pytest

from docgen.cli.main import main
from docgen.config import Workspace


def docgen(ws: Workspace, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``docgen -w WS ARGS`` through the real entry point: (exit code, its output). An
    exception docgen does not turn into an error line fails the test."""
    try:
        main(["-w", str(ws.root), *args])
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out + captured.err
