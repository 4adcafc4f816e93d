"""A half-year sample covers every month of the half (R6.3): a month without queries
is named and refused unless --partial, which warns and journals the months."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from docgen.audit.samples import list_samples
from docgen.cli.main import main
from docgen.config import Workspace
from docgen.errors import ExitCode
from docgen.journal import Journal

H2 = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
WITHOUT_OCTOBER = "2026-07, 2026-08, 2026-09, 2026-11, 2026-12"


@dataclass
class Outcome:
    exit_code: int
    output: str
    stderr: str


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """``docgen -w OFFICE audit sample …`` as a user runs it (errors: ``Error: …``)."""

    def run(office: Workspace, *args: str) -> Outcome:
        code = 0
        try:
            main(["-w", str(office.root), "audit", "sample", *args])
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out + captured.err, captured.err)

    return run


def nothing_drawn(office: Workspace) -> bool:
    return list_samples(office, "2026-H2") == []


def test_a_half_with_months_without_a_log_is_refused(
    office: Workspace, invoke: Callable[..., Outcome]
) -> None:
    result = invoke(office, "--half", "2026-H2")  # the office has only 2026-10.csv
    assert result.exit_code == ExitCode.INPUT
    assert f"Error: no query log for {WITHOUT_OCTOBER} in " in result.output
    assert "--partial" in result.output
    assert nothing_drawn(office)


def test_partial_warns_and_journals_the_missing_months(
    office: Workspace, invoke: Callable[..., Outcome]
) -> None:
    result = invoke(office, "--half", "2026-H2", "--partial")
    assert result.exit_code == 0, result.output
    assert f"Warning: no queries in {WITHOUT_OCTOBER}" in result.stderr
    entry = Journal(office.journal_path, office.root).entries()[-1]
    assert entry["command"] == "audit sample"
    assert entry["details"]["missing_months"] == WITHOUT_OCTOBER.split(", ")
    assert not nothing_drawn(office)


def test_explicit_logs_are_checked_by_the_queries_timestamps(
    office: Workspace, tmp_path: Path, invoke: Callable[..., Outcome]
) -> None:
    october = office.data_dir / "queries" / "2026-10.csv"
    refused = invoke(office, "--half", "2026-H2", "--queries", str(october))
    assert refused.exit_code == ExitCode.INPUT
    assert f"Error: the query logs have no query in {WITHOUT_OCTOBER}" in refused.output
    assert nothing_drawn(office)
    whole = tmp_path / "下半年.csv"  # one file, named after no month, with every month
    _spread_over_the_half(october, whole)
    result = invoke(office, "--half", "2026-H2", "--queries", str(whole))
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    entry = Journal(office.journal_path, office.root).entries()[-1]
    assert "missing_months" not in entry["details"]


def test_partial_is_for_a_half(office: Workspace, invoke: Callable[..., Outcome]) -> None:
    result = invoke(office, "--month", "2026-10", "--partial")
    assert result.exit_code == ExitCode.USAGE
    assert "--partial is for a half-year sample" in result.output


def _spread_over_the_half(source: Path, target: Path) -> None:
    """``source``'s queries, the n-th moved to the (n mod 6)-th month of 2026-H2
    (the 31st to the 30th)."""
    with open(source, encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    for number, row in enumerate(rows):
        row[0] = H2[number % len(H2)] + row[0][7:].replace("-31 ", "-30 ")
    with open(target, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
