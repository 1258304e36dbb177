"""``brokerplex serve``: the API on uvicorn, one process or ``--workers N``.

The listening socket is bound here, before uvicorn starts, so that ``--port 0`` can print the port it got
in the first stdout line; the workers inherit it. Workers read their config from the environment
(:meth:`ServerConfig.from_environment`), so one way serves both sizes.

Several workers (``--workers N``, or several ``serve`` processes on one database) need a bus: through
Redis they draw broker rate limits from one count per API key (:mod:`brokerplex_server.ratelimits`) and
their clients' streams come from one ``brokerplex hub --bus`` process, which holds the broker connections.
No worker runs that hub itself: brokers allow few stream connections per key (Kite: 3), so there must be
one hub per deployment, not one per worker (electing one would need a hand-over whenever uvicorn restarts
a worker); and a separate hub outlives worker restarts and deploys, so clients' feeds do not drop with a
worker (their consumers say ``reconnecting`` while the hub is away). Order safety needs no bus: the
journal's key in the shared database refuses a client order id a second time, whichever worker sends it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from brokerplex.cli.app import state

if TYPE_CHECKING:
    import uvicorn

    from brokerplex_server.config import ServerConfig


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port; the first line says which).")
@click.option("--database", metavar="URL", help="The store (default: the global --database, "
              "$BROKERPLEX_DATABASE, else a SQLite file in the state folder).")
@click.option("--bus", metavar="URL", help="Redis URL of the bus shared with `brokerplex hub` (streams) and "
              "other workers (broker rate limits) (default: $BROKERPLEX_BUS, else the hub in this process).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes sharing the socket (more than one needs --bus).")
@click.option("--demo", is_flag=True, help="A first look: a fresh temporary home (or the global --home) with a "
              "paper account and logged-in accounts on the Kite and XTS simulators, and an admin whose new "
              "password the first line gives (admin_password).")
def serve(host: str, port: int, database: str | None, bus: str | None, workers: int, demo: bool) -> None:
    """Serve the web console (/), the REST API (/api/v1, docs at /api/docs) and the /api/v1/stream WebSocket.

    The first stdout line is one JSON object with the `url`; SIGTERM stops it cleanly."""
    from brokerplex.hub.manager import BUS_VARIABLE
    from brokerplex.store import Store
    from brokerplex_server.config import ServerConfig

    current = state()
    # Cookie and CORS settings come from the environment (BROKERPLEX_INSECURE_COOKIES, BROKERPLEX_CORS_ORIGINS).
    config = dataclasses.replace(ServerConfig.from_environment(), home=current.checked_home(),
                                 database=database or current.database, bus=bus or os.environ.get(BUS_VARIABLE) or None)
    if demo:
        alone = not (database or current.database or bus) and workers == 1
        _serve_demo(config, host, port, given_home=current.home, alone=alone)
        return
    if workers > 1 and not config.bus:
        from brokerplex.errors import InputError

        raise InputError("several workers share broker rate limits and streams through Redis: give --bus "
                         "redis://… (and run `brokerplex hub --bus …` for the streams)")
    store = Store(config.home, config.database)
    try:
        store.upgrade()  # a database that cannot be used is said now, in one line, before listening
        shown = store.shown_url
    finally:
        store.close()
    listener = _listen(host, port)
    click.echo(json.dumps({"url": _url(host, listener), "database": shown, "bus": config.bus, "workers": workers,
                           "pid": os.getpid()}))
    _run(config, listener, workers)


def _run(config: ServerConfig, listener: socket.socket, workers: int) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from brokerplex_server.console import BUILT

    console = config.console or BUILT
    if not (console / "index.html").is_file():
        click.echo(f"the web console is not built (no {console / 'index.html'}): serving the API alone; `make console` "
                   "in a clone builds it (npm), the brokerplex-server wheel ships it", err=True)
    os.environ.update(config.environment())
    server_config = uvicorn.Config("brokerplex_server.app:app_from_environment", factory=True, workers=workers,
                                   log_level="warning", access_log=False, proxy_headers=False,
                                   # compressing every socket's frames alone took 40% of a streaming
                                   # worker's sending (benchmarks/ws_fanout.py): ticks go uncompressed
                                   ws_per_message_deflate=False,
                                   server_header=False)
    server = uvicorn.Server(server_config)
    _stop_on_signals(server)
    if workers == 1:
        server.run(sockets=[listener])
        return
    supervisor = Multiprocess(server_config, sockets=[listener])  # from here on, it handles the signals
    if not server.should_exit:
        supervisor.run()


def _serve_demo(config: ServerConfig, host: str, port: int, *, given_home: Path | None, alone: bool) -> None:
    """``serve --demo``: one process on the demo's own home (its SQLite store, no bus), plain-HTTP cookies
    (a loopback browser keeps them), the simulators as child processes until the server stops."""
    from brokerplex.errors import InputError
    from brokerplex.hub.manager import BUS_VARIABLE
    from brokerplex.store import ENV_DATABASE
    from brokerplex_server.commands.demo import ADMIN, demo_home, start_demo

    if not alone:
        raise InputError("--demo runs one process on its own home: leave out --database, --bus and --workers")
    for variable in (ENV_DATABASE, BUS_VARIABLE):  # the demo's store is its home's, whatever the environment says
        os.environ.pop(variable, None)
    listener = _listen(host, port)
    url = _url(host, listener)
    demo = demo_home(given_home)
    config = dataclasses.replace(config, home=demo.home, database=None, bus=None, secure_cookies=False)
    signal.signal(signal.SIGTERM, _exit)  # until the server's own handlers: a stop still cleans up
    try:
        start_demo(demo, url)
        click.echo(json.dumps({"url": url, "database": f"sqlite under {demo.home}", "bus": None, "workers": 1,
                               "pid": os.getpid(), "demo": True, "home": str(demo.home), "user": ADMIN,
                               "admin_password": demo.admin_password, "accounts": demo.accounts}))
        sys.stdout.flush()
        click.echo(f"brokerplex demo: open {url}/ and sign in as {ADMIN} with password {demo.admin_password} "
                   f"(shown once); accounts {', '.join(demo.accounts)}; Ctrl-C stops it"
                   + ("" if demo.temporary else f" (the home {demo.home} is kept)"), err=True)
        _run(config, listener, 1)
    finally:
        demo.close()


def _exit(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _url(host: str, listener: socket.socket) -> str:
    return f"http://{_url_host(host)}:{listener.getsockname()[1]}"


def _stop_on_signals(server: uvicorn.Server) -> None:
    """SIGTERM or SIGINT stops serving and exits 0, even before uvicorn installs its own handlers (which
    re-raise the signal once they have shut down gracefully: it lands here again, harmlessly)."""

    def stop(_signum: int, _frame: object) -> None:
        server.should_exit = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, reuse_port=False, backlog=2048)
    except OSError as exc:
        from brokerplex.errors import InputError

        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listener.set_inheritable(True)
    return listener


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1" if host == "0.0.0.0" else "[::1]"
    return f"[{host}]" if ":" in host else host
