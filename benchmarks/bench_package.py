"""Benchmark: ``docgen package build`` against ``qpdf --empty --pages … -- out.pdf``.

Generates N scan PDFs (default 300, about 350 MB: one noise-textured A4 page at
300 dpi each, a ~1.2 MB JPEG embedded by img2pdf), then merges them with both
tools, each as its own child process, one after the other, from a warm page
cache. Peak memory is each child's ru_maxrss (``os.wait4``). Prints one JSON
object last: time ratio (docgen / qpdf), peak memory of each, and the package size
over the sum of the input JPEG bytes.

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


def run_measured(args: list[str]) -> tuple[float, float]:
    """Run ``args`` as a child; its wall time in seconds and peak RSS in MB."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        error = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"{args[0]} failed ({child.returncode}): {error}")
    return elapsed, usage.ru_maxrss / 1024


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300, help="number of scan files (300)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    options = parser.parse_args()
    folder = Path(options.keep or tempfile.mkdtemp(prefix="bench-package-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        scans, jpeg_bytes = make_scans(folder, options.files)
        generated = time.perf_counter() - started
        spec = _spec(folder, scans)
        _warm(scans)
        qpdf_out, ours_out = folder / "qpdf.pdf", folder / "docgen.pdf"
        qpdf_args = ["qpdf", "--empty", "--pages", *map(str, scans), "--", str(qpdf_out)]
        qpdf_s, qpdf_mb = run_measured(qpdf_args)
        ours_args = [str(DOCGEN), "-w", str(folder), "package", "build", "--manifest", str(spec),
                     "--period", "2026-H1", "--unit", "全處", "--category", "half_year_audit",
                     "-o", str(ours_out)]  # fmt: skip
        ours_s, ours_mb = run_measured(ours_args)
        input_bytes = sum(p.stat().st_size for p in scans)
        result = {
            "benchmark": "package build vs qpdf --empty --pages",
            "files": options.files,
            "input_mb": round(input_bytes / 2**20, 1),
            "jpeg_mb": round(jpeg_bytes / 2**20, 1),
            "generation_s": round(generated, 1),
            "qpdf": {"seconds": round(qpdf_s, 2), "peak_rss_mb": round(qpdf_mb, 1),
                     "output_mb": round(qpdf_out.stat().st_size / 2**20, 1)},
            "docgen": {"seconds": round(ours_s, 2), "peak_rss_mb": round(ours_mb, 1),
                       "output_mb": round(ours_out.stat().st_size / 2**20, 1)},
            "time_ratio": round(ours_s / qpdf_s, 2),
            "memory_limit_mb": round(2 * qpdf_mb + 50, 1),
            "size_ratio": round(ours_out.stat().st_size / jpeg_bytes, 4),
        }  # fmt: skip
        result["aims_met"] = {
            "time_ratio<=1.5": result["time_ratio"] <= 1.5,
            "peak<=2*qpdf+50MB": ours_mb <= 2 * qpdf_mb + 50,
            "size_ratio<=1.01": result["size_ratio"] <= 1.01,
        }
        print(json.dumps(result, ensure_ascii=False))
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
