"""A batch is written whole or not at all (ISSUE 9 item 3), and a second batch into
the same folder leaves the first one as it was (ISSUE 9 item 4). The full disk is
real: file sizes bounded by ``RLIMIT_FSIZE`` in a subprocess, or a small tmpfs."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from docgen.archive.issued import manifest_documents
from docgen.journal import Journal
from tests.forms.hostile_builders import (
    PLEDGE,
    leftovers,
    one_line_error,
    pledge_data,
    run_cli,
    run_main,
)

#: The CLI tests name tmp_path / "ws" with -w: it must be a workspace (ISSUE 11 item 4).
pytestmark = pytest.mark.usefixtures("ws_workspace")

# --- ISSUE 9 item 3: a full disk during a batch --------------------------------------

APPLICATION_HEADER = "申請類別,單位,職稱,姓名,身分證統一編號,帳號,角色,使用目的,法令依據,申請日期\n"


def _applications(path: Path, count: int, big_last: bool = False) -> Path:
    rows = []
    for number in range(1, count + 1):
        purpose = "辦理零售市場攤位使用人資格審查"
        if big_last and number == count:
            chance = random.Random(9)
            purpose = "".join(chr(chance.randint(0x4E00, 0x9FA5)) for _ in range(12_000))
        rows.append(
            f"新增,企劃室,科員,王小明,A123456789,u{number:02d},一般使用者,{purpose},"
            "零售市場管理條例第12條,115/10/01\n"
        )
    path.write_text(APPLICATION_HEADER + "".join(rows), encoding="utf-8")
    return path


def _nothing_written(tmp_path: Path) -> None:
    assert not (tmp_path / "out").exists()
    journal = tmp_path / "ws" / ".docgen" / "journal.jsonl"
    assert not journal.exists() or Journal(journal).entries() == []
    assert leftovers(tmp_path) == []


def test_a_full_disk_while_writing_documents_leaves_nothing(tmp_path: Path) -> None:
    data = _applications(tmp_path / "apps.csv", 21, big_last=True)
    code, _, err, _ = run_cli(
        tmp_path, "-w", "ws", "forms", "fill", "2", str(data), "-d", "out", file_size=10_000
    )
    line = one_line_error(err)
    assert code == 3
    assert "cannot write out/附件2_DG-2-20261001-" in line and ".docx: File too large" in line
    _nothing_written(tmp_path)


def test_a_full_disk_while_writing_the_manifest_leaves_nothing(tmp_path: Path) -> None:
    data = _applications(tmp_path / "apps.csv", 21)
    code, _, err, _ = run_cli(
        tmp_path, "-w", "ws", "forms", "fill", "2", str(data), "-d", "out", file_size=10_000
    )
    line = one_line_error(err)
    assert code == 3
    assert "cannot write out/附件2_manifest_" in line and ".json: File too large" in line
    _nothing_written(tmp_path)


def test_a_failed_journal_entry_removes_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("the clerk's own file", encoding="utf-8")
    (tmp_path / "ws" / ".docgen" / "journal.jsonl").mkdir(parents=True)  # in the way
    data = _applications(tmp_path / "apps.csv", 3)
    fill = [
        "-w",
        str(tmp_path / "ws"),
        "forms",
        "fill",
        "2",
        str(data),
        "-d",
        str(tmp_path / "out"),
    ]
    code, _, err = run_main(capsys, *fill)
    line = one_line_error(err)
    assert code == 3 and "journal" in line and "nothing of this batch was written" in line
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_really_full_disk_beside_the_workspace_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        data = _applications(tmp_path / "apps.csv", 21)
        fill = [
            "-w",
            str(tmp_path / "ws"),
            "forms",
            "fill",
            "2",
            str(data),
            "-d",
            str(disk / "out"),
        ]
        code, _, err = run_main(capsys, *fill)
        line = one_line_error(err)
        assert code == 3 and "No space left on device" in line and str(disk / "out") in line
        assert list(disk.iterdir()) == []  # the staging folder beside "out" is gone too
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# --- ISSUE 9 item 4: a second batch into the same folder -----------------------------


def test_a_second_batch_keeps_the_first_batchs_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_dir: Path
) -> None:
    data = example_dir / "附件2_權限申請表.csv"
    fill = [
        "-w",
        str(tmp_path / "ws"),
        "forms",
        "fill",
        "2",
        str(data),
        "-d",
        str(tmp_path / "out"),
    ]
    assert run_main(capsys, *fill)[0] == 0
    (first,) = (tmp_path / "out").glob("附件2_manifest_*.json")
    before = first.read_bytes()
    assert run_main(capsys, *fill)[0] == 0
    manifests = sorted((tmp_path / "out").glob("附件2_manifest_*.json"))
    assert len(manifests) == 2 and first.read_bytes() == before
    assert len(list((tmp_path / "out").glob("附件2_manifest_*.csv"))) == 2
    for manifest in [*manifests, *(m.with_suffix(".csv") for m in manifests)]:
        listed = manifest_documents(manifest)
        assert listed is not None and len(listed) == 4
    from docgen.fsutil import sha256_file

    for manifest in manifests:  # both stay true: the same documents, kept as they were
        for row in json.loads(manifest.read_text(encoding="utf-8"))["documents"]:
            assert sha256_file(tmp_path / "out" / row["docx"]) == row["docx_sha256"]
    assert len(list((tmp_path / "out").glob("*.docx"))) == 4


def test_a_document_with_other_content_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    fill = ["-w", str(tmp_path / "ws"), "forms", "fill", "3"]
    assert run_main(capsys, *fill, str(pledge_data(tmp_path / "a.json")), "-d", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    changed = pledge_data(tmp_path / "b.json", {**PLEDGE, "title": "專員"})  # same record ID
    code, _, err = run_main(capsys, *fill, str(changed), "-d", str(out))
    line = one_line_error(err)
    assert code == 3 and "already exists with other content" in line and ".docx" in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
