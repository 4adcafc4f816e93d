"""More hostile inboxes (ISSUE 9, the reviewer's second round): a filed record sharing
its inode with an inbox file, a file changed between hashing and filing, a folder too
deep to name, a sidecar with an impossible date or a field given twice, an image bomb
in the QR path, claims that contradict their record ID, ``records/`` or ``inbox/`` as
a symbolic link, national IDs in full-width letters and digits.

Real files, a real SQLite index, the real scan (in process, by the CLI, or as a child
process) and the real watcher; nothing of docgen's is mocked but, in one test, a
write slipped in just before a file is placed.
"""

from __future__ import annotations

import os
import time
import unicodedata
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from docgen.archive import placement
from docgen.archive.claims import check_metadata
from docgen.archive.context import open_archive
from docgen.archive.reconcile import scan
from docgen.cli.main import cli
from docgen.errors import InputError
from docgen.fsutil import sha256_file
from docgen.metadata import RecordMetadata, UntrustedMetadata
from docgen.privacy import MaskingPolicy, find_unmasked_ids, mask_ids_in_text
from docgen.rules.record_id import make_record_id
from tests.hostile.cli import run_docgen

RECORD = str(make_record_id(4, "monthly", "202610", "企劃室"))
SAMPLE_ID = "A123456789"
WIDE_ID = "Ａ１２３４５６７８９"  # the sample ID in full-width letters and digits


def _scan(workspace):
    time.sleep(0.35)
    with open_archive(workspace) as ctx:
        return scan(ctx, max_wait=0)


def _cli_scan(workspace):
    time.sleep(0.35)
    return CliRunner().invoke(cli, ["-w", str(workspace.root), "archive", "scan"])


def _reasons(workspace, index_rows) -> list[str]:
    sql = "SELECT reason FROM records WHERE status = 'unclassified' ORDER BY record_id"
    return [str(reason) for (reason,) in index_rows(workspace, sql)]


def _filed_hashes_hold(workspace, index_rows) -> None:
    """Every file the index knows has, on disk, the content the index says."""
    for path, sha256 in index_rows(workspace, "SELECT path, sha256 FROM files"):
        assert sha256_file(workspace.archive_root / str(path)) == sha256, path


# --- finding 1: a filed record shares its inode with nothing outside records/ ----------


def test_a_filed_record_is_not_linked_to_another_name_of_the_inbox_file(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "h.pdf").write_text("original\n", encoding="utf-8")
    os.link(inbox / "h.pdf", inbox / ".keep")  # a hidden second name, left in the inbox
    result = _scan(archive_ws)
    assert [f.path for f in result.filed] == ["records/unclassified/h.pdf"]
    (inbox / ".keep").write_text("tampered\n", encoding="utf-8")
    filed = archive_ws.archive_root / "records/unclassified/h.pdf"
    assert filed.read_text(encoding="utf-8") == "original\n"
    assert filed.stat().st_nlink == 1
    _filed_hashes_hold(archive_ws, index_rows)


def test_a_file_changed_between_hashing_and_placing_is_not_filed_with_the_old_hash(
    archive_ws, index_rows, monkeypatch
):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "late.txt").write_text("first version\n", encoding="utf-8")
    original = placement.place

    def changed_first(source, *args, **kwargs):  # the scanner writes once more
        source.write_text("second version, longer\n", encoding="utf-8")
        return original(source, *args, **kwargs)

    monkeypatch.setattr(placement, "place", changed_first)
    result = _scan(archive_ws)
    monkeypatch.setattr(placement, "place", original)
    assert result.filed == [] and result.failed == []
    assert [p.name for p in result.waiting] == ["late.txt"]
    assert index_rows(archive_ws, "SELECT COUNT(*) FROM files") == [(0,)]
    assert not any(p.is_file() for p in (archive_ws.archive_root / "records").rglob("*"))
    assert (inbox / "late.txt").exists()
    again = _scan(archive_ws)  # stable now: filed with the content it has
    assert [f.sha256 for f in again.filed] == [
        sha256_file(archive_ws.archive_root / again.filed[0].path)
    ]
    assert (archive_ws.archive_root / again.filed[0].path).read_text(
        encoding="utf-8"
    ) == "second version, longer\n"
    _filed_hashes_hold(archive_ws, index_rows)


# --- finding 2: one folder too deep to name does not stop the filing ----------------------


def _too_deep(top: Path) -> None:
    """40 nested folders of 200-character names (8 KB: longer than PATH_MAX), made
    relative to each other as a program on the share could."""
    fd = os.open(top, os.O_RDONLY)
    try:
        for number in range(40):
            name = chr(ord("a") + number % 26) * 200
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("deepest.pdf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
            f.write(b"never reached")
    finally:
        os.close(fd)


def test_a_folder_too_deep_to_name_is_reported_and_the_rest_is_filed(archive_ws):
    inbox = archive_ws.archive_root / "inbox"
    _too_deep(inbox)
    (inbox / "ok.txt").write_text("fine", encoding="utf-8")
    result = _cli_scan(archive_ws)
    assert "Traceback" not in result.output
    assert "records/unclassified/ok.txt" in result.output
    deep = [line for line in result.output.splitlines() if "File name too long" in line]
    assert len(deep) == 1 and deep[0].startswith("failed") and "left alone" in deep[0]
    assert isinstance(result.exception, InputError)  # listed, then exit 3 (README)
    assert "1 file(s) could not be filed" in str(result.exception)


def test_the_watcher_starts_and_files_beside_a_folder_too_deep_to_name(
    archive_ws, start_watcher, wait_until, index_rows
):
    inbox = archive_ws.archive_root / "inbox"
    _too_deep(inbox)
    watcher = start_watcher(archive_ws)
    (inbox / "ok.txt").write_text("fine", encoding="utf-8")
    count = "SELECT COUNT(*) FROM files"
    wait_until(lambda: index_rows(archive_ws, count) == [(1,)], 30, "ok.txt filed")
    assert watcher.terminate() == 0
    log = watcher.log.read_text(encoding="utf-8")
    assert log.count("File name too long") == 1, log[-2000:]


# --- finding 3: an impossible date in a sidecar; a file that fails, again and again ------


def test_a_sidecar_with_an_impossible_date_is_a_refused_claim(archive_ws, index_rows):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "scan.txt").write_text("scan", encoding="utf-8")
    (inbox / "scan.txt.meta.yaml").write_text(
        "category: monthly_check\nreview_date: 2026-02-30\n", encoding="utf-8"
    )
    result = _scan(archive_ws)
    assert result.failed == []
    assert [(f.path, f.status) for f in result.filed] == [
        ("records/unclassified/scan.txt", "unclassified")
    ]
    (reason,) = _reasons(archive_ws, index_rows)
    assert reason.startswith("sidecar scan.txt.meta.yaml: not valid UTF-8 YAML (")
    assert "day is out of range for month" in reason
    assert not (inbox / "scan.txt").exists()


def test_the_watcher_logs_a_file_that_keeps_failing_once_and_does_not_reread_it(
    archive_ws, start_watcher, wait_until
):
    records = archive_ws.archive_root / "records"
    records.mkdir(parents=True)
    (records / "unclassified").write_text("a file where a folder must be", encoding="utf-8")
    inbox = archive_ws.archive_root / "inbox"
    watcher = start_watcher(archive_ws)
    (inbox / "stuck.txt").write_text("cannot be filed", encoding="utf-8")

    def failures() -> int:
        return watcher.log.read_text(encoding="utf-8").count("could not file inbox/stuck.txt")

    wait_until(lambda: failures() >= 1, 30, "the failure logged")
    time.sleep(3)  # twelve ticks of the watcher
    assert failures() == 1, watcher.log.read_text(encoding="utf-8")[-3000:]
    (inbox / "stuck.txt").write_text("changed: tried again", encoding="utf-8")
    wait_until(lambda: failures() == 2, 30, "the changed file tried and logged again")
    time.sleep(2)
    assert watcher.terminate() == 0
    assert failures() == 2
    assert (inbox / "stuck.txt").exists()


# --- finding 4: an image bomb in the QR path ---------------------------------------------


def _png_of_zeros(path: Path, width: int, height: int) -> None:
    """A real grey PNG of ``width`` × ``height`` black pixels (a few hundred KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    data = b"".join(packer.compress(row * 500) for _ in range(height // 500))
    data += packer.compress(row * (height % 500)) + packer.flush()
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    body = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)


@pytest.mark.parametrize(
    ("side", "why"),
    [
        (12_000, "(Image size (144000000 pixels) exceeds limit"),  # Pillow only warns
        (7_000, "(it is 7,000 × 7,000 pixels, more than the 40,000,000"),  # Pillow says nothing
    ],
)
def test_an_image_bomb_is_a_reason_not_a_load(archive_ws, index_rows, side, why):
    inbox = archive_ws.archive_root / "inbox"
    _png_of_zeros(inbox / "bomb.png", side, side)
    assert (inbox / "bomb.png").stat().st_size < 1_000_000
    time.sleep(0.35)
    done = run_docgen(["-w", str(archive_ws.root), "archive", "scan"], timeout=120)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "DecompressionBombWarning" not in done.stderr
    assert done.peak_mb < 150, f"peak {done.peak_mb:.0f} MB"
    (reason,) = _reasons(archive_ws, index_rows)
    assert f"bomb.png: not a readable image {why}" in reason, reason


# --- finding 5: claims that say two things ---------------------------------------------


@pytest.mark.parametrize(
    ("sidecar", "problem"),
    [
        (f"record_id: {RECORD}\nperiod: 2099-10\n", "field period: '2099-10' contradicts"),
        (f"record_id: {RECORD}\nperiod: 2026-H2\n", "field period: '2026-H2' contradicts"),
        (f"record_id: {RECORD}\nvariant: half\n", "field variant: 'half' contradicts"),
        (f"record_id: {RECORD}\nform: '5'\n", "field form: '5' contradicts"),
        (
            "category: monthly_check\nperiod: 2026-10\nperiod: 2099-10\n",
            "field period is given twice",
        ),
    ],
)
def test_a_claim_that_contradicts_itself_is_refused(archive_ws, index_rows, sidecar, problem):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / "scan.txt").write_text("scan", encoding="utf-8")
    (inbox / "scan.txt.meta.yaml").write_text(sidecar, encoding="utf-8")
    result = _scan(archive_ws)
    assert result.failed == [] and [f.status for f in result.filed] == ["unclassified"]
    assert not (archive_ws.archive_root / "records/monthly_check").exists()
    (reason,) = _reasons(archive_ws, index_rows)
    assert reason.startswith("sidecar scan.txt.meta.yaml: ") and problem in reason, reason


def test_a_claim_that_agrees_with_its_record_id_is_accepted():
    checked = check_metadata(
        RecordMetadata(record_id=RECORD, period="2026-10", variant="monthly", form="4"), "x"
    )
    assert checked.period == "2026-10"
    dated = str(make_record_id(1, "", "20261015", "企劃室"))
    for period in ("2026-10", "2026-H2"):
        assert check_metadata(RecordMetadata(record_id=dated, period=period), "x").period
    with pytest.raises(UntrustedMetadata, match="contradicts"):
        check_metadata(RecordMetadata(record_id=dated, period="2026-H1"), "x")


# --- finding 6: records/ or inbox/ as a symbolic link ------------------------------------


@pytest.mark.parametrize("folder", ["records", "inbox"])
def test_a_linked_records_or_inbox_folder_is_refused_in_one_line(archive_ws, tmp_path, folder):
    root = archive_ws.archive_root
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if folder == "inbox":
        (root / "inbox").rmdir()
        (elsewhere / "plain.txt").write_text("x", encoding="utf-8")
    else:
        (root / "inbox" / "plain.txt").write_text("x", encoding="utf-8")
    (root / folder).symlink_to(elsewhere, target_is_directory=True)
    before = sorted(p.name for p in elsewhere.iterdir())
    time.sleep(0.35)
    done = run_docgen(["-w", str(archive_ws.root), "archive", "scan"])
    assert done.code == 5, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    assert f"{folder} is a symbolic link" in lines[0]
    assert sorted(p.name for p in elsewhere.iterdir()) == before


def test_a_linked_folder_under_records_is_never_written_through(archive_ws):
    records = archive_ws.archive_root / "records"
    (records / "other").mkdir(parents=True)
    (records / "unclassified").symlink_to(records / "other", target_is_directory=True)
    (archive_ws.archive_root / "inbox" / "plain.txt").write_text("x", encoding="utf-8")
    result = _scan(archive_ws)
    assert result.filed == [] and len(result.failed) == 1
    assert "through the symbolic link" in result.failed[0][1]
    assert list((records / "other").iterdir()) == []


# --- finding 7: national IDs in full-width letters and digits ----------------------------


def test_a_full_width_national_id_is_masked_in_text_and_found_by_the_finder():
    text = f"掃描_{WIDE_ID}_ｘ.pdf 與 {SAMPLE_ID}"
    assert find_unmasked_ids(text) == [WIDE_ID, SAMPLE_ID]
    masked = mask_ids_in_text(text)
    assert masked == "掃描_Ａ１２３４５****_ｘ.pdf 與 A12345****"
    assert find_unmasked_ids(masked) == []
    assert mask_ids_in_text("Ａ1２3４5６7８9", MaskingPolicy(id_mask_char="＊")) == (
        "Ａ1２3４5＊＊＊＊"
    )
    assert mask_ids_in_text("ＸＡ１２３４５６７８９ and ①②") == "ＸＡ１２３４５６７８９ and ①②"
    assert mask_ids_in_text(f"{SAMPLE_ID}B287654321") == "A12345****B28765****"  # freed


def test_a_full_width_national_id_in_a_file_name_is_stored_and_shown_masked(archive_ws, caplog):
    inbox = archive_ws.archive_root / "inbox"
    (inbox / f"{WIDE_ID}.pdf").write_bytes(b"not really a pdf")
    result = _cli_scan(archive_ws)
    assert result.exit_code == 0, result.output
    assert find_unmasked_ids(result.output) == [] and WIDE_ID not in result.output
    for path in archive_ws.state_dir.rglob("*"):
        if path.is_file():
            assert WIDE_ID.encode() not in path.read_bytes(), path.name
    names = [p.name for p in (archive_ws.archive_root / "records").rglob("*")]
    assert "Ａ１２３４５＊＊＊＊.pdf" in names
    assert not any(find_unmasked_ids(name) for name in names)


_ID_CHARS = st.sampled_from("AZ19０１２３４５６７８９ＡＢＺ①⑫ｘ _-.漢字\u3000*＊")


@settings(max_examples=300, deadline=None)
@given(st.lists(_ID_CHARS, max_size=40).map("".join), st.sampled_from(["*", "＊", "X"]))
def test_no_id_survives_masking_and_nothing_else_changes(text, mask):
    masked = mask_ids_in_text(text, MaskingPolicy(id_mask_char=mask))
    assert find_unmasked_ids(masked) == []
    assert len(masked) == len(text)
    changed = [i for i, (a, b) in enumerate(zip(text, masked, strict=True)) if a != b]
    assert all(masked[i] == mask for i in changed)
    folded = unicodedata.normalize("NFKC", masked)
    assert find_unmasked_ids(folded) == []
