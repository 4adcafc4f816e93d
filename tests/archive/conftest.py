"""Fixtures of the archive tests: a workspace with a fast stability delay, a watcher
subprocess, and polling helpers (timing-dependent tests poll with timeouts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from docgen.config import Workspace, open_workspace
from tests.archive.dbrows import database_section, engine_url, query


def write_config(
    root: Path, stable: float = 0.3, reconcile_minutes: float = 10.0, extra: str = ""
) -> None:
    (root / "docgen.toml").write_text(
        f"[archive]\nstable_seconds = {stable}\nreconcile_minutes = {reconcile_minutes}\n{extra}",
        encoding="utf-8",
    )


@pytest.fixture
def engine() -> str:
    """The office database's engine: SQLite, unless a test is marked
    :data:`~tests.archive.dbrows.ON_BOTH_ENGINES`."""
    return "sqlite"


@pytest.fixture
def archive_ws(tmp_path: Path, request: pytest.FixtureRequest, engine: str) -> Workspace:
    """A fresh workspace whose files are stable after 0.3 s; its office database is a
    fresh PostgreSQL database when ``engine`` says so (named in its docgen.toml, so that
    child processes use it too)."""
    root = tmp_path / "office"
    root.mkdir()
    url = engine_url(request, engine)
    write_config(root, extra=database_section(url) if url else "")
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


@pytest.fixture
def index_rows() -> Callable[[Workspace, str], list[tuple[object, ...]]]:
    return query


@pytest.fixture
def reconfigure() -> Callable[..., Workspace]:
    """Rewrite a workspace's docgen.toml and open it again."""

    def again(workspace: Workspace, **options: object) -> Workspace:
        url = workspace.config.database.url
        if url:  # the office database stays the one it was
            options["extra"] = f"{options.get('extra', '')}\n{database_section(url)}"
        write_config(workspace.root, **options)  # type: ignore[arg-type]
        return open_workspace(workspace.root, environ={})

    return again


class WatcherProcess:
    """``docgen archive watch`` running as a subprocess, its log in a file."""

    def __init__(self, workspace: Workspace, log: Path, *args: str) -> None:
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
        env["DOCGEN_LANG"] = "en"  # the messages tests assert
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
