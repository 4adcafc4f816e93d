"""Hostile files in the inbox (ISSUE 9): metadata that names a path, links, FIFOs, a
forged file claiming a disposed record, a second process on the same archive, control
characters and national IDs in file names, decompression bombs and broken XML.

Real files, a real SQLite index, the real scan (in process, by the CLI, or as a
subprocess); nothing of docgen's is mocked.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
import qrcode
from click.testing import CliRunner
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from docgen.archive.claims import check_metadata, valid_record_id
from docgen.archive.classify import CATEGORIES, complete
from docgen.archive.context import LOCK_NAME, open_archive
from docgen.archive.db import open_index
from docgen.archive.paths import contained, safe_file_name
from docgen.archive.placement import folder_for, unique_name
from docgen.archive.plan import record_id_for
from docgen.archive.reconcile import scan
from docgen.cli.main import cli
from docgen.db.models.archive import Disposal, File, Record
from docgen.errors import InputError
from docgen.fsutil import sha256_file
from docgen.metadata import (
    RecordMetadata,
    UntrustedMetadata,
    write_docx_metadata,
    write_pdf_metadata,
)
from docgen.packages.manifest import write_manifest
from docgen.privacy import find_unmasked_ids
from docgen.rules.record_id import CATEGORY_BY_FORM, RecordId, make_record_id, parse_record_id

RECORD = str(make_record_id(4, "monthly", "202610", "企劃室"))
OLD = str(make_record_id(4, "monthly", "202010", "企劃室"))
SAMPLE_ID = "A123456789"  # the well-known sample ID (DESIGN.md, Conventions)


def _scan(workspace):
    time.sleep(0.35)
    with open_archive(workspace) as ctx:
        return scan(ctx, max_wait=0)


def _docx(path: Path, meta: RecordMetadata) -> Path:
    Document().save(str(path))
    write_docx_metadata(path, meta)
    return path


def _pdf(path: Path, meta: RecordMetadata | None = None) -> Path:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        if meta is not None:
            write_pdf_metadata(pdf, meta)
        pdf.save(path)
    return path


def _reasons(workspace, index_rows) -> list[str]:
    sql = "SELECT reason FROM records WHERE status = 'unclassified' ORDER BY record_id"
    return [str(reason) for (reason,) in index_rows(workspace, sql)]


def _outside_records(workspace) -> set[str]:
    """Every path under the workspace but outside archive/records/, inbox and state."""
    skip = (workspace.archive_root / "records", workspace.archive_root / "inbox")
    return {
        p.relative_to(workspace.root).as_posix()
        for p in workspace.root.rglob("*")
        if not any(p.is_relative_to(s) for s in (*skip, workspace.state_dir))
        and p.name != LOCK_NAME
    }


def _with_templates(workspace) -> set[str]:
    folder = workspace.root / "templates" / "attachments"
    folder.mkdir(parents=True)
    (folder / "附件4.docx").write_bytes(b"the office's template")
    return _outside_records(workspace)


# --- item 1: metadata that names a path ----------------------------------------------

HOSTILE_FIELDS = [
    {"record_id": "../../../../templates/attachments/附件4", "category": "monthly_check"},
    {"record_id": "/tmp/docgen-evil", "category": "monthly_check"},
    {"record_id": f"{RECORD}/../../../../templates/attachments/x"},
    {"record_id": f"x{RECORD}"},
    {"record_id": "DG-1M-202610-1A2B3C4D"},  # no such form and variant
    {"record_id": "DG-4M-202613-1A2B3C4D"},  # no 13th month
    {"category": "../../../templates/attachments"},
    {"category": "/etc"},
    {"category": "monthly_check", "period": "../../../../templates"},
    {"category": "monthly_check", "review_date": "2026-11-20/../../.."},
    {"category": "monthly_check", "unit": "企劃室\n2026-11-20 INFO filed x"},
]


@pytest.mark.parametrize("values", HOSTILE_FIELDS, ids=lambda v: ",".join(v))
def test_docx_metadata_outside_its_grammar_is_filed_unclassified(archive_ws, index_rows, values):
    before = _with_templates(archive_ws)
    inbox = archive_ws.archive_root / "inbox"
    _docx(inbox / "forged.docx", RecordMetadata(**values))
    result = _scan(archive_ws)
    assert [(f.status, f.path) for f in result.filed] == [
        ("unclassified", "records/unclassified/forged.docx")
    ]
    assert _outside_records(archive_ws) == before, "nothing written outside records/"
    (reason,) = _reasons(archive_ws, index_rows)
    assert reason.startswith("custom properties of forged.docx: field ")
    assert "\n" not in reason


def test_xmp_sidecar_and_package_manifest_claims_are_checked_too(archive_ws, index_rows, tmp_path):
    before = _with_templates(archive_ws)
    inbox = archive_ws.archive_root / "inbox"
    _pdf(inbox / "scan.pdf", RecordMetadata(record_id="../../../../templates/x", category="other"))
    (inbox / "note.txt").write_text("note", encoding="utf-8")
    (inbox / "note.txt.meta.yaml").write_text(f"record_id: ../{RECORD}\n", encoding="utf-8")
    package = _pdf(tmp_path / "package.pdf")
    evil = RecordMetadata(record_id="../../../../templates/p", category="monthly_check")
    manifest = write_manifest(package, sha256_file(package), evil, [], 1, False)
    manifest.rename(inbox / manifest.name)
    forms = {"form": "4", "documents": [{"record_id": f"{RECORD}/../../x", "form": "4"}]}
    (inbox / "附件4_manifest.json").write_text(json.dumps(forms), encoding="utf-8")
    result = _scan(archive_ws)
    assert {f.status for f in result.filed} == {"unclassified"} and len(result.filed) == 4
    assert _outside_records(archive_ws) == before
    reasons = " | ".join(_reasons(archive_ws, index_rows))
    assert "XMP metadata of scan.pdf: field record_id: '../../../../templates/x'" in reasons
    assert f"sidecar note.txt.meta.yaml: field record_id: '../{RECORD}'" in reasons
    assert "package manifest package.pdf.manifest.json: field record_id" in reasons
    assert "forms manifest 附件4_manifest.json, document 1: field record_id" in reasons
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM forms_issued") == [(0,)]


def test_invalid_embedded_metadata_does_not_fall_through_to_a_sidecar(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    _docx(inbox / "a.docx", RecordMetadata(category="nonsense"))
    (inbox / "a.docx.meta.yaml").write_text("category: monthly_check\n", encoding="utf-8")
    result = _scan(archive_ws)
    assert [f.status for f in result.filed] == ["unclassified"]
    assert _reasons(archive_ws, index_rows) == [
        "custom properties of a.docx: field category: unknown category 'nonsense': one of "
        "account_application, confidentiality_pledge, external_audit, half_year_audit, "
        "monthly_check, other, security_agreement"
    ]


def test_a_records_folder_linked_outside_is_never_written_through(archive_ws, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (archive_ws.archive_root / "records").mkdir(parents=True)
    (archive_ws.archive_root / "records" / "unclassified").symlink_to(elsewhere)
    (archive_ws.archive_root / "inbox" / "plain.txt").write_text("x", encoding="utf-8")
    result = _scan(archive_ws)
    assert result.filed == [] and len(result.failed) == 1
    assert "leads outside" in result.failed[0][1]
    assert list(elsewhere.iterdir()) == []
    assert (archive_ws.archive_root / "inbox" / "plain.txt").exists()


def test_an_unclassified_file_keeps_a_safe_version_of_its_name(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    names = ["a\nb..c\x1b[2J.txt", "x..hidden?.txt", "很長的名字" * 16 + ".pdf", "CON.txt"]
    for name in names:
        (inbox / name).write_bytes(name.encode("utf-8"))
    result = _scan(archive_ws)
    filed = sorted(f.path.removeprefix("records/unclassified/") for f in result.filed)
    assert len(filed) == 4 and all(f.status == "unclassified" for f in result.filed)
    for name in filed:
        assert "/" not in name and ".." not in name and not any(ord(c) < 32 for c in name)
        assert len(name.encode("utf-8")) <= 200
    assert "a_b.c_[2J.txt" in filed and "x.hidden_.txt" in filed and "_CON.txt" in filed
    stored = {n for (n,) in index_rows(archive_ws, "SELECT original_name FROM files")}
    assert "a\\nb..c\\x1b[2J.txt" in stored


# --- item 2: links, FIFOs and sockets -------------------------------------------------


def _scan_process(workspace, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env["DOCGEN_LANG"] = "en"  # the messages tests assert
    command = [sys.executable, "-m", "docgen", "-w", str(workspace.root), "archive", "scan"]
    return subprocess.run(
        [*command, "--wait", "0"], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_links_fifos_and_sockets_in_the_inbox_are_reported_and_left_alone(
    archive_ws, index_rows, tmp_path
):
    inbox = archive_ws.archive_root / "inbox"
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:secret household data\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "inside.txt").write_text("reached through a link", encoding="utf-8")
    (inbox / "passwd.pdf").symlink_to(secret)
    (inbox / "linked").symlink_to(folder)
    os.mkfifo(inbox / "pipe.pdf")
    entries = ["passwd.pdf", "linked", "pipe.pdf"]
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(inbox / "s.sock"))
        entries.append("s.sock")
    except OSError:  # the path is too long for a socket here
        server.close()
    (inbox / "real.txt").write_text("a regular file", encoding="utf-8")
    time.sleep(0.35)
    try:
        done = _scan_process(archive_ws)  # a FIFO opened for reading would block it
    finally:
        server.close()
    assert done.returncode != 0
    lines = done.stderr.splitlines()
    for name in entries:
        assert len([line for line in lines if f"inbox/{name}:" in line]) == 1, done.stderr
        assert os.path.lexists(inbox / name), "left alone"
    files = index_rows(archive_ws, "SELECT sha256, original_name FROM files")
    assert [name for _, name in files] == ["real.txt"]
    assert sha256_file(secret) not in {sha for sha, _ in files}
    on_disk = [p for p in (archive_ws.archive_root / "records").rglob("*") if p.is_file()]
    assert all(b"secret" not in p.read_bytes() for p in on_disk)
    assert (folder / "inside.txt").exists() and "Filed 1 file(s)." in done.stdout


def test_the_watcher_reports_a_link_once_and_never_follows_it(
    archive_ws, start_watcher, wait_until, index_rows, tmp_path
):
    inbox = archive_ws.archive_root / "inbox"
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the archive", encoding="utf-8")
    (inbox / "link.txt").symlink_to(secret)
    watcher = start_watcher(archive_ws)
    (inbox / "later.txt").symlink_to(secret)
    (inbox / "real.txt").write_text("filed", encoding="utf-8")
    count = "SELECT COUNT(*) FROM files"
    wait_until(lambda: index_rows(archive_ws, count) == [(1,)], 30, "the regular file filed")
    time.sleep(1)
    assert watcher.terminate() == 0
    log = watcher.log.read_text(encoding="utf-8")
    assert log.count("could not file inbox/link.txt: a symbolic link") == 1, log
    assert "could not file inbox/later.txt: a symbolic link" in log
    assert index_rows(archive_ws, "SELECT original_name FROM files") == [("real.txt",)]
    assert os.path.islink(inbox / "link.txt") and os.path.islink(inbox / "later.txt")


# --- item 3: a disposed record ID is final ---------------------------------------------


def _dispose_rows(workspace, record_id: str, approval: str, when: datetime) -> None:
    """The state a disposal leaves (docgen.archive.disposal): files removed, the record
    and its files marked disposed, the disposal recorded with its approval."""
    with open_index(workspace) as index, index.session() as session:
        record = session.get(Record, record_id)
        assert record is not None
        files = list(session.scalars(select(File).where(File.record_id == record_id)))
        for file in files:
            (workspace.archive_root / file.path).unlink()
            file.status = "disposed"
        record.status = "disposed"
        listed = [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in files]
        session.add(
            Disposal(
                record_id=record_id,
                files_json=json.dumps(listed),
                metadata_json=json.dumps({"record_id": record_id}),
                approval=approval,
                disposed_by="檔管甲",
                disposed_at=when,
            )
        )


def test_a_file_claiming_a_disposed_record_is_a_conflict_not_a_resurrection(
    archive_ws, index_rows, tmp_path
):
    inbox = archive_ws.archive_root / "inbox"
    meta = RecordMetadata(record_id=OLD, unit="企劃室", review_date="2020-11-20")
    original = _pdf(tmp_path / "original.pdf", meta)
    (inbox / "original.pdf").write_bytes(original.read_bytes())
    _scan(archive_ws)
    _dispose_rows(archive_ws, OLD, "北市市企字第1150012345號", datetime(2026, 11, 27, 10, 0))
    row = f"SELECT * FROM records WHERE record_id = '{OLD}'"
    before = index_rows(archive_ws, row)
    _docx(inbox / "forged.docx", RecordMetadata(record_id=OLD, title="forged"))
    (inbox / "again.pdf").write_bytes(original.read_bytes())  # the disposed bytes
    time.sleep(0.35)
    output = CliRunner().invoke(cli, ["-w", str(archive_ws.root), "archive", "scan"]).output
    assert index_rows(archive_ws, row) == before
    statuses = index_rows(archive_ws, f"SELECT status FROM files WHERE record_id = '{OLD}'")
    assert statuses == [("disposed",)], "nothing was merged into the disposed record"
    assert output.count("conflict     records/unclassified/") == 2, output
    reasons = _reasons(archive_ws, index_rows)
    assert len(reasons) == 2
    for reason in reasons:
        assert (
            f"record {OLD}, disposed on 115/11/27 under approval 北市市企字第1150012345號" in reason
        )
    assert any("claims (by metadata)" in r for r in reasons)
    assert any("has the content of" in r for r in reasons)


# --- item 4: the lock is the archive's, not the workspace's ---------------------------


def test_two_workspaces_sharing_an_archive_exclude_each_other(
    sharing_workspaces, start_watcher, wait_until, index_rows
):
    first, second, shared = sharing_workspaces
    assert first.state_dir != second.state_dir
    start_watcher(first)
    refusal = pytest.raises(InputError, match="another docgen archive process")
    with refusal as refused, open_archive(second, wait_seconds=0.5):
        pass
    assert "\n" not in str(refused.value)
    (shared / "inbox" / "one.txt").write_text("filed once", encoding="utf-8")
    count = "SELECT COUNT(*) FROM files"
    wait_until(lambda: index_rows(first, count) == [(1,)], 30, "the watcher filed it")
    assert (shared / LOCK_NAME).exists()
    assert index_rows(first, f"SELECT COUNT(*) FROM files WHERE path LIKE '%{LOCK_NAME}%'") == [
        (0,)
    ]
    assert index_rows(second, count) in ([], [(0,)])  # its office database is its own


# --- items 5 and 6: control characters and national IDs in names ---------------------


def test_a_file_name_cannot_split_or_forge_a_line(archive_ws, index_rows, caplog):
    inbox = archive_ws.archive_root / "inbox"
    forged = "x\n2026-11-27 10:00:00 INFO filed ok.pdf\x1b[2K\u202efdp.txt"
    (inbox / forged).write_text("forged", encoding="utf-8")
    (inbox / "fine.txt").write_text("fine", encoding="utf-8")
    time.sleep(0.35)
    with caplog.at_level(logging.INFO, logger="docgen.archive"):
        result = CliRunner().invoke(cli, ["-w", str(archive_ws.root), "archive", "scan"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 3  # two files and the summary
    for text in (result.output, caplog.text):
        assert "\x1b" not in text and "\u202e" not in text
    assert all(record.getMessage().count("\n") == 0 for record in caplog.records)
    assert any("x\\n2026-11-27" in r.getMessage() for r in caplog.records)
    stored = [n for (n,) in index_rows(archive_ws, "SELECT original_name FROM files")]
    assert "x\\n2026-11-27 10:00:00 INFO filed ok.pdf\\x1b[2K\\u202efdp.txt" in stored


def test_a_national_id_in_a_file_name_is_stored_and_shown_masked(archive_ws, reconfigure, caplog):
    rule = '[[archive.path_rules]]\npattern = "月抽查/*"\ncategory = "monthly_check"\n'
    workspace = reconfigure(archive_ws, extra=rule)
    inbox = workspace.archive_root / "inbox"
    _pdf(inbox / f"掃描_王美玲_{SAMPLE_ID}.pdf")
    (inbox / "月抽查").mkdir()
    (inbox / "月抽查" / f"證據_{SAMPLE_ID}.txt").write_text("evidence", encoding="utf-8")
    (inbox / f"{SAMPLE_ID}.csv").write_text("帳號\nu01\n", encoding="utf-8")
    (inbox / f"{SAMPLE_ID}.csv.meta.yaml").write_text("category: other\n", encoding="utf-8")
    (inbox / f"{SAMPLE_ID}.docx").write_bytes(b"not a zip")
    time.sleep(0.35)
    with caplog.at_level(logging.INFO, logger="docgen.archive"):
        result = CliRunner().invoke(cli, ["-w", str(workspace.root), "archive", "scan"])
    assert result.exit_code == 0, result.output
    assert "Filed 4 file(s)." in result.output
    assert SAMPLE_ID not in result.output and SAMPLE_ID not in caplog.text
    state = [p for p in workspace.state_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("office.sqlite") for p in state)
    for path in state:
        assert SAMPLE_ID.encode() not in path.read_bytes(), path.name
    for path in (workspace.archive_root / "records").rglob("*"):
        assert SAMPLE_ID not in path.name
        if path.is_file():
            assert SAMPLE_ID.encode() not in path.read_bytes(), path.name
    assert (workspace.archive_root / "records/unclassified/掃描_王美玲_A12345＊＊＊＊.pdf").exists()


_DIE_AT = """
import os, sys
from docgen.archive import ingest, placement
from docgen.cli.main import main

def die(*args, **kwargs):
    os._exit(9)

if sys.argv[2] == "files linked":
    placement.sync_all = die
else:
    ingest.finish = die
main(["-w", sys.argv[1], "archive", "scan"])
"""


@pytest.mark.parametrize("point", ["files linked", "rows committed"])
def test_a_killed_filing_finds_its_masked_and_escaped_names_again(archive_ws, index_rows, point):
    """Intents store inbox names masked and escaped, so recovery finds the files by
    that name and their hash (ISSUE 9 items 5 and 6 with ISSUE 6 point 3)."""
    inbox = archive_ws.archive_root / "inbox"
    names = [f"申請_{SAMPLE_ID}.txt", "two\nlines.txt"]
    for name in names:
        (inbox / name).write_text(f"content of {name}", encoding="utf-8")
    time.sleep(0.35)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env["DOCGEN_LANG"] = "en"  # the messages tests assert
    command = [sys.executable, "-c", _DIE_AT, str(archive_ws.root), point]
    assert subprocess.run(command, env=env, timeout=60, capture_output=True).returncode == 9
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM intents") == [(2,)]
    _scan(archive_ws)
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM intents") == [(0,)]
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM files") == [(2,)]
    assert not any(inbox.iterdir())
    filed = sorted(p.read_text("utf-8") for p in archive_ws.archive_root.rglob("*.txt"))
    assert filed == sorted(f"content of {name}" for name in names)


# --- item 7: bombs, broken XML, hostile PDFs, foreign QR codes ---------------------------


def _docx_with_custom(path: Path, custom: bytes) -> Path:
    Document().save(str(path))
    data = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(data, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("docProps/custom.xml", custom)
    path.write_bytes(data.getvalue())
    return path


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="docgen.title">
<vt:lpwstr>&lol3;</vt:lpwstr></property></Properties>"""


def _xmp_bomb(path: Path) -> Path:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        packed = zlib.compress(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>" + b" " * 60_000_000, 9)
        stream = pikepdf.Stream(pdf, packed)
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.Root.Metadata = stream
        keep = pikepdf.StreamDecodeLevel.none  # as written: compressed, not rewritten
        pdf.save(path, fix_metadata_version=False, stream_decode_level=keep)
    return path


def test_bombs_and_broken_metadata_are_reasons_not_tracebacks(archive_ws, index_rows, tmp_path):
    inbox = archive_ws.archive_root / "inbox"
    _docx_with_custom(inbox / "bomb.docx", b"<?xml version='1.0'?>" + b" " * 30_000_000)
    _docx_with_custom(inbox / "laughs.docx", LAUGHS)
    _docx_with_custom(inbox / "broken.docx", b"<Properties><property")
    _xmp_bomb(inbox / "xmp-bomb.pdf")
    (inbox / "garbage.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >>\n")
    (inbox / "truncated.pdf").write_bytes(_pdf(tmp_path / "whole.pdf").read_bytes()[:300])
    result = _scan(archive_ws)
    assert result.failed == []
    assert len(result.filed) == 6 and {f.status for f in result.filed} == {"unclassified"}
    reasons = " | ".join(_reasons(archive_ws, index_rows))
    assert "member docProps/custom.xml is compressed" in reasons
    assert "decompression bomb" in reasons
    assert "docProps/custom.xml: declares a DTD" in reasons
    assert "docProps/custom.xml: not well-formed XML" in reasons
    assert "its XMP metadata is larger than 4,194,304 bytes" in reasons
    assert reasons.count("not a readable PDF") >= 1
    assert "Traceback" not in reasons


def test_a_qr_code_that_is_not_a_record_id_does_not_classify_a_scan(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    payload = f"{RECORD}/../../../../templates/attachments"
    qrcode.make(payload, box_size=8).get_image().convert("RGB").save(inbox / "scan.png")
    result = _scan(archive_ws)
    assert [f.status for f in result.filed] == ["unclassified"]
    (reason,) = _reasons(archive_ws, index_rows)
    assert f"scan.png: a QR code that is not a docgen record ID: '{payload}'" in reason


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def test_an_image_beyond_the_pixel_limit_is_a_reason(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "huge.png").write_bytes(_png_claiming(40_000, 40_000))
    result = _scan(archive_ws)
    assert result.failed == [] and [f.status for f in result.filed] == ["unclassified"]
    assert "huge.png: not a readable image" in _reasons(archive_ws, index_rows)[0]


def test_the_kept_copy_of_a_hostile_file_is_byte_identical(archive_ws):
    """Refusing to trust a file is not refusing to keep it."""
    inbox = archive_ws.archive_root / "inbox"
    data = _docx_with_custom(inbox / "laughs.docx", LAUGHS).read_bytes()
    (filed,) = _scan(archive_ws).filed
    assert (archive_ws.archive_root / filed.path).read_bytes() == data
    assert filed.sha256 == hashlib.sha256(data).hexdigest()


# --- properties: the record-ID grammar and placement (hypothesis) ----------------------

ROOT = Path(tempfile.gettempdir()) / "docgen-hypothesis" / "archive"  # never created
RECORDS_DIR = ROOT / "records"
_PERIODS = st.one_of(
    st.builds("{:04d}{:02d}".format, st.integers(1912, 9999), st.integers(1, 12)),
    st.builds("{:04d}H{}".format, st.integers(1912, 9999), st.integers(1, 2)),
    st.dates(min_value=date(1912, 1, 1)).map(lambda d: d.strftime("%Y%m%d")),
)
_HOSTILE = st.sampled_from(
    ["..", "../..", "/", "/etc/passwd", "C:\\Windows", "\x00", "a/../../b", "~", "%2e%2e", ""]
)
_TEXT = st.one_of(st.text(max_size=80), _HOSTILE, st.builds(str.__add__, _HOSTILE, st.text()))


@given(
    st.sampled_from(sorted(CATEGORY_BY_FORM)),
    _PERIODS,
    st.text("0123456789ABCDEF", min_size=8, max_size=8),
)
def test_a_record_id_survives_str_and_parse(form_variant, period, digest):
    record = RecordId(*form_variant, period, digest)
    text = str(record)
    assert parse_record_id(text) == record
    assert valid_record_id(text) == text == valid_record_id(f" {text.lower()}\n")


@given(st.one_of(st.text(), st.builds(lambda a, b: a + RECORD + b, st.text(), st.text())))
def test_no_text_yields_a_record_id_that_could_name_a_path(text):
    for found in (parse_record_id(text), valid_record_id(text)):
        if found is not None:
            shown = str(found)
            assert re.fullmatch(r"[A-Z0-9-]+", shown), shown
            assert ".." not in shown and "/" not in shown
    full = valid_record_id(text)
    assert full is None or full == text.strip().upper(), "a full match, not a search"


@settings(max_examples=300, deadline=None)
@given(
    record_id=_TEXT,
    category=st.one_of(_TEXT, st.sampled_from(sorted(CATEGORIES))),
    period=_TEXT,
    review_date=_TEXT,
    trigger=_TEXT,
)
def test_whatever_the_metadata_says_the_target_is_inside_records(
    record_id, category, period, review_date, trigger
):
    meta = RecordMetadata(
        record_id=record_id,
        category=category,
        period=period,
        review_date=review_date,
        trigger=trigger,
    )
    try:
        checked = complete(check_metadata(meta, "a file"))
    except UntrustedMetadata:
        return
    folder = folder_for("filed", checked, date(2026, 11, 27))
    stem = record_id_for(checked, "0" * 64, True)
    relative = unique_name(ROOT, folder, stem, ".pdf", lambda _: False)
    assert (ROOT / relative).resolve().is_relative_to(RECORDS_DIR.resolve())
    assert contained(RECORDS_DIR, ROOT / relative)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.builds(str.__add__, _HOSTILE, st.text())))
def test_an_unclassified_file_name_is_always_safe(name):
    stem, ext = safe_file_name(name)
    full = stem + ext
    assert full and not full.startswith(".") and ".." not in full
    assert not set(full) & set('/\\:*?"<>|')
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in full)
    assert len(full.encode("utf-8")) <= 200
    assert find_unmasked_ids(full) == []
    assert contained(RECORDS_DIR, RECORDS_DIR / "unclassified" / f"{stem}_2{ext}.meta.yaml")
