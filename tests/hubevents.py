"""Reading hub consumers in tests (``tests/`` is on pytest's path): every wait has a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from brokerplex.hub import Event, EventConsumer
from brokerplex.hub.events import MODE_RANK
from brokerplex.models import Tick, TickMode

WAIT = 20.0  # seconds any awaited event may take on a loaded machine


async def take(consumer: EventConsumer, wanted: Callable[[Event], bool], count: int = 1,
               timeout: float = WAIT) -> list[Event]:
    """The next ``count`` events ``wanted`` picks (others are skipped)."""
    found: list[Event] = []
    async with asyncio.timeout(timeout):
        async for event in consumer:
            if wanted(event):
                found.append(event)
                if len(found) == count:
                    return found
    raise AssertionError(f"the consumer ended after {found}")


async def first_tick(consumer: EventConsumer, account: str, symbol: str, mode: TickMode) -> Tick:
    """The consumer's first tick of ``symbol`` in ``mode`` (right after a mode goes up, ticks of the weaker
    mode may still be on their way); never one in a stronger mode than it asked for."""
    def wanted(event: Event) -> bool:
        data = event.data
        if not isinstance(data, Tick) or data.symbol != symbol:
            return False
        assert MODE_RANK[data.mode] <= MODE_RANK[mode], event
        assert event.account == account
        return data.mode == mode

    (event,) = await take(consumer, wanted)
    assert isinstance(event.data, Tick)
    return event.data


async def held(sim: Any, wanted: dict[str, list[str]], connections: int) -> None:
    """Wait until the simulator holds ``wanted`` subscriptions over ``connections`` stream connections."""
    deadline = time.monotonic() + WAIT
    while (now := (await asyncio.to_thread(lambda: sim.stream_subscriptions), sim.stream_connections)) != (
            wanted, connections):
        assert time.monotonic() < deadline, f"the simulator holds {now}, not {wanted} over {connections}"
        await asyncio.sleep(0.02)
