"""AsyncBrokerManager, the async core: sessions, books and orders (:class:`~brokerplex.aiocore.ManagerCore`)
with the trader operations of :mod:`brokerplex.ops` on top: orders (cancel-all, baskets, slices, margins,
conversions, GTT), positions (exits, target positions, P&L), market views (candles, depth, search,
chains) and the account limits with their kill switch.

:class:`brokerplex.manager.BrokerManager` is its sync facade.
"""

from __future__ import annotations

from brokerplex.ops.limits import TradingLimits


class AsyncBrokerManager(TradingLimits):
    """The async core. Use one per event loop."""
