"""This process's one pub/sub connection to the bus, shared by its consumers.

Every consumer of a process once had its own: a server with a socket per client then read each tick
from Redis, parsed it and made its JSON once per socket. The listener reads a feed channel once for every
consumer that follows the account, parses each message once, makes a tick's event once per mode wanted,
and gives that same event to each consumer that wants it (so :meth:`Event.text` runs once per process).
A consumer's inbox (what the hub tells it alone) is a channel of the same connection. Consumers that keep
no older ticks (``capacity=0``) read them from the account's :class:`~brokerplex.hub.board.Board`, which
the listener posts each tick on once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from brokerplex.hub.board import Board
from brokerplex.hub.bus.codec import FEED, HEARTBEAT, INBOX, state_from, tick_from
from brokerplex.hub.events import Event, trimmed
from brokerplex.models import TickMode

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub

    from brokerplex.hub.bus import Bus
    from brokerplex.hub.bus.consumer import BusConsumer


class FeedListener:
    """The feed channels and inboxes of this process's consumers (made by :meth:`Bus.listener`)."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None
        self._feeds: dict[str, set[BusConsumer]] = {}  # account -> its consumers
        self._pushed: dict[str, set[BusConsumer]] = {}  # account -> the consumers handed each tick
        self._boards: dict[str, Board] = {}  # account -> its board, while a consumer reads it
        self._inboxes: dict[str, BusConsumer] = {}  # consumer id -> consumer

    async def join(self, consumer: BusConsumer) -> None:
        """Hear what the hub tells ``consumer`` alone."""
        self._inboxes[consumer.id] = consumer
        await self._subscribe(INBOX + consumer.id)

    async def follow(self, consumer: BusConsumer, account: str) -> None:
        """Give ``consumer`` the ticks and feed states of ``account``."""
        members = self._feeds.setdefault(account, set())
        members.add(consumer)
        if consumer.buffer.capacity == 0:
            board = self._boards.get(account) or self._boards.setdefault(account, Board(account, tick_from))
            consumer.buffer.watch(board, consumer.wants[account])
        else:
            self._pushed.setdefault(account, set()).add(consumer)
        if len(members) == 1:
            await self._subscribe(FEED + account)

    async def leave(self, consumer: BusConsumer) -> None:
        """Nothing more for ``consumer``; channels nobody follows any more are left."""
        channels = [INBOX + consumer.id] if self._inboxes.pop(consumer.id, None) is not None else []
        for account, members in list(self._feeds.items()):
            members.discard(consumer)
            self._pushed.get(account, set()).discard(consumer)
            if (board := self._boards.get(account)) is not None:
                consumer.buffer.unwatch(board)
            if not members:
                del self._feeds[account]
                self._pushed.pop(account, None)
                self._boards.pop(account, None)
                channels.append(FEED + account)
        if channels and self._pubsub is not None:
            await self._pubsub.unsubscribe(*channels)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        if self._pubsub is not None:  # closed under the listener: a read blocked on it ends at once
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def _subscribe(self, channel: str) -> None:
        if self._pubsub is None:
            self._pubsub = self._bus.client().pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(channel)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="bus feed listener")

    async def _listen(self) -> None:
        from brokerplex.hub.bus.consumer import UNREACHABLE, fail_consumers, stop_if_cancelled

        pubsub = self._pubsub
        assert pubsub is not None
        try:
            while True:
                try:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                except UNREACHABLE:
                    stop_if_cancelled()
                    await asyncio.sleep(HEARTBEAT)  # each keeper says so; pub/sub resubscribes on reconnecting
                    continue
                if message is not None and message["type"] == "message":
                    self._dispatch(message["channel"], message["data"])
        except asyncio.CancelledError:
            raise
        except Exception as error:
            fail_consumers({*self._inboxes.values(), *(c for members in self._feeds.values() for c in members)},
                           error, "feed listener")

    def _dispatch(self, channel: str, data: str) -> None:
        if channel.startswith(INBOX):
            if (consumer := self._inboxes.get(channel[len(INBOX):])) is not None:
                consumer.refused(json.loads(data))
            return
        account = channel[len(FEED):]
        members = self._feeds.get(account)
        if not members:
            return
        message = json.loads(data)
        if message[0] != "t":
            hub, state = state_from(message)
            for consumer in members:
                consumer.heard(account, hub, state)
            return
        board, pushed = self._boards.get(account), self._pushed.get(account)
        for fields in message[1:]:
            if board is not None:
                board.post(fields[0], fields[1], fields)
            if pushed:
                self._push(account, fields, pushed)

    @staticmethod
    def _push(account: str, fields: list[Any], members: set[BusConsumer]) -> None:
        """One tick into the buffer of each consumer that wants its symbol."""
        symbol, tick = fields[0], None
        events: dict[TickMode, Event] = {}  # the one event each consumer wanting the mode gets
        for consumer in members:
            mode: TickMode | None = consumer.wants.get(account, {}).get(symbol)
            if mode is None:
                continue
            event = events.get(mode)
            if event is None:
                tick = tick_from(fields) if tick is None else tick
                event = events[mode] = Event(account, tick if mode == fields[1] else trimmed(tick, mode))
            consumer.buffer.put_tick(event, (account, symbol))
