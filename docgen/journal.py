"""The append-only, hash-chained journal of everything docgen writes.

Each line of ``journal.jsonl`` is one JSON entry: when, which command, the SHA-256
of its inputs and outputs, free-form details, and ``prev`` — the hash of the entry
before it. ``hash`` is the SHA-256 of the entry's canonical JSON without ``hash``.
Editing, removing, inserting or reordering an entry breaks the chain, which
:func:`verify` reports by entry number. Truncating the tail cannot be seen from
the file alone; that is why auditors quote the head hash in their records and
``verify(expect_head=…)`` checks that a quoted head is still in the chain.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from docgen.errors import InputError, IntegrityError
from docgen.fsutil import sha256_file
from docgen.i18n import _
from docgen.yamlsafe import DocumentError, load_json

GENESIS = "0" * 64


def _entry_hash(entry: Mapping[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class _Waiting:
    """One entry on its way into the journal, and how its writing ended."""

    entry: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


@dataclass
class _Group:
    """This process's appends to one journal file: ``pending`` entries (guarded by
    ``queue``) are written together by whichever thread holds ``writing``."""

    queue: threading.Lock = field(default_factory=threading.Lock)
    writing: threading.Lock = field(default_factory=threading.Lock)
    pending: list[_Waiting] = field(default_factory=list)


_GROUPS: dict[str, _Group] = {}
_GROUPS_LOCK = threading.Lock()


def _group(path: Path) -> _Group:
    with _GROUPS_LOCK:
        return _GROUPS.setdefault(os.path.abspath(path), _Group())


@dataclass(frozen=True)
class VerifyResult:
    """What a successful verification saw."""

    entries: int
    head: str


class Journal:
    """The journal file of one workspace."""

    def __init__(self, path: Path, root: Path | None = None) -> None:
        self.path = path
        self.root = root

    def _describe_file(self, path: Path, known: Mapping[Path, str]) -> dict[str, str]:
        shown = str(path)
        if self.root is not None:
            with contextlib.suppress(ValueError):
                shown = str(path.resolve().relative_to(self.root.resolve()))
        return {"path": shown, "sha256": known.get(path) or sha256_file(path)}

    def append(
        self,
        command: str,
        inputs: Iterable[Path] = (),
        outputs: Iterable[Path] = (),
        details: Mapping[str, Any] | None = None,
        now: datetime | None = None,
        hashes: Mapping[Path, str] | None = None,
    ) -> dict[str, Any]:
        """Record one action; returns the entry written. Safe against concurrent writers.
        ``hashes`` gives SHA-256 values (by path) the caller has just computed, so that
        large files are not read a second time; other files are hashed here."""
        known = hashes or {}
        entry: dict[str, Any] = {
            "time": (now or datetime.now().astimezone()).isoformat(timespec="seconds"),
            "command": command,
            "inputs": [self._describe_file(p, known) for p in inputs],
            "outputs": [self._describe_file(p, known) for p in outputs],
            "details": dict(details or {}),
        }
        waiting = _Waiting(entry)
        group = _group(self.path)
        with group.queue:
            group.pending.append(waiting)
        with group.writing:  # one writer of this journal at a time in this process
            if not waiting.done.is_set():  # not written with another thread's entries
                with group.queue:
                    batch, group.pending = group.pending, []
                self._write_batch(batch)
        if waiting.error is not None:
            raise copy.copy(waiting.error) from waiting.error.__cause__
        return entry

    def _write_batch(self, batch: list[_Waiting]) -> None:
        """Chain and write the entries of ``batch`` (this thread's and those of the
        threads that asked meanwhile), under the file lock, with one write and one
        fsync: a group commit, so that fifty web requests do not queue for fifty
        fsyncs. Each entry is on disk before its ``append`` returns, as before."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    last = _last_entry_from_end(self.path, handle)
                    lines = []
                    for waiting in batch:
                        entry = waiting.entry
                        entry["seq"] = 1 if last is None else last[0] + 1
                        entry["prev"] = GENESIS if last is None else last[1]
                        entry["hash"] = _entry_hash(entry)
                        last = entry["seq"], entry["hash"]
                        lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
                    self._write_whole(handle.fileno(), "".join(lines).encode("utf-8"))
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        except BaseException as error:  # every entry of the batch failed: none is written
            for waiting in batch:
                for key in ("seq", "prev", "hash"):
                    waiting.entry.pop(key, None)
                waiting.error = error
        finally:
            for waiting in batch:
                waiting.done.set()

    def _write_whole(self, fd: int, data: bytes) -> None:
        """Append ``data`` whole or not at all: a write the disk cannot take (full, a
        quota) is cut off again, so that no half line breaks the chain (ISSUE 9 item 11)."""
        end = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as error:
            os.ftruncate(fd, end)
            raise InputError(
                _(
                    "{file}: cannot record this action in the journal ({error}); "
                    "the journal is as it was"
                ).format(file=self.path, error=error.strerror or error)
            ) from error

    def entries(self) -> list[dict[str, Any]]:
        """All entries, parsed; a line that is not a journal entry (not UTF-8, not JSON,
        nested too deeply, not an object) is an :class:`IntegrityError` naming it."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()  # an OSError is the CLI's one line (exit 1)
        return [_parse_line(self.path, number, line) for number, line in _lines(data)]

    def verify(self, expect_head: str | None = None) -> VerifyResult:
        """Check every entry's hash and the chain; raise :class:`IntegrityError` naming
        the first broken entry. With ``expect_head``, also check that a head hash quoted
        earlier is still in the chain (which catches a truncated journal)."""
        prev, seen = GENESIS, set()
        entries = self.entries()
        for line, entry in enumerate(entries, 1):
            command = entry.get("command", "?")
            where = _("{file}: entry {number} (seq {seq}, {command})").format(
                file=self.path, number=line, seq=entry.get("seq", "?"), command=command
            )
            if entry.get("hash") != _entry_hash(entry):
                raise IntegrityError(
                    _("{entry} was edited: its content does not match its hash").format(entry=where)
                )
            if entry.get("prev") != prev:
                raise IntegrityError(
                    _(
                        "{entry} does not follow the entry before it: "
                        "an entry was removed, inserted or reordered here"
                    ).format(entry=where)
                )
            if entry.get("seq") != line:
                raise IntegrityError(
                    _("{entry} is out of sequence: expected seq {seq}").format(
                        entry=where, seq=line
                    )
                )
            prev = entry["hash"]
            seen.add(prev)
        if expect_head is not None and expect_head != GENESIS and expect_head not in seen:
            raise IntegrityError(
                _(
                    "{file}: the head hash {head} quoted earlier is not in the journal: "
                    "entries were removed from its end"
                ).format(file=self.path, head=expect_head)
            )
        return VerifyResult(entries=len(entries), head=prev)


def _lines(data: bytes) -> list[tuple[int, bytes]]:
    """The lines of the journal's bytes, numbered from 1 (as ``str.splitlines`` would
    split them, but before decoding: one damaged line does not hide the others)."""
    return list(enumerate(data.splitlines(), 1))


def _parse_line(path: Path, number: int, line: bytes) -> dict[str, Any]:
    """Line ``number`` of the journal as an entry, or an :class:`IntegrityError`."""
    try:
        entry = load_json(line.decode("utf-8"))
    except (UnicodeDecodeError, DocumentError) as error:
        raise IntegrityError(
            _("{file}: line {number} is not a journal entry ({error})").format(
                file=path, number=number, error=error
            )
        ) from error
    if not isinstance(entry, dict):
        raise IntegrityError(
            _("{file}: line {number} is not a journal entry (not a JSON object)").format(
                file=path, number=number
            )
        )
    return entry


#: How much of the journal's end :func:`_last_entry_from_end` reads first (doubled
#: until it holds the whole last line).
TAIL_BYTES = 8192


def _last_line(handle: BinaryIO) -> bytes | None:
    """The journal's last line as :func:`_lines` would split it (None: no line), read
    from the end: a window that grows until a line break precedes the last line or the
    window reaches the start of the file. The cost does not grow with the journal."""
    size = handle.seek(0, os.SEEK_END)
    window = TAIL_BYTES
    while True:
        start = max(0, size - window)
        handle.seek(start)
        lines = handle.read(size - start).splitlines()
        if start == 0:
            return lines[-1] if lines else None
        if len(lines) >= 2:  # a line break inside the window: its last line is whole
            return lines[-1]
        window *= 2


def _last_entry_from_end(path: Path, handle: BinaryIO) -> tuple[int, str] | None:
    """:func:`_last_entry` of the open journal, reading only its end. A damaged last
    line is the same :class:`IntegrityError` (its line number needs the whole file,
    which is read then)."""
    line = _last_line(handle)
    if line is None:
        return None
    with contextlib.suppress(IntegrityError):
        found = _seq_and_hash(path, 0, line)
        if found is not None:
            return found
    handle.seek(0)
    return _last_entry(path, handle.read())


def _seq_and_hash(path: Path, number: int, line: bytes) -> tuple[int, str] | None:
    """The ``seq`` and ``hash`` of line ``number``, None when it has none of them."""
    entry = _parse_line(path, number, line)
    seq, digest = entry.get("seq"), entry.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(digest, str):
        return None
    return seq, digest


def _last_entry(path: Path, data: bytes) -> tuple[int, str] | None:
    """The ``seq`` and ``hash`` of the journal's last entry (None if it has none); a
    damaged last line is an :class:`IntegrityError` naming it."""
    lines = _lines(data)
    if not lines:
        return None
    number, line = lines[-1]
    found = _seq_and_hash(path, number, line)
    if found is None:
        raise IntegrityError(
            _(
                "{file}: line {number} is not a journal entry (no seq or hash): "
                "run `docgen journal verify`"
            ).format(file=path, number=number)
        )
    return found
