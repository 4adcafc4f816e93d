"""Run the real ``docgen`` command in a child process under a memory cap, and judge how
it ended (ISSUE 9: a hostile file ends in one line, exit 3, never a traceback).

    done = run_docgen(["-w", str(ws), "queries", "check", str(bomb)])
    assert_one_line_error(done, bomb)            # exit 3, one "Error: …" line naming it
    assert done.peak_mb < 400

The child's address space is capped with ``RLIMIT_AS`` (default 1.5 GiB): a reader
that inflates a bomb dies with ``MemoryError`` (a traceback, exit 1) instead of taking
the machine. ``peak_mb`` is the peak resident size of docgen itself: the child reports
its ``VmHWM`` as it exits. (``wait4``'s ``ru_maxrss`` would not do: it keeps the high
water of the process before ``exec``, which a fork of a large pytest process inherits.)
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

#: ``python -c`` this, then the report file, then docgen's arguments: docgen runs as
#: ``python -m docgen`` would, and its peak resident size is written when it exits.
_REPORTING = """
import atexit, runpy, sys
report = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(l for l in status if l.startswith("VmHWM:"))
    with open(report, "w", encoding="ascii") as out:
        out.write(line.split()[1])
atexit.register(_peak)
sys.argv[0] = "docgen"
runpy.run_module("docgen", run_name="__main__", alter_sys=True)
"""


def _peak_kb(report: Path) -> float:
    """The kilobytes the child reported (infinity if it died before it could)."""
    text = report.read_text(encoding="ascii") if report.exists() else ""
    return float(text) if text.strip() else float("inf")


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
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "peak"
        child = subprocess.Popen(
            [sys.executable, "-c", _REPORTING, str(report), *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            preexec_fn=cap,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, _ = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(child.pid, signal.SIGKILL)
                pid, status, _ = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Done(
            child.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            _peak_kb(report) / 1024,
        )


def assert_one_line_error(done: Done, path: Path, code: int = 3) -> None:
    """``done`` ended with exit ``code`` (3: InputError) and one line on standard error,
    ``Error: …``, that names ``path``'s file, and no traceback."""
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.code == code, (done.code, done.stderr[-3000:])
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ") and path.name in lines[0], lines[0]
