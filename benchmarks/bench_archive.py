"""Benchmark: the archive — ingest, fixity sweeps and the retention report.

* ingest of 10,000 small files through ``scan`` (hash, classify, intent, link, fsync,
  index, remove from the inbox), against a bare copy-and-hash loop (``shutil.copy2`` +
  ``hashlib``) over the same files, which has no index and no crash safety;
* a full fixity sweep over ~1 GB of filed files against one ``sha256sum`` process over
  the same files (page cache warmed first; best of two runs each; aim: ratio ≤ 1.2);
* an unchanged re-sweep of the 10,000 small files (stat only; aim: under 2 s);
* RET's retention report (``build_retention_report``) over 100,000 generated records
  (aim: under 2 s), against a bare SELECT of the columns it needs.

Usage: .venv/bin/python benchmarks/bench_archive.py [--quick] [--dir DIR]
Prints progress, then one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select

from docgen.archive.context import open_archive
from docgen.archive.db import open_index
from docgen.archive.fixity import fixity_report
from docgen.archive.reconcile import scan
from docgen.config import Workspace, open_workspace
from docgen.db.models.archive import File, Record
from docgen.rules.record_id import make_record_id


def _workspace(root: Path) -> Workspace:
    root.mkdir(parents=True)
    (root / "docgen.toml").write_text("[archive]\nstable_seconds = 0\n", encoding="utf-8")
    schedule = Path(__file__).resolve().parents[1] / "docgen/data/retention/schedule.yaml"
    (root / "retention").mkdir()
    shutil.copy(schedule, root / "retention" / "schedule.yaml")
    workspace = open_workspace(root, environ={})
    (workspace.archive_root / "inbox").mkdir(parents=True)
    return workspace


def _small_files(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"scan-{number:06d}.txt").write_bytes(f"small file {number}\n".encode() * 8)


def bench_ingest(base: Path, count: int) -> tuple[Workspace, dict[str, float]]:
    workspace = _workspace(base / "ingest")
    _small_files(workspace.archive_root / "inbox", count)
    started = time.perf_counter()
    with open_archive(workspace) as ctx:
        result = scan(ctx)
    ours = time.perf_counter() - started
    assert len(result.filed) == count, "not every file was filed"
    peer_source, peer_target = base / "peer-in", base / "peer-out"
    _small_files(peer_source, count)
    peer_target.mkdir()
    started = time.perf_counter()
    for path in sorted(peer_source.iterdir()):
        shutil.copy2(path, peer_target / path.name)
        hashlib.sha256((peer_target / path.name).read_bytes()).hexdigest()
    peer = time.perf_counter() - started
    return workspace, {
        "ingest_files": count,
        "ingest_seconds": round(ours, 3),
        "ingest_files_per_second": round(count / ours, 1),
        "peer_copy_hash_files_per_second": round(count / peer, 1),
    }


def bench_resweep(workspace: Workspace) -> dict[str, float]:
    started = time.perf_counter()
    report = fixity_report(workspace)
    seconds = time.perf_counter() - started
    assert report.rows == [] and report.summary["Files read"] == 0
    return {"resweep_files": report.summary["Files checked"], "resweep_seconds": round(seconds, 3)}


def _best(runs: int, action) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def bench_full_sweep(base: Path, megabytes: int) -> dict[str, float]:
    workspace = _workspace(base / "sweep")
    inbox = workspace.archive_root / "inbox"
    for number in range(megabytes // 10):
        (inbox / f"package-{number:03d}.pdf").write_bytes(os.urandom(10 << 20))
    with open_archive(workspace) as ctx:
        filed = scan(ctx).filed
    paths = [str(workspace.archive_root / f.path) for f in filed]
    subprocess.run(["cat", *paths], stdout=subprocess.DEVNULL, check=True)  # warm the cache

    def peer() -> None:
        subprocess.run(["sha256sum", *paths], stdout=subprocess.DEVNULL, check=True)

    def ours() -> None:
        assert fixity_report(workspace, full=True).rows == []

    peer_seconds, our_seconds = _best(2, peer), _best(2, ours)
    total = sum(os.path.getsize(p) for p in paths)
    return {
        "sweep_bytes": total,
        "sweep_seconds": round(our_seconds, 3),
        "sha256sum_seconds": round(peer_seconds, 3),
        "sweep_vs_sha256sum": round(our_seconds / peer_seconds, 3),
    }


def _generated_records(count: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    categories = [
        ("monthly_check", 4, "monthly"),
        ("half_year_audit", 4, "half"),
        ("half_year_audit", 5, ""),
        ("security_agreement", 1, ""),
    ]
    records, files = [], []
    for number in range(count):
        category, form, variant = categories[number % len(categories)]
        year, month = 2015 + number % 12, 1 + number % 12
        period = f"{year}{month:02d}" if variant == "monthly" else f"{year}H{1 + month // 7}"
        if form in (1,):
            period = f"{year}{month:02d}01"
        record_id = str(make_record_id(form, variant, period, f"unit-{number}"))
        label = f"{period[:4]}-{period[4:6]}" if len(period) == 6 else ""
        records.append(
            {
                "record_id": record_id, "category": category, "form": str(form),
                "variant": variant, "period": label,
                "review_date": date(year, month, 20) if number % 3 else None,
                "status": "filed", "source": "metadata", "title": f"record {number}",
            }
        )  # fmt: skip
        files.append(
            {
                "record_id": record_id, "path": f"records/{category}/{year - 1911}/{record_id}.pdf",
                "sha256": "0" * 64, "size": 1, "mtime_ns": 0, "inode": 0,
            }
        )  # fmt: skip
    return records, files


def bench_retention(base: Path, count: int) -> dict[str, float]:
    from docgen.archive.reports import build_retention_report

    workspace = _workspace(base / "retention")
    records, files = _generated_records(count)
    with open_index(workspace) as index, index.session() as session:
        session.execute(insert(Record), records)
        session.execute(insert(File), files)
    started = time.perf_counter()
    with open_index(workspace) as index, index.session() as session:
        columns = (Record.record_id, Record.category, Record.review_date, File.path)
        rows = session.execute(select(*columns).join(File)).all()
    peer = time.perf_counter() - started
    started = time.perf_counter()
    report = build_retention_report(workspace, date(2026, 11, 30))
    ours = time.perf_counter() - started
    assert len(rows) == count
    return {
        "retention_records": count,
        "retention_candidates": len(report.rows),
        "retention_report_seconds": round(ours, 3),
        "peer_select_seconds": round(peer, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 files, 100 MB, 10,000 records")
    parser.add_argument("--dir", type=Path, default=None, help="Work folder (default: a temp one)")
    args = parser.parse_args()
    files, megabytes, records = (1_000, 100, 10_000) if args.quick else (10_000, 1_000, 100_000)
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        base = Path(folder)
        figures: dict[str, object] = {"quick": args.quick, "when": datetime.now().isoformat()}
        print(f"ingest of {files} small files …", file=sys.stderr)
        workspace, ingest = bench_ingest(base, files)
        figures |= ingest
        print("unchanged re-sweep …", file=sys.stderr)
        figures |= bench_resweep(workspace)
        print(f"full sweep over {megabytes} MB vs sha256sum …", file=sys.stderr)
        figures |= bench_full_sweep(base, megabytes)
        print(f"retention report over {records} records …", file=sys.stderr)
        figures |= bench_retention(base, records)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
