"""The draw (R6.2, R6.3): reproducible, provable from the documented recipe, uniform."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import datetime
from pathlib import Path

from scipy.stats import chisquare

from docgen.audit.drawing import draw_period
from docgen.audit.population import Population, default_seed
from docgen.calendar import parse_period
from docgen.config import Workspace


def _population(n: int, tag: str = "") -> Population:
    population = Population("企劃室")
    for i in range(n):
        population.add(f'["{tag}{i}"]\n'.encode())
    return population


def test_same_population_and_seed_give_the_same_sample() -> None:
    first, second = _population(500), _population(500)
    assert first.sha256 == second.sha256
    assert first.draw("s1", 30) == second.draw("s1", 30)
    assert len(set(first.draw("s1", 30))) == 30


def test_another_seed_or_population_gives_another_sample() -> None:
    population = _population(500)
    assert population.draw("s1", 30) != population.draw("s2", 30)
    other = _population(500, tag="x")
    assert other.sha256 != population.sha256
    assert default_seed("2026-10", "企劃室", other.sha256) != default_seed(
        "2026-10", "企劃室", population.sha256
    )


def test_draw_is_without_replacement_and_in_log_order() -> None:
    population = _population(7)
    assert population.draw("any", 7) == list(range(1, 8))
    chosen = population.draw("any", 5)
    assert chosen == sorted(chosen) and len(set(chosen)) == 5


def test_every_case_is_equally_likely() -> None:
    """Chi-square over 3,000 draws of 6 from 30: each case's frequency is uniform."""
    population = _population(30)
    counts = [0] * 30
    for draw in range(3000):
        for ordinal in population.draw(f"seed-{draw}", 6):
            counts[ordinal - 1] += 1
    assert sum(counts) == 18000
    assert chisquare(counts).pvalue > 0.001
    # and the test can fail: a draw that favours the first cases is caught
    biased = [c + (60 if i < 5 else -12) for i, c in enumerate(counts)]
    assert chisquare(biased).pvalue < 0.001


def _recompute(log: Path, unit_accounts: set[str]) -> tuple[int, str, list[str]]:
    """The documented recipe, written independently of docgen: canonical lines, hash,
    seed, ranks."""
    lines = []
    with open(log, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["查詢人員帳號"] not in unit_accounts:
                continue
            when = datetime.fromisoformat(row["查詢日期時間"]).isoformat(timespec="seconds")
            fields = [when, row["查詢人員帳號"], row["被查詢人身分證統一編號"]]
            fields += [row["被查詢人姓名"], row["查詢項目"], row["公文文號"], row["案號"]]
            fields += [row["案件名稱"], row["使用目的"], row["法令依據"], ""]
            text = json.dumps(fields, ensure_ascii=False, separators=(",", ":")) + "\n"
            lines.append(text.encode("utf-8"))
    population_hash = hashlib.sha256(b"".join(lines)).hexdigest()
    seed_text = f"docgen-seed-v1|2026-10|企劃室|{population_hash}"
    seed = hashlib.sha256(seed_text.encode()).hexdigest()[:16]
    ranks = sorted(
        (
            hashlib.sha256(f"{seed}:{i}:{hashlib.sha256(line).hexdigest()}".encode()).hexdigest(),
            i,
        )
        for i, line in enumerate(lines, start=1)
    )
    return len(lines), population_hash, [f"{i}" for _, i in ranks[:15]]


def test_an_auditor_can_recompute_the_sample(office: Workspace) -> None:
    log = office.data_dir / "queries" / "2026-10.csv"
    draw = draw_period(office, parse_period("2026-10"), [log])
    sample = next(s for s in draw.samples if s.unit == "企劃室")
    count, population_hash, ordinals = _recompute(log, {"u01"})
    assert (sample.population, sample.population_sha256) == (count, population_hash)
    assert sample.seed == default_seed("2026-10", "企劃室", population_hash)
    assert sorted(str(c.ordinal) for c in sample.cases) == sorted(ordinals)
    assert [c.key.split(":")[0] for c in sample.cases] == [str(c.ordinal) for c in sample.cases]


def test_given_seed_overrides_and_is_recorded(office: Workspace) -> None:
    log = office.data_dir / "queries" / "2026-10.csv"
    period = parse_period("2026-10")
    default = {s.unit: s for s in draw_period(office, period, [log]).samples}
    seeded = {s.unit: s for s in draw_period(office, period, [log], seed="115-10").samples}
    again = {s.unit: s for s in draw_period(office, period, [log], seed="115-10").samples}
    unit = "企劃室"
    assert seeded[unit].seed == "115-10" and seeded[unit].seed_given
    assert not default[unit].seed_given
    assert [c.key for c in seeded[unit].cases] == [c.key for c in again[unit].cases]
    assert [c.key for c in seeded[unit].cases] != [c.key for c in default[unit].cases]


def test_units_from_registry_half_year_whole_office(office: Workspace) -> None:
    log = office.data_dir / "queries" / "2026-10.csv"
    month = draw_period(office, parse_period("2026-10"), [log])
    sizes = {s.unit: (s.population, s.sample_size) for s in month.samples}
    assert sizes == {"企劃室": (250, 15), "市場管理科": (41, 6), "未知單位": (1, 1)}
    assert month.empty_units == ["秘書室"]
    half = draw_period(office, parse_period("2026-H2"), [log])
    assert [(s.unit, s.population, s.sample_size) for s in half.samples] == [("全處", 292, 20)]
    first = draw_period(office, parse_period("2026-H1"), [log])
    assert first.samples == [] and first.outside_period == 292


def test_canonical_line_is_the_documented_json() -> None:
    """Any text, with quotes, backslashes, control and non-ASCII characters, gives exactly
    json.dumps(fields, ensure_ascii=False, separators=(",", ":")) plus a line feed."""
    import random

    from docgen.audit.population import canonical_fields

    rng = random.Random(1)
    alphabet = ["a", "林", '"', "\\", "\n", "\t", "\x01", "\u2028", "é", " ", "\x1f", "\x7f"]
    when = datetime(2026, 1, 2, 3, 4, 5)
    for _ in range(3000):
        f = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(4))) for _ in range(10)]
        got = canonical_fields(when, f[0], f[1], f[2], f[3], tuple(f[4:9]), f[9])
        fields = [when.isoformat(timespec="seconds"), *f]
        text = json.dumps(fields, ensure_ascii=False, separators=(",", ":")) + "\n"
        assert got == text.encode("utf-8")
