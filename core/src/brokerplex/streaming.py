"""Live market data and order updates: the interface a streaming broker returns.

``Broker.stream()`` opens a :class:`Stream`. It keeps itself connected: on a drop it
reconnects with :class:`Backoff`, asks the broker for a fresh session token, and
subscribes again to everything that was subscribed. Iterating it yields, in the order
they happened, :class:`~brokerplex.models.Tick` (market data),
:class:`~brokerplex.models.Order` (order updates), :class:`~brokerplex.models.Trade`
(fills, where the broker streams them apart) and :class:`FeedState` (the
connection's state), until :meth:`Stream.close`. Consumers share broker streams
through :mod:`brokerplex.hub`.

What a slow reader costs
    Every stream delivers through one :class:`EventBuffer`. It keeps, in arrival order,
    the latest waiting tick of each symbol plus at most ``capacity`` older ticks (a stream
    has one mode per symbol, so per symbol is per symbol and mode). A tick that would go
    beyond that takes the place of its symbol's latest waiting tick (never of another
    symbol's), and ``stream.dropped`` counts the ticks so replaced. So at most ``capacity``
    + one tick per subscribed symbol wait, however far behind the reader is; a reader that
    keeps up loses nothing. Order updates, feed states and errors are never dropped or
    merged, and every tick read is newer than the last one read of its symbol.

Feed states (``stream.state``, and in band as :class:`FeedState` events)
    ==============  ==========================================================================
    connecting      opening the first connection
    live            connected; subscribed instruments stream
    reconnecting    the connection was lost or could not be opened: attempt ``attempt`` starts
                    in ``delay`` seconds; ``reason`` says what happened
    stale           connected and subscribed, but no data for longer than the stream's bound
                    (Kite: the ``ticker_silence`` setting, 5 s; XTS: ``stream.silence``, 10 s).
                    Kite sends a heartbeat every second, so it reconnects at once; XTS sends
                    data only on change, so it pings: no answer reconnects, an answer leaves
                    the stream stale (the link is alive, the market quiet) until data comes
    login_needed    the broker refused the session. The stream never retries what was
                    refused: it checks the account's stored session every second and
                    reconnects as soon as a new ``brokerplex login`` (from any process)
                    stored a fresh one; ``reason`` says what to run
    closed          closed by :meth:`Stream.close`, or ended by an error, which the reader
                    gets right after this state
    ==============  ==========================================================================

Nothing that fails inside a stream's own tasks is silent: a failure while connected or
reconnecting becomes a ``reconnecting`` state with its reason, and anything else ends the
stream with a brokerplex error raised to the reader. ``stream.pending`` is how many
events wait to be read.

A stream never gives up by itself. A reader that must not wait forever reads through
:class:`brokerplex.hub.WatchedEvents` (``BrokerManager.watch(give_up=...)``, ``brokerplex
watch --give-up``): UnreachableError once the stream has not been up for that long.
"""

from __future__ import annotations

import abc
import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from brokerplex.errors import BrokerError, BrokerplexError
from brokerplex.models import Order, Tick, TickMode, Trade

FeedStateName = Literal["connecting", "live", "reconnecting", "stale", "login_needed", "closed"]
#: Older ticks a stream keeps beyond the latest one of each symbol, unless told otherwise.
DEFAULT_CAPACITY = 1000


@dataclass(frozen=True, slots=True)
class FeedState:
    """The state of a stream's connection; see the module docstring for what each means."""

    state: FeedStateName
    attempt: int = 0  # reconnecting: which attempt comes next (1 for the first)
    delay: float | None = None  # reconnecting: seconds until that attempt
    reason: str | None = None

    @property
    def up(self) -> bool:
        """Connected (live or stale): the broker is reachable."""
        return self.state in ("live", "stale")

    def __str__(self) -> str:
        text = self.state.replace("_", " ")
        if self.state == "reconnecting" and self.delay is not None:
            text += f" in {self.delay:.1f} s (attempt {self.attempt})"
        return f"{text}: {self.reason}" if self.reason else text


StreamEvent = Tick | Order | Trade | FeedState


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class EventBuffer:
    """The bounded, conflating queue between a stream's connection and its reader (module docstring).

    Pushing never blocks and costs two dict operations and a deque append: ticks are the hot
    path. A tick that replaces a waiting one is delivered in its place (kept aside by the id of
    the tick it replaces), so nothing allocated per tick outlives the push.
    """

    __slots__ = ("_ended", "_latest", "_newer", "_older", "_queue", "_ready", "capacity", "dropped")

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.dropped = 0  # ticks replaced by a newer one of the same symbol before being read
        self._queue: deque[object] = deque()
        self._latest: dict[str, Tick] = {}  # the newest waiting tick of each symbol
        self._newer: dict[int, Tick] = {}  # id of a waiting tick -> the tick delivered in its place
        self._older = 0  # waiting ticks that are not their symbol's newest
        self._ready = asyncio.Event()
        self._ended = False

    def __len__(self) -> int:
        return len(self._queue)

    def put_tick(self, tick: Tick) -> None:
        if self._ended:
            return
        symbol = tick.symbol
        waiting = self._latest.get(symbol)
        if waiting is not None:
            if self._older >= self.capacity:
                self._newer[id(waiting)] = tick
                self.dropped += 1
                return
            self._older += 1
        self._latest[symbol] = tick
        self._queue.append(tick)
        self._ready.set()

    def put(self, event: Order | Trade | FeedState) -> None:
        """An event that is never dropped."""
        if not self._ended:
            self._queue.append(event)
            self._ready.set()

    def fail(self, error: BaseException) -> None:
        """Raise ``error`` to the reader after what is waiting; then the events end."""
        if not self._ended:
            self._queue.append(_Failure(error))
        self.end()

    def end(self) -> None:
        self._ended = True
        self._ready.set()

    async def get(self) -> StreamEvent | None:
        """The next event; None once the buffer ended and is empty. Safe to cancel: nothing is lost."""
        while not self._queue:
            if self._ended:
                return None
            self._ready.clear()
            await self._ready.wait()
        item = self._queue.popleft()
        if type(item) is Tick:
            if self._latest.get(item.symbol) is item:
                del self._latest[item.symbol]
            else:
                self._older -= 1
            return self._newer.pop(id(item), item) if self._newer else item
        if isinstance(item, _Failure):
            raise item.error
        assert isinstance(item, Order | Trade | FeedState)
        return item


class _Reader:
    def __init__(self, buffer: EventBuffer) -> None:
        self._buffer = buffer

    def __aiter__(self) -> _Reader:
        return self

    async def __anext__(self) -> StreamEvent:
        event = await self._buffer.get()
        if event is None:
            raise StopAsyncIteration
        return event


class Stream(abc.ABC):
    """A broker's live stream. Subclasses call ``super().__init__()``, connect, hand what arrives to
    ``_put_tick`` / ``_put_order``, report their connection with ``_set_state``, and end with
    ``_finish`` (closed) or ``_fail`` (an error for the reader)."""

    def __init__(self, *, capacity: int = DEFAULT_CAPACITY) -> None:
        self._buffer = EventBuffer(capacity)
        self._put_tick = self._buffer.put_tick
        self._state = FeedState("connecting")
        self._buffer.put(self._state)

    @abc.abstractmethod
    async def subscribe(self, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        """Start (or change the mode of) ticks for canonical symbols; SymbolError if unlisted."""

    @abc.abstractmethod
    async def unsubscribe(self, symbols: Sequence[str]) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None:
        """Disconnect for good; iteration ends after the events already waiting."""

    # -- what a reader sees ------------------------------------------------------------------------
    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return _Reader(self._buffer)

    @property
    def state(self) -> FeedState:
        """The connection's state now (the reader sees each change in band, in order)."""
        return self._state

    @property
    def pending(self) -> int:
        """Events waiting to be read."""
        return len(self._buffer)

    @property
    def dropped(self) -> int:
        """Ticks replaced by a newer tick of the same symbol and mode before the reader got them."""
        return self._buffer.dropped

    @property
    def capacity(self) -> int:
        """How many ticks may wait beyond the latest one of each symbol."""
        return self._buffer.capacity

    @capacity.setter
    def capacity(self, value: int) -> None:
        if value < 0:
            raise ValueError("a stream's capacity cannot be negative")
        self._buffer.capacity = value

    # -- for subclasses ----------------------------------------------------------------------------
    def _put_order(self, order: Order) -> None:
        self._buffer.put(order)

    def _put_trade(self, trade: Trade) -> None:
        """A fill, for brokers that stream them apart from the order update."""
        self._buffer.put(trade)

    def _set_state(self, state: FeedState) -> None:
        if state != self._state and self._state.state != "closed":
            self._state = state
            self._buffer.put(state)

    def _finish(self, reason: str | None = None) -> None:
        self._set_state(FeedState("closed", reason=reason))
        self._buffer.end()

    def _fail(self, error: BaseException, *, broker: str = "") -> None:
        """End the stream with ``error`` for the reader (a foreign exception is wrapped in BrokerError)."""
        if not isinstance(error, BrokerplexError):
            wrapped = BrokerError(f"the stream failed: {type(error).__name__}: {error}", broker=broker)
            wrapped.__cause__ = error
            error = wrapped
        self._set_state(FeedState("closed", reason=str(error)))
        self._buffer.fail(error)

    async def __aenter__(self) -> Stream:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()


class Backoff:
    """Reconnect delays: exponential, capped, with "equal jitter" (a delay drawn from the upper half of the
    step, so that reconnects spread out yet never come quicker than half the step); reset after a good
    connection."""

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
