"""The hub's one event vocabulary: a tick, an order update, a trade or a feed state, each naming its account.

Dealer logins name the client too: an order's or trade's ``client_code``. ``Event.record()`` is the one
JSON form (``brokerplex watch --json``, the bus, the service's WebSocket): a ``type`` field (``tick``,
``order``, ``trade``, ``state``), the ``account``, the ``id`` of an order or trade event (resume after
it: the bus's, or the store's order event log's), and the event's own fields.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Literal

from brokerplex.models import Order, Tick, TickMode, Trade
from brokerplex.streaming import FeedState

EventType = Literal["tick", "order", "trade", "state"]
EventData = Tick | Order | Trade | FeedState
MODE_RANK: dict[TickMode, int] = {"ltp": 0, "quote": 1, "full": 2}


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs three times as much, per tick
class Event:
    """One event of one account (read it, never change it). ``id`` is set on order and trade events (by the
    bus, or by the store's log in one process): a consumer that resumes after it misses none of the later
    ones."""

    account: str
    data: EventData
    id: str | None = None
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def type(self) -> EventType:
        data = self.data
        if type(data) is Tick:
            return "tick"
        if isinstance(data, Order):
            return "order"
        return "trade" if isinstance(data, Trade) else "state"

    def text(self) -> str:
        """:meth:`record` as one line of JSON, made once per event: every consumer of a tick at the mode it
        came in reads the same Event."""
        if self._text is None:  # compact: the sockets' clients parse a tenth less of each tick
            self._text = json.dumps(self.record(), default=str, separators=(",", ":"))
        return self._text

    def record(self) -> dict[str, object]:
        """The event as one JSON object (see the module docstring)."""
        head: dict[str, object] = {"type": self.type, "account": self.account}
        if self.id is not None:
            head["id"] = self.id
        data = self.data
        if isinstance(data, Tick):
            return head | data.json_record()
        if isinstance(data, FeedState):
            state = {"state": data.state, "attempt": data.attempt or None, "delay": data.delay, "reason": data.reason}
            return head | {key: value for key, value in state.items() if value is not None}
        return head | data.model_dump(mode="json")


def strongest(modes: list[TickMode]) -> TickMode:
    """The mode that serves every one of ``modes`` (full serves quote serves ltp)."""
    return max(modes, key=MODE_RANK.__getitem__)


def trimmed(tick: Tick, mode: TickMode) -> Tick:
    """``tick`` as a consumer who asked for ``mode`` sees it: never more than it asked for."""
    if MODE_RANK[tick.mode] <= MODE_RANK[mode]:
        return tick
    if mode == "ltp":
        return Tick(tick.symbol, "ltp", tick.units, tick.last)
    return dataclasses.replace(tick, mode="quote", bids=(), asks=(), open_interest=None, exchange_time=None)
