"""A real watcher (``docgen archive watch`` as a subprocess) on a real folder."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

from docgen.archive.context import open_archive
from docgen.archive.watcher import Watcher
from docgen.config import Workspace
from tests.archive.dbrows import ON_BOTH_ENGINES, sqlite_file


def _drop(inbox: Path, count: int, prefix: str) -> set[str]:
    """``count`` distinct small files in the inbox; their SHA-256s."""
    hashes = set()
    for number in range(count):
        data = f"{prefix} document {number}\n".encode() * 3
        (inbox / f"{prefix}-{number:05d}.txt").write_bytes(data)
        hashes.add(hashlib.sha256(data).hexdigest())
    return hashes


def _records_on_disk(workspace: Workspace) -> set[str]:
    root = workspace.archive_root
    return {
        p.relative_to(root).as_posix()
        for p in (root / "records").rglob("*")
        if p.is_file() and ".tombstones" not in p.parts
    }


def _assert_agree(workspace: Workspace, index_rows, expected: set[str]) -> None:
    rows = index_rows(workspace, "SELECT path, sha256 FROM files WHERE kind = 'document'")
    assert len(rows) == len(expected), "a file was lost or filed twice"
    assert {sha for _, sha in rows} == expected
    assert {path for path, _ in rows} == _records_on_disk(workspace)
    assert index_rows(workspace, "SELECT COUNT(*) FROM intents") == [(0,)]
    if sqlite_file(workspace) is not None:
        assert index_rows(workspace, "PRAGMA integrity_check") == [("ok",)]
    assert not any(p.is_file() for p in (workspace.archive_root / "inbox").rglob("*"))


def test_2000_files_dropped_at_once_are_each_indexed_once(
    archive_ws, start_watcher, wait_until, index_rows
):
    watcher = start_watcher(archive_ws)
    expected = _drop(archive_ws.archive_root / "inbox", 2000, "burst")
    count = "SELECT COUNT(*) FROM files"
    wait_until(lambda: index_rows(archive_ws, count) == [(2000,)], 120, "2,000 files indexed")
    assert watcher.terminate() == 0  # SIGTERM: a clean stop
    _assert_agree(archive_ws, index_rows, expected)
    log = watcher.log.read_text(encoding="utf-8")
    assert "filed inbox/burst-00000.txt" in log and "stopped watching" in log


def test_killed_in_a_burst_and_restarted_loses_and_doubles_nothing(
    archive_ws, start_watcher, wait_until, index_rows
):
    watcher = start_watcher(archive_ws)
    expected = _drop(archive_ws.archive_root / "inbox", 1500, "kill")
    count = "SELECT COUNT(*) FROM files"
    wait_until(lambda: index_rows(archive_ws, count)[0][0] >= 150, 60, "a part filed")
    watcher.kill()  # SIGKILL, mid-burst
    assert index_rows(archive_ws, count)[0][0] < 1500, "the burst was over before the kill"
    watcher = start_watcher(archive_ws)
    wait_until(lambda: index_rows(archive_ws, count) == [(1500,)], 120, "all 1,500 filed")
    assert watcher.terminate() == 0
    _assert_agree(archive_ws, index_rows, expected)


def test_a_file_written_slowly_is_ingested_once_and_complete(archive_ws, wait_until, index_rows):
    """A scanner writing for ~3 s with pauses shorter than stable_seconds (1 s)."""
    workspace = archive_ws
    (workspace.root / "docgen.toml").write_text("[archive]\nstable_seconds = 1.0\n")
    from docgen.config import open_workspace

    workspace = open_workspace(workspace.root, environ={})
    chunks = [os.urandom(50_000) for _ in range(12)]
    with open_archive(workspace) as ctx:
        watcher = Watcher(ctx)
        thread = threading.Thread(target=watcher.run)
        thread.start()
        try:
            with open(workspace.archive_root / "inbox" / "scan.pdf", "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    handle.flush()
                    time.sleep(0.25)
            count = "SELECT COUNT(*) FROM files"
            wait_until(lambda: index_rows(workspace, count) == [(1,)], 20, "the scan filed")
            time.sleep(1.5)  # nothing more arrives
        finally:
            watcher.stop()
            thread.join(timeout=10)
    rows = index_rows(workspace, "SELECT path, sha256, size FROM files")
    assert len(rows) == 1
    path, sha256, size = rows[0]
    assert size == 12 * 50_000
    assert sha256 == hashlib.sha256(b"".join(chunks)).hexdigest()
    data = (workspace.archive_root / str(path)).read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha256


@ON_BOTH_ENGINES
def test_polling_observer_files_what_arrives(archive_ws, start_watcher, wait_until, index_rows):
    watcher = start_watcher(archive_ws, "--poll", "0.5")
    expected = _drop(archive_ws.archive_root / "inbox", 20, "poll")
    count = "SELECT COUNT(*) FROM files"
    wait_until(lambda: index_rows(archive_ws, count) == [(20,)], 30, "20 files filed")
    assert watcher.terminate() == 0
    _assert_agree(archive_ws, index_rows, expected)


def test_a_dead_observer_is_restarted_and_a_bad_file_does_not_stop_the_watcher(
    archive_ws, wait_until, index_rows
):
    inbox = archive_ws.archive_root / "inbox"
    with open_archive(archive_ws) as ctx:
        watcher = Watcher(ctx)
        thread = threading.Thread(target=watcher.run)
        thread.start()
        try:
            wait_until(lambda: watcher.observer is not None, 10, "the observer")
            bad_name = os.fsencode(inbox) + b"/big5-\xa4\xe5.txt"  # not UTF-8: fails
            with open(bad_name, "wb") as handle:
                handle.write(b"kept in the inbox")
            assert watcher.observer is not None
            watcher.observer.stop()  # its thread ends, as on an unhandled error
            wait_until(lambda: watcher.restarts == 1, 10, "the observer restarted")
            (inbox / "after.txt").write_text("filed after the restart")
            query = "SELECT COUNT(*) FROM files WHERE original_name = 'after.txt'"
            wait_until(lambda: index_rows(archive_ws, query) == [(1,)], 20, "after.txt filed")
            assert thread.is_alive()
        finally:
            watcher.stop()
            thread.join(timeout=10)
    assert not thread.is_alive()
    assert os.path.exists(bad_name), "a file that cannot be filed stays in the inbox"
