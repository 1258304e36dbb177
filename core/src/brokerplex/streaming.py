"""Live market data and order updates: the interface a streaming broker returns.

``Broker.stream()`` opens a :class:`Stream`. It keeps itself connected: on a drop it
reconnects with :class:`Backoff`, asks the broker for a fresh session token, and
subscribes again to everything that was subscribed. Iterating it yields
:class:`~brokerplex.models.Tick` for market data and
:class:`~brokerplex.models.Order` for order updates, until :meth:`Stream.close`.
"""

from __future__ import annotations

import abc
import random
from collections.abc import AsyncIterator, Sequence
from types import TracebackType

from brokerplex.models import Order, Tick, TickMode

StreamEvent = Tick | Order


class Stream(abc.ABC):
    @abc.abstractmethod
    async def subscribe(self, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        """Start (or change the mode of) ticks for canonical symbols; SymbolError if unlisted."""

    @abc.abstractmethod
    async def unsubscribe(self, symbols: Sequence[str]) -> None: ...

    @abc.abstractmethod
    def __aiter__(self) -> AsyncIterator[StreamEvent]: ...

    @abc.abstractmethod
    async def close(self) -> None:
        """Disconnect for good; iteration ends."""

    async def __aenter__(self) -> Stream:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()


class Backoff:
    """Reconnect delays: exponential with full jitter, capped; reset after a good connection."""

    def __init__(self, first: float = 0.5, cap: float = 30.0, factor: float = 2.0) -> None:
        self.first = first
        self.cap = cap
        self.factor = factor
        self.attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.first * self.factor**self.attempt)
        self.attempt += 1
        return random.uniform(ceiling / 2, ceiling)  # jitter spreads reconnects; not security

    def reset(self) -> None:
        self.attempt = 0
