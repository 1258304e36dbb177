"""This process's one reader of the bus's order stream, shared by its consumers.

Each consumer once read the stream itself, on a Redis connection of its own blocked in XREAD, and parsed
every entry: a server kept a connection per socket and parsed each order event once per socket. The
reader holds one connection for the process, parses an entry once (when a consumer follows its account)
and gives that same event to each consumer that wants it (so :meth:`Event.text` runs once).

A consumer joins at its last entry id. Behind the reader (resuming ``after`` an id, or held back), it
first catches up on its own, with XRANGE up to the last entry the reader gave out, and is served live from
then on; ahead of it, the reader passes over what it already had. A consumer without room for more order
events (they may fill half its buffer's bound, so that feed states always find room) is left behind where
it stands, the stream keeping the rest, and joins again once it has read.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, cast

from redis.exceptions import RedisError

from brokerplex.hub.buffer import ConsumerBuffer
from brokerplex.hub.bus.codec import ORDERS, event_from, stream_id_key
from brokerplex.streaming import Backoff

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from brokerplex.hub.bus import Bus
    from brokerplex.hub.bus.consumer import BusConsumer


READ_BLOCK_MS = 2000  # well within redis-py's socket timeout (5 s)
READ_COUNT = 500
Entries = list[tuple[str, dict[str, str]]]
StreamReply = list[tuple[str, Entries]]  # XREAD: per stream, its (id, fields)


def has_room_for_orders(buffer: ConsumerBuffer) -> bool:
    """Order events may fill half a buffer's bound: feed states always find room."""
    return buffer.room > buffer.limit // 2


class OrderReader:
    """The order stream for this process's consumers (made by :meth:`Bus.order_reader`)."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._live: dict[BusConsumer, None] = {}  # served as the reader reads, in the order they joined
        self._cursor: str | None = None  # the last entry given out (None: nobody is served)
        self._lock = asyncio.Lock()  # a catch-up and the live hand-out never interleave
        self._task: asyncio.Task[None] | None = None

    async def join(self, consumer: BusConsumer) -> None:
        """Give ``consumer`` the order events after its ``last_id``: what it missed now, the rest as they come
        (unless its buffer fills while it catches up: it is left behind again)."""
        if not await self._catch_up(consumer):  # most of the way unlocked: the others are served meanwhile
            return
        async with self._lock:
            if not await self._catch_up(consumer):  # what was given out since
                return
            consumer.left_behind = False
            self._live[consumer] = None
            if self._task is None:  # nobody was served: the reader starts where this consumer stands
                self._cursor = consumer.last_id
                self._task = asyncio.get_running_loop().create_task(self._read(), name="bus order reader")

    @property
    def served(self) -> int:
        """How many consumers it serves as it reads (those catching up or left behind are not)."""
        return len(self._live)

    def leave(self, consumer: BusConsumer) -> None:
        self._live.pop(consumer, None)

    async def close(self) -> None:
        self._live.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _catch_up(self, consumer: BusConsumer) -> bool:
        """The entries after ``consumer``'s last id up to the cursor (while the reader reads); False if it ran
        out of room first."""
        client = self._bus.client()
        while (cursor := self._cursor) is not None and stream_id_key(consumer.last_id) < stream_id_key(cursor):
            entries = cast(Entries, await client.xrange(ORDERS, min=f"({consumer.last_id}", max=cursor,
                                                        count=READ_COUNT))
            if not entries:  # the rest was trimmed (the consumer checked what it resumes after)
                consumer.last_id = cursor
            for entry_id, fields in entries:
                if fields.get("account") in consumer.wants:
                    if not has_room_for_orders(consumer.buffer):
                        consumer.left_behind = True
                        return False
                    consumer.buffer.put(event_from(entry_id, fields))
                consumer.last_id = entry_id
        return True

    async def _read(self) -> None:
        from redis.asyncio import Redis

        connection = Redis.from_url(self._bus.url, decode_responses=True)  # XREAD BLOCK holds it
        try:
            await self._serve(connection)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            from brokerplex.hub.bus.consumer import fail_consumers

            fail_consumers(self._live, error, "order reader")
            self._live.clear()
            self._task = self._cursor = None
        finally:
            with contextlib.suppress(RedisError, OSError):
                await connection.aclose()

    async def _serve(self, connection: Redis) -> None:
        from brokerplex.hub.bus.consumer import UNREACHABLE, stop_if_cancelled

        backoff = Backoff(first=0.5, cap=5.0)
        while True:
            async with self._lock:  # decided under the lock: a join after this starts another reader
                if not self._live:
                    self._task = self._cursor = None
                    return
                cursor = self._cursor
            assert cursor is not None  # set by the join that made the reader
            try:
                reply = cast(StreamReply, await connection.xread({ORDERS: cursor}, count=READ_COUNT,
                                                                 block=READ_BLOCK_MS))
            except UNREACHABLE:
                stop_if_cancelled()
                await asyncio.sleep(backoff.next_delay())  # each consumer's keeper tells its reader
                continue
            backoff.reset()
            async with self._lock:
                for _stream, entries in reply:
                    for entry_id, fields in entries:
                        self._hand_out(entry_id, fields)

    def _hand_out(self, entry_id: str, fields: dict[str, str]) -> None:
        """One entry to each consumer served that follows its account, parsed once."""
        key, account, event = stream_id_key(entry_id), fields.get("account"), None
        for consumer in list(self._live):
            if key <= stream_id_key(consumer.last_id):
                continue  # it joined ahead of the reader
            if account in consumer.wants:
                if not has_room_for_orders(consumer.buffer):
                    consumer.left_behind = True  # where it stands: it joins again once it has read
                    del self._live[consumer]
                    continue
                event = event or event_from(entry_id, fields)
                consumer.buffer.put(event)
            consumer.last_id = entry_id
        self._cursor = entry_id
