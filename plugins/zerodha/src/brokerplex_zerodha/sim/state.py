"""What the REST app and the ticker share: the paper exchange, sessions and Kite's views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from brokerplex.formats import IST
from brokerplex.ratelimit import Limit
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.hours import now_ist
from brokerplex_paper.simkit.limits import ServerLimits
from brokerplex_zerodha.sim.auth import Sessions
from brokerplex_zerodha.sim.catalog import Catalog
from brokerplex_zerodha.sim.mapping import OrderView

#: Kite's documented limits per API key, by class of endpoint.
KITE_LIMITS: dict[str, tuple[Limit, ...]] = {
    "quote": (Limit(1, 1.0),),
    "historical": (Limit(3, 1.0),),
    "orders": (Limit(10, 1.0), Limit(200, 60.0)),
    "other": (Limit(10, 1.0),),
}


@dataclass
class SimState:
    exchange: PaperExchange
    sessions: Sessions
    api_secret: str = field(repr=False)
    redirect_url: str
    limits: ServerLimits
    clock: Callable[[], dt.datetime] = now_ist  # the exchange's clock: one time for the whole simulator
    _catalog: Catalog | None = None
    _views: dict[str, OrderView] = field(default_factory=dict)

    def now(self) -> dt.datetime:
        return self.clock().astimezone(IST)

    def catalog(self) -> Catalog:
        """Today's instruments (rebuilt when the trading day changes)."""
        today = self.now().date()
        if self._catalog is None or self._catalog.day != today:
            self._catalog = Catalog(today)
            for view in self._views.values():
                view.catalog = self._catalog
        return self._catalog

    def view(self, user_id: str) -> OrderView:
        view = self._views.get(user_id)
        if view is None:
            view = self._views[user_id] = OrderView(self.catalog(), user_id)
        return view
