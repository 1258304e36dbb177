"""Consumers of one Kite login share its ticker through the hub: the simulator sees one connection and one
subscription per token at the strongest mode any consumer wants, which follows them down as they leave."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from brokerplex.hub import Event, EventConsumer
from brokerplex.hub.events import MODE_RANK
from brokerplex.manager import AsyncBrokerManager
from brokerplex.models import Tick, TickMode
from brokerplex_zerodha.sim import KiteSimulator

INFY, NIFTY_50 = "408065", "256265"
WAIT = 15.0


async def held(sim: KiteSimulator, wanted: dict[str, list[str]], connections: int) -> None:
    """Wait until the simulator holds ``wanted`` over ``connections`` ticker connections."""
    deadline = time.monotonic() + WAIT
    while (now := (await asyncio.to_thread(lambda: sim.stream_subscriptions), sim.stream_connections)) != (
            wanted, connections):
        assert time.monotonic() < deadline, f"the simulator holds {now}, not {wanted} over {connections}"
        await asyncio.sleep(0.02)


async def tick(consumer: EventConsumer, symbol: str, mode: TickMode) -> Tick:
    """The consumer's first tick of ``symbol`` in ``mode`` (right after a mode goes up, ticks of the weaker
    mode may still be on their way); never one in a stronger mode than it asked for."""
    async with asyncio.timeout(WAIT):
        async for event in consumer:
            assert isinstance(event, Event)
            if isinstance(event.data, Tick) and event.data.symbol == symbol:
                assert MODE_RANK[event.data.mode] <= MODE_RANK[mode], event
                if event.data.mode != mode:
                    continue
                assert event.account == "z1"
                return event.data
    raise AssertionError("the consumer ended")


def test_two_consumers_share_one_connection_and_one_subscription_per_symbol(
        kite_home: Path, kite_sim: KiteSimulator) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(kite_home)
        try:
            quotes = await manager.subscribe(["z1"], ["NSE:INFY"], "quote")
            await held(kite_sim, {INFY: ["quote"]}, 1)
            full = await manager.subscribe(["z1"], ["NSE:INFY", "NSE:NIFTY 50"], "full")
            await held(kite_sim, {INFY: ["full"], NIFTY_50: ["full"]}, 1)
            assert (await tick(full, "NSE:INFY", "full")).depth is not None
            assert (await tick(quotes, "NSE:INFY", "quote")).depth is None  # the full ticks, trimmed
            await full.close()
            await held(kite_sim, {INFY: ["quote"]}, 1)
            await quotes.close()
            await held(kite_sim, {}, 0)
        finally:
            await manager.close()

    asyncio.run(scenario())
