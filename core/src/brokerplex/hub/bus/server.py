"""The hub process's side of the bus (``brokerplex hub``; the design: :mod:`brokerplex.hub.bus`).

It holds an in-process :class:`~brokerplex.hub.Hub` and, per account that anyone wants, one hub consumer
(a *tap*) subscribed to the merged interest of every live remote consumer. Each tap's events go out as
they come: ticks and feed states on the account's channel, order updates and trades onto the order
stream. An order update or trade that Redis did not take is retried until it does (the tap keeps it
meanwhile); a tick that could not be published is gone, as ticks are.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from brokerplex.errors import BrokerplexError, InputError
from brokerplex.hub.bus.codec import (
    CONTROL,
    FEED,
    HEARTBEAT,
    HUB,
    HUB_TTL,
    INBOX,
    INTEREST,
    ORDERS,
    STATE,
    STREAM_AGE,
    BusError,
    shown,
    state_message,
    ticks_message,
)
from brokerplex.hub.bus.consumer import UNREACHABLE, stop_if_cancelled
from brokerplex.hub.bus.orders import ADD_SCRIPT, add_arguments
from brokerplex.hub.events import Event, strongest
from brokerplex.models import Tick, TickMode
from brokerplex.streaming import Backoff, FeedState

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub

    from brokerplex.hub.bus import Bus
    from brokerplex.hub.hub import Consumer, Hub, Terms

log = logging.getLogger(__name__)

#: Ticks a tap keeps beyond the latest of each symbol while Redis is slow (conflated past that).
TAP_CAPACITY = 10_000
#: Unread order updates and trades past which a tap that cannot reach Redis gives up.
TAP_LIMIT = 100_000
Interests = dict[str, dict[str, dict[str, TickMode]]]  # consumer id -> account -> symbol -> mode


class HubServer:
    """Serves the consumers of a bus from ``hub``; ``accounts`` stay open with nobody consuming them."""

    def __init__(self, hub: Hub, terms: Terms, bus: Bus, accounts: Sequence[str] = ()) -> None:
        self.hub, self._terms, self._bus = hub, terms, bus
        self.held = list(dict.fromkeys(accounts))
        self.id = secrets.token_hex(6)
        self._taps: dict[str, Consumer] = {}
        self._subscribed: dict[str, dict[str, TickMode]] = {}  # what each tap asked the hub for
        self._refused: dict[str, str] = {}  # consumer id -> why it was refused (ignored until it goes)
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._failure: BaseException | None = None  # what ended one of the tasks (serve raises it)
        self._failed = asyncio.Event()
        self._control: PubSub | None = None  # its subscription to the consumers' announcements
        self._add = bus.client().register_script(ADD_SCRIPT)

    async def start(self) -> None:
        """Check the accounts, reach Redis, open the held accounts' feeds and announce this hub."""
        for account in self.held:
            self._terms(account)
        client = self._bus.client()
        try:
            await client.ping()
        except (RedisError, OSError) as error:
            raise BusError(f"the bus {shown(self._bus.url)} cannot be used: {error}") from None
        self._control = pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(CONTROL)
        await self._reconcile()
        await client.set(HUB, self.id, ex=HUB_TTL)
        self._spawn(self._listen(pubsub), "hub control")
        self._spawn(self._keep(), "hub keeper")

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()
            self._failed.set()

    async def serve(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set; a failure of the hub's own work is raised."""
        loop = asyncio.get_running_loop()
        waits = [loop.create_task(stop.wait()), loop.create_task(self._failed.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if self._failure is not None:
            raise self._failure

    async def close(self) -> None:
        """Stop serving; the feeds close, and consumers hear that the hub is not running."""
        taps, tasks = list(self._taps.values()), list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        for tap in taps:
            await tap.close()
        if self._control is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._control.aclose()  # type: ignore[no-untyped-call]
        with contextlib.suppress(RedisError, OSError):
            client = self._bus.client()
            if await client.get(HUB) == self.id:
                await client.delete(HUB)

    # -- what the consumers want -------------------------------------------------------------
    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            try:
                if await pubsub.get_message(ignore_subscribe_messages=True, timeout=None):
                    self._changed.set()
            except UNREACHABLE:
                stop_if_cancelled()
                await asyncio.sleep(HEARTBEAT)  # the keeper logs it; pub/sub resubscribes on reconnecting

    async def _keep(self) -> None:
        """Announce this hub, and re-read what consumers want on each change and every second."""
        client, backoff, trimmed_at = self._bus.client(), Backoff(cap=5.0), 0.0
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HEARTBEAT):
                    await self._changed.wait()
            stop_if_cancelled()
            self._changed.clear()
            try:
                await client.set(HUB, self.id, ex=HUB_TTL)
                await self._reconcile()
                if time.monotonic() - trimmed_at > 60:
                    await client.xtrim(ORDERS, minid=f"{int(time.time() - STREAM_AGE) * 1000}", approximate=True)
                    trimmed_at = time.monotonic()
                backoff.reset()
            except UNREACHABLE as error:
                stop_if_cancelled()
                delay = backoff.next_delay()
                log.warning("the bus is unreachable (%s); trying again in %.1f s", error, delay)
                await asyncio.sleep(delay)

    async def _interests(self) -> Interests:
        client, interests = self._bus.client(), {}
        keys = [key async for key in client.scan_iter(match=INTEREST + "*", count=1000)]
        for key, value in zip(keys, await client.mget(keys) if keys else [], strict=True):
            if value:
                interests[key[len(INTEREST):]] = json.loads(value)
        return interests

    async def _reconcile(self) -> None:
        """Subscribe the taps to what the live consumers want; close the taps of accounts nobody wants."""
        interests = await self._interests()
        self._refused = {consumer: why for consumer, why in self._refused.items() if consumer in interests}
        wanted: dict[str, dict[str, list[TickMode]]] = {account: {} for account in self.held}
        for consumer, accounts in interests.items():
            if consumer not in self._refused:
                for account, symbols in accounts.items():
                    for symbol, mode in symbols.items():
                        wanted.setdefault(account, {}).setdefault(symbol, []).append(mode)
        for account in set(self._taps) - set(wanted):
            await self._drop(account)
        for account, asked in wanted.items():
            for failed, error in await self._subscribe(account, {s: strongest(modes) for s, modes in asked.items()}):
                await self._refuse(account, failed, interests, error)

    async def _subscribe(self, account: str, modes: dict[str, TickMode]) -> list[tuple[set[str], BrokerplexError]]:
        """Ask the account's tap for ``modes``; what failed (None: the whole account) and why."""
        tap = self._taps.get(account)
        if tap is None:
            tap = self.hub.consumer(capacity=TAP_CAPACITY, limit=TAP_LIMIT)
            try:
                await tap.follow(account)
            except BrokerplexError as error:
                await tap.close()
                return [(set(modes), error)]
            self._taps[account], self._subscribed[account] = tap, {}
            self._spawn(self._publish(account, tap), f"hub publisher {account}")
        subscribed = self._subscribed[account]
        if gone := [symbol for symbol in subscribed if symbol not in modes]:
            await tap.unsubscribe(account, gone)
            for symbol in gone:
                del subscribed[symbol]
        changes: dict[TickMode, list[str]] = {}
        for symbol, mode in modes.items():
            if subscribed.get(symbol) != mode:
                changes.setdefault(mode, []).append(symbol)
        failed = []
        for mode, symbols in changes.items():
            try:
                await tap.subscribe(account, symbols, mode)
            except BrokerplexError as error:
                failed.append((set(symbols), error))
            else:
                subscribed.update(dict.fromkeys(symbols, mode))
        return failed

    async def _refuse(self, account: str, symbols: set[str], interests: Interests, error: BrokerplexError) -> None:
        """Tell the consumers that asked for ``symbols`` of ``account`` why they cannot have them; leave them
        out from now on (they end)."""
        refusal = json.dumps({"error": str(error), "input": isinstance(error, InputError)})
        for consumer, accounts in interests.items():
            asked = accounts.get(account)
            if asked is not None and consumer not in self._refused and (symbols & asked.keys() or not symbols):
                self._refused[consumer] = str(error)
                await self._bus.client().publish(INBOX + consumer, refusal)
        log.warning("a subscription to %s was refused: %s", account, error)
        self._changed.set()

    async def _drop(self, account: str) -> None:
        tap = self._taps.pop(account, None)
        self._subscribed.pop(account, None)
        if tap is not None:
            await tap.close()

    # -- what the broker streams say ---------------------------------------------------------
    async def _publish(self, account: str, tap: Consumer) -> None:
        """The tap's events onto the bus, every event waiting at once in one round trip."""
        try:
            async for event in tap:
                await self._send(account, [event, *tap.buffer.take_waiting()])
        except BrokerplexError as error:  # the feed failed: its consumers hear it; the next reconcile reopens it
            await self._send(account, [Event(account, FeedState("closed", reason=str(error)))])
        finally:
            if self._taps.get(account) is tap:
                self._taps.pop(account)
                self._subscribed.pop(account, None)
                self._changed.set()

    async def _send(self, account: str, batch: list[Event]) -> None:
        backoff = Backoff(cap=5.0)
        while batch:
            try:
                async with self._bus.client().pipeline(transaction=False) as pipe:
                    ticks: list[Tick] = []
                    for event in batch:
                        data = event.data
                        if isinstance(data, Tick):
                            ticks.append(data)
                            continue
                        if ticks:
                            pipe.publish(FEED + account, ticks_message(ticks))
                            ticks = []
                        if isinstance(data, FeedState):
                            message = state_message(self.id, data)
                            pipe.set(STATE + account, message)
                            pipe.publish(FEED + account, message)
                        else:
                            keys, arguments = add_arguments(event)
                            await self._add(keys=keys, args=arguments, client=pipe)
                    if ticks:
                        pipe.publish(FEED + account, ticks_message(ticks))
                    await pipe.execute()
                return
            except UNREACHABLE as error:  # order updates and trades wait for Redis; ticks do not
                stop_if_cancelled()
                batch = [event for event in batch if event.type in ("order", "trade")]
                delay = backoff.next_delay()
                log.warning("the bus is unreachable (%s): %d order events wait, trying again in %.1f s",
                            error, len(batch), delay)
                await asyncio.sleep(delay)
