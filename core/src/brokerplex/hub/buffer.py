"""A consumer's bounded queue: what a slow reader costs, and what it never costs the others.

Ticks conflate as in a broker stream's :class:`~brokerplex.streaming.EventBuffer`, keyed by account and
symbol: at most ``capacity`` older ticks wait beyond the latest one of each, and a tick past that takes
the place of its own symbol's latest waiting tick (``dropped`` counts them). Order updates, trades and
feed states are never dropped or merged; when ``limit`` of them wait unread, the consumer has fallen
behind for good: its events end with :class:`ConsumerFellBehindError`, and the hub drops its
subscriptions. Pushing never blocks, so no consumer can stall the hub or another consumer.

A buffer of ``capacity`` 0 keeps no ticks: it reads its accounts' :class:`~brokerplex.hub.board.Board`
(:meth:`watch`) when its reader asks, and gets the newest tick of each symbol that changed since.
"""

from __future__ import annotations

import asyncio
from collections import deque

from brokerplex.errors import BrokerplexError
from brokerplex.hub.board import Board, BoardView
from brokerplex.hub.events import Event
from brokerplex.models import Tick, TickMode

#: Older ticks a consumer keeps beyond the latest one of each symbol.
DEFAULT_CAPACITY = 1000
#: Unread order updates, trades and feed states past which a consumer is ended.
DEFAULT_LIMIT = 10_000


class ConsumerFellBehindError(BrokerplexError):
    """A consumer left too many order updates, trades or feed states unread; it was ended."""


class ConsumerBuffer:
    """The bounded queue between the hub and one consumer (module docstring)."""

    __slots__ = ("_boards", "_dropped", "_ended", "_error", "_kept", "_latest", "_newer", "_older", "_queue", "_ready",
                 "capacity", "limit")

    def __init__(self, capacity: int = DEFAULT_CAPACITY, limit: int = DEFAULT_LIMIT) -> None:
        self.capacity, self.limit = capacity, limit
        self._dropped = 0
        self._boards: dict[Board, BoardView] = {}  # capacity 0: the ticks are read from these
        self._queue: deque[Event] = deque()
        # the newest waiting tick of each account and symbol; None while fewer than ``capacity`` events wait,
        # when nothing can conflate: a reader that keeps up costs no bookkeeping (benchmarks/hub_fanout.py)
        self._latest: dict[tuple[str, str], Event] | None = None
        self._newer: dict[int, Event] = {}  # id of a waiting tick -> the tick delivered in its place
        self._older = 0  # waiting ticks that are not their symbol's newest
        self._kept = 0  # waiting events that are never dropped
        self._ready = asyncio.Event()
        self._ended = False
        self._error: BaseException | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def put_tick(self, event: Event, key: tuple[str, str]) -> None:
        """A tick event; ``key`` is its (account, symbol)."""
        if self._ended:
            return
        latest = self._latest
        if latest is None:
            if len(self._queue) < self.capacity:
                self._queue.append(event)
                self._ready.set()
                return
            latest = self._index()
        waiting = latest.get(key)
        if waiting is not None:
            if self._older >= self.capacity:
                self._newer[id(waiting)] = event
                self._dropped += 1
                return
            self._older += 1
        latest[key] = event
        self._queue.append(event)
        self._ready.set()

    def _index(self) -> dict[tuple[str, str], Event]:
        """Start conflating: the newest waiting tick of each account and symbol, and how many are older."""
        latest: dict[tuple[str, str], Event] = {}
        for waiting in self._queue:
            data = waiting.data
            if type(data) is Tick:
                key = (waiting.account, data.symbol)
                self._older += key in latest
                latest[key] = waiting
        self._latest = latest
        return latest

    def watch(self, board: Board, modes: dict[str, TickMode]) -> None:
        """Read ``board``'s ticks of the symbols in ``modes`` (the caller's live mapping: symbol -> mode)."""
        if board not in self._boards:
            self._boards[board] = BoardView(board, modes)

    def unwatch(self, board: Board) -> None:
        view = self._boards.pop(board, None)
        if view is not None:
            self._dropped += view.dropped

    @property
    def dropped(self) -> int:
        """Ticks replaced by a newer tick of the same account and symbol before they were read."""
        return self._dropped + sum(view.dropped for view in self._boards.values())

    def _read_boards(self) -> None:
        for board, view in self._boards.items():
            if board.seq > view.seen:
                self._queue.extend(board.read(view))

    def put(self, event: Event) -> None:
        """An order update, trade or feed state: never dropped, but bounded by ``limit``."""
        if self._ended:
            return
        if self._kept >= self.limit:
            self.fail(ConsumerFellBehindError(
                f"this consumer fell behind: {self._kept} order updates, trades and feed states were left unread "
                f"(the bound is {self.limit}); it was ended so that it cannot stall the others"))
            return
        self._kept += 1
        self._queue.append(event)
        self._ready.set()

    def fail(self, error: BaseException) -> None:
        """Raise ``error`` to the reader after what is waiting; then the events end."""
        if not self._ended:
            self._error = error
        self.end()

    def end(self) -> None:
        self._ended = True
        self._ready.set()

    @property
    def room(self) -> int:
        """How many more order updates, trades and feed states may wait before the consumer is ended."""
        return self.limit - self._kept

    @property
    def ended(self) -> bool:
        return self._ended

    async def get(self) -> Event | None:
        """The next event; None once the buffer ended and is empty. Safe to cancel: nothing is lost."""
        while not self._queue:
            if self._boards and not self._ended:
                self._read_boards()
                if self._queue:
                    break
            if self._ended:
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                return None
            self._ready.clear()
            for board in self._boards:
                board.wake(self._ready)
            await self._ready.wait()
        return self._take()

    def take_waiting(self) -> list[Event]:
        """Every event waiting now, without awaiting (an error waits for :meth:`get`)."""
        if self._boards and not self._ended:
            self._read_boards()
        return [self._take() for _ in range(len(self._queue))]

    def _take(self) -> Event:
        event = self._queue.popleft()
        data, latest = event.data, self._latest
        if type(data) is not Tick:
            self._kept -= 1
        elif latest is not None:
            key = (event.account, data.symbol)
            if latest.get(key) is event:
                del latest[key]
            else:
                self._older -= 1
            event = self._newer.pop(id(event), event) if self._newer else event
        if latest is not None and not self._queue:  # caught up: nothing waits to conflate with
            self._latest = None
        return event
