"""Run the real ``docgen`` command in a child process under a memory cap, and judge how
it ended (ISSUE 9: a hostile file ends in one line, exit 3, never a traceback).

    done = run_docgen(["-w", str(ws), "queries", "check", str(bomb)])
    assert_one_line_error(done, bomb)            # exit 3, one "Error: …" line naming it
    assert done.peak_mb < 400

The child's address space is capped with ``RLIMIT_AS`` (default 1.5 GiB): a reader
that inflates a bomb dies with ``MemoryError`` (a traceback, exit 1) instead of taking
the machine. ``peak_mb`` is the child's own peak resident size (from ``wait4``).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: The address space a docgen process may use in these tests.
MEMORY_CAP = 1536 * 1024 * 1024


@dataclass(frozen=True)
class Done:
    """How a child ``docgen`` ended."""

    code: int
    stdout: str
    stderr: str
    peak_mb: float


def run_docgen(
    args: list[str],
    cwd: Path | None = None,
    memory: int = MEMORY_CAP,
    timeout: float = 120,
) -> Done:
    """``python -m docgen ARGS`` in a child capped at ``memory`` bytes of address space;
    killed after ``timeout`` seconds (then ``code`` is -9)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DOCGEN_DEBUG", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "docgen", *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            preexec_fn=cap,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(child.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Done(
            child.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            usage.ru_maxrss / 1024,  # kilobytes on Linux
        )


def assert_one_line_error(done: Done, path: Path, code: int = 3) -> None:
    """``done`` ended with exit ``code`` (3: InputError) and one line on standard error,
    ``Error: …``, that names ``path``'s file, and no traceback."""
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.code == code, (done.code, done.stderr[-3000:])
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ") and path.name in lines[0], lines[0]
