"""``KiteSimulator``: the Kite app on the simulator toolkit (server, faults, controls, venue)."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from brokerplex.models import Order
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.faults import RoutePattern
from brokerplex_paper.feed import MARKET_STEP_SECONDS
from brokerplex_paper.hours import now_ist
from brokerplex_paper.simkit.limits import ServerLimits
from brokerplex_paper.simkit.simulator import Simulator
from brokerplex_zerodha.sim.app import KiteApp
from brokerplex_zerodha.sim.auth import Sessions
from brokerplex_zerodha.sim.state import KITE_LIMITS, SimState

USER_ID = "ZS1234"
#: The simulator's routes by the names every simulator's ``faults`` understands.
FAULT_ROUTES: dict[str, list[RoutePattern]] = {
    "login": [RoutePattern("POST", r"^/session/token$")],
    "orders": [RoutePattern("POST", r"^/orders/[^/]+$")],
    "changes": [RoutePattern("PUT|DELETE", r"^/orders/[^/]+/[^/]+$"), RoutePattern("PUT", r"^/portfolio/positions$"),
                RoutePattern("POST|PUT|DELETE", r"^/gtt/triggers(/[^/]+)?$")],
    "books": [RoutePattern("GET", r"^/(orders|trades|portfolio/positions|portfolio/holdings|user/margins)(/|$)"),
              RoutePattern("POST", r"^/(margins/(orders|basket)|charges/orders)$"),
              RoutePattern("GET", r"^/gtt/triggers(/|$)")],
    "quotes": [RoutePattern("GET", r"^/quote(/|$)")],
    "master": [RoutePattern("GET", r"^/instruments(/[A-Z]+)?$")],
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class KiteSimulator(Simulator):
    """Kite Connect v3 (REST, login page, ticker) on one port over a paper exchange.

    ``with KiteSimulator() as sim:`` starts it; ``sim.rest``, ``sim.ws`` and ``sim.login``
    are the URLs for ``KiteConnect(root=)``, ``KiteTicker(root=)`` and a browser. With a
    ``state_dir`` the paper exchange lives in ``state_dir/kite.sqlite`` (orders and positions
    survive a restart; sessions do not). The ticker publishes every ``tick_interval`` seconds
    (see :meth:`set_tick_rate`); ``clock`` is the market's time (a test may hold it still). The
    controls for tests are every simulator's (:mod:`brokerplex_paper.simkit.simulator`).
    """

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, api_key: str = "kite_sim_key",
        api_secret: str = "kite_sim_secret", redirect_url: str = "http://127.0.0.1:5000/", seed: int = 1,
        state_dir: Path | None = None, rate_limits: bool = True, tick_interval: float = 0.5,
        clock: Callable[[], dt.datetime] = now_ist,
    ) -> None:
        self.api_key, self.user_id = api_key, USER_ID
        path: Path | str = ":memory:" if state_dir is None else Path(state_dir) / "kite.sqlite"
        exchange = PaperExchange(path, seed=seed, step_seconds=MARKET_STEP_SECONDS, clock=clock)
        sessions = Sessions(api_key, api_secret, USER_ID, clock)
        self._state = SimState(exchange, sessions, api_secret, redirect_url,
                               ServerLimits(KITE_LIMITS, enabled=rate_limits), clock)
        self._app = KiteApp(self._state, 1 / tick_interval if tick_interval > 0 else 0.0)
        super().__init__(self._app.starlette(), exchange=exchange, accounts=[USER_ID], fault_routes=FAULT_ROUTES,
                         sessions=sessions.store, streams=self._app.hub, host=host, port=port, seed=seed,
                         name="kite-sim")
        base = f"{self.host}:{self.port}"
        self.rest, self.ws, self.login = self.url, f"ws://{base}/ws", f"http://{base}/connect/login"

    def __repr__(self) -> str:  # never shows the secret
        return f"KiteSimulator(rest={self.rest!r}, api_key={self.api_key!r})"

    def sent_order(self, account: str, order: Order) -> Order:
        """A tag the exchange could not keep as a client order id is still what the client sent."""
        tag = self._state.view(account).tags.get(order.order_id)
        return order if tag is None else order.model_copy(update={"client_order_id": tag})

    # -- the login flow -----------------------------------------------------------------------------
    def request_token(self) -> str:
        """Go through the login page as a user would; the fresh single-use request token."""
        url = f"{self.login}?{urllib.parse.urlencode({'api_key': self.api_key, 'v': '3'})}"
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(url, timeout=30).close()  # a loaded machine can keep the simulator busy for seconds
        except urllib.error.HTTPError as error:
            with error:  # its socket is closed with it
                if error.code != 302:
                    raise
                location = error.headers["Location"]
        else:
            raise RuntimeError("the login page did not redirect")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        return query["request_token"][0]
