"""Benchmark: ``docgen package build`` against ``qpdf --empty --pages … -- out.pdf``.

Generates N scan PDFs (default 300, about 350 MB: one noise-textured A4 page at
300 dpi each, a ~1.2 MB JPEG embedded by img2pdf), then merges them with both
tools, each as its own child process, one after the other, from a warm page
cache, alternating, best time of ``--rounds`` each, with the page cache's dirty pages
flushed before every run. Peak memory is each child's own peak RSS,
the highest of its runs (VmHWM from /proc, see run_measured). Prints one JSON
object last: time ratio (docgen / qpdf), peak memory of each, and the package size
over the sum of the input JPEG bytes. ``docgen`` is the command as installed.

Aim (issue 5): time ratio ≤ 1.5; docgen's peak ≤ 2 × qpdf's + 50 MB; size ratio ≤ 1.01.

Usage: .venv/bin/python benchmarks/bench_package.py [--files N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import img2pdf
from PIL import Image

A4_300DPI = (2480, 3508)
VARIANTS = 6
QUALITY = 75
DOCGEN = Path(sys.executable).with_name("docgen")


def _texture(seed: int) -> bytes:
    """One A4 300-dpi JPEG of about 1.2 MB: coarse noise, smoothly enlarged."""
    rng = random.Random(seed)
    w, h = A4_300DPI[0] // 16, A4_300DPI[1] // 16
    small = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    out = io.BytesIO()
    small.resize(A4_300DPI, Image.Resampling.BICUBIC).save(
        out, "JPEG", quality=QUALITY, dpi=(300, 300)
    )
    return out.getvalue()


def _unique(jpeg: bytes, number: int) -> bytes:
    """``jpeg`` made distinct by a comment segment after SOI (no re-encoding)."""
    comment = f"docgen benchmark scan {number}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


def make_scans(folder: Path, count: int) -> tuple[list[Path], int]:
    """``count`` one-page scan PDFs; returns them and the sum of their JPEG bytes."""
    textures = [_texture(seed) for seed in range(VARIANTS)]
    paths, jpeg_bytes = [], 0
    for number in range(count):
        jpeg = _unique(textures[number % VARIANTS], number)
        path = folder / f"scan-{number:04d}.pdf"
        path.write_bytes(img2pdf.convert(jpeg))
        paths.append(path)
        jpeg_bytes += len(jpeg)
    return paths, jpeg_bytes


def _peak_kb(pid: int) -> int | None:
    """The process's peak RSS so far (VmHWM), or None once it has exited."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def run_measured(args: list[str]) -> tuple[float, float]:
    """Run ``args`` as a child; its wall time in seconds and peak RSS in MB.

    Peak RSS is the child's VmHWM, polled every 5 ms: ru_maxrss would also count the
    benchmark's own memory, which the child inherits until it execs. Dirty pages of
    earlier runs are flushed first, so no run pays for another's writes."""
    os.sync()
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _peak_kb(child.pid) or 0)
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        error = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"{args[0]} failed ({child.returncode}): {error}")
    return elapsed, peak / 1024


def _spec(folder: Path, scans: list[Path]) -> Path:
    lines = ["documents:"]
    for number, scan in enumerate(scans, 1):
        lines += [f"  - title: 掃描 {number:03d}", f"    label: S{number:03d}", f"    file: {scan}"]
    spec = folder / "package.yaml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spec


def _warm(paths: list[Path]) -> None:
    for path in paths:
        path.read_bytes()


def _commands(folder: Path, scans: list[Path], spec: Path) -> dict[str, list[str]]:
    build = ["build", "--manifest", str(spec), "--half", "2026-H1", "--unit", "全處",
             "--category", "half_year_audit"]  # fmt: skip
    return {
        "qpdf": ["qpdf", "--empty", "--pages", *map(str, scans), "--", str(folder / "qpdf.pdf")],
        "docgen": [str(DOCGEN), "-w", str(folder), "package", *build,
                   "-o", str(folder / "docgen.pdf")],
    }  # fmt: skip


def _measure(commands: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float]]:
    """Best time and highest peak of each command, run alternately ``rounds`` times."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _round in range(rounds):
        for name, args in commands.items():
            runs[name].append(run_measured(args))
    return {n: (min(r[0] for r in rs), max(r[1] for r in rs)) for n, rs in runs.items()}


def _figures(name: str, measured: dict[str, tuple[float, float]], output: Path,
             jpeg_bytes: int) -> dict[str, object]:  # fmt: skip
    seconds, peak = measured[name]
    qpdf_s, qpdf_mb = measured["qpdf"]
    figures: dict[str, object] = {
        "seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1),
        "output_mb": round(output.stat().st_size / 2**20, 1),
    }  # fmt: skip
    if name != "qpdf":
        figures["time_ratio"] = round(seconds / qpdf_s, 2)
        figures["size_ratio"] = round(output.stat().st_size / jpeg_bytes, 4)
        figures["aims_met"] = {
            "time_ratio<=1.5": seconds / qpdf_s <= 1.5,
            "peak<=2*qpdf+50MB": peak <= 2 * qpdf_mb + 50,
            "size_ratio<=1.01": output.stat().st_size / jpeg_bytes <= 1.01,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300, help="number of scan files (300)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each tool; best time (2)")
    options = parser.parse_args()
    folder = Path(options.keep or tempfile.mkdtemp(prefix="bench-package-"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docgen.toml").write_text("", encoding="utf-8")  # a workspace to run in
    try:
        started = time.perf_counter()
        scans, jpeg_bytes = make_scans(folder, options.files)
        generated = time.perf_counter() - started
        _warm(scans)
        commands = _commands(folder, scans, _spec(folder, scans))
        measured = _measure(commands, options.rounds)
        outputs = {"qpdf": "qpdf.pdf", "docgen": "docgen.pdf"}
        result: dict[str, object] = {
            "benchmark": "docgen package build vs qpdf --empty --pages",
            "files": options.files,
            "rounds": options.rounds,
            "input_mb": round(sum(p.stat().st_size for p in scans) / 2**20, 1),
            "jpeg_mb": round(jpeg_bytes / 2**20, 1),
            "generation_s": round(generated, 1),
            "memory_limit_mb": round(2 * measured["qpdf"][1] + 50, 1),
        }
        for name, output in outputs.items():
            result[name] = _figures(name, measured, folder / output, jpeg_bytes)
        print(json.dumps(result, ensure_ascii=False))
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
