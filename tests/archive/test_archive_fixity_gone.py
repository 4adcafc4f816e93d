"""The missing report's check for lost files (:func:`docgen.archive.fixity.gone_files`):
an indexed file (not disposed) is gone when its folder's listing does not have it, as a
walk of ``records/`` that follows no link would see it; a file an earlier layout filed
outside ``records/`` is looked up by itself."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert

from docgen.archive.db import open_index
from docgen.archive.fixity import gone_files
from docgen.config import Workspace
from docgen.db.models.archive import File, Record
from tests.archive.dbrows import ON_BOTH_ENGINES

#: Indexed paths and whether the test leaves their bytes in place.
PATHS = {
    "records/monthly_check/115/kept.pdf": True,
    "records/monthly_check/115/lost.pdf": False,
    "records/monthly_check/114/also-kept.pdf": True,
    "records/external_audit/113/whole-folder-gone.pdf": False,
    "records/linked/115/through-a-link.pdf": False,  # its folder is a symbolic link
    "records/./monthly_check/115/kept.pdf": False,  # not a path a walk gives
    "records/deep/er/still/kept.pdf": True,
    "old-layout/kept.pdf": True,
    "old-layout/lost.pdf": False,
}


def _index(workspace: Workspace, paths: dict[str, str]) -> None:
    """One record and one file row per path (``status``: the file's)."""
    with open_index(workspace) as index, index.session() as session:
        for number, (path, status) in enumerate(paths.items()):
            record_id = f"R-{number}"
            session.execute(insert(Record).values(record_id=record_id, status="filed"))
            session.execute(
                insert(File).values(
                    record_id=record_id,
                    path=path,
                    status=status,
                    sha256=f"{number:064d}",
                    size=1,
                    mtime_ns=0,
                    inode=0,
                )
            )


def _touch(root: Path, path: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(b"x")


@ON_BOTH_ENGINES
def test_gone_files_are_those_a_folder_listing_lacks(archive_ws: Workspace) -> None:
    root = archive_ws.archive_root
    for path, kept in PATHS.items():
        if kept:
            _touch(root, path)
    elsewhere = root.parent / "elsewhere" / "115"
    _touch(elsewhere.parent, "115/through-a-link.pdf")
    (root / "records" / "linked").symlink_to(elsewhere.parent, target_is_directory=True)
    _touch(root, "records/monthly_check/115/not-indexed.pdf")
    _index(
        archive_ws,
        {**dict.fromkeys(PATHS, "filed"), "records/monthly_check/115/disposed.pdf": "disposed"},
    )
    found = gone_files(archive_ws)
    lost = sorted(path for path, kept in PATHS.items() if not kept)
    assert [row.path for row in found] == lost
    number = list(PATHS).index("records/monthly_check/115/lost.pdf")
    [row] = [row for row in found if row.path == "records/monthly_check/115/lost.pdf"]
    assert (row.record_id, row.sha256) == (f"R-{number}", f"{number:064d}")


def test_nothing_is_gone_from_an_empty_index_or_a_full_archive(archive_ws: Workspace) -> None:
    assert gone_files(archive_ws) == []
    paths = [f"records/monthly_check/{year}/{n}.pdf" for year in (113, 114) for n in range(600)]
    for path in paths:
        _touch(archive_ws.archive_root, path)
    _index(archive_ws, dict.fromkeys(paths, "filed"))
    assert gone_files(archive_ws) == []
    for path in paths[::2]:
        (archive_ws.archive_root / path).unlink()
    # more than one batch of 500 gone: every one is found, in path order
    assert [row.path for row in gone_files(archive_ws)] == sorted(paths[::2])
