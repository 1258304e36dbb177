"""The manager's side of the hub: consumers for this process, or through the bus when one is named."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from brokerplex.aiocore import ManagerCore
from brokerplex.capabilities import Capabilities
from brokerplex.hub.buffer import DEFAULT_CAPACITY, DEFAULT_LIMIT
from brokerplex.hub.hub import EventConsumer, Hub
from brokerplex.models import TickMode
from brokerplex.plugins import get_broker

if TYPE_CHECKING:
    from brokerplex.hub.bus import Bus

#: The environment variable naming the bus (``redis://…``) when ``bus=`` / ``--bus`` does not.
BUS_VARIABLE = "BROKERPLEX_BUS"


class StreamingHub(ManagerCore):
    """Consumers of live events. Without a bus they share this process's :class:`Hub`; with one
    (``bus="redis://…"`` or ``BROKERPLEX_BUS``) they share the broker connections of a ``brokerplex hub``
    process, and orders this manager places are announced on the bus."""

    def __init__(self, home: Path | None = None, *, plugin_manager: pluggy.PluginManager | None = None,
                 bus: str | None = None, database: str | None = None) -> None:
        super().__init__(home, plugin_manager=plugin_manager, database=database)
        self.bus_url = bus or os.environ.get(BUS_VARIABLE) or None
        self._hub: Hub | None = None
        self._bus: Bus | None = None
        if self.bus_url is not None:
            self.bus.announce_orders(self.plugins)

    @property
    def hub(self) -> Hub:
        """This process's hub: the broker streams it holds, shared by its consumers."""
        if self._hub is None:
            from brokerplex.store.events import OrderEventLog

            self._hub = Hub(self.stream, self.stream_terms, OrderEventLog(self.store))
        return self._hub

    @property
    def bus(self) -> Bus:
        """The bus named by ``bus=`` or ``BROKERPLEX_BUS`` (InputError without one)."""
        if self._bus is None:
            from brokerplex.hub.bus import Bus

            self._bus = Bus.from_url(self.bus_url)
        return self._bus

    def stream_terms(self, account: str) -> tuple[str, Capabilities]:
        """The account's broker and what it declares (its tick modes and streaming limits)."""
        broker = self.account(account).broker
        return broker, get_broker(broker, self.plugins).spec.capabilities

    def consumer(self, *, capacity: int = DEFAULT_CAPACITY, limit: int = DEFAULT_LIMIT,
                 after: str | None = None) -> EventConsumer:
        """A consumer with no subscriptions yet. ``after``: an order event's id to resume after (the bus's
        ids with a bus, else the store's)."""
        if self.bus_url is not None:
            return self.bus.consumer(self.stream_terms, capacity=capacity, limit=limit, after=after)
        if after is not None:
            from brokerplex.store.events import check_after

            check_after(after)
        return self.hub.consumer(capacity=capacity, limit=limit, after=after)

    async def subscribe(self, accounts: Sequence[str], symbols: Sequence[str] = (), mode: TickMode = "quote", *,
                        capacity: int = DEFAULT_CAPACITY, limit: int = DEFAULT_LIMIT,
                        after: str | None = None) -> EventConsumer:
        """A consumer of ``symbols`` at ``mode`` from each of ``accounts`` (none: order updates, trades and
        feed states only); the caller closes it."""
        consumer = self.consumer(capacity=capacity, limit=limit, after=after)
        try:
            for account in accounts:
                await (consumer.subscribe(account, symbols, mode) if symbols else consumer.follow(account))
        except BaseException:
            await consumer.close()
            raise
        return consumer

    async def close(self) -> None:
        if self._hub is not None:
            await self._hub.close()
        if self._bus is not None:
            await self._bus.close()
        await super().close()
