"""Sample sizes at and around every boundary of R6.2 and R6.3 (RULES.md Decisions:
rounded up, then minimum and maximum, never more than the population)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli.main import cli
from docgen.errors import UsageError
from docgen.rules.sampling import half_year_sample_size, monthly_sample_size

MONTHLY = {
    0: 0,
    1: 1,
    2: 2,
    3: 3,
    4: 4,
    5: 5,
    6: 6,
    7: 6,
    19: 6,
    20: 6,
    21: 6,
    100: 6,
    101: 7,
    333: 20,
    334: 21,
    500: 30,
    501: 31,
    1333: 80,
    1334: 80,
    1999: 80,
    2000: 80,
    2001: 80,
    3750: 80,
    10**7: 80,
}
HALF = {
    0: 0,
    1: 1,
    7: 7,
    19: 19,
    20: 20,
    21: 20,
    100: 20,
    333: 20,
    334: 21,
    500: 30,
    501: 30,
    600: 30,
    620: 31,
    1999: 80,
    2000: 80,
    2001: 81,
    3750: 150,
    3751: 150,
    10**7: 150,
}


@pytest.mark.parametrize(("population", "size"), sorted(MONTHLY.items()))
def test_monthly_size(population: int, size: int) -> None:
    result = monthly_sample_size(population)
    assert (result.population, result.sample_size) == (population, size)
    assert result.rule.startswith("R6.2") and result.rule_en.startswith("R6.2")


@pytest.mark.parametrize(("population", "size"), sorted(HALF.items()))
def test_half_year_size(population: int, size: int) -> None:
    result = half_year_sample_size(population)
    assert (result.population, result.sample_size) == (population, size)
    assert result.rule.startswith("R6.3")


def test_never_more_than_the_population() -> None:
    for n in range(0, 2200):
        assert monthly_sample_size(n).sample_size <= n
        assert half_year_sample_size(n).sample_size <= n


def test_rule_text_names_the_tier_and_the_arithmetic() -> None:
    assert half_year_sample_size(1000).rule_en == (
        "R6.3 501–2,000: 5% × 1,000 = 50 → 50 (rounded up) → sample 50"
    )
    assert "至少 30 件" in half_year_sample_size(501).rule
    assert "至多 150 件" in half_year_sample_size(3751).rule
    assert "無須抽查" in monthly_sample_size(0).rule


def test_half_up_rounding_is_a_setting() -> None:
    # 4% × 2,012 = 80.48: rounded up 81, half up 80.
    assert half_year_sample_size(2012).sample_size == 81
    assert half_year_sample_size(2012, "half_up").sample_size == 80
    assert monthly_sample_size(1341, "half_up").sample_size == 80
    with pytest.raises(ValueError):
        monthly_sample_size(-1)


def _office(tmp_path: Path, rounding: str = "ceil") -> str:
    """A workspace: the sample size follows its rounding (RULES.md, Decisions)."""
    (tmp_path / "docgen.toml").write_text(f'[sampling]\nrounding = "{rounding}"\n', "utf-8")
    return str(tmp_path)


def test_cli_size_json_is_exactly_four_keys(tmp_path: Path) -> None:
    ws = _office(tmp_path)
    result = CliRunner().invoke(
        cli, ["-w", ws, "audit", "size", "--half", "2026-H1", "--count", "1000", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) == {"period", "population", "sample_size", "rule"}
    assert payload["period"] == "2026-H1"
    assert (payload["population"], payload["sample_size"]) == (1000, 50)
    assert "5% × 1,000 = 50" in payload["rule"]


def test_cli_size_table_and_bad_use(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = _office(tmp_path)
    result = runner.invoke(cli, ["-w", ws, "audit", "size", "--month", "2026-10", "--count", "250"])
    assert result.exit_code == 0 and "15" in result.output and "R6.2" in result.output
    both = runner.invoke(
        cli, ["-w", ws, "audit", "size", "--month", "2026-10", "--half", "2026-H1", "--count", "5"]
    )
    assert isinstance(both.exception, UsageError)
    negative = runner.invoke(
        cli, ["-w", ws, "audit", "size", "--month", "2026-10", "--count", "-3"]
    )
    assert negative.exit_code == 2
    wrong = runner.invoke(cli, ["-w", ws, "audit", "size", "--half", "2026-10", "--count", "3"])
    assert isinstance(wrong.exception, UsageError), "a month given as the half"
