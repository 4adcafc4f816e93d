"""Benchmark: the office database (issue 10), on SQLite and on PostgreSQL.

* **intake**: ``docgen.services.queries.take_in_log`` of a generated query log
  (default 1,000,000 rows, :func:`bench_readers.generate`'s), against a bare
  ``csv.reader`` pass over the same file in the same process, in turns, the fastest
  of three of each. Aim: ratio ≤ 4 and peak memory under 200 MB.
* **missing** and **retention**: ``docgen.archive.reports.build_report`` over an
  archive of generated records (default 1,000,000, one file each, every file present
  on disk) and 60 offices' worth of obligations (60 × 5 units, each with queries in
  every month 2024-01 … 2026-11, taken in as query counts; 4 accounts per unit in
  the registry), against a bare ``SELECT count(*)`` over the records and the files.
  Aim: each report under 5 s (the fastest of three runs, each in a process of its own).

Each measurement runs in a child process of its own (this script with ``--child``),
which reports its times (wall and CPU; the ratio is of wall times, since the
PostgreSQL server's work is not in our CPU time) and its peak resident size
(``VmHWM``, as tests/hostile/cli.py reads it): the peak of the whole process, the
interpreter and its imports included, and its growth over the measured step. A
report that takes longer than ``--timeout`` seconds is stopped and reported as such.

PostgreSQL: a throw-away server from the tests' harness (tests/pgserver.py; or the
server of ``DOCGEN_TEST_POSTGRES_URL``); when none can start, that part says why.

Usage: .venv/bin/python benchmarks/bench_db.py [--rows N] [--records N] [--quick]
Prints progress, then one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select

from docgen.config import Workspace, open_workspace
from docgen.db import Database
from docgen.db.migrate import open_database
from docgen.db.models.archive import File, Record
from docgen.db.models.queries import QueryAnomaly, QueryCount, QueryLogFile
from docgen.example_office import synthetic_id, synthetic_name
from docgen.rules.obligations import WHOLE_OFFICE
from docgen.rules.record_id import make_record_id

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from bench_readers import generate  # noqa: E402  (a sibling script, not a package)

T = TypeVar("T")

AS_OF = date(2026, 12, 31)
#: The months every unit had queries in (the monthly checks due, R6.2).
FIRST_MONTH, LAST_MONTH = (2024, 1), (2026, 11)
UNITS_PER_OFFICE, ACCOUNTS_PER_UNIT = 5, 4
BATCH = 10_000
#: How many times the intake and the bare pass are each timed (the fastest counts).
INTAKE_RUNS = 3
#: How many times each report is timed, each in a new process (the fastest counts).
REPORT_RUNS = 3
ACCOUNTS_HEADER = (
    "帳號,姓名,身分證統一編號,單位,職稱,角色,狀態,開通日期,最後使用日期,停用日期,註銷日期,"
    "離職或調職日期,註銷申請日期,權限申請表日期,保密切結書日期,電話,電子郵件"
)


# --- measuring (in the child) -------------------------------------------------------


def peak_mb() -> float:
    """This process's peak resident size so far (``VmHWM``), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def timed(run: Callable[[], T]) -> tuple[float, float, T]:
    """Wall seconds, CPU seconds and the result of ``run()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def bare_pass(log: Path) -> int:
    with open(log, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def child_intake(workspace: Workspace, log: Path) -> dict[str, Any]:
    """The intake and the bare pass, in turns, :data:`INTAKE_RUNS` times each: the
    fastest of each (this machine's speed varies by a quarter from one second to the
    next, and a single run of either would measure that). Between two intakes the
    log's rows are deleted (not timed), so that each takes the whole log in."""
    from docgen.services.queries import take_in_log

    db = open_database(workspace)
    bare_pass(log)  # the page cache, warmed alike for both
    bares, intakes = [], []
    before = peak_mb()
    for _ in range(INTAKE_RUNS):
        bares.append(timed(lambda: bare_pass(log)))
        intakes.append(timed(lambda: take_in_log(workspace, db, log, actor="bench")))
        forget_logs(db)
    after = peak_mb()
    db.close()
    bare_wall, bare_cpu, rows = min(bares)
    wall, cpu, intake = min(intakes, key=lambda run: run[0])
    assert intake.rows == rows and not intake.already, (intake.rows, rows)
    return {
        "rows": rows,
        "anomalies": intake.anomalies,
        "months": len(intake.months),
        "runs": INTAKE_RUNS,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "csv_reader_seconds": round(bare_wall, 2),
        "ratio": round(wall / bare_wall, 2),
        "cpu_ratio": round(cpu / bare_cpu, 2),
        "seconds_each": [round(run[0], 2) for run in intakes],
        "csv_reader_seconds_each": [round(run[0], 2) for run in bares],
        "peak_mb": round(after, 1),
        "peak_growth_mb": round(after - before, 1),
        "aim": {"ratio_max": 4, "peak_mb_max": 200},
    }


def forget_logs(db: Database) -> None:
    """Delete every query log taken in (its counts and anomalies first)."""
    with db.connect() as conn:
        for model in (QueryAnomaly, QueryCount, QueryLogFile):
            conn.execute(delete(model))


def child_count(workspace: Workspace) -> dict[str, Any]:
    db = open_database(workspace)

    def count(model: type[Record] | type[File]) -> tuple[float, int]:
        def run() -> int:
            with db.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(model)).scalar_one())

        wall, _, found = min(timed(run) for _ in range(3))
        return round(wall, 4), found

    (records_s, records), (files_s, files) = count(Record), count(File)
    db.close()
    return {
        "records": records,
        "records_seconds": records_s,
        "files": files,
        "files_seconds": files_s,
    }


def child_report(workspace: Workspace, kind: str) -> dict[str, Any]:
    from docgen.archive.reports import build_report

    open_database(workspace).close()  # imports and the first connection, not timed
    before = peak_mb()
    wall, cpu, report = timed(lambda: build_report(workspace, kind, AS_OF))
    after = peak_mb()
    summary = {k: v for k, v in report.summary.items() if isinstance(v, int)}
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "rows": len(report.rows),
        "summary": summary,
        "peak_mb": round(after, 1),
        "peak_growth_mb": round(after - before, 1),
    }


def child(kind: str, root: Path, log: Path | None, profile: bool) -> None:
    workspace = open_workspace(root, environ={})
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    if kind == "intake":
        assert log is not None
        result = child_intake(workspace, log)
    elif kind == "count":
        result = child_count(workspace)
    else:
        result = child_report(workspace, kind)
    if profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(15)
    print(json.dumps(result, ensure_ascii=False))


def run_child(
    kind: str, root: Path, timeout: float, log: Path | None = None, profile: bool = False
) -> dict[str, Any]:
    """One measurement in a child process; what it printed last, or why there is none."""
    args = [sys.executable, __file__, "--child", kind, "--workspace", str(root)]
    args += ["--log", str(log)] if log else []
    args += ["--profile"] if profile else []
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timed_out_after_seconds": timeout}
    if profile:
        print(done.stderr, file=sys.stderr)
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def fastest_child(kind: str, root: Path, timeout: float, profile: bool) -> dict[str, Any]:
    """The fastest of :data:`REPORT_RUNS` measurements of a report, each in a child
    process of its own (so that no run finds what an earlier one left in memory), with
    every run's seconds; the first that fails or times out is what is reported."""
    runs = []
    for _ in range(REPORT_RUNS):
        result = run_child(kind, root, timeout, profile=profile)
        if "seconds" not in result:
            return result
        runs.append(result)
    fastest = min(runs, key=lambda run: float(run["seconds"]))
    return {**fastest, "runs": len(runs), "seconds_each": [run["seconds"] for run in runs]}


# --- generating (in the parent) ------------------------------------------------------


def _months() -> list[tuple[int, int]]:
    year, month = FIRST_MONTH
    found = []
    while (year, month) <= LAST_MONTH:
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def unit_names(offices: int) -> list[str]:
    return [f"第{o:02d}區第{u}科" for o in range(1, offices + 1) for u in range(1, 6)]


def account_ids(unit_number: int) -> list[str]:
    return [f"a{unit_number:03d}{k}" for k in range(ACCOUNTS_PER_UNIT)]


def write_workspace(root: Path, url: str | None, units: list[str], archive: Path) -> Workspace:
    """A workspace of ``units``, its archive at ``archive``, its database at ``url``
    (None: SQLite under the workspace), with the packaged retention schedule."""
    (root / "retention").mkdir(parents=True)
    schedule = REPO / "docgen/data/retention/schedule.yaml"
    (root / "retention/schedule.yaml").write_bytes(schedule.read_bytes())
    lines = ["[paths]", f'archive = "{archive}"', ""]
    if url:
        lines += ["[database]", f'url = "{url}"', ""]
    for unit in units:
        lines += ["[[units]]", f'name = "{unit}"', ""]
    (root / "docgen.toml").write_text("\n".join(lines), encoding="utf-8")
    return open_workspace(root, environ={})


def write_registry(path: Path, units: list[str]) -> None:
    rng = random.Random(10)
    lines = [ACCOUNTS_HEADER]
    for number, unit in enumerate(units):
        for account in account_ids(number):
            lines.append(
                f"{account},{synthetic_name(rng)},{synthetic_id(rng)},{unit},科員,一般使用者,"
                "啟用,2024-01-02,2026-06-30,,,,,2024-01-02,2024-01-02,02-0000,u@example.tw"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _record(
    form: int, variant: str, code: str, label: str, unit: str, subject: str, tag: str
) -> dict[str, Any]:
    if form == 0:  # evidence files carry a content ID (F- and 16 hex digits)
        key = "\x1f".join((code, unit, tag)).encode()
        record_id = f"F-{hashlib.sha256(key).hexdigest()[:16].upper()}"
    else:
        record_id = str(make_record_id(form, variant, code, unit, subject, tag))
    category = {
        (0, ""): "monthly_check",  # evidence filed with a month's check (no form)
        (1, ""): "security_agreement", (2, ""): "account_application",
        (3, ""): "confidentiality_pledge", (4, "monthly"): "monthly_check",
        (4, "half"): "half_year_audit", (5, ""): "half_year_audit", (6, ""): "external_audit",
    }[(form, variant)]  # fmt: skip
    year = int(code[:4])
    reviewed = None
    if form in (4, 5):
        end = date(year, int(code[4:6]), 1) if variant == "monthly" else date(year, 6, 30)
        reviewed = end + timedelta(days=35)
    return {
        "record_id": record_id, "category": category, "form": str(form or ""), "variant": variant,
        "period": label, "unit": unit, "subject": subject, "review_date": reviewed,
        "title": f"{category} {label or code} {unit}", "status": "filed", "source": "metadata",
        "first_filed_at": datetime(year, 12, 31, 12, 0),
    }  # fmt: skip


def generated_records(count: int, units: list[str]) -> Iterator[dict[str, Any]]:
    """``count`` records: first what the obligations require (each unit's monthly
    check of every month, 1 in 100 left missing; each half-year's 附件4 and 附件5;
    each account's 附件2 and 附件3), then records to fill up as an archive holds them:
    98 in 100 the evidence of recent checks, 1 an older check past its retention,
    1 a security agreement or external audit (no period set, always listed)."""
    seen: set[str] = set()

    def fresh(record: dict[str, Any]) -> bool:
        if record["record_id"] in seen:
            return False
        seen.add(record["record_id"])
        return True

    def wanted() -> Iterator[dict[str, Any]]:
        for number, unit in enumerate(units):
            for year, month in _months():
                if (number + year + month) % 100 != 0:
                    yield _record(
                        4, "monthly", f"{year}{month:02d}", f"{year}-{month:02d}", unit, "", ""
                    )
            for account in account_ids(number):
                yield _record(2, "", "20240102", "", unit, account, "")
                yield _record(3, "", "20240102", "", unit, account, "")
        for year in (2024, 2025, 2026):
            for half in (1, 2):
                if (year, half) != (2026, 2):
                    code, label = f"{year}H{half}", f"{year}-H{half}"
                    yield _record(4, "half", code, label, WHOLE_OFFICE, "", "")
                    yield _record(5, "", code, label, WHOLE_OFFICE, "", "")
        rng = random.Random(2026)
        months = _months()
        number = 0
        while True:
            number += 1
            unit = units[rng.randrange(len(units))]
            kind = number % 100
            if kind < 98:  # what an archive mostly holds: the evidence of recent checks
                year, month = rng.choice(months)
                yield _record(
                    0, "", f"{year}{month:02d}", f"{year}-{month:02d}", unit, "", str(number)
                )
            elif kind == 98:  # older checks, past their 3 years: the destruction candidates
                year, month = rng.randrange(2012, 2023), rng.randrange(1, 13)
                yield _record(
                    4, "monthly", f"{year}{month:02d}", f"{year}-{month:02d}", unit, "",
                    str(number),
                )  # fmt: skip
            else:  # papers the regulation sets no period for (always listed)
                day = date(2010, 1, 1) + timedelta(days=rng.randrange(6200))
                yield _record(
                    1 if number % 2 else 6, "", f"{day:%Y%m%d}", "", unit, "", str(number)
                )

    made = 0
    for record in wanted():
        if made == count:
            return
        if fresh(record):
            made += 1
            yield record


def _file(record: dict[str, Any]) -> dict[str, Any]:
    year = int((record["period"] or record["record_id"].split("-")[2])[:4]) - 1911
    return {
        "record_id": record["record_id"],
        "path": f"records/{record['category']}/{year}/{record['record_id']}.pdf",
        "sha256": "0" * 64, "size": 0, "mtime_ns": 0, "inode": 0, "kind": "document",
        "status": "filed",
    }  # fmt: skip


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_archive_files(archive: Path, count: int, units: list[str]) -> None:
    """The (empty) file of every generated record, so that none is gone."""
    made: set[Path] = set()
    for record in generated_records(count, units):
        path = archive / _file(record)["path"]
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.touch()


def fill(workspace: Workspace, count: int, units: list[str]) -> float:
    """The registry, the query counts and ``count`` records (one file each), in
    batches of Core executemany inserts; the seconds it took."""
    from docgen.services.accounts import import_registry

    started = time.perf_counter()
    db = open_database(workspace)
    registry = workspace.root / "registry.csv"  # not data/accounts.csv: an old registry's place
    write_registry(registry, units)
    import_registry(workspace, db, registry, actor="bench")
    with db.connect() as conn:
        log_id = conn.execute(
            insert(QueryLogFile)
            .returning(QueryLogFile.id)
            .values(name="generated.csv", sha256="0" * 64, size=0, taken_in_at=AS_OF)
        ).scalar_one()
        counts = [
            {
                "log_id": log_id,
                "month": f"{y}-{m:02d}",
                "unit": unit,
                "account": account,
                "queries": 5,
            }
            for number, unit in enumerate(units)
            for y, m in _months()
            for account in account_ids(number)[:2]
        ]
        conn.execute(insert(QueryCount), counts)
    for batch in _batches(generated_records(count, units), BATCH):
        with db.connect() as conn:
            conn.execute(insert(Record), batch)
            conn.execute(insert(File), [_file(r) for r in batch])
    db.close()
    return time.perf_counter() - started


# --- the whole run --------------------------------------------------------------------


def bench_backend(
    name: str, base: Path, urls: Callable[[str], str | None], args: argparse.Namespace, log: Path
) -> dict[str, Any]:
    units, archive = unit_names(args.offices), base / "archive"
    figures: dict[str, Any] = {}
    print(f"[{name}] intake of {args.rows} rows …", file=sys.stderr)
    intake = write_workspace(base / name / "intake", urls("intake"), units, archive)
    figures["intake"] = run_child("intake", intake.root, args.timeout, log, args.profile)
    print(f"[{name}] intake: {figures['intake']}", file=sys.stderr)
    reports = write_workspace(base / name / "reports", urls("reports"), units, archive)
    print(f"[{name}] inserting {args.records} records …", file=sys.stderr)
    figures["fill_seconds"] = round(fill(reports, args.records, units), 1)
    print(f"[{name}] inserted in {figures['fill_seconds']} s", file=sys.stderr)
    counted = run_child("count", reports.root, args.timeout)
    figures["count"] = counted
    for kind in [k for k in args.reports.split(",") if k]:
        print(f"[{name}] {kind} report …", file=sys.stderr)
        result = fastest_child(kind, reports.root, args.timeout, args.profile)
        if "seconds" in result and "records_seconds" in counted:
            peer = counted["records_seconds"] + counted["files_seconds"]
            result["count_seconds"] = round(peer, 4)
            result["ratio"] = round(result["seconds"] / peer, 1)
            result["aim"] = {"seconds_max": 5}
        figures[kind] = result
        print(f"[{name}] {kind}: {result}", file=sys.stderr)
    return figures


def bench_postgresql(base: Path, args: argparse.Namespace, log: Path) -> dict[str, Any]:
    from tests import pgserver  # the tests' harness (the repository root is on sys.path)

    try:
        server = pgserver.start()
    except (pgserver.ServerUnavailable, RuntimeError, OSError) as error:
        return {"skipped": str(error).splitlines()[0]}
    try:
        made: list[str] = []

        def url(purpose: str) -> str:
            made.append(pgserver.unique_database_name(f"docgen_bench_{purpose}"))
            return server.create_database(made[-1])

        return bench_backend("postgresql", base, url, args, log)
    finally:
        if server.external:
            for database in made:
                server.drop_database(database)
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="query log rows (1,000,000)")
    parser.add_argument("--records", type=int, default=None, help="archived records (1,000,000)")
    parser.add_argument("--offices", type=int, default=None, help="offices of 5 units (60)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the tests")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    parser.add_argument("--profile", action="store_true", help="cProfile each child (stderr)")
    parser.add_argument(
        "--reports", default="missing,retention", help="the reports to time (comma-separated)"
    )
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workspace", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workspace, args.log, args.profile)
        return
    small = (2_000, 3_000, 2) if args.quick else (1_000_000, 1_000_000, 60)
    args.rows = args.rows or small[0]
    args.records = args.records or small[1]
    args.offices = args.offices or small[2]
    with tempfile.TemporaryDirectory(prefix="docgen-bench-db-") as folder:
        base = Path(folder)
        started = time.perf_counter()
        log = base / "queries.csv"
        generate(log, args.rows)
        if "missing" in args.reports:  # what its check for lost files reads
            write_archive_files(base / "archive", args.records, unit_names(args.offices))
        print(
            f"generated {args.rows} rows and {args.records} files in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        figures: dict[str, Any] = {
            "sqlite": bench_backend("sqlite", base, lambda _: None, args, log),
            "postgresql": (
                {"skipped": "--no-postgresql"}
                if args.no_postgresql
                else bench_postgresql(base, args, log)
            ),
            "rows": args.rows,
            "records": args.records,
            "offices": args.offices,
            "units": 5 * args.offices,
            "as_of": AS_OF.isoformat(),
            "when": datetime.now().isoformat(timespec="seconds"),
        }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
