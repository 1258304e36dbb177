"""A broker stream whose connection is the test (``tests/`` is on pytest's path): it goes through the
states it is told, pushes what it is told, and records what it was asked to subscribe."""

from __future__ import annotations

from collections.abc import Sequence

from brokerplex.models import Order, Tick, TickMode, Trade
from brokerplex.streaming import FeedState, Stream


class ScriptedStream(Stream):
    def __init__(self, *, capacity: int = 1000) -> None:
        super().__init__(capacity=capacity)
        self.modes: dict[str, TickMode] = {}  # what the broker was told, per symbol
        self.calls: list[tuple[str, tuple[str, ...], TickMode | None]] = []  # every subscribe and unsubscribe
        self.closed = False

    async def subscribe(self, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        self.calls.append(("subscribe", tuple(symbols), mode))
        self.modes.update(dict.fromkeys(symbols, mode))

    async def unsubscribe(self, symbols: Sequence[str]) -> None:
        self.calls.append(("unsubscribe", tuple(symbols), None))
        for symbol in symbols:
            self.modes.pop(symbol, None)

    async def close(self) -> None:
        self.closed = True
        self._finish()

    def go(self, state: FeedState) -> None:
        self._set_state(state)

    def tick(self, event: Tick) -> None:
        self._put_tick(event)

    def order(self, event: Order) -> None:
        self._put_order(event)

    def trade(self, event: Trade) -> None:
        self._put_trade(event)

    def fail(self, error: BaseException) -> None:
        self._fail(error)
