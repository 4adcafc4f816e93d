"""The index: taking over an earlier docgen's index file, fixity sweeps, and a rebuild from the files that equals the
index the ingest made."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from datetime import date, datetime

import pikepdf
from docx import Document
from sqlalchemy import select

from docgen.archive.context import open_archive
from docgen.archive.db import Index, open_index
from docgen.archive.fixity import fixity_report, gone_files, unclassified_report
from docgen.archive.rebuild import compare, rebuild_into
from docgen.archive.reconcile import scan
from docgen.cli.main import main
from docgen.db import Database
from docgen.db.models.archive import Disposal, DisposalPlan, FormIssued, Hold, Record
from docgen.errors import ExitCode
from docgen.metadata import RecordMetadata, write_docx_metadata, write_pdf_metadata
from docgen.rules.record_id import make_record_id
from tests.archive.dbrows import ON_BOTH_ENGINES
from tests.archive.legacy_index import old_index


def _scan(workspace):
    time.sleep(0.35)
    with open_archive(workspace) as ctx:
        return scan(ctx)


def _run(workspace, *args):
    """``docgen -w WS …`` through the real entry point: (exit code, output)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["-w", str(workspace.root), *args])
        except SystemExit as done:
            code = int(done.code or 0)
    return code, out.getvalue() + err.getvalue()


_RID = "DG-1-20260101-00000000"
_GONE = "DG-1-20200101-00000000"
_V1_ROWS = (
    f"INSERT INTO records (record_id, category) VALUES ('{_RID}', 'other')",
    f"INSERT INTO records (record_id, status) VALUES ('{_GONE}', 'disposed')",
    "INSERT INTO files (record_id, path, sha256, size, mtime_ns, inode) "
    f"VALUES ('{_RID}', 'records/other/115/a.pdf', 'ab', 1, 1, 1)",
    "INSERT INTO holds (record_id, reason, placed_by, placed_at) "
    f"VALUES ('{_RID}', '訴訟', '檔管人員', '2026-01-02 09:30:00')",
    "INSERT INTO disposals (record_id, files_json, metadata_json, approval, disposed_at) "
    f"VALUES ('{_GONE}', '[]', '{{}}', '文號', '2025-01-01 10:00:00')",
)


@ON_BOTH_ENGINES
def test_an_index_at_version_1_is_refused_until_db_upgrade_takes_it_over(archive_ws, index_rows):
    """ISSUE 10 item 2: an earlier docgen's index (schema v1) is not opened by any
    command; ``docgen db upgrade`` brings it to the
    last schema on a copy and moves every row into the office database."""
    old_index(archive_ws.index_path, 1, *_V1_ROWS)
    before = archive_ws.index_path.read_bytes()
    code, output = _run(archive_ws, "archive", "scan")
    assert code == ExitCode.CONFIG, output
    assert "run `docgen db upgrade`" in output and "Traceback" not in output
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM records") == []  # no tables made
    code, output = _run(archive_ws, "db", "upgrade")
    assert code == 0, output
    assert index_rows(archive_ws, "SELECT record_id, category, status FROM records ORDER BY 1") == [
        (_GONE, "", "disposed"),
        (_RID, "other", "filed"),
    ]
    assert index_rows(archive_ws, "SELECT path, verified_at FROM files") == [
        ("records/other/115/a.pdf", None)
    ]
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM forms_issued") == [(0,)]
    with open_index(archive_ws) as index, index.session() as session:
        [hold] = session.scalars(select(Hold))
        assert (hold.record_id, hold.reason, hold.placed_at) == (
            _RID,
            "訴訟",
            datetime(2026, 1, 2, 9, 30),
        )
        assert session.get(Record, _RID).files[0].path == "records/other/115/a.pdf"
        [gone] = session.scalars(select(Disposal))
        assert (gone.record_id, gone.approval, gone.approved_by, gone.plan_id) == (
            _GONE,
            "文號",
            "",
            "",
        )
        assert gone.disposed_at == datetime(2025, 1, 1, 10, 0)
        # the ID sequences follow what was taken over: new rows get new IDs
        session.add(Hold(record_id=_GONE, reason="再審", placed_at=datetime(2026, 2, 1)))
    assert archive_ws.index_path.read_bytes() == before  # the old file is left as a backup
    code, output = _run(archive_ws, "archive", "report", "disposals")
    assert code == 0, output


_V3_ROWS = (
    *_V1_ROWS,
    "INSERT INTO forms_issued (record_id, form, unit, issued_at) "
    f"VALUES ('{_RID}', '1', '企劃室', '2026-01-01 08:00:00')",
    "INSERT INTO disposal_plans (plan_id, approval, approved_by, approved_on, disposed_by, "
    "as_of, state, created_at) VALUES ('DP-20250101-0000abcd', '文號', '處長乙', "
    "'2024-12-20', '檔管甲', '2025-01-01', 'done', '2025-01-01 09:59:00')",
    "INSERT INTO disposal_plan_items (plan_id, position, record_id, files_json, "
    f"metadata_json, state) VALUES ('DP-20250101-0000abcd', 0, '{_GONE}', '[]', '{{}}', 'done')",
)


@ON_BOTH_ENGINES
def test_an_index_at_version_3_is_taken_over_row_for_row(archive_ws, index_rows):
    old_index(archive_ws.index_path, 3, *_V3_ROWS)
    code, output = _run(archive_ws, "db", "upgrade")
    assert code == 0, output
    counts = {
        table: index_rows(archive_ws, f"SELECT COUNT(*) FROM {table}")[0][0]
        for table in ("records", "files", "holds", "disposals", "forms_issued")
    }
    assert counts == {"records": 2, "files": 1, "holds": 1, "disposals": 1, "forms_issued": 1}
    with open_index(archive_ws) as index, index.session() as session:
        plan = session.get(DisposalPlan, "DP-20250101-0000abcd")
        assert (plan.state, plan.approved_on, plan.as_of) == (
            "done",
            date(2024, 12, 20),
            date(2025, 1, 1),
        )
        assert [(i.record_id, i.state) for i in plan.items] == [(_GONE, "done")]
        assert session.get(FormIssued, _RID).issued_at == datetime(2026, 1, 1, 8, 0)
    code, output = _run(archive_ws, "archive", "report", "disposals")
    assert code == 0, output


@ON_BOTH_ENGINES
def test_an_index_from_newer_code_is_refused_and_nothing_is_taken_over(archive_ws, index_rows):
    old_index(archive_ws.index_path, 3, "INSERT INTO schema_version (version) VALUES (99)")
    code, output = _run(archive_ws, "archive", "scan")
    assert code == ExitCode.CONFIG and "run `docgen db upgrade`" in output
    code, output = _run(archive_ws, "db", "upgrade")
    assert code == ExitCode.CONFIG and "schema version 99, newer" in output, output
    with Database(archive_ws.database_url, archive_ws.config.database.office) as db:
        assert db.revision() is None  # the whole take-over was rolled back


def _filed(workspace, count=3):
    inbox = workspace.archive_root / "inbox"
    for number in range(count):
        (inbox / f"doc{number}.txt").write_text(f"document {number}", encoding="utf-8")
    return sorted(f.path for f in _scan(workspace).filed)


@ON_BOTH_ENGINES
def test_fixity_reports_a_modified_file_and_a_deleted_one(archive_ws):
    first, second, third = _filed(archive_ws)
    root = archive_ws.archive_root
    (root / first).write_text("document 0, altered", encoding="utf-8")
    (root / second).unlink()
    (root / "records" / "stray.txt").write_text("dropped here by hand", encoding="utf-8")
    report = fixity_report(archive_ws)
    problems = {row["path"]: row["problem"] for row in report.rows}
    assert problems == {
        first: "content changed",
        second: "file lost",
        "records/stray.txt": "not in the index",
    }
    assert [f.path for f in gone_files(archive_ws)] == [second]
    assert report.summary["Files read"] == 1  # the untouched third file was not read again
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
    assert [(r["path"], r["problem"]) for r in rows] == [(path, "content changed")]


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


@ON_BOTH_ENGINES
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
        with Index.scratch(tmp_path / "rebuilt.sqlite") as rebuilt:
            assert compare(ctx.index, rebuilt) == []
    assert (result.disposals, result.holds_carried) == (1, 1)
    assert (result.records, result.files) == (6, 13)
    assert index_rows(workspace, "SELECT record_id, unit, category FROM forms_issued") == [
        (str(make_record_id(4, "monthly", "202610", "企劃室")), "企劃室", "monthly_check")
    ]
    (workspace.archive_root / "records" / "unclassified" / "bad.txt").write_text("edited", "utf-8")
    with open_archive(workspace) as ctx:
        rebuild_into(ctx, tmp_path / "again.sqlite")
        with Index.scratch(tmp_path / "again.sqlite") as rebuilt:
            differences = compare(ctx.index, rebuilt)
    assert len(differences) == 4  # old and new U- records, the file and its sidecar
    assert all("bad" in d or "record U-" in d for d in differences)
