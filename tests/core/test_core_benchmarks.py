"""Every benchmark still runs and ends with one JSON object (tiny sizes; the figures
themselves are measured by running the scripts in full, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

SMALL_RUNS = {
    "bench_readers.py": (["--rows", "2000", "--repeat", "1"], "ratio"),
    "bench_audit.py": (["--rows", "2000", "--repeat", "1"], "ratio"),
    "bench_package.py": (["--files", "3", "--rounds", "1"], "docgen"),
    "bench_forms.py": (["--records", "4", "--pdfs", "2"], "docx_batch"),
    "bench_archive.py": (["--quick"], "sweep_vs_sha256sum"),
    "bench_db.py": (["--quick"], "sqlite"),
    "bench_web.py": (
        ["--duration", "2", "--clients", "4", "--records", "200", "--runs", "2"],
        "dashboard",
    ),
}


def test_every_benchmark_is_covered() -> None:
    assert {p.name for p in BENCHMARKS.glob("bench_*.py")} == set(SMALL_RUNS)


@pytest.mark.parametrize("script", sorted(SMALL_RUNS))
def test_benchmark_runs_and_prints_json_last(script: str, tmp_path: Path) -> None:
    args, key = SMALL_RUNS[script]
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert key in figures
