"""What travels on the bus: the Redis names, and events as compact JSON.

Ticks are the hot path: a tick is the JSON list of its dataclass fields, and one pub/sub message carries
every tick of an account the hub read in one loop turn (``["t", tick, tick, …]``). A feed state is
``["s", hub, state, attempt, delay, reason]``, ``hub`` being the id of the hub process that published it.
Order updates and trades are entries of one Redis Stream: ``account``, ``type`` and the model as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import re
from operator import attrgetter
from typing import Any

from brokerplex.errors import BrokerplexError
from brokerplex.hub.events import Event
from brokerplex.models import Order, Tick, Trade
from brokerplex.streaming import FeedState

PREFIX = "brokerplex:"
#: Pub/sub channel: a consumer's interest changed (the message is its id).
CONTROL = PREFIX + "control"
#: The running hub's id, refreshed within :data:`HUB_TTL` seconds while it runs.
HUB = PREFIX + "hub"
#: The one Redis Stream of order updates and trades, every account's.
ORDERS = PREFIX + "orders"
INTEREST = PREFIX + "interest:"  # + consumer id: what it wants, {account: {symbol: mode}}, with a TTL
FEED = PREFIX + "feed:"  # + account: pub/sub channel of its ticks and feed states
STATE = PREFIX + "state:"  # + account: its feed's latest state
INBOX = PREFIX + "to:"  # + consumer id: pub/sub channel of what the hub tells that consumer alone
SEEN = PREFIX + "seen:"  # + account:kind:id: the fingerprint of the order's last entry on the stream

HUB_TTL = 3
INTEREST_TTL = 6
HEARTBEAT = 1.0  # seconds between a consumer's (and the hub's) refreshes of its key
SEEN_TTL = 2 * 86400  # an order not heard of for two days is forgotten by the deduplication
STREAM_LENGTH = 100_000  # entries kept at least (approximate trimming)
STREAM_AGE = 86400  # seconds: older entries are trimmed by the hub
_STREAM_ID = re.compile(r"\d+(-\d+)?")

class BusError(BrokerplexError):
    """The bus cannot serve a consumer: Redis failed it, the hub refused its subscription, or the order
    events it would resume after were trimmed."""


_TICK_FIELDS = attrgetter(*(field.name for field in dataclasses.fields(Tick)))


def shown(url: str) -> str:
    """``url`` without its password, for output."""
    return re.sub(r"(?<=:)[^:@/]*(?=@)", "****", url, count=1)


def is_stream_id(text: str) -> bool:
    return _STREAM_ID.fullmatch(text) is not None


def stream_id_key(entry_id: str) -> tuple[int, int]:
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


def ticks_message(ticks: list[Tick]) -> str:
    return json.dumps(["t", *(_TICK_FIELDS(tick) for tick in ticks)], separators=(",", ":"))


def tick_from(fields: list[Any]) -> Tick:
    symbol, mode, units, last, quantity, average, volume, bought, sold, ohlc, interest, traded, at, bids, asks = fields
    return Tick(symbol, mode, units, last, quantity, average, volume, bought, sold, ohlc and tuple(ohlc), interest,
                traded, at, tuple(map(tuple, bids)), tuple(map(tuple, asks)))


def state_message(hub: str, state: FeedState) -> str:
    return json.dumps(["s", hub, state.state, state.attempt, state.delay, state.reason], separators=(",", ":"))


def state_from(message: list[Any]) -> tuple[str, FeedState]:
    """The hub that published a state message, and the state."""
    _, hub, state, attempt, delay, reason = message
    return hub, FeedState(state, attempt, delay, reason)


def entry(event: Event) -> tuple[str, str, dict[str, str]]:
    """An order update or trade as a stream entry: its deduplication key, fingerprint and fields."""
    data = event.data
    assert isinstance(data, Order | Trade)
    if isinstance(data, Order):
        seen = f"{SEEN}{event.account}:order:{data.client_code or ''}:{data.order_id}"
        mark = json.dumps([data.status, data.quantity, data.filled_quantity, data.cancelled_quantity, data.price,
                           data.trigger_price, data.average_price], default=str)
    else:
        seen, mark = f"{SEEN}{event.account}:trade:{data.client_code or ''}:{data.trade_id}", "1"
    return seen, mark, {"account": event.account, "type": event.type, "data": data.model_dump_json()}


def event_from(entry_id: str, fields: dict[str, str]) -> Event:
    model = Order if fields["type"] == "order" else Trade
    return Event(fields["account"], model.model_validate_json(fields["data"]), id=entry_id)
