"""The example office (`docgen init --example`, reviewed as of EXAMPLE_AS_OF): the account
review's every category with the known answers, the roster, and the half-year record."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.audit.accounts import CATEGORY_LABELS
from docgen.audit.samples import list_samples, load_sample
from docgen.cli.main import cli
from docgen.config import open_workspace
from docgen.example_office import EXAMPLE_AS_OF, EXAMPLE_FACTS, EXAMPLE_QUERY_FACTS
from docgen.journal import Journal
from docgen.privacy import find_unmasked_ids
from docgen.rules.account_review import Category


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example") / "office"
    result = CliRunner().invoke(cli, ["init", str(root), "--example"])
    assert result.exit_code == 0, result.output
    return root


def docgen(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["-w", str(root), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_account_review_finds_the_known_answers(example: Path) -> None:
    output = docgen(example, "accounts", "review", "--as-of", "115/11/30", "--format", "json")
    report = json.loads(output)
    found: dict[str, list[str]] = {}
    category = {label: c for c, label in CATEGORY_LABELS.items()}
    for row in report["rows"]:
        found.setdefault(category[row["category"]], []).append(row["account"])
    facts = EXAMPLE_FACTS
    assert found[Category.DORMANT] == sorted(facts["never_used"] + facts["unused_over_6_months"])
    assert found[Category.LONG_SUSPENDED] == facts["suspended_over_a_year"]
    assert found[Category.LATE_CANCELLATION] == sorted(facts["leaving_requested_late"])
    assert found[Category.MISSING_PAPERS] == sorted(
        facts["missing_pledge"] + facts["missing_application"]
    )
    assert found[Category.DUAL_ROLE] == [facts["auditor_also_user"]["auditor"]]
    assert find_unmasked_ids(output) == []
    journal = Journal(example / ".docgen" / "journal.jsonl")
    assert journal.entries()[-1]["command"] != "accounts review"  # looking records nothing
    docgen(example, "accounts", "review", "--as-of", "115/11/30", "--record")
    entry = journal.entries()[-1]
    assert entry["command"] == "accounts review"
    assert entry["details"]["as_of"] == EXAMPLE_AS_OF.isoformat()
    # the counts are recorded under the same (Chinese) keys in every language
    assert entry["details"]["counts"]["帳號數"] == 25
    assert entry["details"]["counts"][Category.DUAL_ROLE.value] == 1


def test_roster_lists_every_account_masked(example: Path, tmp_path: Path) -> None:
    target = tmp_path / "roster.xlsx"
    docgen(example, "accounts", "roster", "-o", str(target))
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Account", "Name", "National ID")
    assert len(rows) == 1 + 25
    text = "\n".join(" ".join(str(c) for c in r) for r in rows)
    assert find_unmasked_ids(text) == [] and "****" in text
    csv_target = tmp_path / "roster.csv"
    docgen(example, "accounts", "roster", "--format", "csv", "-o", str(csv_target))
    assert csv_target.read_bytes().startswith("\ufeff".encode())


def test_monthly_sample_and_half_year_record(example: Path) -> None:
    docgen(example, "audit", "sample", "--month", "2026-10")
    workspace = open_workspace(example)
    samples = list_samples(workspace, "2026-10")
    assert sum(s.population for s in samples) == EXAMPLE_QUERY_FACTS["queries"]["2026-10"]
    anomalies = [a for s in samples for a in s.anomalies if a.anomaly]
    assert len(anomalies) == EXAMPLE_QUERY_FACTS["without_justification"]["2026-10"]
    logs = [str(example / f) for f in EXAMPLE_QUERY_FACTS["files"].values()]
    output = docgen(
        example, "audit", "sample", "--half", "2026-H2", "--partial", "--queries", *logs
    )
    assert "no queries in 2026-07, 2026-11, 2026-12" in output  # the example has Aug–Oct
    half = load_sample(workspace, "2026-H2", "全處")
    assert half.population == sum(EXAMPLE_QUERY_FACTS["queries"].values())
    assert half.sample_size == 40  # R6.3: 5% × 793 = 39.65 → 40
    docgen(example, "accounts", "review", "--as-of", "2026-11-30")
    output = docgen(
        example, "audit", "record", "--half", "2026-H2", "--as-of", "2026-11-30", "--pdf"
    )
    assert "115/11/30" in output and "adm04" in output
    (form,) = (example / "out" / "audit" / "2026-H2").glob("附件5*.docx")
    with zipfile.ZipFile(form) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "115年10月" in body and "結果未回收" in body
    assert find_unmasked_ids(body) == []
    (pdf,) = (example / "out" / "audit" / "2026-H2").glob("附件5*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    entry = Journal(example / ".docgen" / "journal.jsonl").entries()[-1]
    assert entry["command"] == "audit record" and len(entry["outputs"]) == 2
