"""The journal's hash chain catches every kind of tampering (issue 2, point 8)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from docgen.errors import IntegrityError
from docgen.journal import GENESIS, Journal


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    data = tmp_path / "in.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    out = tmp_path / "out.docx"
    out.write_bytes(b"generated")
    j = Journal(tmp_path / ".docgen" / "journal.jsonl", tmp_path)
    for number in range(5):
        j.append(f"command {number}", inputs=[data], outputs=[out], details={"n": number})
    return j


def _lines(j: Journal) -> list[str]:
    return j.path.read_text(encoding="utf-8").splitlines()


def _write(j: Journal, lines: list[str]) -> None:
    j.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_intact_journal_verifies_and_reports_head(journal: Journal) -> None:
    result = journal.verify()
    assert result.entries == 5
    assert result.head == journal.entries()[-1]["hash"]
    first = journal.entries()[0]
    assert first["prev"] == GENESIS
    assert first["inputs"][0]["path"] == "in.csv"
    assert len(first["inputs"][0]["sha256"]) == 64


def test_entries_chain_to_each_other(journal: Journal) -> None:
    entries = journal.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(entries))


def test_edited_entry_is_named(journal: Journal) -> None:
    lines = _lines(journal)
    entry = json.loads(lines[2])
    entry["details"]["n"] = 99
    lines[2] = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    _write(journal, lines)
    with pytest.raises(IntegrityError, match=r"entry 3 .* was edited"):
        journal.verify()


def test_removed_entry_is_named(journal: Journal) -> None:
    lines = _lines(journal)
    del lines[1]
    _write(journal, lines)
    with pytest.raises(IntegrityError, match=r"entry 2 .*removed, inserted or reordered"):
        journal.verify()


def test_inserted_entry_is_named(journal: Journal) -> None:
    lines = _lines(journal)
    forged = json.loads(lines[1])
    forged["command"] = "forged"
    lines.insert(2, json.dumps(forged, ensure_ascii=False, sort_keys=True))
    _write(journal, lines)
    with pytest.raises(IntegrityError, match="entry 3"):
        journal.verify()


def test_reordered_entries_are_named(journal: Journal) -> None:
    lines = _lines(journal)
    lines[1], lines[2] = lines[2], lines[1]
    _write(journal, lines)
    with pytest.raises(IntegrityError, match="entry 2"):
        journal.verify()


def test_truncation_is_caught_by_the_quoted_head(journal: Journal) -> None:
    head = journal.verify().head
    _write(journal, _lines(journal)[:-1])
    assert journal.verify().entries == 4  # the file alone cannot tell
    with pytest.raises(IntegrityError, match="removed from its end"):
        journal.verify(expect_head=head)


def test_damaged_line_is_an_integrity_error(journal: Journal) -> None:
    with open(journal.path, "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    with pytest.raises(IntegrityError, match="line 6"):
        journal.verify()


def test_append_continues_the_chain_after_reopening(journal: Journal) -> None:
    again = Journal(journal.path)
    entry = again.append("later")
    assert entry["seq"] == 6
    assert again.verify().head == entry["hash"]


_APPEND_ON_A_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from docgen.errors import DocgenError
from docgen.i18n import use_language
from docgen.journal import Journal
use_language("en")
path = Path(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = path.stat().st_size + 40  # room for part of a line only, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    Journal(path).append("after the disk filled", details={"pad": "x" * 500})
except DocgenError as error:
    print(error, file=sys.stderr)
    sys.exit(error.exit_code)
"""


def test_a_full_disk_leaves_the_journal_as_it_was(journal: Journal) -> None:
    """ISSUE 9 item 11: no half line, so the chain still verifies and grows on."""
    before = journal.path.read_bytes()
    run = subprocess.run(
        [sys.executable, "-c", _APPEND_ON_A_FULL_DISK, str(journal.path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert "journal is as it was" in run.stderr
    assert journal.path.read_bytes() == before
    journal.append("once there is room again")
    assert journal.verify().entries == 6
