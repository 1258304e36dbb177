"""The hub: one set of broker streams per account, shared by every consumer in the process.

A :class:`Consumer` subscribes (account, symbols, mode), or follows an account for its order updates,
trades and feed states alone, and reads :class:`~brokerplex.hub.events.Event` objects from every account
it follows, in one stream. Market data from one account and orders through another is just that: a
consumer that subscribes to a Zerodha login's ticks and follows an XTS dealer login sees both, each event
naming its account (canonical symbols are the same everywhere).

Across processes, :mod:`brokerplex.hub.bus` puts the same consumers on Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import TracebackType
from typing import Protocol

from brokerplex.capabilities import Capabilities
from brokerplex.errors import InputError
from brokerplex.hub.buffer import DEFAULT_CAPACITY, DEFAULT_LIMIT, ConsumerBuffer
from brokerplex.hub.events import Event
from brokerplex.hub.feed import Feed, OrderLog
from brokerplex.models import TickMode
from brokerplex.streaming import Stream
from brokerplex.symbols import canonical

#: An account's broker name and capabilities.
Terms = Callable[[str], tuple[str, Capabilities]]


class Consumer:
    """One reader of the hub. Iterate it for events; close it (or leave its ``async with``) when done."""

    def __init__(self, hub: Hub, capacity: int = DEFAULT_CAPACITY, limit: int = DEFAULT_LIMIT,
                 after: str | None = None) -> None:
        self._hub = hub
        self.buffer = ConsumerBuffer(capacity, limit)
        self.after = after  # each account it follows first gives its order events kept since this id
        self.accounts: set[str] = set()  # followed
        self.modes: dict[str, dict[str, TickMode]] = {}  # capacity 0: account -> symbol -> mode (its boards')
        self._closing: asyncio.Task[None] | None = None

    async def subscribe(self, account: str, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        """Ticks of ``symbols`` from ``account`` at ``mode`` (and the account's order updates, trades and
        feed states). Subscribing again changes the mode. SymbolError, or StreamLimitError naming the
        broker's limit, and nothing changed."""
        await self._hub.change(self, account, dict.fromkeys([canonical(s) for s in symbols], mode), mode)

    async def unsubscribe(self, account: str, symbols: Sequence[str]) -> None:
        """No more ticks of ``symbols`` from ``account``; its order updates keep coming."""
        await self._hub.change(self, account, dict.fromkeys([canonical(s) for s in symbols]))

    async def follow(self, account: str) -> None:
        """Order updates, trades and feed states of ``account``, without ticks."""
        await self._hub.change(self, account, {})

    async def close(self) -> None:
        """Leave every feed (the broker hears what nobody wants any more); iteration ends."""
        self.buffer.end()
        for account in sorted(self.accounts):
            await self._hub.leave(self, account)
        self._hub.release(self)

    def abandon(self) -> None:
        """Close, from code that cannot await: the consumer fell behind, or its feed failed."""
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self.close())

    @property
    def dropped(self) -> int:
        """Ticks replaced by a newer tick of the same account and symbol before they were read."""
        return self.buffer.dropped

    @property
    def pending(self) -> int:
        return len(self.buffer)

    def take_waiting(self) -> list[Event]:
        """Every event ready now, in order, without awaiting (what a sender batches after one it awaited)."""
        return self.buffer.take_waiting()

    def __aiter__(self) -> Consumer:
        return self

    async def __anext__(self) -> Event:
        event = await self.buffer.get()
        if event is None:
            raise StopAsyncIteration
        return event

    async def __aenter__(self) -> Consumer:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()


class Hub:
    """The broker streams of one process, per account, and the consumers sharing them."""

    def __init__(self, open_stream: Callable[[str], Awaitable[Stream]], terms: Terms,
                 log: OrderLog | None = None) -> None:
        self._open_stream, self._terms, self._log = open_stream, terms, log
        self._feeds: dict[str, Feed] = {}
        self._consumers: set[Consumer] = set()

    def consumer(self, *, capacity: int = DEFAULT_CAPACITY, limit: int = DEFAULT_LIMIT,
                 after: str | None = None) -> Consumer:
        """A new consumer with no subscriptions; ``capacity`` and ``limit`` bound what it may leave unread;
        ``after``: an order event id of the hub's log to resume after."""
        consumer = Consumer(self, capacity, limit, after)
        self._consumers.add(consumer)
        return consumer

    async def change(self, consumer: Consumer, account: str, modes: dict[str, TickMode | None],
                     mode: TickMode | None = None) -> None:
        """Follow ``account`` for ``consumer`` and set what it wants of each symbol."""
        if consumer.buffer.ended:
            raise InputError("this consumer is closed")
        feed = self._feed(account)
        if mode is not None and (problem := feed.capabilities.mode_refusal(mode)):
            raise InputError(f"{feed.broker} {problem}")
        async with feed.lock:
            if feed.closed:  # it failed or its last consumer left while this one waited: start afresh
                self._feeds.pop(account, None)
            else:
                await feed.follow(consumer)
                consumer.accounts.add(account)
                await feed.set_modes(consumer, modes)
                return
        await self.change(consumer, account, modes, mode)

    async def leave(self, consumer: Consumer, account: str) -> None:
        consumer.accounts.discard(account)
        feed = self._feeds.get(account)
        if feed is None:
            return
        async with feed.lock:
            if not feed.closed:
                await feed.leave(consumer)
            if feed.closed and self._feeds.get(account) is feed:
                del self._feeds[account]
                await feed.close()  # a failed feed's other connections too

    def release(self, consumer: Consumer) -> None:
        self._consumers.discard(consumer)

    def _feed(self, account: str) -> Feed:
        feed = self._feeds.get(account)
        if feed is None:
            broker, capabilities = self._terms(account)
            feed = self._feeds[account] = Feed(account, broker, capabilities, lambda: self._open_stream(account),
                                               self._log)
        return feed

    def subscriptions(self, account: str) -> dict[str, TickMode]:
        """What the broker was told, per symbol: one mode each, the strongest any consumer wants."""
        feed = self._feeds.get(account)
        return {} if feed is None else {s: m for c in feed.connections for s, m in c.symbols.items()}

    def streams(self, account: str) -> list[Stream]:
        """The broker streams held for ``account`` (their states and counters, for a look inside)."""
        feed = self._feeds.get(account)
        return [] if feed is None else [connection.stream for connection in feed.connections]

    async def close(self) -> None:
        for consumer in list(self._consumers):
            await consumer.close()
        for feed in list(self._feeds.values()):
            await feed.close()
        self._feeds.clear()


class EventConsumer(Protocol):
    """What every consumer offers, in-process (:class:`Consumer`) or across processes (the bus's)."""

    async def subscribe(self, account: str, symbols: Sequence[str], mode: TickMode = "quote") -> None: ...

    async def unsubscribe(self, account: str, symbols: Sequence[str]) -> None: ...

    async def follow(self, account: str) -> None: ...

    async def close(self) -> None: ...

    def take_waiting(self) -> list[Event]: ...

    def __aiter__(self) -> AsyncIterator[Event]: ...

    @property
    def dropped(self) -> int: ...
