"""A throw-away PostgreSQL server for the tests (used by the fixtures of tests/conftest.py).

``start()`` runs ``initdb`` in a fresh directory under /tmp and a ``postgres`` that listens
only on 127.0.0.1 on a free port, with durability off (fsync, full_page_writes,
synchronous_commit) and wal_level=minimal for speed; ``stop()`` shuts it down (fast mode)
and removes the directory. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres``
system user (Debian's postgresql package creates it). A small watchdog process stops the
server and removes the directory if the test process dies without calling ``stop()``.

If ``DOCGEN_TEST_POSTGRES_URL`` is set (a server URL such as
``postgresql+psycopg://user:pw@host:5432/postgres``; the user needs CREATEDB), ``start()``
uses that server instead and only creates and drops databases on it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ENV_URL = "DOCGEN_TEST_POSTGRES_URL"
USER = "docgen"

_REQUIRED = ("initdb", "postgres")

# Runs beside the test process; when its stdin reaches EOF (the test process is gone without
# stop(), which kills the watchdog first), it stops the server and removes the directory.
_WATCHDOG = """
import os, shutil, signal, sys, time
pid, base = int(sys.argv[1]), sys.argv[2]
sys.stdin.buffer.read()
try:
    with open(os.path.join(base, "data", "postmaster.pid")) as f:
        ours = f.readline().strip() == str(pid)
except OSError:
    ours = False
if ours:
    try:
        os.kill(pid, signal.SIGQUIT)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)
    except ProcessLookupError:
        pass
shutil.rmtree(base, ignore_errors=True)
"""


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server can be run here (no server binaries, no psycopg, no user)."""


def find_bindir() -> Path | None:
    """The directory of initdb and postgres: the newest /usr/lib/postgresql/<major>/bin,
    else ``pg_config --bindir``, else the PATH; None when none has them."""

    def usable(d: Path) -> bool:
        return all(os.access(d / name, os.X_OK) for name in _REQUIRED)

    def major(d: str) -> tuple[int, ...]:
        try:
            return tuple(int(p) for p in Path(d).parent.name.split("."))
        except ValueError:
            return (-1,)

    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=major, reverse=True):
        if usable(Path(d)):
            return Path(d)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and usable(Path(out.stdout.strip())):
            return Path(out.stdout.strip())
    initdb = shutil.which("initdb")
    if initdb and usable(Path(initdb).parent):
        return Path(initdb).parent
    return None


def unique_database_name(prefix: str = "docgen_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise ServerUnavailable(f"psycopg is not installed: {exc}") from exc
    return psycopg


class PgServer:
    """A PostgreSQL server the tests may create and drop databases on.

    ``url(name)`` is the SQLAlchemy URL of database ``name``; ``process`` and ``base_dir``
    are None for an external server (``DOCGEN_TEST_POSTGRES_URL``)."""

    def __init__(
        self,
        server_url: str,
        process: subprocess.Popen[bytes] | None = None,
        base_dir: Path | None = None,
        watchdog: subprocess.Popen[bytes] | None = None,
    ) -> None:
        from sqlalchemy.engine import make_url

        self._url = make_url(server_url)
        self.process = process
        self.base_dir = base_dir
        self._watchdog = watchdog

    @property
    def external(self) -> bool:
        return self.process is None

    @property
    def port(self) -> int | None:
        return self._url.port

    def url(self, name: str) -> str:
        return self._url.set(database=name).render_as_string(hide_password=False)

    def connect(self, name: str | None = None, **kwargs: Any) -> Any:
        """A psycopg connection to database ``name`` (default: the server URL's database)."""
        params: dict[str, Any] = dict(self._url.query)
        params.update(self._url.translate_connect_args(username="user", database="dbname"))
        if name is not None:
            params["dbname"] = name
        return _psycopg().connect(**params, **kwargs)

    def create_database(self, name: str) -> str:
        """Creates database ``name`` (UTF8, C locale) and returns its SQLAlchemy URL."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'").format(
                    sql.Identifier(name)
                )
            )
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drops database ``name``; WITH (FORCE) terminates its other connections first."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def log(self) -> str:
        if self.base_dir is None:
            return ""
        try:
            return (self.base_dir / "postgres.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Shuts a local server down (SIGINT: PostgreSQL's fast shutdown, what
        ``pg_ctl stop -m fast`` sends) and removes its directory. Safe to call twice."""
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None
        proc = self.process
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGINT, 15), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
                proc.send_signal(sig)
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(timeout: float = 30.0) -> PgServer:
    """The server of ``DOCGEN_TEST_POSTGRES_URL`` if set, else a new local one.

    Raises ServerUnavailable when no server can be run here (the caller decides whether
    that skips), RuntimeError (with the server log) when a server fails to start."""
    external = os.environ.get(ENV_URL, "").strip()
    if external:
        server = PgServer(external)
        server.connect(connect_timeout=10).close()
        return server
    bindir = find_bindir()
    if bindir is None:
        raise ServerUnavailable(
            "no PostgreSQL server binaries (initdb, postgres) in /usr/lib/postgresql/*/bin, "
            "pg_config --bindir or PATH; install the Debian package 'postgresql' "
            f"or set {ENV_URL}"
        )
    _psycopg()
    return _start_local(bindir, timeout)


def _start_local(bindir: Path, timeout: float) -> PgServer:
    as_user: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise ServerUnavailable(
                "running as root, and PostgreSQL refuses root, but there is no 'postgres' user"
            ) from exc
        as_user = [
            "setpriv",
            f"--reuid={owner.pw_uid}",
            f"--regid={owner.pw_gid}",
            "--init-groups",
            "--",
        ]
    # Not pytest's tmp_path: /tmp/pytest-of-root is 0700, which the postgres user cannot enter.
    base = Path(tempfile.mkdtemp(prefix="docgen-pg-", dir="/tmp" if owner else None))
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PGDATA", None)
    try:
        if owner is not None:
            os.chown(base, owner.pw_uid, owner.pw_gid)
        data = base / "data"
        init = subprocess.run(
            [
                *as_user,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                USER,
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            cwd=base,
            env=env,
            capture_output=True,
            text=True,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed ({init.returncode}):\n{init.stdout}{init.stderr}")
        for _attempt in range(3):
            server = _launch(bindir, base, as_user, env, timeout)
            if server is not None:
                return server
        raise RuntimeError("postgres could not bind a free port three times")
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise


def _launch(
    bindir: Path, base: Path, as_user: list[str], env: dict[str, str], timeout: float
) -> PgServer | None:
    """Starts postgres and waits until it accepts connections; None when the port was taken
    meanwhile (the caller retries with another)."""
    port = _free_port()
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(base),
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
        "logging_collector": "off",
        # Halves CREATE DATABASE (0.3 s to 0.13 s here): nothing to replicate.
        "wal_level": "minimal",
        "max_wal_senders": "0",
    }
    args = [*as_user, str(bindir / "postgres"), "-D", str(base / "data")]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    log_path = base / "postgres.log"
    with open(log_path, "ab") as log:
        # Its own session: a Ctrl-C meant for pytest must not stop the server under the
        # teardown that still needs it.
        proc = subprocess.Popen(
            args,
            cwd=base,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(proc.pid), str(base)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = PgServer(
        f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres", proc, base, watchdog
    )
    psycopg = _psycopg()
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            text = server.log()
            server._watchdog = None
            watchdog.kill()
            watchdog.wait()
            if "could not bind" in text or "already in use" in text:
                log_path.unlink(missing_ok=True)
                return None
            raise RuntimeError(f"postgres exited ({proc.returncode}) at start:\n{text}")
        try:
            psycopg.connect(
                host="127.0.0.1", port=port, user=USER, dbname="postgres", connect_timeout=2
            ).close()
            return server
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                text = server.log()
                server.base_dir = None  # the caller removes the directory
                server.stop()
                raise RuntimeError(
                    f"postgres did not accept connections within {timeout:.0f} s ({exc}):\n{text}"
                ) from exc
            time.sleep(0.05)
