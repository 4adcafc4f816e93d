"""Rejecting an unclassified file as no record (ISSUE 13 item 4): the 檔管人員 says why;
the file stays where it is, the unclassified report stops asking anyone to sort it, it
is never a disposal candidate, a rebuild of the index keeps the rejection, and a file
rejected by mistake can still be classified."""

from __future__ import annotations

import contextlib
import io
import json
import time
from datetime import date

from sqlalchemy import select

from docgen.archive.context import open_archive
from docgen.archive.db import Index, open_index
from docgen.archive.disposal import destruction_candidates
from docgen.archive.fixity import unclassified_report
from docgen.archive.rebuild import compare, rebuild_into
from docgen.archive.reconcile import scan
from docgen.cli.main import main
from docgen.db.models.archive import File, Record
from docgen.errors import ExitCode, InputError
from docgen.services.triage import reject_file
from tests.archive.dbrows import ON_BOTH_ENGINES

#: A synthetic national ID (valid check digit), as a careless reason might hold.
SOMEONE = "A123456789"


def _scan(workspace):
    time.sleep(0.35)
    with open_archive(workspace) as ctx:
        return scan(ctx)


def _unclassified(workspace, name: str, text: str) -> str:
    """File ``name`` with no metadata; its (unclassified) record ID."""
    (workspace.archive_root / "inbox" / name).write_text(text, encoding="utf-8")
    _scan(workspace)
    with open_index(workspace) as index, index.session() as session:
        return session.scalars(
            select(File.record_id).where(File.original_name == name, File.kind == "document")
        ).one()


def _record(workspace, record_id: str) -> Record | None:
    with open_index(workspace) as index, index.session() as session:
        found = session.get(Record, record_id)
        if found is not None:
            session.expunge(found)
        return found


def _journal(workspace, command: str) -> list[dict]:
    lines = workspace.journal_path.read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e.get("command") == command]


def _run(workspace, *args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["--lang", "en", "-w", str(workspace.root), *args])
        except SystemExit as done:
            code = int(done.code or 0)
    return code, out.getvalue() + err.getvalue()


@ON_BOTH_ENGINES
def test_a_rejected_file_is_kept_and_no_longer_listed(archive_ws):
    stray = _unclassified(archive_ws, "stray.txt", "someone's shopping list")
    other = _unclassified(archive_ws, "other.txt", "an unnamed scan")
    kept = reject_file(archive_ws, stray, f"  personal file of   {SOMEONE} ", by="archive1")
    assert SOMEONE not in kept and kept.startswith("personal file of A")
    record = _record(archive_ws, stray)
    assert record is not None and (record.status, record.reason) == ("rejected", kept)
    report = unclassified_report(archive_ws)
    assert [r["path"] for r in report.rows] == ["records/unclassified/other.txt"]
    assert report.summary["Rejected as no record (kept, not listed)"] == 1
    assert (archive_ws.archive_root / "records" / "unclassified" / "stray.txt").is_file()
    (entry,) = _journal(archive_ws, "archive reject")
    assert entry["details"] == {"user": "archive1", "record_id": stray, "reason": kept}
    assert stray not in destruction_candidates(archive_ws, date(2099, 1, 1))
    assert _record(archive_ws, other).status == "unclassified"  # type: ignore[union-attr]


def test_only_an_unclassified_file_is_rejected_and_only_with_a_reason(archive_ws):
    stray = _unclassified(archive_ws, "stray.txt", "a blank page")
    for record_id, reason, problem in (
        (stray, "   ", "say why"),
        ("U-0000000000000000", "blank", "not an unclassified file"),
    ):
        try:
            reject_file(archive_ws, record_id, reason, by="archive1")
        except InputError as error:
            assert problem in error.message
        else:
            raise AssertionError(f"{record_id!r} {reason!r} was rejected")
    reject_file(archive_ws, stray, "blank page", by="archive1")
    try:
        reject_file(archive_ws, stray, "again", by="archive1")
    except InputError as error:
        assert "not an unclassified file" in error.message
    else:
        raise AssertionError("a rejected file was rejected again")
    assert _record(archive_ws, stray).reason == "blank page"  # type: ignore[union-attr]
    assert len(_journal(archive_ws, "archive reject")) == 1


@ON_BOTH_ENGINES
def test_a_rebuild_of_the_index_keeps_the_rejection(archive_ws, tmp_path):
    stray = _unclassified(archive_ws, "stray.txt", "not ours")
    _unclassified(archive_ws, "other.txt", "to be sorted")
    reject_file(archive_ws, stray, "scan meant for another office", by="archive1")
    with open_archive(archive_ws) as ctx:
        rebuild_into(ctx, tmp_path / "rebuilt.sqlite")
        with Index.scratch(tmp_path / "rebuilt.sqlite") as rebuilt:
            assert compare(ctx.index, rebuilt) == []
            with rebuilt.session() as session:
                assert session.get(Record, stray).status == "rejected"  # type: ignore[union-attr]
    # A journal that does not verify is not believed: the old index says it instead.
    lines = archive_ws.journal_path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"command": "', '"command": "x')
    archive_ws.journal_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open_archive(archive_ws) as ctx:
        result = rebuild_into(ctx, tmp_path / "again.sqlite")
        with Index.scratch(tmp_path / "again.sqlite") as rebuilt:
            assert compare(ctx.index, rebuilt) == []
    assert not result.journal_verified


def test_a_rejected_file_classified_after_all_is_filed(archive_ws):
    stray = _unclassified(archive_ws, "scan.txt", "evidence after all")
    reject_file(archive_ws, stray, "looked blank", by="archive1")
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "scan-again.txt").write_text("evidence after all", encoding="utf-8")
    (inbox / "scan-again.txt.meta.yaml").write_text(
        "category: monthly_check\nperiod: 2026-10\nunit: 企劃室\n", encoding="utf-8"
    )
    _scan(archive_ws)
    assert _record(archive_ws, stray) is None  # absorbed into the record it now is
    with open_index(archive_ws) as index, index.session() as session:
        statuses = session.execute(
            select(File.original_name, File.status, Record.category)
            .join(Record, Record.record_id == File.record_id)
            .where(File.kind == "document")
            .order_by(File.original_name)
        ).all()
    assert statuses == [
        ("scan-again.txt", "filed", "monthly_check"),
        ("scan.txt", "duplicate", "monthly_check"),
    ]


def test_the_command_line_rejects_with_one_line(archive_ws):
    stray = _unclassified(archive_ws, "stray.txt", "a stray page")
    code, out = _run(archive_ws, "archive", "reject", stray, "--reason", f"for {SOMEONE}")
    assert code == 0, out
    assert f"{stray} is rejected as no record" in out and SOMEONE not in out
    code, out = _run(archive_ws, "archive", "reject", stray, "--reason", "again")
    assert code == ExitCode.INPUT, out
    assert len(out.strip().splitlines()) == 1 and "not an unclassified file" in out
    assert "Traceback" not in out
