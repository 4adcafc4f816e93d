"""Where ``docgen serve`` runs the web application (ISSUE 12 item 1): waitress in one
process, or gunicorn's worker processes.

Python runs one thread of a process at a time, so one process uses one CPU however
many threads it has: under fifty clients, one waitress process kept one CPU busy
and left the other idle (``benchmarks/bench_web.py``). gunicorn — the usual WSGI
server on Linux; docgen runs on POSIX systems only, for its file locks — starts
``workers`` processes and keeps them running (a worker that dies is replaced), each
with ``threads`` threads (its ``gthread`` worker).
Each worker makes its own application in its own process (``make_app``): no
database connection crosses a fork. What the processes share lives in the office
database (accounts, lockouts, sessions' versions) or in files locked for each
write (the journal); each worker listens on its own socket of the port
(:func:`probe_port`); each keeps its own short-lived memo of the obligations
(:mod:`docgen.web.facts`) and its own share of the sign-in throttle
(:mod:`docgen.web.auth`).

gunicorn is told everything here and reads nothing else: no ``gunicorn.conf.py``
of the current folder, no ``GUNICORN_CMD_ARGS``, no access log (it would hold the
addresses of the pages people open), no control socket, and no ``X-Forwarded-*``
header trusted by gunicorn itself — the application alone decides that
(``docgen serve --behind-proxy``, :class:`docgen.web.app.WebSettings`).
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

from flask import Flask

#: At most this many worker processes by default (one per CPU up to it).
DEFAULT_WORKERS_MAX = 4
#: Seconds an idle keep-alive connection stays open (gunicorn's default, 2 s, closes a
#: browser's connection between two clicks; waitress keeps one 120 s). An idle
#: connection holds no thread, only a place among a worker's 1,000.
KEEP_ALIVE = 60


def default_workers() -> int:
    """One worker process per CPU, at most :data:`DEFAULT_WORKERS_MAX`."""
    return max(1, min(os.cpu_count() or 1, DEFAULT_WORKERS_MAX))


def bind_address(host: str, port: int) -> str:
    """``host:port`` as gunicorn binds it (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def run(
    app: Flask,
    make_app: Callable[[], Flask],
    *,
    host: str,
    port: int,
    threads: int,
    workers: int,
) -> None:
    """Serve the application on ``host:port`` until stopped (Ctrl+C, SIGTERM): ``app``,
    made already (so that a problem — no office database, an old schema — was the
    command's one line), in this process; or, with several ``workers``, one made by
    ``make_app`` in each worker, ``app`` closed first."""
    if workers == 1:
        from waitress import serve

        # waitress ends its loop on SystemExit, letting the requests under way finish
        # (as gunicorn's arbiter does on SIGTERM): a service stopped is a clean exit.
        signal.signal(signal.SIGTERM, _exit)
        serve(app, host=host, port=port, threads=threads, ident="docgen")
        return
    app.extensions["docgen"].db.close()  # each worker opens its own connections
    _serve_workers(
        make_app,
        {
            "bind": [bind_address(host, port)],
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "reuse_port": True,
            "keepalive": KEEP_ALIVE,
            "proc_name": "docgen",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "forwarded_allow_ips": "",
            "secure_scheme_headers": {},
            "control_socket_disable": True,
        },
    )


def probe_port(host: str, port: int) -> None:
    """Bind ``host:port`` once, as a plain socket, and let it go: a port in use is an
    :class:`OSError` here — the command's one line — before anything is served.

    Each worker listens on a socket of its own with ``SO_REUSEPORT``, so that the
    kernel shares new connections out between the workers (on one shared socket,
    one worker took 46 of bench_web's 50 connections and the others idled). Such a
    port is shared only with sockets of the same user that ask for it too — and a
    plain socket, as here, is refused: so a second ``docgen serve`` on the port of a
    running one stops here, instead of joining it and answering for another office.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn's
        probe.bind((host, port))


def _exit(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _serve_workers(make_app: Callable[[], Flask], settings: dict[str, Any]) -> None:
    """gunicorn, told its settings by us (``load_config``: nothing read from files or
    the environment); each worker process calls ``load``, which makes the
    application there."""
    from gunicorn.app.base import BaseApplication

    class Workers(BaseApplication):
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return make_app()

    Workers().run()
