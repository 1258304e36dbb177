"""AsyncBrokerManager, the async core: sessions, books and orders (:class:`~brokerplex.aiocore.ManagerCore`)
with the trader operations of :mod:`brokerplex.ops` on top.

:class:`brokerplex.manager.BrokerManager` is its sync facade.
"""

from __future__ import annotations

from brokerplex.aiocore import ManagerCore


class AsyncBrokerManager(ManagerCore):
    """The async core. Use one per event loop."""
