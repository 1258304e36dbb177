"""The process's keeper of its consumers' interest keys (the design: :mod:`brokerplex.hub.bus`).

Each heartbeat, every live consumer's key (what it wants, with the TTL by which the hub knows it is
alive) is written again and the hub's own key read (whether a hub runs, and which one), in one round
trip for all the consumers of the process. Before, each consumer made its own: a worker with a socket per
client made a hundred round trips a second for a hundred sockets, about 16% of its busy CPU in
``benchmarks/ws_fanout.py`` (the one keeper takes about 4%). A consumer that joins is refreshed at once,
so it learns whether the hub runs without waiting for a heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from brokerplex.hub.bus.codec import HEARTBEAT, HUB, INTEREST, INTEREST_TTL
from brokerplex.hub.bus.consumer import UNREACHABLE, BusConsumer, fail_consumers, stop_if_cancelled
from brokerplex.streaming import Backoff

if TYPE_CHECKING:
    from brokerplex.hub.bus import Bus


class InterestKeeper:
    """One task refreshing the interest keys of the process's consumers; made by :meth:`Bus.keeper`."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._consumers: dict[str, BusConsumer] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def join(self, consumer: BusConsumer) -> None:
        """Keep ``consumer``'s key from now on (the first refresh at once)."""
        self._consumers[consumer.id] = consumer
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="bus interest keeper")

    def leave(self, consumer: BusConsumer) -> None:
        self._consumers.pop(consumer.id, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = Backoff(first=0.5, cap=2.0)
        try:
            while self._consumers:
                self._wake.clear()
                pause = await self._refresh(backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            fail_consumers(list(self._consumers.values()), error, "interest keeper")

    async def _refresh(self, backoff: Backoff) -> float:
        """One round: the keys written, the hub read, each consumer told; the seconds until the next."""
        consumers = list(self._consumers.values())
        client = self._bus.client()
        try:
            async with client.pipeline(transaction=False) as pipe:
                for consumer in consumers:
                    pipe.set(*consumer.interest, ex=INTEREST_TTL)
                pipe.get(HUB)
                hub = (await pipe.execute())[-1]
            if gone := [INTEREST + consumer.id for consumer in consumers if consumer.id not in self._consumers]:
                await client.delete(*gone)  # closed while their keys were being written: not alive
            reason = None if hub else "the hub is not running"
        except UNREACHABLE as error:
            stop_if_cancelled()
            hub, reason = None, f"the bus is unreachable ({error})"
        if reason is not None:
            delay = backoff.next_delay()
            for consumer in consumers:
                consumer.hub_away(reason, backoff.attempt, delay)
            return delay
        backoff.reset()
        for consumer in consumers:
            await consumer.hub_seen(hub)
        return HEARTBEAT
