"""``XtsSimulator``: XTS interactive + market data (REST and Socket.IO) on one port, on the paper exchange.

Started in a daemon thread under uvicorn; tests use it as a context manager::

    with XtsSimulator() as sim:
        investor = sim.accounts[0]   # role, user_id, client_codes, interactive/marketdata keys
        httpx.post(f"{sim.root}/interactive/user/session", data={...})

Controls for tests, named as on every simulator: ``faults`` (lost, late, trickled or malformed HTTP
replies: :mod:`brokerplex_paper.faults`), ``expire_sessions()``, ``drop_streams()``, ``silence_streams()``,
``freeze_streams()``, ``refuse_keys()``, ``set_tick_rate()``, ``stream_connections``, and ``exchange``
(the PaperExchange: ``set_price`` moves the market).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from brokerplex.errors import BrokerplexError
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.faults import HttpFaults, RoutePattern
from brokerplex_paper.feed import MARKET_STEP_SECONDS
from brokerplex_paper.links import Links
from brokerplex_xts_client.sim.accounts import activation_settings, default_users
from brokerplex_xts_client.sim.http import Refusal, invalid_token, not_found, parse_call, route_key
from brokerplex_xts_client.sim.http import Route as ApiRoute
from brokerplex_xts_client.sim.interactive import Interactive
from brokerplex_xts_client.sim.marketdata import MarketData
from brokerplex_xts_client.sim.state import SimState
from brokerplex_xts_client.sim.streaming import Streams

_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
_MD = r"^/(apimarketdata|marketdata|apibinarymarketdata)"
#: The simulator's routes by the names every simulator's ``faults`` understands.
FAULT_ROUTES: dict[str, list[RoutePattern]] = {
    "login": [RoutePattern("POST", r"^/interactive/user/session/?$"), RoutePattern("POST", _MD + r"/auth/login/?$")],
    "orders": [RoutePattern("POST", r"^/interactive/orders(/cover|/bracket)?/?$")],
    "changes": [RoutePattern("PUT|DELETE", r"^/interactive/orders(/cover|/bracket)?/?$"),
                RoutePattern("POST", r"^/interactive/orders/cancelall/?$")],
    "books": [RoutePattern("GET", r"^/interactive/(orders|orders/trades|orders/dealer\w+|portfolio/\w+|user/balance)"
                                  r"/?$")],
    "quotes": [RoutePattern("POST", _MD + r"/instruments/quotes/?$")],
    "master": [RoutePattern("POST", _MD + r"/instruments/master/?$"),
               RoutePattern("GET", _MD + r"/instruments/indexlist/?$")],
}


def build_app(state: SimState, streams: Streams) -> Starlette:
    interactive, marketdata = Interactive(state), MarketData(state)
    table: dict[tuple[str, str, str], ApiRoute] = {}
    for api_routes in (interactive.routes(), marketdata.routes()):
        for (method, path), route in api_routes.items():
            table[(method, route.api, path)] = route

    async def dispatch(request: Request) -> Response:
        key = route_key(request.method, request.url.path)
        route = table.get(key) if key else None
        if route is None:
            return not_found()
        try:
            call = await parse_call(request)
            if route.authenticated:
                call.session = state.session(call.token, route.api)
                if call.session is None:
                    raise invalid_token()
            # Sessions are limited per token; logins per app key; public routes per caller.
            client = request.client.host if request.client else ""
            who = call.session.token if call.session else str(call.body.get("appKey") or call.token or client)
            wait = state.limits.check(who, route.bucket)
            if wait:
                raise Refusal("Rate limit exceeded", status=429, code="e-ratelimit-0001",
                              errors=[f"too many {route.bucket} requests; retry in {wait:.2f} s"],
                              headers={"Retry-After": str(max(1, round(wait + 0.5)))})
            return await route.handler(call)
        except Refusal as refusal:
            return refusal.response()
        except BrokerplexError as error:
            return Refusal(str(error), code="e-request-0002", errors=[str(error)]).response()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await streams.start()
        try:
            yield
        finally:
            await streams.stop()

    routes: list[BaseRoute] = [*streams.routes(), Route("/{path:path}", dispatch, methods=_METHODS)]
    return Starlette(routes=routes, lifespan=lifespan)


def _free_socket(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP spelled out: asyncio turns Nagle off only on sockets that say TCP, and with
    # Nagle on, every reply's body waits for the client's delayed ACK (40 ms a request).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # accept connections at once, before uvicorn's loop takes over
    return sock


class XtsSimulator:
    """The XTS wire simulator (interactive + market data, REST + Socket.IO) in a daemon thread."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: int = 1, state_dir: Path | None = None,
                 rate_limits: bool = True, dealer_routes: bool = True, dealer_investor_routes: bool = True) -> None:
        """``dealer_routes``: serve the dealer book routes; ``dealer_investor_routes``: let dealers read
        the investor book routes too (real brokers differ on both, spec 5.3)."""
        # Without a state_dir the exchange lives in memory and ends with the simulator.
        path: Path | str = ":memory:" if state_dir is None else Path(state_dir) / "exchange.sqlite"
        self.exchange = PaperExchange(path, seed=seed, step_seconds=MARKET_STEP_SECONDS)
        users = default_users(seed)
        self.state = SimState(self.exchange, users, rate_limits)
        self.state.dealer_routes, self.state.dealer_investor_routes = dealer_routes, dealer_investor_routes
        self.streams = Streams(self.state)
        self.app = build_app(self.state, self.streams)
        #: Faults injected into HTTP replies (see :mod:`brokerplex_paper.faults`).
        self.faults = HttpFaults(self.app, FAULT_ROUTES, seed=seed)
        self.accounts: list[dict[str, Any]] = [user.as_json() for user in users]
        self._socket = _free_socket(host, port)
        bound_host, bound_port = self._socket.getsockname()[:2]
        self.host, self.port = bound_host, bound_port
        self.root = f"http://{bound_host}:{bound_port}"
        self._links = Links()
        # Engine.IO does its own pings; a stop must not wait for clients that keep reconnecting.
        config = uvicorn.Config(self.faults, log_level="warning", lifespan="on", ws=self._links.protocol_class(),
                                ws_ping_interval=None, ws_ping_timeout=None, timeout_graceful_shutdown=3)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> XtsSimulator:
        self._thread = threading.Thread(target=self._run, name=f"xts-sim-{self.port}", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the XTS simulator failed to start")
            self._thread.join(0.01)
        return self

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._thread = None
        with contextlib.suppress(OSError):
            self._socket.close()
        self.exchange.close()

    def serve_forever(self) -> None:
        """Serve in this thread until SIGINT/SIGTERM (the CLI)."""
        self._server.run(sockets=[self._socket])
        self.exchange.close()

    def __enter__(self) -> XtsSimulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def account(self, role: str) -> dict[str, Any]:
        """The first announced login of ``role`` (``investor`` or ``dealer``)."""
        return next(account for account in self.accounts if account["role"] == role)

    def settings(self, role: str = "investor", **extra: str) -> dict[str, str]:
        """``brokerplex activate`` settings for the first login of ``role``, plus ``extra``."""
        return activation_settings(self.root, self.account(role), **extra)

    # -- control hooks -------------------------------------------------------------------------
    def expire_sessions(self) -> None:
        """Every token becomes invalid: REST answers "Invalid Token", sockets are closed."""
        self.state.expire_all()
        self.drop_streams()

    def drop_streams(self) -> None:
        """Close every Socket.IO connection (a frozen one loses its TCP connection without a close);
        clients are expected to reconnect."""
        self._in_loop(self._drop_streams())

    async def _drop_streams(self) -> None:
        await self.streams.drop_all()
        self._links.cut_frozen()

    def silence_streams(self, on: bool) -> None:
        """Stop (True) or resume (False) every socket message, Engine.IO pongs included, without
        closing the connections: a silent, half-dead socket. Order events wait until resumed."""
        self._in_loop(self.streams.silence(on))

    def freeze_streams(self, on: bool) -> None:
        """Freeze (True) every socket open now: the server neither sends nor reads anything on it, so a
        client's pings and close handshake go unanswered and what it sends piles up; the sockets stay
        open until thawed (False) or dropped. Sockets opened while frozen work."""
        self._in_loop(self._freeze_streams(on))

    async def _freeze_streams(self, on: bool) -> None:
        self._links.freeze(on)

    def refuse_keys(self, on: bool) -> None:
        """Refuse (True) every app key as revoked ones are, until turned off: the interactive and
        market-data logins answer XTS's error envelope and sockets are refused. Tokens already
        issued keep working on REST (``expire_sessions`` ends them)."""
        self.state.refusing = on

    def set_tick_rate(self, per_second: float) -> None:
        """Publish market data ``per_second`` times a second (0 pauses it; pongs and order events go
        on). Each socket gets a message only for instruments whose data changed."""
        self.streams.pace.set_rate(per_second)
        self._in_loop(self.streams.wake())

    @property
    def stream_connections(self) -> int:
        """How many Socket.IO connections (market data and interactive) are joined and open."""
        return self.streams.open_connections

    def _in_loop(self, work: Any) -> None:
        loop = self.streams.loop
        if loop is None or not loop.is_running():
            work.close()
            return
        asyncio.run_coroutine_threadsafe(work, loop).result(10)
