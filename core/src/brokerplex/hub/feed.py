"""One account's feed: the broker streams the hub holds for it, and who wants what of them.

The broker sees one subscription per symbol, at the strongest mode any consumer wants; the mode goes up
and down as consumers come and go, and the last consumer of a symbol leaving unsubscribes it. Symbols
fill the first connection up to the broker's instruments per connection, then the next, up to its
connections per login; past those (or its subscriptions per login) a subscription is refused with an
error that names the limit, and nothing changes.

Each tick goes into the buffer of each consumer that wants its symbol, or, for the consumers that keep no
older ticks (``capacity=0``), onto the feed's :class:`~brokerplex.hub.board.Board` once for them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from brokerplex.capabilities import Capabilities
from brokerplex.errors import BrokerplexError, InputError
from brokerplex.hub.board import Board
from brokerplex.hub.events import Event, strongest, trimmed
from brokerplex.models import Tick, TickMode
from brokerplex.streaming import FeedState, Stream

if TYPE_CHECKING:
    from brokerplex.hub.hub import Consumer

log = logging.getLogger(__name__)


class OrderLog(Protocol):
    """Where the hub writes down the order updates and trades it passes on (the store's order events)."""

    def record(self, event: Event) -> None:
        """Keep ``event`` and set its ``id``."""

    def since(self, account: str, after: str) -> list[Event]:
        """``account``'s events kept after the one with id ``after``, oldest first."""


class StreamLimitError(InputError):
    """A subscription the broker's streaming limits cannot take; nothing was subscribed."""


class Connection:
    """One broker stream of a feed and the symbols it carries, at the mode the broker was told."""

    def __init__(self, stream: Stream, number: int) -> None:
        self.stream, self.number = stream, number
        self.symbols: dict[str, TickMode] = {}
        self.state: FeedState | None = None  # the last state the pump passed on (None: none yet)
        self.pump: asyncio.Task[None] | None = None


class Feed:
    """The broker streams of one account, shared by every consumer that follows it."""

    def __init__(self, account: str, broker: str, capabilities: Capabilities,
                 open_stream: Callable[[], Awaitable[Stream]], log: OrderLog | None = None) -> None:
        self.account, self.broker = account, broker
        self.capabilities = capabilities
        self._open_stream = open_stream
        self._log = log
        self.connections: list[Connection] = []
        self.wants: dict[str, dict[Consumer, TickMode]] = {}  # symbol -> consumer -> the mode it asked for
        self.pushed: dict[str, dict[Consumer, TickMode]] = {}  # the same, of the consumers handed each tick
        self.board: Board | None = None  # the ticks of capacity-0 consumers, once one follows
        self.consumers: set[Consumer] = set()
        self.lock = asyncio.Lock()  # one change of subscriptions at a time
        self.closed = False

    # -- who follows -------------------------------------------------------------------------
    async def follow(self, consumer: Consumer) -> None:
        """Order updates, trades and feed states for ``consumer``; the first follower opens the feed."""
        if consumer in self.consumers:
            return
        if not self.connections:
            await self._connect()
        self.consumers.add(consumer)
        if consumer.buffer.capacity == 0:
            self.board = self.board or Board(self.account)
            consumer.buffer.watch(self.board, consumer.modes.setdefault(self.account, {}))
        if consumer.after is not None and self._log is not None:  # no await since the add: nothing in between
            for missed in self._log.since(self.account, consumer.after):
                consumer.buffer.put(missed)
        for connection in self.connections:  # a late joiner learns where the feed stands
            if connection.state is not None:
                consumer.buffer.put(Event(self.account, self._labelled(connection, connection.state)))

    async def leave(self, consumer: Consumer) -> None:
        await self.set_modes(consumer, {symbol: None for symbol, wanting in self.wants.items() if consumer in wanting})
        self.consumers.discard(consumer)
        if self.board is not None:
            consumer.buffer.unwatch(self.board)
        if not self.consumers:
            await self.close()

    async def set_modes(self, consumer: Consumer, modes: dict[str, TickMode | None]) -> None:
        """Set what ``consumer`` wants of each symbol (None: nothing) and tell the broker what changed."""
        before = {symbol: self.effective(symbol) for symbol in modes}
        self._check_room(sum(1 for symbol, mode in modes.items() if mode is not None and before[symbol] is None))
        undo = {symbol: self.wants.get(symbol, {}).get(consumer) for symbol in modes}
        self._record(consumer, modes)
        try:
            await self._tell_broker({symbol: (before[symbol], self.effective(symbol)) for symbol in modes})
        except BaseException:
            self._record(consumer, undo)
            raise

    def effective(self, symbol: str) -> TickMode | None:
        wanting = self.wants.get(symbol)
        return strongest(list(wanting.values())) if wanting else None

    def _record(self, consumer: Consumer, modes: dict[str, TickMode | None]) -> None:
        own = consumer.modes.setdefault(self.account, {}) if consumer.buffer.capacity == 0 else None
        for symbol, mode in modes.items():
            _set(self.wants, symbol, consumer, mode)
            if own is None:
                _set(self.pushed, symbol, consumer, mode)
            elif mode is None:
                own.pop(symbol, None)
            else:
                own[symbol] = mode

    # -- the broker's side -------------------------------------------------------------------
    def _check_room(self, adding: int) -> None:
        if not adding:
            return
        caps, held = self.capabilities, len(self.wants)
        asked = f"{held} are subscribed on {self.account} and {adding} more were asked for"
        if caps.stream_subscriptions is not None and held + adding > caps.stream_subscriptions:
            raise StreamLimitError(f"{self.broker} allows {caps.stream_subscriptions} subscribed instruments per "
                                   f"login: {asked}")
        if caps.stream_instruments is not None:
            room = caps.stream_instruments * (caps.stream_connections or 1)
            if held + adding > room:
                raise StreamLimitError(
                    f"{self.broker} allows {caps.stream_connections or 1} streaming connections of "
                    f"{caps.stream_instruments} instruments each ({room} in all): {asked}")

    async def _tell_broker(self, changes: dict[str, tuple[TickMode | None, TickMode | None]]) -> None:
        subscribe: dict[tuple[int, TickMode], list[str]] = {}
        unsubscribe: dict[int, list[str]] = {}
        for symbol, (before, after) in changes.items():
            if before == after:
                continue
            connection = self._carrier(symbol) if before is not None else await self._room_for(symbol)
            if after is None:
                unsubscribe.setdefault(connection.number, []).append(symbol)
                del connection.symbols[symbol]
            else:
                subscribe.setdefault((connection.number, after), []).append(symbol)
                connection.symbols[symbol] = after
        for number, symbols in unsubscribe.items():
            await self.connections[number].stream.unsubscribe(symbols)
        for (number, mode), symbols in subscribe.items():
            try:
                await self.connections[number].stream.subscribe(symbols, mode)
            except BaseException:
                for symbol in symbols:  # the broker took none of them
                    self.connections[number].symbols.pop(symbol, None)
                raise

    def _carrier(self, symbol: str) -> Connection:
        return next(connection for connection in self.connections if symbol in connection.symbols)

    async def _room_for(self, symbol: str) -> Connection:
        per_connection = self.capabilities.stream_instruments
        for connection in self.connections:
            if per_connection is None or len(connection.symbols) < per_connection:
                return connection
        return await self._connect()

    async def _connect(self) -> Connection:
        connection = Connection(await self._open_stream(), len(self.connections))
        self.connections.append(connection)
        connection.pump = asyncio.create_task(self._pump(connection), name=f"hub feed {self.account}")
        return connection

    # -- what the broker sends ---------------------------------------------------------------
    async def _pump(self, connection: Connection) -> None:
        account, wants = self.account, self.pushed
        first = connection.number == 0
        try:
            async for data in connection.stream:
                if type(data) is Tick:
                    if self.board is not None:
                        self.board.post(data.symbol, data.mode, data)
                    wanting = wants.get(data.symbol)
                    if wanting:
                        event, key = Event(account, data), (account, data.symbol)
                        # A tick weaker than a consumer asked for (in flight as the mode went up) is passed
                        # on as it is, marked by its mode: some instruments never stream the stronger one.
                        for consumer, mode in wanting.items():
                            consumer.buffer.put_tick(event if mode == data.mode else
                                                     Event(account, trimmed(data, mode)), key)
                elif isinstance(data, FeedState):
                    connection.state = data
                    self._to_all(Event(account, self._labelled(connection, data)))
                elif first:  # every connection hears of the login's orders: pass them on once
                    event = Event(account, data)
                    if self._log is not None:
                        self._log.record(event)
                    self._to_all(event)
        except Exception as error:  # the stream ended with an error: every follower hears it
            if not isinstance(error, BrokerplexError):  # a bug must not vanish in a task nobody awaits
                log.exception("the hub's feed of %s failed", account)
            self.closed = True
            for consumer in list(self.consumers):
                consumer.buffer.fail(error)
                consumer.abandon()

    def _to_all(self, event: Event) -> None:
        for consumer in list(self.consumers):
            consumer.buffer.put(event)
            if consumer.buffer.ended:
                consumer.abandon()

    def _labelled(self, connection: Connection, state: FeedState) -> FeedState:
        if len(self.connections) < 2:
            return state
        reason = f"connection {connection.number + 1}" + (f": {state.reason}" if state.reason else "")
        return FeedState(state.state, state.attempt, state.delay, reason)

    async def close(self) -> None:
        self.closed = True
        if self.board is not None:  # a feed opened afresh has a board of its own
            for consumer in self.consumers:
                consumer.buffer.unwatch(self.board)
        for connection in self.connections:
            with contextlib.suppress(Exception):
                await connection.stream.close()
            if connection.pump is not None:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(connection.pump, 5)
        self.connections.clear()


def _set(wants: dict[str, dict[Consumer, TickMode]], symbol: str, consumer: Consumer, mode: TickMode | None) -> None:
    """Record that ``consumer`` wants ``symbol`` at ``mode`` (None: not at all)."""
    wanting = wants.setdefault(symbol, {})
    if mode is None:
        wanting.pop(consumer, None)
    else:
        wanting[consumer] = mode
    if not wanting:
        del wants[symbol]
