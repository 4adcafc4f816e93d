"""Fixtures of the archive tests: a workspace with a fast stability delay, a watcher
subprocess, and polling helpers (timing-dependent tests poll with timeouts)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from docgen.config import Workspace, open_workspace


def write_config(
    root: Path, stable: float = 0.3, reconcile_minutes: float = 10.0, extra: str = ""
) -> None:
    (root / "docgen.toml").write_text(
        f"[archive]\nstable_seconds = {stable}\nreconcile_minutes = {reconcile_minutes}\n{extra}",
        encoding="utf-8",
    )


@pytest.fixture
def archive_ws(tmp_path: Path) -> Workspace:
    """A fresh workspace whose files are stable after 0.3 s."""
    root = tmp_path / "office"
    root.mkdir()
    write_config(root)
    workspace = open_workspace(root, environ={})
    (workspace.archive_root / "inbox").mkdir(parents=True)
    return workspace


@pytest.fixture
def sharing_workspaces(tmp_path: Path) -> tuple[Workspace, Workspace, Path]:
    """Two workspaces, each with its own state folder, whose ``paths.archive`` is one
    shared archive root (two offices' PCs on one file share: ISSUE 9 item 4)."""
    shared = tmp_path / "share" / "archive"
    (shared / "inbox").mkdir(parents=True)
    found = []
    for name in ("a", "b"):
        root = tmp_path / name
        root.mkdir()
        write_config(root, extra=f'[paths]\narchive = "{shared.as_posix()}"\n')
        found.append(open_workspace(root, environ={}))
    return found[0], found[1], shared


@pytest.fixture
def wait_until() -> Callable[..., None]:
    def wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    return wait


def query(workspace: Workspace, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the index, through plain sqlite3 (read-only)."""
    if not workspace.index_path.exists():
        return []
    with sqlite3.connect(f"file:{workspace.index_path}?mode=ro", uri=True, timeout=30) as conn:
        return list(conn.execute(sql))


@pytest.fixture
def index_rows() -> Callable[[Workspace, str], list[tuple[object, ...]]]:
    return query


@pytest.fixture
def reconfigure() -> Callable[..., Workspace]:
    """Rewrite a workspace's docgen.toml and open it again."""

    def again(workspace: Workspace, **options: object) -> Workspace:
        write_config(workspace.root, **options)  # type: ignore[arg-type]
        return open_workspace(workspace.root, environ={})

    return again


class WatcherProcess:
    """``docgen archive watch`` running as a subprocess, its log in a file."""

    def __init__(self, workspace: Workspace, log: Path, *args: str) -> None:
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
        command = [sys.executable, "-m", "docgen", "-w", str(workspace.root), "archive", "watch"]
        with open(log, "ab") as handle:
            self.process = subprocess.Popen([*command, *args], stderr=handle, env=env)

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while "watching" not in self.log.read_text(encoding="utf-8", errors="replace"):
            assert self.process.poll() is None, self.log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "the watcher did not start"
            time.sleep(0.1)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def start_watcher(tmp_path: Path) -> Iterator[Callable[..., WatcherProcess]]:
    started: list[WatcherProcess] = []

    def start(workspace: Workspace, *args: str) -> WatcherProcess:
        watcher = WatcherProcess(workspace, tmp_path / "watch.log", *args)
        started.append(watcher)
        watcher.wait_ready()
        return watcher

    yield start
    for watcher in started:
        if watcher.process.poll() is None:
            watcher.kill()
