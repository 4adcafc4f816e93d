"""What the tests of the archive's trail share (holds, disposals, rebuild): the
approval a disposal is given, running ``docgen archive …`` as a user does, and the
ways an index or a report is looked at."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from docgen.archive.reports import build_report
from docgen.cli.main import main
from tests.archive.dbrows import delete_archive_rows

AS_OF = date(2026, 11, 30)
REFERENCE = "北市市企字第1153025174號"
APPROVED = ("--approval", REFERENCE, "--approved-by", "處長乙", "--approved-on", "115/11/20")


@dataclass
class Outcome:
    exit_code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def archive_runner(office: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """``docgen -w OFFICE archive …`` through :func:`docgen.cli.main.main`."""

    def invoke(*args: str) -> Outcome:
        code = 0
        try:
            main(["-w", str(office.workspace.root), "archive", *args])
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return Outcome(code, captured.out, captured.err)

    return invoke


def lose_the_index(office: Any) -> None:
    """The archive's rows gone from the office database; the files and journal kept."""
    delete_archive_rows(office.workspace)


def sections(office: Any) -> dict[str, str]:
    report = build_report(office.workspace, "retention", AS_OF, list_all=True)
    return {row["record_id"]: row["section"] for row in report.rows}


def records_dir(office: Any) -> Path:
    return office.workspace.archive_root / "records"
