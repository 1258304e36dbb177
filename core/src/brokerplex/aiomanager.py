"""AsyncBrokerManager, the async core: sessions, books and orders (:class:`~brokerplex.aiocore.ManagerCore`)
with the trader operations of :mod:`brokerplex.ops` on top: orders (cancel-all, baskets, slices, margins,
conversions, GTT), positions (exits, target positions, P&L), market views (candles, depth, search,
chains) and the account limits with their kill switch, and the streaming hub's consumers
(:mod:`brokerplex.hub`).

:class:`brokerplex.manager.BrokerManager` is its sync facade.
"""

from __future__ import annotations

from brokerplex.hub.manager import StreamingHub
from brokerplex.ops.limits import TradingLimits


class AsyncBrokerManager(StreamingHub, TradingLimits):
    """The async core. Use one per event loop."""
