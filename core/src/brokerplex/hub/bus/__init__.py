"""The hub across processes, on Redis: one ``brokerplex hub`` process holds the broker streams, and any
number of processes consume them through Redis (redis-py asyncio, imported only when a bus is used).

Interest
    Each consumer has a random id. What it wants (``{account: {symbol: mode}}``) is a key with a TTL
    (``brokerplex:interest:<id>``, 6 s), refreshed every second (a process refreshes all its consumers'
    keys in one round trip: :mod:`brokerplex.hub.bus.keeper`), and every change is announced on
    ``brokerplex:control``. The hub re-reads every interest key on each announcement and every second,
    merges them (one mode per symbol, the strongest), and subscribes its in-process :class:`~brokerplex.
    hub.Hub` to that, through one hub consumer per account (so that each tick is published once, whoever
    wants it). A consumer that stops refreshing (killed) expires, and what only it wanted is unsubscribed.
    A restarted hub finds the live consumers' keys and re-establishes what they want. What the broker
    refuses (an unlisted symbol, a streaming limit) goes to the consumers that asked for it alone
    (``brokerplex:to:<id>``): their iteration ends with that error, and the others go on.
Ticks and feed states
    Pub/sub, one channel per account (``brokerplex:feed:<account>``): every tick of the account the hub
    read in one loop turn in one message, a consumer keeping what it subscribed and trimming each tick to
    its mode. A feed state goes in band on the same channel and into ``brokerplex:state:<account>``, so
    that a late joiner learns where the feed stands. Ticks are not replayed: a consumer that was away
    gets the next ones.
Hub liveness
    The hub refreshes ``brokerplex:hub`` (its run id, TTL 3 s). A consumer that finds it missing, or cannot
    reach Redis, gives each account it follows a ``reconnecting`` state (reason: the hub is not running;
    the bus is unreachable) on a :class:`~brokerplex.streaming.Backoff`, and the hub's states again once
    it is back.
Order updates and trades
    One Redis Stream for every account (``brokerplex:orders``), trimmed to about 100,000 entries and a
    day. The hub adds what its broker streams report, and a process that places an order adds it as placed
    (:mod:`brokerplex.hub.bus.orders`), deduplicated across processes by the order's fingerprint. Consumers
    read it from their last entry id (from ``after``, or from the stream's end when they start), so a
    reconnecting consumer, or a watcher restarted with ``--after ID``, misses nothing; every such event
    carries its entry ``id``. A process reads the stream once for all its consumers
    (:mod:`brokerplex.hub.bus.reader`). An ``after`` id older than the first entry of a trimmed stream is
    an error, not a silent gap.
"""

from __future__ import annotations

import importlib.util
import weakref
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pluggy

from brokerplex.errors import InputError
from brokerplex.hub.buffer import DEFAULT_CAPACITY, DEFAULT_LIMIT
from brokerplex.hub.bus.codec import BusError, is_stream_id, shown
from brokerplex.hub.bus.orders import OrderAnnouncer

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from brokerplex.hub.bus.consumer import BusConsumer
    from brokerplex.hub.bus.keeper import InterestKeeper
    from brokerplex.hub.bus.listener import FeedListener
    from brokerplex.hub.bus.reader import OrderReader
    from brokerplex.hub.hub import Terms

__all__ = ["Bus", "BusError"]
SCHEMES = ("redis", "rediss", "unix")

#: Connections of this process's pool to Redis (whose own default limit is 10,000 clients).
MAX_CONNECTIONS = 5000


class Bus:
    """A Redis bus: consumers of a ``brokerplex hub`` process, and this process's orders announced."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Redis | None = None
        self._announcer: OrderAnnouncer | None = None
        self._plugins: pluggy.PluginManager | None = None
        self._consumers: weakref.WeakSet[BusConsumer] = weakref.WeakSet()
        self._listener: FeedListener | None = None
        self._order_reader: OrderReader | None = None
        self._keeper: InterestKeeper | None = None

    @classmethod
    def from_url(cls, url: str | None) -> Bus:
        """The bus at ``url`` (``redis://``, ``rediss://`` or ``unix://``); InputError if it is none."""
        if not url:
            raise InputError("no bus named: give --bus redis://… or set BROKERPLEX_BUS")
        if urlsplit(url).scheme not in SCHEMES:
            raise InputError(f"the bus must be a redis://, rediss:// or unix:// URL, not {shown(url)!r}")
        if importlib.util.find_spec("redis") is None:
            raise InputError("the bus needs redis-py: pip install 'redis>=5'")
        return cls(url)

    def __repr__(self) -> str:
        return f"<Bus {shown(self.url)}>"

    def client(self) -> Redis:
        """The asyncio client of this bus (made on first use, in the running loop)."""
        if self._client is None:
            from redis.asyncio import Redis

            # The pool serves the consumers' short commands (their keepers'): a server with a socket per
            # client needs more than 100.
            self._client = Redis.from_url(self.url, decode_responses=True, max_connections=MAX_CONNECTIONS)
        return self._client

    def listener(self) -> FeedListener:
        """This process's one pub/sub connection, shared by its consumers (made on first use)."""
        if self._listener is None:
            from brokerplex.hub.bus.listener import FeedListener

            self._listener = FeedListener(self)
        return self._listener

    def keeper(self) -> InterestKeeper:
        """This process's one keeper of its consumers' interest keys (made on first use)."""
        if self._keeper is None:
            from brokerplex.hub.bus.keeper import InterestKeeper

            self._keeper = InterestKeeper(self)
        return self._keeper

    def order_reader(self) -> OrderReader:
        """This process's one reader of the order stream, shared by its consumers (made on first use)."""
        if self._order_reader is None:
            from brokerplex.hub.bus.reader import OrderReader

            self._order_reader = OrderReader(self)
        return self._order_reader

    def consumer(self, terms: Terms, *, capacity: int = DEFAULT_CAPACITY, limit: int = DEFAULT_LIMIT,
                 after: str | None = None) -> BusConsumer:
        """A consumer of the hub process; ``after``: an order-stream id to resume order events after."""
        from brokerplex.hub.bus.consumer import BusConsumer

        if after is not None and not is_stream_id(after):
            raise InputError(f"--after takes an event id as `watch --json` shows it (like 1700000000000-0), "
                             f"not {after!r}")
        consumer = BusConsumer(self, terms, capacity=capacity, limit=limit, after=after)
        self._consumers.add(consumer)
        return consumer

    def announce_orders(self, plugins: pluggy.PluginManager) -> None:
        """Orders placed through ``plugins``' pipeline go onto the bus's order stream."""
        if self._announcer is None:
            self._announcer, self._plugins = OrderAnnouncer(self.url), plugins
            plugins.register(self._announcer)

    async def close(self) -> None:
        """Close its consumers, stop announcing orders, and let go of Redis."""
        for consumer in list(self._consumers):
            await consumer.close()
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        if self._order_reader is not None:
            await self._order_reader.close()
            self._order_reader = None
        if self._keeper is not None:
            await self._keeper.close()
            self._keeper = None
        if self._announcer is not None and self._plugins is not None:
            self._plugins.unregister(self._announcer)
            self._announcer.close()
            self._announcer = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
