"""What the conformance kit needs from the simulator behind a plugin: its view of the orders, and its faults.

A plugin's own order book can agree with a wrong wire: a SELL sent as BUY and read back as SELL looks
right to anyone asking the plugin. The kit therefore also asks the venue, which reads its exchange
directly. Every simulator on the paper exchange gets these methods from ``brokerplex_paper.simkit``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from brokerplex.models import Order


@runtime_checkable
class Venue(Protocol):
    def received_orders(self) -> list[Order]:
        """Every order the exchange holds, for every account, oldest first, read from the exchange
        itself (not through the plugin); ``client_order_id`` is the id the client sent."""
        ...

    def lose_next_order_reply(self) -> None:
        """Act on the next order placement, then cut its connection before the reply's body."""
        ...

    def delay_next_order_reply(self, seconds: float) -> None:
        """Act on the next order placement, then hold its reply ``seconds``."""
        ...

    def expire_sessions(self) -> None:
        """End every session: the next call is refused as a dead token."""
        ...

    def drop_streams(self) -> None:
        """Close every stream connection; clients are expected to reconnect and resubscribe."""
        ...
