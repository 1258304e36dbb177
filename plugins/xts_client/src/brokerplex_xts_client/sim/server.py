"""``XtsSimulator``: XTS interactive + market data (REST and Socket.IO) on one port, on the paper exchange.

Started in a daemon thread under uvicorn; tests use it as a context manager::

    with XtsSimulator() as sim:
        investor = sim.accounts[0]   # role, user_id, client_codes, interactive/marketdata keys
        httpx.post(f"{sim.root}/interactive/user/session", data={...})

The controls for tests are every simulator's (:mod:`brokerplex_paper.simkit.simulator`), and
``exchange`` is the PaperExchange (``set_price`` moves the market).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from brokerplex.errors import BrokerplexError
from brokerplex.models import Order
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.faults import RoutePattern
from brokerplex_paper.feed import MARKET_STEP_SECONDS
from brokerplex_paper.simkit.simulator import Simulator
from brokerplex_xts_client.sim.accounts import PRO, activation_settings, default_users
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
    # A square-off places orders; a conversion changes a position (Kite's simulator names it so too).
    "orders": [RoutePattern("POST", r"^/interactive/orders(/cover|/bracket)?/?$"),
               RoutePattern("PUT", r"^/interactive/portfolio/squareoff(all)?/?$")],
    "changes": [RoutePattern("PUT|DELETE", r"^/interactive/orders(/cover|/bracket)?/?$"),
                RoutePattern("POST", r"^/interactive/orders/cancelall/?$"),
                RoutePattern("PUT", r"^/interactive/portfolio/positions/convert/?$")],
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


class XtsSimulator(Simulator):
    """The XTS wire simulator (interactive + market data, REST + Socket.IO) in a daemon thread."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: int = 1, state_dir: Path | None = None,
                 rate_limits: bool = True, dealer_routes: bool = True, dealer_investor_routes: bool = True) -> None:
        """``dealer_routes``: serve the dealer book routes; ``dealer_investor_routes``: let dealers read
        the investor book routes too (real brokers differ on both, spec 5.3)."""
        # Without a state_dir the exchange lives in memory and ends with the simulator.
        path: Path | str = ":memory:" if state_dir is None else Path(state_dir) / "exchange.sqlite"
        exchange = PaperExchange(path, seed=seed, step_seconds=MARKET_STEP_SECONDS)
        users = default_users(seed)
        self.state = SimState(exchange, users, rate_limits)
        self.state.dealer_routes, self.state.dealer_investor_routes = dealer_routes, dealer_investor_routes
        self.accounts: list[dict[str, Any]] = [user.as_json() for user in users]
        # Every paper account behind a login: an investor's own, a dealer's clients and its PRO book.
        self._clients = {user.account(code): (user, code) for user in users
                         for code in (*user.client_codes, *(() if user.investor else (PRO,)))}
        streams = Streams(self.state)
        # Engine.IO does its own pings; a stop must not wait for clients that keep reconnecting.
        super().__init__(build_app(self.state, streams), exchange=exchange, accounts=list(self._clients),
                         fault_routes=FAULT_ROUTES, sessions=self.state.sessions, streams=streams, host=host,
                         port=port, seed=seed, name="xts-sim", ws_ping_interval=None)
        self.streams: Streams = streams
        self.root = self.url

    def account(self, role: str) -> dict[str, Any]:
        """The first announced login of ``role`` (``investor`` or ``dealer``)."""
        return next(account for account in self.accounts if account["role"] == role)

    def settings(self, role: str = "investor", **extra: str) -> dict[str, str]:
        """``brokerplex activate`` settings for the first login of ``role``, plus ``extra``."""
        return activation_settings(self.root, self.account(role), **extra)

    def sent_order(self, account: str, order: Order) -> Order:
        """The orderUniqueIdentifier as sent (the exchange keeps only a valid client id), and for a
        dealer's order the client code it was placed for."""
        user, code = self._clients[account]
        unique = self.state.unique_ids.get(order.order_id, order.client_order_id or "")
        return order.model_copy(update={"client_order_id": unique or None,
                                        "client_code": None if user.investor else code})
