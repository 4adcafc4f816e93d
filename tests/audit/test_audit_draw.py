"""The draw (R6.2, R6.3): reproducible, provable from the documented recipe, uniform."""

from __future__ import annotations

import csv
import gc
import hashlib
import hmac
import json
import random
import stat
from datetime import datetime
from pathlib import Path

import pytest
from scipy.stats import chisquare

from docgen.audit import intake
from docgen.audit.drawing import draw_period
from docgen.audit.population import (
    Population,
    canonical_line,
    default_seed,
    draw_ordinals,
    is_plain,
    iso_seconds,
    plain_line,
)
from docgen.audit.samples import case_key_secret
from docgen.calendar import parse_period
from docgen.config import Workspace

from .conftest import QUERY_HEADER, national_id


def _population(n: int, tag: str = "") -> Population:
    population = Population("企劃室")
    for i in range(n):
        population.extend(f'["{tag}{i}"]\n'.encode(), 1)
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


def _recompute(
    log: Path, unit_accounts: set[str], secret: bytes
) -> tuple[int, str, list[str], list[str]]:
    """The documented recipe, written independently of docgen: canonical lines, hash,
    seed, ranks (SHAKE256 of the seed, 8 bytes per case) and case keys."""
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
    stream = hashlib.shake_256(seed.encode("utf-8")).digest(8 * len(lines))
    ranked = sorted(range(1, len(lines) + 1), key=lambda i: stream[8 * (i - 1) : 8 * i])
    chosen = sorted(ranked[:15])
    keys = [f"{i}:{hmac.new(secret, lines[i - 1], 'sha256').hexdigest()}" for i in chosen]
    return len(lines), population_hash, [str(i) for i in chosen], keys


def test_an_auditor_can_recompute_the_sample(office: Workspace) -> None:
    log = office.data_dir / "queries" / "2026-10.csv"
    draw = draw_period(office, parse_period("2026-10"), [log])
    sample = next(s for s in draw.samples if s.unit == "企劃室")
    secret = case_key_secret(office)
    count, population_hash, ordinals, keys = _recompute(log, {"u01"}, secret)
    assert (sample.population, sample.population_sha256) == (count, population_hash)
    assert sample.seed == default_seed("2026-10", "企劃室", population_hash)
    assert [str(c.ordinal) for c in sample.cases] == ordinals
    assert [c.key for c in sample.cases] == keys


def test_case_keys_are_keyed_so_masked_values_cannot_be_recovered(office: Workspace) -> None:
    log = office.data_dir / "queries" / "2026-10.csv"
    sample = next(s for s in draw_period(office, parse_period("2026-10"), [log]).samples)
    secret_file = office.state_dir / "case-key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    other = b"\x00" * 32  # what a guesser without the workspace's secret would use
    _, _, _, unkeyed = _recompute(log, {"u01"}, other)
    assert not set(unkeyed) & {c.key for c in sample.cases}


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
    assert gc.isenabled()  # paused while reading only


def test_canonical_line_is_the_documented_json() -> None:
    """Any text, with quotes, backslashes, control and non-ASCII characters, gives exactly
    json.dumps(fields, ensure_ascii=False, separators=(",", ":")) plus a line feed, one
    line at a time and checked a batch at a time."""
    rng = random.Random(1)
    alphabet = ["a", "林", '"', "\\", "\n", "\t", "\x01", "\u2028", "é", " ", "\x1f", "\x7f"]
    alphabet += ["\u3000", "\r", "\x00", ","]
    when = "2026-01-02T03:04:05"
    for _ in range(300):
        batch = [
            ["".join(rng.choice(alphabet) for _ in range(rng.randrange(4))) for _ in range(10)]
            for _ in range(rng.randrange(1, 12))
        ]
        expected = [
            (json.dumps([when, *f], ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            for f in batch
        ]
        assert [canonical_line(when, f) for f in batch] == expected
        plain = b"".join(plain_line(when, f) for f in batch)
        assert is_plain(plain, len(batch)) == (plain == b"".join(expected))


def test_iso_seconds_takes_the_text_only_when_it_is_canonical() -> None:
    """The text a time was read from is used only in its canonical shapes: any other text
    datetime.fromisoformat accepts gives the formatted value."""
    texts = ["2026-01-02 03:04:05", "2026-01-02T03:04:05", "2026-01-02 03:04", "2026-01-02",
             "2026-01-02T03:04:05.5", "20260102T030405", "2026-W01-5 03:04:05",
             "2026-01-02X03:04:05", "2026-01-02 03:04+08", "2026-01-02 030405.0",
             "2026-01-02 03:04:05+08:00", "0999-01-02 03:04:05", "2026-01-02 03:04:05Z"]  # fmt: skip
    rng = random.Random(2)
    for _ in range(20000):  # mutations of the common forms: dropped, changed, added
        text = list(rng.choice(texts[:2]))
        for _ in range(rng.randrange(1, 3)):
            at = rng.randrange(len(text))
            change = rng.choice(["drop", "set", "add"])
            if change == "drop":
                del text[at]
            else:
                text[at : at + (change == "set")] = [rng.choice("0123456789-: TW.+Z,")]
        texts.append("".join(text))
    checked = 0
    for text in texts:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            continue
        checked += 1
        assert iso_seconds(value, text) == value.isoformat(timespec="seconds"), text
    assert checked > 1000


def test_draw_matches_the_recipe_at_every_size() -> None:
    """draw_ordinals (which looks only at likely ranks) equals the plain recipe."""
    rng = random.Random(3)
    for trial in range(60):
        population = rng.choice([0, 1, 7, 30, 501, 2_000, 40_000, 150_000])
        size = min(population, rng.choice([0, 1, 6, 20, 80, 150]))
        stream = hashlib.shake_256(f"s{trial}".encode()).digest(8 * population)
        ranked = sorted(range(1, population + 1), key=lambda i: stream[8 * (i - 1) : 8 * i])
        assert draw_ordinals(f"s{trial}", population, size) == sorted(ranked[:size])


def test_any_text_across_batches_and_files_reads_back_as_logged(
    office: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines that need JSON escapes, ROC and ISO times, two files and batches of three:
    every case reads back with its file, row and text, and hash and keys follow the recipe."""
    monkeypatch.setattr(intake, "BATCH", 3)
    odd = ['引號"內', "反斜線\\", "換\n行", "定位\t字元", "控制\x01字元", "全形\u3000空白", '","']
    times = ["2026-07-01 08:00:00", "115/07/02 09:30", "2026-07-03T10:00:00", "2026-06-30 23:59:59"]
    logs, expected = [], []
    for number, name in enumerate(["a.csv", "b.csv"]):
        rows = []
        for i in range(9):
            when = times[i % 4]
            case_name = odd[(i + number) % len(odd)] if i % 2 else ""
            rows.append([when, "u01", national_id("H", 100 * number + i), "林美華", f"項目{i}",
                         f"文號{i}", "", case_name, "", ""])  # fmt: skip
            if when.startswith("2026-06"):
                continue
            iso = datetime.fromisoformat(when.replace("115/07/02", "2026-07-02")).isoformat()
            line = json.dumps([iso, *rows[-1][1:], ""], ensure_ascii=False, separators=(",", ":"))
            expected.append((name, i + 2, rows[-1], (line + "\n").encode()))
        path = office.data_dir / "queries" / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([QUERY_HEADER, *rows])
        logs.append(path)
    draw = draw_period(office, parse_period("2026-H2"), logs, seed="x")
    (sample,) = draw.samples
    assert (sample.population, sample.outside_period) == (len(expected), 4)
    assert sample.population_sha256 == hashlib.sha256(b"".join(e[3] for e in expected)).hexdigest()
    assert len(sample.cases) == len(expected)  # 20 at least: every case is drawn
    for case, (name, row, cells, line) in zip(sample.cases, expected, strict=True):
        assert (Path(case.source).name, case.row) == (name, row)
        assert case.justification == "；".join(c for c in cells[5:10] if c)
        digest = hmac.new(case_key_secret(office), line, "sha256").hexdigest()
        assert case.key == f"{case.ordinal}:{digest}"
