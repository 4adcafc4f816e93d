"""Two processes writing the office database at once (ISSUE 10 item 5): the archive
files the supervisors' evidence while ``audit results`` records their sheets, on
SQLite and on PostgreSQL. No error reaches either user, and nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from docgen.config import open_workspace
from docgen.db import open_database
from docgen.db.models.archive import File
from docgen.db.models.audit import CaseResult, DrawCase

SIMULATE = Path(__file__).resolve().parents[2] / "scripts" / "demo" / "simulate_results.py"


def test_the_archive_and_audit_results_write_at_once(tmp_path: Path, database_url: str) -> None:
    root = tmp_path / "office"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_") or k == "DOCGEN_LANG"}
    env |= {"DOCGEN_DATABASE_URL": database_url, "DOCGEN_ARCHIVE_STABLE_SECONDS": "0"}

    def docgen(*args: str) -> list[str]:
        return [sys.executable, "-m", "docgen", "-w", str(root), *args]

    def run(command: list[str]) -> None:
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr

    run(docgen("init", str(root), "--example"))
    run(docgen("audit", "sample", "--month", "2026-10"))
    sheets = sorted((root / "out" / "audit" / "2026-10").glob("抽查表_2026-10_*.xlsx"))
    evidence = root / "archive" / "inbox" / "evidence"
    run([sys.executable, str(SIMULATE), str(evidence), *map(str, sheets)])
    dropped = sorted(evidence.iterdir())
    assert len(sheets) >= 3 and len(dropped) >= 40

    scan = subprocess.Popen(docgen("archive", "scan"), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    results = subprocess.Popen(docgen("audit", "results", *map(str, sheets)), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    for process in (scan, results):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{process.args[4:6]}: {err}"
        assert "Error" not in err and "locked" not in err + out and "Traceback" not in err

    workspace = open_workspace(root, environ=env)
    with open_database(workspace) as db, db.session() as session:
        filed = session.scalars(select(File.original_name).where(File.status == "filed"))
        names = {Path(name).name for name in filed}
        documents = {path.name for path in dropped if not path.name.endswith(".meta.yaml")}
        assert documents <= names, "a filed file was lost"
        cases = session.scalar(select(func.count()).select_from(DrawCase))
        assert session.scalar(select(func.count()).select_from(CaseResult)) == cases
    assert not any(evidence.iterdir()), "everything left the inbox"
