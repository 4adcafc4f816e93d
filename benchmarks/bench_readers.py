"""Benchmark: validating a query log with docgen's QueryLog vs a bare csv.reader loop.

Generates a query log (default 1,000,000 rows, UTF-8 CSV with the platform's Chinese
headers) in a temporary folder, then in one process:

1. a bare ``csv.reader`` loop over the file (the peer: reading without validating);
2. ``docgen.records.QueryLog`` reading and validating every row into ``Query`` objects;
3. the same again under ``tracemalloc`` for our peak memory.

Each timed loop runs ``--repeat`` times (default 3), the two alternating, and the
best time of each counts. Times are the process's CPU time (wall-clock times are
printed too), so that other work on a shared machine disturbs the ratio less.

The last line printed is one JSON object with both times, their ratio and our peak
memory. Aim (issue 2): ratio ≤ 4 and peak memory < 150 MB.

    .venv/bin/python benchmarks/bench_readers.py            # 1,000,000 rows
    .venv/bin/python benchmarks/bench_readers.py --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

from docgen.config import QueryColumns
from docgen.example_office import HEADERS, synthetic_id, synthetic_name
from docgen.records import QueryLog


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A realistic log: 40 accounts, 5,000 people, mixed justifications, 3% with none."""
    rng = random.Random(seed)
    people = [(synthetic_id(rng), synthetic_name(rng)) for _ in range(5000)]
    start = datetime(2026, 1, 1, 8, 30)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for number in range(rows):
            at = start + timedelta(seconds=number * 30 + rng.randrange(30))
            subject_id, name = rng.choice(people)
            blank = rng.random() < 0.03
            doc = "" if blank else f"北市場企字第115{rng.randrange(10**6, 10**7)}號"
            purpose = "" if blank or rng.random() < 0.5 else "攤販管理"
            writer.writerow(
                [at.isoformat(sep=" "), f"user{rng.randrange(40):02d}", subject_id, name,
                 "個人戶籍資料", doc, "", "", purpose, "", "攤販管理科"]
            )  # fmt: skip


def bare_csv(path: Path) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and data rows of a bare csv.reader loop."""
    cpu, wall = time.process_time(), time.perf_counter()
    count = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for _row in csv.reader(handle):
            count += 1
    return time.process_time() - cpu, time.perf_counter() - wall, count - 1


def ours(path: Path) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and queries of reading and validating with QueryLog."""
    cpu, wall = time.process_time(), time.perf_counter()
    count = 0
    for _query in QueryLog(path, QueryColumns()):
        count += 1
    return time.process_time() - cpu, time.perf_counter() - wall, count


def ours_peak(path: Path) -> int:
    tracemalloc.start()
    for _query in QueryLog(path, QueryColumns()):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated log")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs each; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "queries.csv"
        generate(path, args.rows)
        print(f"generated {args.rows} rows, {path.stat().st_size / 2**20:.1f} MiB")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        runs = [(bare_csv(path), ours(path)) for _ in range(args.repeat)]  # interleaved
        bare_seconds, bare_wall, bare_rows = min(bare for bare, _ in runs)
        our_seconds, our_wall, our_rows = min(our for _, our in runs)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = ours_peak(path)
        assert bare_rows == our_rows == args.rows, (bare_rows, our_rows)
        print(f"CPU time: csv.reader {bare_seconds:.2f} s, QueryLog {our_seconds:.2f} s")
        result = {
            "benchmark": "bench_readers",
            "rows": args.rows,
            "repeat": args.repeat,
            "file_mib": round(path.stat().st_size / 2**20, 1),
            "bare_csv_reader_s": round(bare_seconds, 3),
            "docgen_querylog_s": round(our_seconds, 3),
            "ratio": round(our_seconds / bare_seconds, 2),
            "bare_csv_reader_wall_s": round(bare_wall, 3),
            "docgen_querylog_wall_s": round(our_wall, 3),
            "wall_ratio": round(our_wall / bare_wall, 2),
            "tracemalloc_peak_mb": round(peak / 1e6, 2),
            "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
            "aim": {"ratio_max": 4, "peak_mb_max": 150},
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
