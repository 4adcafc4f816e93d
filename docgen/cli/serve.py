"""``docgen serve``: the office's web application (ISSUE 12 item 1), in one waitress
process or in several gunicorn worker processes (:mod:`docgen.web.server`).

It binds to 127.0.0.1 by default; on the office network it runs behind a reverse proxy
that speaks TLS (README: a systemd unit and an nginx example), so the session cookie
is ``Secure``. ``--insecure-cookies`` (plain http) is for tests on the loopback only.
"""

from __future__ import annotations

import ipaddress

import click

from docgen.cli.common import CliState, pass_state, say
from docgen.cli.help import Command
from docgen.i18n import N_, _


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command(
    "serve",
    cls=Command,
    help=N_(
        "Serve the web application of this workspace: sign-in, each role's "
        "dashboard, the obligations, the account registry, the journal. Make the first "
        "administrator with `docgen users add` before. It binds to 127.0.0.1: on the "
        "office network, put a reverse proxy with TLS in front (see the README).\n\n"
        "\b\nExample:\n"
        "  docgen serve\n"
        "  docgen serve --host 127.0.0.1 --port 8000 --workers 2 --threads 8\n"
        "  docgen serve --behind-proxy"
    ),
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help=N_("The address to listen on.")
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help=N_("The port.")
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=None,
    help=N_(
        "Worker processes (default: one per CPU, at most 4). Each uses one CPU; "
        "1 serves from this one process (waitress)."
    ),
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help=N_("Requests each worker process serves at once."),
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    help=N_(
        "A reverse proxy (nginx) on this machine forwards to docgen: trust its "
        "X-Forwarded-For and X-Forwarded-Proto, so that each client's own address is "
        "throttled and journalled. Without it, every client has the proxy's address."
    ),
)
@click.option(
    "--insecure-cookies",
    is_flag=True,
    hidden=True,
    help=N_("Send the session cookie over plain http (tests on 127.0.0.1 only)."),
)
@pass_state
def serve(
    state: CliState,
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    behind_proxy: bool,
    insecure_cookies: bool,
) -> None:
    from docgen.web import WebSettings, create_app
    from docgen.web.server import default_workers, probe_port, run

    if insecure_cookies and not _loopback(host):
        raise click.UsageError(_("--insecure-cookies works only on the loopback (127.0.0.1)"))
    processes = workers or default_workers()
    settings = WebSettings(
        secure_cookies=not insecure_cookies,
        proxies=1 if behind_proxy else 0,
        processes=processes,
    )
    workspace = state.workspace
    app = create_app(workspace, settings)  # a problem here is one line, not a worker's
    probe_port(host, port)
    say(
        _("Serving {office} on http://{host}:{port}/ (Ctrl+C stops it)").format(
            office=workspace.config.office.name, host=host, port=port
        ),
        err=True,
    )
    run(
        app,
        lambda: create_app(workspace, settings),
        host=host,
        port=port,
        threads=threads,
        workers=processes,
    )
