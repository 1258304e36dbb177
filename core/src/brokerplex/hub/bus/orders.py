"""Order updates and trades onto the bus's one Redis Stream, once each, from whichever process knows them.

The hub adds what its broker streams report; a process that places an order with a bus adds the order
as it placed it (the ``order_event`` hook), so that every watcher hears of it even when no hub streams
that account. Several processes may add the same state of an order: a Lua script keeps, per order, the
fingerprint of its last entry (status, quantities, prices) and adds an entry only when that changed. The
placing process adds its PENDING order only if the order is not known at all, so that it never follows
the hub's newer state of it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from brokerplex.hookspecs import hookimpl
from brokerplex.hub.bus.codec import ORDERS, SEEN_TTL, STREAM_LENGTH, entry
from brokerplex.hub.events import Event
from brokerplex.models import Order, OrderEvent, OrderStatus

if TYPE_CHECKING:
    import redis
    from redis.commands.core import Script

log = logging.getLogger(__name__)

#: KEYS: the stream, the order's fingerprint key. ARGV: fingerprint, only if new (1/0), its TTL, the stream's
#: length, then the entry's fields and values. Returns the new entry's id, or nil when it was not news.
ADD_SCRIPT = """
local known = redis.call('GET', KEYS[2])
if known == ARGV[1] or (known and ARGV[2] == '1') then return false end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', unpack(ARGV, 5))
"""
#: Seconds the placing process waits for Redis before it gives up announcing (the order is placed anyway).
ANNOUNCE_TIMEOUT = 0.5


def add_arguments(event: Event, *, only_new: bool = False) -> tuple[list[str], list[Any]]:
    """The keys and arguments of :data:`ADD_SCRIPT` for an order update or trade."""
    seen, mark, fields = entry(event)
    pairs = [item for field in fields.items() for item in field]
    return [ORDERS, seen], [mark, int(only_new), SEEN_TTL, STREAM_LENGTH, *pairs]


def placed_order(event: OrderEvent) -> Order | None:
    """The order an order event tells of: the broker's, once reconciled; else the request as sent."""
    if event.kind == "reconciled" and event.order is not None:
        return event.order
    request = event.request
    if event.kind != "sent" or request is None or event.order_id is None:
        return None
    return Order(order_id=event.order_id, client_order_id=event.client_order_id or request.client_order_id,
                 symbol=request.symbol, side=request.side, order_type=request.order_type,
                 product=request.resolved_product, validity=request.validity, variety=request.variety,
                 quantity=request.quantity, pending_quantity=request.quantity,
                 disclosed_quantity=request.disclosed_quantity, price=request.price,
                 trigger_price=request.trigger_price, status=OrderStatus.PENDING, placed_at=event.at,
                 updated_at=event.at, client_code=event.client_code)


class OrderAnnouncer:
    """The ``order_event`` hook of a process with a bus: the orders it places, onto the order stream.

    It runs in the order path, so it waits at most :data:`ANNOUNCE_TIMEOUT` seconds for Redis, and a
    failure is a warning: announcing never changes an order's outcome."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: redis.Redis | None = None
        self._add: Script | None = None

    @hookimpl
    def order_event(self, event: OrderEvent) -> None:
        order = placed_order(event)
        if order is None:
            return
        try:
            if self._client is None:
                import redis

                self._client = redis.Redis.from_url(self.url, socket_timeout=ANNOUNCE_TIMEOUT,
                                                    socket_connect_timeout=ANNOUNCE_TIMEOUT, decode_responses=True)
                self._add = self._client.register_script(ADD_SCRIPT)
            assert self._add is not None
            keys, arguments = add_arguments(Event(event.account, order), only_new=event.kind == "sent")
            self._add(keys=keys, args=arguments)
        except Exception as error:  # Redis down or slow: the order stands, its watchers miss this news
            log.warning("order %s was placed but not announced on the bus (%s: %s)", order.order_id,
                        type(error).__name__, error)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
