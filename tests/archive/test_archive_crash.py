"""kill -9 between any two steps of an ingest: the next start finishes or rolls back
the filing, and nothing is lost or filed twice (ISSUE 6 point 3)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

import pytest

from docgen.archive.context import open_archive
from docgen.archive.reconcile import scan

#: Runs ``docgen archive scan`` with one step replaced by os._exit(9): a death
#: without any cleanup, like kill -9, at that point of the batch.
_DIE_AT = """
import os, sys
from docgen.archive import ingest, placement
from docgen.cli.main import main

root, point = sys.argv[1], sys.argv[2]
calls = {"n": 0}

def die_after(n, real):
    def step(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n:
            os._exit(9)
        return real(*args, **kwargs)
    return step

if point == "intents committed":
    ingest._place_batch = die_after(0, ingest._place_batch)
elif point == "files linked":
    placement.sync_all = die_after(0, placement.sync_all)
elif point == "rows committed":
    ingest.finish = die_after(0, ingest.finish)
elif point == "inbox half emptied":
    ingest.remove_sources = die_after(3, ingest.remove_sources)
elif point == "inbox emptied":
    ingest._sync_folders = die_after(1, ingest._sync_folders)
main(["-w", root, "archive", "scan"])
"""

POINTS = [
    "intents committed",
    "files linked",
    "rows committed",
    "inbox half emptied",
    "inbox emptied",
]


def _fill_inbox(inbox) -> set[str]:
    hashes = set()
    for number in range(8):
        data = f"record {number}".encode()
        (inbox / f"r{number}.txt").write_bytes(data)
        hashes.add(hashlib.sha256(data).hexdigest())
    (inbox / "r0.txt.meta.yaml").write_text("category: other\n", encoding="utf-8")
    (inbox / "copy-of-r1.txt").write_bytes(b"record 1")  # a duplicate
    return hashes


@pytest.mark.parametrize("point", POINTS)
def test_kill_between_steps_loses_and_doubles_nothing(archive_ws, index_rows, point):
    inbox = archive_ws.archive_root / "inbox"
    expected = _fill_inbox(inbox)
    time.sleep(0.4)
    died = subprocess.run(
        [sys.executable, "-c", _DIE_AT, str(archive_ws.root), point], capture_output=True
    )
    assert died.returncode == 9, died.stderr.decode()
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM intents")[0][0] > 0

    with open_archive(archive_ws) as ctx:
        scan(ctx)

    documents = index_rows(
        archive_ws, "SELECT path, sha256, status FROM files WHERE kind='document'"
    )
    assert len(documents) == 9  # 8 records + 1 duplicate, each once
    assert {sha for _, sha, _ in documents} == expected
    assert sorted(status for *_, status in documents).count("duplicate") == 1
    sidecars = index_rows(archive_ws, "SELECT path FROM files WHERE kind='sidecar'")
    assert len(sidecars) == 1
    on_disk = {
        p.relative_to(archive_ws.archive_root).as_posix()
        for p in (archive_ws.archive_root / "records").rglob("*")
        if p.is_file()
    }
    assert on_disk == {p for p, *_ in documents} | {p for (p,) in sidecars}
    assert not any(inbox.iterdir()), "the inbox still holds filed files"
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM intents") == [(0,)]
    assert index_rows(archive_ws, "PRAGMA integrity_check") == [("ok",)]
