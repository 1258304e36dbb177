"""A consumer of a ``brokerplex hub`` process, through Redis (the design: :mod:`brokerplex.hub.bus`).

Input is checked here, before anything is sent: the account, its broker's tick modes, the symbols'
grammar. The process's :class:`~brokerplex.hub.bus.listener.FeedListener` gives a consumer its ticks, feed
states and what the hub tells it alone; its :class:`~brokerplex.hub.bus.keeper.InterestKeeper` keeps its
interest key and tells it whether the hub runs; its :class:`~brokerplex.hub.bus.reader.OrderReader` gives
it the order stream, from the last id read, once a task of the consumer's own has caught up to it. A
failure in any of them reaches the reader as a :class:`~brokerplex.errors.BrokerplexError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from brokerplex.errors import BrokerplexError, InputError
from brokerplex.hub.buffer import ConsumerBuffer
from brokerplex.hub.bus.codec import (
    CONTROL,
    HUB,
    INTEREST,
    INTEREST_TTL,
    ORDERS,
    STATE,
    BusError,
    shown,
    state_from,
    stream_id_key,
)
from brokerplex.hub.bus.reader import has_room_for_orders
from brokerplex.hub.events import Event
from brokerplex.models import TickMode
from brokerplex.streaming import Backoff, FeedState
from brokerplex.symbols import canonical

if TYPE_CHECKING:
    from brokerplex.hub.bus import Bus
    from brokerplex.hub.hub import Terms

log = logging.getLogger(__name__)

#: What a consumer cannot reach when Redis (or the hub) is away.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
TASK_END = 5.0  # seconds a closing consumer waits for its cancelled tasks


def stop_if_cancelled() -> None:
    """Call where Redis was unreachable: redis-py may turn a task's cancellation into its TimeoutError."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def fail_consumers(consumers: Iterable[BusConsumer], error: Exception, what: str) -> None:
    """``what`` failed with ``error`` (call it where it was caught): each of ``consumers`` ends with it, as a
    BrokerplexError, never in silence."""
    if not isinstance(error, BrokerplexError):
        log.exception("the bus %s failed", what)
        error = BusError(f"the bus {what} failed: {type(error).__name__}: {error}")
    for consumer in consumers:
        consumer.buffer.fail(error)


class BusConsumer:
    """One reader of the hub process: the same calls as an in-process :class:`~brokerplex.hub.Consumer`."""

    def __init__(self, bus: Bus, terms: Terms, *, capacity: int, limit: int, after: str | None) -> None:
        self._bus, self._terms = bus, terms
        self.buffer = ConsumerBuffer(capacity, limit)
        self.id = secrets.token_hex(8)
        self.wants: dict[str, dict[str, TickMode]] = {}  # account -> symbol -> mode (followed: an entry)
        self.last_id = after or ""  # the order stream's last entry read ("": its end, found at the start)
        self.left_behind = False  # by the order reader, for want of room: it joins again once it has read
        self._joined = False  # to the process's feed listener
        self._reading = False  # the order stream
        self._catching_up: asyncio.Task[None] | None = None  # until it has joined the order reader
        self._tasks: list[asyncio.Task[None]] = []
        self._hub: str | None = None  # the id of the hub process last seen running
        self._told: dict[str, FeedState] = {}  # the last state given to the reader, per account
        self._taken: deque[Event] = deque()  # events taken from the buffer, not read yet
        self._closed = False

    def __repr__(self) -> str:
        return f"<BusConsumer {self.id} of {sorted(self.wants)}>"

    # -- what it wants -----------------------------------------------------------------------
    @property
    def interest(self) -> tuple[str, str]:
        """Its interest key and what goes in it (written with ``INTEREST_TTL``)."""
        return INTEREST + self.id, json.dumps(self.wants)

    async def subscribe(self, account: str, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        """Ticks of ``symbols`` from ``account`` at ``mode``, with its order updates, trades and feed
        states. InputError (a bad account, mode or symbol) before anything is sent."""
        broker, capabilities = self._terms(account)
        if problem := capabilities.mode_refusal(mode):
            raise InputError(f"{broker} {problem}")
        await self._change(account, dict.fromkeys([canonical(symbol) for symbol in symbols], mode))

    async def unsubscribe(self, account: str, symbols: Sequence[str]) -> None:
        """No more ticks of ``symbols`` from ``account``; its order updates keep coming."""
        await self._change(account, dict.fromkeys([canonical(symbol) for symbol in symbols]))

    async def follow(self, account: str) -> None:
        """Order updates, trades and feed states of ``account``, without ticks."""
        self._terms(account)
        await self._change(account, {})

    async def _change(self, account: str, modes: dict[str, TickMode | None]) -> None:
        if self._closed:
            raise InputError("this consumer is closed")
        try:
            await self._start()
            followed = account in self.wants
            wanted = self.wants.setdefault(account, {})
            if not followed and self._hub is None:
                self._tell(account, FeedState("connecting"))  # before the keeper says why not
            for symbol, mode in modes.items():
                if mode is None:
                    wanted.pop(symbol, None)
                else:
                    wanted[symbol] = mode
            if not followed:
                await self._bus.listener().follow(self, account)
            client = self._bus.client()
            await client.set(*self.interest, ex=INTEREST_TTL)
            await client.publish(CONTROL, self.id)
            if not followed:
                await self._catch_up(account)
        except (RedisError, OSError) as error:
            raise BusError(f"the bus {shown(self._bus.url)} cannot be used: {error}") from None

    # -- the tasks ---------------------------------------------------------------------------
    async def _start(self) -> None:
        if self._joined:
            return
        client = self._bus.client()
        if not self.last_id:
            newest = await client.xrevrange(ORDERS, count=1)
            self.last_id = str(newest[0][0]) if newest else "0-0"
        else:
            await self._check_kept(self.last_id)
        self._hub = cast("str | None", await client.get(HUB))
        self._joined = True
        await self._bus.listener().join(self)
        self._bus.keeper().join(self)

    async def _check_kept(self, after: str) -> None:
        try:
            info = await self._bus.client().xinfo_stream(ORDERS)
        except RedisError as error:
            if "no such key" in str(error).lower():
                return
            raise
        first = info.get("first-entry")
        trimmed = info["entries-added"] > info["length"]
        if first and trimmed and stream_id_key(after) < stream_id_key(first[0]):
            raise BusError(f"the order events after {after} may have been trimmed from the bus (it keeps them "
                           f"from {first[0]} on): start without --after, and check the orders")

    def _spawn(self, work: Callable[[], Coroutine[Any, Any, None]], what: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self._guarded(work, what), name=f"bus consumer {self.id} {what}")
        self._tasks = [*(kept for kept in self._tasks if not kept.done()), task]
        return task

    async def _guarded(self, work: Callable[[], Coroutine[Any, Any, None]], what: str) -> None:
        """Run ``work``; a failure ends the consumer with it, never silently."""
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            fail_consumers([self], error, f"consumer's {what}")

    def refused(self, refusal: dict[str, Any]) -> None:
        """The hub could not take what this consumer asked for: its reading ends with the error."""
        self.buffer.fail((InputError if refusal["input"] else BusError)(refusal["error"]))

    def heard(self, account: str, hub: str, state: FeedState) -> None:
        """The feed state of ``account`` as the hub ``hub`` published it."""
        self._hub = hub
        self._tell(account, state)

    def _tell(self, account: str, state: FeedState) -> None:
        if account in self.wants and self._told.get(account) != state:
            self._told[account] = state
            self.buffer.put(Event(account, state))

    async def _catch_up(self, account: str) -> None:
        """The state of ``account``'s feed as the running hub last published it (connecting: none yet)."""
        stored = await self._bus.client().get(STATE + account)
        hub, state = state_from(json.loads(stored)) if stored else (None, None)
        if state is not None and hub == self._hub:
            self._tell(account, state)
        elif account not in self._told:
            self._tell(account, FeedState("connecting"))

    async def hub_seen(self, hub: str) -> None:
        """The keeper found ``hub`` running: if it is back, or another, where do its feeds stand?"""
        if hub == self._hub or self._closed:
            return
        self._hub = hub
        try:
            for account in list(self.wants):
                await self._catch_up(account)
        except UNREACHABLE:
            stop_if_cancelled()
            self._hub = None  # caught up at the keeper's next round

    def hub_away(self, reason: str, attempt: int, delay: float) -> None:
        """The keeper cannot see a hub (``reason``); it tries again in ``delay`` seconds."""
        self._hub = None
        for account in list(self.wants):
            self._tell(account, FeedState("reconnecting", attempt, round(delay, 2), reason))

    def _read_orders(self) -> None:
        """Join the process's order reader (again, once a consumer left behind has room)."""
        if self._catching_up is None or self._catching_up.done():
            self._catching_up = self._spawn(self._join_orders, "order reader")

    async def _join_orders(self) -> None:
        backoff = Backoff(first=0.5, cap=5.0)
        while not self._closed:
            try:
                if self.left_behind:  # what waited may have been trimmed meanwhile: an error, never a silent gap
                    await self._check_kept(self.last_id)
                await self._bus.order_reader().join(self)
                return
            except UNREACHABLE:
                stop_if_cancelled()
                await asyncio.sleep(backoff.next_delay())  # the keeper tells the reader

    # -- reading -----------------------------------------------------------------------------
    @property
    def dropped(self) -> int:
        """Ticks replaced by a newer tick of the same account and symbol before they were read."""
        return self.buffer.dropped

    @property
    def pending(self) -> int:
        return len(self.buffer) + len(self._taken)

    def take_waiting(self) -> list[Event]:
        """Every event ready now, in order, without awaiting."""
        waiting = [*self._taken, *self.buffer.take_waiting()]
        self._taken.clear()
        return waiting

    def __aiter__(self) -> BusConsumer:
        return self

    async def __anext__(self) -> Event:
        if self._taken:  # taken from the buffer with the last event awaited: no await per event
            return self._taken.popleft()
        if self._joined and not self._reading:  # read the order stream from now on (every account is followed)
            self._reading = True
            self._read_orders()
        elif self.left_behind and has_room_for_orders(self.buffer):
            self._read_orders()
        try:
            event = await self.buffer.get()
        except Exception:
            await self.close()  # ended with an error (not a reader's timeout): the hub may drop what it wanted
            raise
        if event is None:
            await self.close()
            raise StopAsyncIteration
        if self.buffer.ended and not self._closed:
            await self.close()  # it fell behind, or failed: the hub need not keep its subscriptions
        self._taken.extend(self.buffer.take_waiting())
        return event

    async def close(self) -> None:
        """Stop, and tell the hub that this consumer wants nothing any more; iteration ends."""
        if self._closed:
            return
        self._closed = True
        self.buffer.end()
        for task in self._tasks:
            task.cancel()
        if self._reading:
            self._bus.order_reader().leave(self)
        if self._joined:
            self._bus.keeper().leave(self)
        if self._tasks:  # bounded: a stop must never hang on a task that lost its cancellation
            _, stuck = await asyncio.wait(self._tasks, timeout=TASK_END)
            if stuck:
                log.warning("bus consumer %s: %d of its tasks did not end when cancelled", self.id, len(stuck))
        if self._joined:
            with contextlib.suppress(RedisError, OSError):
                await self._bus.listener().leave(self)
            with contextlib.suppress(RedisError, OSError):
                client = self._bus.client()
                await client.delete(INTEREST + self.id)
                await client.publish(CONTROL, self.id)

    async def __aenter__(self) -> BusConsumer:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()
