"""``KiteSimulator``: the Kite app served by uvicorn from a daemon thread, with test controls."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.faults import HttpFaults, RoutePattern
from brokerplex_paper.feed import MARKET_STEP_SECONDS
from brokerplex_paper.links import Links
from brokerplex_zerodha.sim.app import KiteApp
from brokerplex_zerodha.sim.auth import Sessions
from brokerplex_zerodha.sim.ratelimit import RateLimits
from brokerplex_zerodha.sim.state import SimState

USER_ID = "ZS1234"
START_TIMEOUT = 15.0
#: The simulator's routes by the names every simulator's ``faults`` understands.
FAULT_ROUTES: dict[str, list[RoutePattern]] = {
    "login": [RoutePattern("POST", r"^/session/token$")],
    "orders": [RoutePattern("POST", r"^/orders/[^/]+$")],
    "changes": [RoutePattern("PUT|DELETE", r"^/orders/[^/]+/[^/]+$")],
    "books": [RoutePattern("GET", r"^/(orders|trades|portfolio/positions|portfolio/holdings|user/margins)(/|$)")],
    "quotes": [RoutePattern("GET", r"^/quote(/|$)")],
    "master": [RoutePattern("GET", r"^/instruments(/[A-Z]+)?$")],
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class KiteSimulator:
    """Kite Connect v3 (REST, login page, ticker) on one port over a paper exchange.

    ``with KiteSimulator() as sim:`` starts it; ``sim.rest``, ``sim.ws`` and ``sim.login``
    are the URLs for ``KiteConnect(root=)``, ``KiteTicker(root=)`` and a browser. With a
    ``state_dir`` the paper exchange lives in ``state_dir/kite.sqlite`` (orders and positions
    survive a restart; sessions do not). The ticker publishes every ``tick_interval`` seconds
    (see :meth:`set_tick_rate`).

    Controls for tests, named as on every simulator: ``faults`` (HTTP replies), ``drop_streams``,
    ``silence_streams``, ``freeze_streams``, ``refuse_keys``, ``set_tick_rate``, ``expire_sessions``
    and ``stream_connections``.
    """

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, api_key: str = "kite_sim_key",
        api_secret: str = "kite_sim_secret", redirect_url: str = "http://127.0.0.1:5000/", seed: int = 1,
        state_dir: Path | None = None, rate_limits: bool = True, tick_interval: float = 0.5,
    ) -> None:
        self.host, self.port, self.api_key = host, port, api_key
        path: Path | str = ":memory:" if state_dir is None else Path(state_dir) / "kite.sqlite"
        self.exchange = PaperExchange(path, seed=seed, step_seconds=MARKET_STEP_SECONDS)
        self.user_id = USER_ID
        self.exchange.ensure_account(USER_ID)
        self._state = SimState(self.exchange, Sessions(api_key, api_secret, USER_ID), api_secret, redirect_url,
                               RateLimits() if rate_limits else None)
        self._app = KiteApp(self._state, 1 / tick_interval if tick_interval > 0 else 0.0)
        self._links = Links()
        #: Faults injected into HTTP replies (see :mod:`brokerplex_paper.faults`).
        self.faults = HttpFaults(self._app.starlette(), FAULT_ROUTES, seed=seed)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.rest = self.ws = self.login = ""

    def __repr__(self) -> str:  # never shows the secret
        return f"KiteSimulator(rest={self.rest!r}, api_key={self.api_key!r})"

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> KiteSimulator:
        config = uvicorn.Config(self.faults, host=self.host, port=self.port, log_level="warning",
                                ws=self._links.protocol_class(), lifespan="on", access_log=False,
                                timeout_graceful_shutdown=3)
        server = self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="kite-sim", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the Kite simulator did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"{self.host}:{port}"
        self.port = port
        self.rest, self.ws, self.login = f"http://{base}", f"ws://{base}/ws", f"http://{base}/connect/login"
        return self

    def _serve(self) -> None:
        assert self._server is not None
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._server.serve())
        finally:
            loop.close()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(5)
        self._server = self._thread = None
        self.exchange.close()

    def __enter__(self) -> KiteSimulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # -- the login flow -----------------------------------------------------------------------------
    def request_token(self) -> str:
        """Go through the login page as a user would; the fresh single-use request token."""
        url = f"{self.login}?{urllib.parse.urlencode({'api_key': self.api_key, 'v': '3'})}"
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(url, timeout=10).close()
        except urllib.error.HTTPError as error:
            with error:  # its socket is closed with it
                if error.code != 302:
                    raise
                location = error.headers["Location"]
        else:
            raise RuntimeError("the login page did not redirect")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        return query["request_token"][0]

    # -- controls for tests ---------------------------------------------------------------------------
    def expire_sessions(self) -> None:
        """Invalidate every access token: the next REST call answers 403 TokenException and the
        ticker refuses to reconnect, as after Kite's daily expiry."""
        self._state.sessions.expire_all()

    def drop_streams(self) -> None:
        """Close every ticker connection at once (code 1011; a frozen one loses its TCP connection
        without a close frame); clients have to reconnect."""
        self._call(self._drop_streams())

    async def _drop_streams(self) -> None:
        await self._app.hub.drop_all()
        self._links.cut_frozen()

    def silence_streams(self, on: bool) -> None:
        """Stop (True) or resume (False) every ticker message, heartbeats included, without
        closing the connections: a silent, half-dead socket. Order updates wait until resumed."""
        self._app.hub.silenced = on

    def freeze_streams(self, on: bool) -> None:
        """Freeze (True) every ticker connection open now: the server neither sends nor reads
        anything on it, so a client's pings and close handshake go unanswered and what it sends
        piles up; the connections stay open until thawed (False) or dropped. Connections opened
        while frozen work."""
        self._call(self._freeze_streams(on))

    async def _freeze_streams(self, on: bool) -> None:
        self._links.freeze(on)

    def refuse_keys(self, on: bool) -> None:
        """Refuse (True) the app's key as Kite refuses a revoked one, until turned off: the token
        exchange answers 403 TokenException and the ticker refuses its upgrades (403). Access
        tokens already issued keep working on REST (``expire_sessions`` ends them)."""
        self._state.sessions.refusing = on

    def set_tick_rate(self, per_second: float) -> None:
        """Publish ticks ``per_second`` times a second (0 pauses ticks; heartbeats and order
        updates go on). A tick carries only the instruments whose data changed."""
        self._app.hub.pace.set_rate(per_second)
        if self._loop is not None:
            self._call(self._app.hub.wake())

    @property
    def stream_connections(self) -> int:
        """How many ticker connections are open (accepted and not yet closed)."""
        return self._app.hub.open_connections

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        assert self._loop is not None, "the simulator is not running"
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)
