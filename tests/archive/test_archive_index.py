"""The index: migrations, fixity sweeps, and a rebuild from the files that equals the
index the ingest made."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import date, datetime

import pikepdf
import pytest
from docx import Document

from docgen.archive.context import open_archive
from docgen.archive.db import SCHEMA_VERSION, Index, open_index
from docgen.archive.fixity import fixity_report, gone_files, unclassified_report
from docgen.db.models.archive import Hold
from docgen.archive.rebuild import compare, rebuild_into
from docgen.archive.reconcile import scan
from docgen.errors import ConfigError
from docgen.metadata import RecordMetadata, write_docx_metadata, write_pdf_metadata
from docgen.rules.record_id import make_record_id


def _scan(workspace):
    time.sleep(0.35)
    with open_archive(workspace) as ctx:
        return scan(ctx)


def test_an_index_at_version_1_opens_and_is_upgraded(tmp_path):
    path = tmp_path / "state" / "index.sqlite"
    Index(path, upto=1).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO records (record_id, category) VALUES ('DG-1-20260101-00000000', 'other')"
        )
        conn.execute(
            "INSERT INTO files (record_id, path, sha256, size, mtime_ns, inode) "
            "VALUES ('DG-1-20260101-00000000', 'records/other/115/a.pdf', 'ab', 1, 1, 1)"
        )
    with Index(path) as index:
        assert index.version == SCHEMA_VERSION == 3
        assert index.integrity_check() == "ok"
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(files)")]
        assert "verified_at" in columns
        assert conn.execute("SELECT path FROM files").fetchall() == [("records/other/115/a.pdf",)]
        assert conn.execute("SELECT COUNT(*) FROM forms_issued").fetchone() == (0,)
        assert conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == [
            (1,),
            (2,),
            (3,),
        ]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_index_from_newer_code_is_refused(tmp_path):
    path = tmp_path / "index.sqlite"
    Index(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(ConfigError, match="schema version 99, newer"):
        Index(path)


def _filed(workspace, count=3):
    inbox = workspace.archive_root / "inbox"
    for number in range(count):
        (inbox / f"doc{number}.txt").write_text(f"document {number}", encoding="utf-8")
    return sorted(f.path for f in _scan(workspace).filed)


def test_fixity_reports_a_modified_file_and_a_deleted_one(archive_ws):
    first, second, third = _filed(archive_ws)
    root = archive_ws.archive_root
    (root / first).write_text("document 0, altered", encoding="utf-8")
    (root / second).unlink()
    (root / "records" / "stray.txt").write_text("dropped here by hand", encoding="utf-8")
    report = fixity_report(archive_ws)
    problems = {row["path"]: row["problem"] for row in report.rows}
    assert problems == {
        first: "內容已變更 changed",
        second: "檔案遺失 gone",
        "records/stray.txt": "索引未登錄 unknown",
    }
    assert [f.path for f in gone_files(archive_ws)] == [second]
    assert report.summary["files read"] == 1  # the untouched third file was not read again
    del third


def test_a_quick_sweep_trusts_unchanged_stat_and_a_full_one_does_not(archive_ws):
    (path,) = _filed(archive_ws, 1)
    target = archive_ws.archive_root / path
    st = target.stat()
    with open(target, "r+b") as handle:  # same size, same mtime: bit rot
        handle.write(b"X")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert fixity_report(archive_ws).rows == []
    rows = fixity_report(archive_ws, full=True).rows
    assert [(r["path"], r["problem"]) for r in rows] == [(path, "內容已變更 changed")]


def test_unclassified_report_lists_the_reason(archive_ws):
    _filed(archive_ws, 1)
    report = unclassified_report(archive_ws)
    assert [r["path"] for r in report.rows] == ["records/unclassified/doc0.txt"]
    assert "no embedded metadata" in report.rows[0]["reason"]


def _example_archive(workspace) -> str:
    """An archive with every way of filing: metadata (DOCX + PDF of one record), a
    sidecar, a path rule, an unclassified file with a bad sidecar, a duplicate, an
    unclassified file classified later, and a disposed record (tombstone)."""
    inbox = workspace.archive_root / "inbox"
    record = str(make_record_id(4, "monthly", "202610", "企劃室"))
    meta = RecordMetadata(record_id=record, unit="企劃室", review_date="2026-11-20", title="月抽查")
    Document().save(inbox / "a.docx")
    write_docx_metadata(inbox / "a.docx", meta)
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        write_pdf_metadata(pdf, meta)
        pdf.save(inbox / "a.pdf")
    old = str(make_record_id(4, "monthly", "202001", "企劃室"))
    (inbox / "old.txt").write_text("2020 spot check", encoding="utf-8")
    (inbox / "old.txt.meta.yaml").write_text(
        f"record_id: {old}\nreview_date: 2020-02-10\n", "utf-8"
    )
    (inbox / "rules").mkdir()
    (inbox / "rules" / "e.png").write_bytes(b"evidence")
    (inbox / "bad.txt").write_text("bad", encoding="utf-8")
    (inbox / "bad.meta.yaml").write_text("period: 2026-13\n", encoding="utf-8")
    (inbox / "lost.bin").write_bytes(b"later classified")
    (inbox / "zz-copy.docx").write_bytes((inbox / "a.docx").read_bytes())
    manifest = {"form": "4", "documents": [{"record_id": record, "form": "4", "unit": "企劃室"}]}
    (inbox / "附件4_月抽查_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _scan(workspace)
    (inbox / "lost.bin").write_bytes(b"later classified")
    (inbox / "lost.bin.meta.yaml").write_text("category: external_audit\n", encoding="utf-8")
    _scan(workspace)
    return old


def test_rebuild_from_the_files_equals_the_index_the_ingest_made(
    archive_ws, reconfigure, tmp_path, index_rows
):
    from docgen.archive.approval import Approval
    from docgen.archive.disposal import dispose

    rule = '[[archive.path_rules]]\npattern = "rules/*"\ncategory = "half_year_audit"\nperiod = "2026-H1"\n'
    workspace = reconfigure(archive_ws, extra=rule)
    old = _example_archive(workspace)
    dispose(
        workspace,
        [old],
        Approval("北市市企字第1150000001號", "處長乙", date(2026, 11, 20)),
        date(2026, 11, 30),
        "檔管人員",
        datetime(2026, 11, 30, 10, 0),
    )
    with open_index(workspace) as index, index.session() as session:
        session.add(Hold(record_id=old, reason="訴訟", placed_at=datetime(2026, 1, 1)))
    with open_archive(workspace) as ctx:
        result = rebuild_into(ctx, tmp_path / "rebuilt.sqlite")
        with Index(tmp_path / "rebuilt.sqlite") as rebuilt:
            assert compare(ctx.index, rebuilt) == []
    assert (result.disposals, result.holds_carried) == (1, 1)
    assert (result.records, result.files) == (6, 13)
    assert index_rows(workspace, "SELECT record_id, unit, category FROM forms_issued") == [
        (str(make_record_id(4, "monthly", "202610", "企劃室")), "企劃室", "monthly_check")
    ]
    (workspace.archive_root / "records" / "unclassified" / "bad.txt").write_text("edited", "utf-8")
    with open_archive(workspace) as ctx:
        rebuild_into(ctx, tmp_path / "again.sqlite")
        with Index(tmp_path / "again.sqlite") as rebuilt:
            differences = compare(ctx.index, rebuilt)
    assert len(differences) == 4  # old and new U- records, the file and its sidecar
    assert all("bad" in d or "record U-" in d for d in differences)
