"""Benchmark: the half-year justification check and tiered sample over a generated
1,000,000-row query log, against a bare ``csv.reader`` pass over the same file.

Ours is ``docgen.audit.drawing.draw_period`` end to end: the streamed reader
(validation of every row), the R5.1 check with its hints, the population hash, the
R6.3 draw and reading back the drawn cases and listed anomalies. Forms and sheets
are not written (their cost does not depend on the log's size).

For reference it also times the records reader alone (``QueryLog``, REC's), which
our pass includes.

Each timed pass runs ``--repeat`` times (default 3), the three alternating, and the
best of each counts (the median of each round's ratio is reported too). Times are the process's CPU time, so that other work on a
shared machine disturbs the ratio less; wall-clock times are reported too. Memory:
the growth of the process's peak RSS over our passes, and the peak of Python
allocations (``tracemalloc``) in one more pass of ours.

Usage: .venv/bin/python benchmarks/bench_audit.py [--rows 1000000] [--repeat 3]
Prints progress, then one JSON object on the last line. Aim (issue 4): ratio ≤ 5,
peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time as clock
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from statistics import median
from typing import TypeVar

from docgen.audit.drawing import draw_period
from docgen.calendar import WorkingCalendar, parse_period
from docgen.config import open_workspace
from docgen.records.queries import QueryLog
from docgen.services.accounts import init_registry

T = TypeVar("T")

LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
UNITS = ("企劃室", "市場行政科", "攤販管理科", "秘書室")
HEADER = [
    "查詢日期時間",
    "查詢人員帳號",
    "被查詢人身分證統一編號",
    "被查詢人姓名",
    "查詢項目",
    "公文文號",
    "案號",
    "案件名稱",
    "使用目的",
    "法令依據",
]


def national_id(rng: random.Random) -> str:
    letter = rng.choice("ABCDEFGHJKLMNPQRSTUVXYWZ")
    digits = f"{rng.choice('12')}{rng.randrange(10**7):07d}"
    code = LETTERS[letter]
    values = [code // 10, code % 10] + [int(c) for c in digits]
    total = sum(v * w for v, w in zip(values, [1, 9, 8, 7, 6, 5, 4, 3, 2, 1], strict=True))
    return f"{letter}{digits}{(10 - total % 10) % 10}"


def write_workspace(root: Path, rows: int) -> Path:
    rng = random.Random(2026)
    data = root / "data"
    data.mkdir(parents=True)
    header = (
        "帳號,姓名,身分證統一編號,單位,職稱,角色,狀態,開通日期,最後使用日期,停用日期,註銷日期,"
        "離職或調職日期,註銷申請日期,權限申請表日期,保密切結書日期,電話,電子郵件"
    )
    lines = [header]
    for i in range(40):
        unit = UNITS[i % 4]
        lines.append(
            f"u{i:02d},測試{i:02d}號,{national_id(rng)},{unit},科員,一般使用者,啟用,2024-01-02,"
            "2026-06-30,,,,,2024-01-01,2024-01-01,02-0000,u@example.tw"
        )
    (data / "accounts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    subjects = [
        (national_id(rng), f"林{rng.choice('美志家怡')}{rng.choice('華明玲傑')}")
        for _ in range(5000)
    ]
    log = data / "queries.csv"
    working = WorkingCalendar()
    days = [
        d
        for d in (date(2026, 1, 1) + timedelta(n) for n in range(181))
        if working.is_working_day(d)
    ]
    with open(log, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            day = days[i * len(days) // rows]
            when = datetime.combine(day, time(8, 30)) + timedelta(seconds=rng.randrange(32400))
            subject, name = subjects[rng.randrange(5000)]
            reason = ["", "", "", "", ""]
            if rng.random() >= 0.005:
                reason[rng.randrange(5)] = f"北市市管字第{1150000000 + i}號"
            account = f"u{rng.randrange(40):02d}"
            writer.writerow(
                [f"{when:%Y-%m-%d %H:%M:%S}", account, subject, name, "戶籍資料", *reason]
            )
    return log


def bare_pass(log: Path) -> int:
    with open(log, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def timed(run: Callable[[], T]) -> tuple[float, float, T]:
    """CPU seconds, wall seconds and the result of ``run()``."""
    cpu, wall = clock.process_time(), clock.perf_counter()
    result = run()
    return clock.process_time() - cpu, clock.perf_counter() - wall, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs each; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        began = clock.perf_counter()
        log = write_workspace(root, args.rows)
        print(
            f"generated {args.rows} rows in {clock.perf_counter() - began:.1f} s", file=sys.stderr
        )
        workspace, half = open_workspace(root), parse_period("2026-H1")
        init_registry(workspace)  # the registry lives in the office database

        def ours() -> tuple[int, int, int, int]:
            """Population, sample size, anomalies, hints (the draw itself is not kept)."""
            (sample,) = draw_period(workspace, half, [log]).samples
            anomalies = sum(1 for a in sample.anomalies if a.anomaly)
            hints = len(sample.anomalies) - anomalies
            return sample.population, sample.sample_size, anomalies, hints

        def reader() -> int:
            return sum(1 for _ in QueryLog(log))

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        runs = [
            (timed(lambda: bare_pass(log)), timed(reader), timed(ours)) for _ in range(args.repeat)
        ]
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        bare, bare_wall, count = min(run[0] for run in runs)
        reader_cpu, reader_wall, reader_rows = min(run[1] for run in runs)
        cpu, wall, (population, size, anomalies, hints) = min(run[2] for run in runs)
        tracemalloc.start()
        ours()
        traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"CPU time: csv.reader {bare:.2f} s, ours {cpu:.2f} s", file=sys.stderr)
    result = {
        "benchmark": "audit: half-year justification check + tiered sample (R5.1, R6.3)",
        "rows": count,
        "repeat": args.repeat,
        "population": population,
        "sample_size": size,
        "anomalies": anomalies,
        "hints": hints,
        "csv_reader_seconds": round(bare, 2),
        "docgen_seconds": round(cpu, 2),
        "ratio": round(cpu / bare, 2),
        "ratio_per_round_median": round(median(run[2][0] / run[0][0] for run in runs), 2),
        "csv_reader_wall_seconds": round(bare_wall, 2),
        "docgen_wall_seconds": round(wall, 2),
        "wall_ratio": round(wall / bare_wall, 2),
        "docgen_reader_only_seconds": round(reader_cpu, 2),
        "reader_only_ratio": round(reader_cpu / bare, 2),
        "reader_only_wall_seconds": round(reader_wall, 2),
        "reader_rows": reader_rows,
        "peak_rss_mb_before": round(rss_before, 1),
        "peak_rss_mb_after": round(rss_after, 1),
        "our_peak_mb": round(rss_after - rss_before, 1),
        "tracemalloc_peak_mb": round(traced_peak, 1),
        "aim": {"ratio_max": 5, "peak_mb_max": 200},
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
