"""Benchmark of the forms engine, ours beside the plain way, in one process.

(a) 1,000 records of 附件2 through ``docgen.forms.fill_rows`` (validation, masking,
    template compiled once, QR code, custom properties, atomic writes, manifest)
    against a plain docxtpl loop on the same contexts: a fresh ``DocxTemplate(path)``,
    ``render(ctx, jinja_env=<our sandboxed environment>, autoescape=True)`` and
    ``save`` per record (our environment because the templates use its filters).
    ``word/document.xml`` of sampled records must be identical between the two.
(b) 50 forms to PDF through our converter (one soffice process for the batch)
    against one ``soffice --convert-to pdf`` call per file, and against one soffice
    call given all 50 files.

Usage: .venv/bin/python benchmarks/bench_forms.py [--records 1000] [--pdfs 50]
Prints progress, then one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from docgen.config import open_workspace
from docgen.forms import BatchOptions, fill_rows
from docgen.forms.environment import make_environment
from docgen.forms.identity import render_context
from docgen.forms.libreoffice import Converter, find_soffice, fontconfig_file
from docgen.forms.registry import FORMS
from docgen.forms.writer import packaged_templates
from docgen.privacy import is_valid_national_id

UNITS = ("企劃室", "市場行政科", "攤販管理科", "秘書室")
TYPES = ("新增", "異動", "停用", "復用", "註銷")


def national_id(rng: random.Random) -> str:
    while True:
        value = f"{rng.choice('ABCDEFGH')}{rng.choice('12')}{rng.randrange(10**8):08d}"
        if is_valid_national_id(value):
            return value


def records(count: int) -> list[tuple[int, dict[str, Any]]]:
    rng = random.Random(3)
    rows = []
    for number in range(count):
        rows.append(
            (
                number + 2,
                {
                    "application_type": rng.choice(TYPES),
                    "unit": rng.choice(UNITS),
                    "title": "科員",
                    "name": "王" + rng.choice("小大中") + rng.choice("明華芳"),
                    "national_id": national_id(rng),
                    "account": f"u{number:05d}",
                    "phone": f"02-2345-{rng.randrange(10000):04d}",
                    "email": f"u{number:05d}@example.gov.tw",
                    "role": rng.choice(("一般使用者", "稽核人員")),
                    "purpose": "辦理零售市場攤位使用人資格審查 & <複查>",
                    "legal_basis": "零售市場管理條例第12條",
                    "application_date": f"115/{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}",
                },
            )
        )
    return rows


def plain_loop(template: Path, contexts: list[dict[str, Any]], out: Path) -> float:
    env = make_environment()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for index, context in enumerate(contexts):
        document = DocxTemplate(str(template))
        document.render(context, jinja_env=env, autoescape=True)
        document.save(str(out / f"{index:05d}.docx"))
    return time.perf_counter() - start


def bench_docx(work: Path, count: int) -> tuple[dict[str, Any], list[Path]]:
    workspace = open_workspace(work / "ws", environ={})
    rows = records(count)
    template = packaged_templates() / FORMS["2"].template_name("")
    results: dict[str, Any] = {"records": count}
    for jobs in sorted({1, os.cpu_count() or 1}):
        out = work / f"ours-{jobs}"
        start = time.perf_counter()
        result = fill_rows(workspace, "2", None, rows, out, "bench", BatchOptions(jobs=jobs))
        results[f"ours_seconds_jobs{jobs}"] = round(time.perf_counter() - start, 2)
        print(f"(a) ours, {jobs} job(s): {results[f'ours_seconds_jobs{jobs}']} s", file=sys.stderr)
    office = workspace.config.office.name
    contexts = []
    from docgen.forms.data import validate_rows

    spec = FORMS["2"]
    policy = workspace.config.masking.policy()
    valid, _ = validate_rows(spec, "", rows, "bench", policy)
    by_row = {d.row: d for d in result.documents}
    for record in valid:
        contexts.append(render_context(record.data, by_row[record.row].metadata, office))
    plain = plain_loop(template, contexts, work / "plain")
    results["plain_docxtpl_seconds"] = round(plain, 2)
    print(f"(a) plain docxtpl loop: {plain:.2f} s", file=sys.stderr)
    results["speedup_jobs1"] = round(plain / results["ours_seconds_jobs1"], 2)
    best = min(v for k, v in results.items() if k.startswith("ours_seconds"))
    results["speedup_best"] = round(plain / best, 2)
    sample = random.Random(1).sample(range(len(valid)), min(25, len(valid)))
    same = all(
        _document_xml(by_row[valid[i].row].docx) == _document_xml(work / "plain" / f"{i:05d}.docx")
        for i in sample
    )
    results["document_xml_identical"] = same
    results["records_compared"] = len(sample)
    return results, [by_row[valid[i].row].docx for i in range(len(valid))]


def _document_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml")


def _soffice(env: dict[str, str], profile: Path, files: list[Path], out: Path) -> None:
    command = [
        find_soffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        *map(str, files),
    ]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=900)


def bench_pdf(work: Path, docx: list[Path], count: int) -> dict[str, Any]:
    files = docx[:count]
    fonts = Path(tempfile.mkdtemp(dir=work))
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(fonts)), "HOME": str(fonts)}
    profile = work / "profile"
    _soffice(env, profile, files[:1], work / "warm")  # first start creates the profile
    results: dict[str, Any] = {"documents": len(files)}
    start = time.perf_counter()
    with Converter() as converter:
        converted = converter.convert(files, work / "pdf-ours")
    results["ours_seconds"] = round(time.perf_counter() - start, 2)
    results["ours_failed"] = len(converted.failed)
    print(f"(b) ours: {results['ours_seconds']} s", file=sys.stderr)
    start = time.perf_counter()
    for path in files:
        _soffice(env, profile, [path], work / "pdf-each")
    results["soffice_per_file_seconds"] = round(time.perf_counter() - start, 2)
    print(f"(b) one soffice per file: {results['soffice_per_file_seconds']} s", file=sys.stderr)
    start = time.perf_counter()
    _soffice(env, profile, files, work / "pdf-one")
    results["soffice_one_call_seconds"] = round(time.perf_counter() - start, 2)
    print(f"(b) one soffice call: {results['soffice_one_call_seconds']} s", file=sys.stderr)
    results["speedup_vs_per_file"] = round(
        results["soffice_per_file_seconds"] / results["ours_seconds"], 2
    )
    results["ratio_to_one_call"] = round(
        results["ours_seconds"] / results["soffice_one_call_seconds"], 2
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--pdfs", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-forms-"))
    try:
        docx_results, docx_files = bench_docx(work, args.records)
        pdf_results = bench_pdf(work, docx_files, args.pdfs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"docx_batch": docx_results, "pdf": pdf_results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
