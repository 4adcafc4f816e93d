"""Appending reads only the journal's end, and threads appending at once share one
write (benchmarks/bench_web.py: every web view is journalled): the chain stays whole,
and a damaged last line is refused exactly as when the whole file was read."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from docgen.errors import IntegrityError
from docgen.journal import TAIL_BYTES, Journal


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / ".docgen" / "journal.jsonl", tmp_path)


def test_the_chain_stays_whole_over_many_appends(journal: Journal) -> None:
    for number in range(300):
        entry = journal.append("one", details={"n": number})
        assert entry["seq"] == number + 1
    result = journal.verify()
    assert result.entries == 300 and result.head == entry["hash"]


def test_threads_appending_at_once_each_get_their_own_entry(journal: Journal) -> None:
    written: list[dict[str, object]] = []
    lock = threading.Lock()

    def work(thread: int) -> None:
        for number in range(40):
            entry = Journal(journal.path).append("web view", details={"t": thread, "n": number})
            with lock:
                written.append(entry)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert journal.verify().entries == 320
    assert sorted(e["seq"] for e in written) == list(range(1, 321))  # type: ignore[type-var]
    on_disk = {(e["seq"], e["hash"]) for e in journal.entries()}
    assert {(e["seq"], e["hash"]) for e in written} == on_disk


_APPENDS = """
import sys
from pathlib import Path
from docgen.journal import Journal
for number in range(60):
    Journal(Path(sys.argv[1])).append("process " + sys.argv[2], details={"n": number})
"""


def test_processes_appending_at_once_keep_one_chain(journal: Journal) -> None:
    journal.append("first")
    runs = [
        subprocess.Popen([sys.executable, "-c", _APPENDS, str(journal.path), str(n)])
        for n in range(3)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
    assert journal.verify().entries == 181


def test_a_last_line_longer_than_the_window_read_back(journal: Journal) -> None:
    journal.append("short")
    long = journal.append("long", details={"pad": "長" * (3 * TAIL_BYTES)})
    assert len(journal.path.read_bytes().splitlines()[-1]) > 3 * TAIL_BYTES
    after = journal.append("after the long one")
    assert after["seq"] == 3 and after["prev"] == long["hash"]
    assert journal.verify().entries == 3


def test_a_journal_of_one_long_line(journal: Journal) -> None:
    first = journal.append("only", details={"pad": "x" * (5 * TAIL_BYTES)})
    assert journal.append("next")["prev"] == first["hash"]
    assert journal.verify().entries == 2


def test_a_torn_last_line_is_refused_as_before_and_nothing_is_written(
    journal: Journal,
) -> None:
    for number in range(5):
        journal.append("before", details={"n": number})
    with open(journal.path, "ab") as handle:
        handle.write(b'{"command": "torn", "seq": 6, "ha')  # cut off: no line break
    before = journal.path.read_bytes()
    with pytest.raises(IntegrityError, match=r"line 6 is not a journal entry"):
        journal.append("after the tear")
    assert journal.path.read_bytes() == before


def test_a_last_line_without_seq_names_its_line(journal: Journal) -> None:
    journal.append("one")
    journal.append("two")
    with open(journal.path, "ab") as handle:
        handle.write(b'{"command": "no seq"}\n')
    with pytest.raises(IntegrityError, match=r"line 3 is not a journal entry \(no seq or hash\)"):
        journal.append("three")


def test_every_thread_of_a_refused_write_is_told(journal: Journal) -> None:
    journal.append("one")
    with open(journal.path, "ab") as handle:
        handle.write(b"{not json\n")
    before = journal.path.read_bytes()
    errors: list[str] = []

    def work() -> None:
        try:
            Journal(journal.path).append("refused")
        except IntegrityError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 6 and len(set(errors)) == 1  # (threads speak the default language)
    assert journal.path.read_bytes() == before


def test_an_empty_journal_file_starts_the_chain(journal: Journal) -> None:
    journal.path.parent.mkdir(parents=True)
    journal.path.write_bytes(b"")
    assert journal.append("first")["seq"] == 1
