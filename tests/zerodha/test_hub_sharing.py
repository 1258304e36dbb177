"""Consumers of one Kite login share its ticker through the hub: the simulator sees one connection and one
subscription per token at the strongest mode any consumer wants, which follows them down as they leave."""

from __future__ import annotations

import asyncio
from pathlib import Path

from brokerplex.manager import AsyncBrokerManager
from brokerplex_zerodha.sim import KiteSimulator
from hubevents import first_tick, held

INFY, NIFTY_50 = "408065", "256265"


def test_two_consumers_share_one_connection_and_one_subscription_per_symbol(
        kite_home: Path, kite_sim: KiteSimulator) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(kite_home)
        try:
            quotes = await manager.subscribe(["z1"], ["NSE:INFY"], "quote")
            await held(kite_sim, {INFY: ["quote"]}, 1)
            full = await manager.subscribe(["z1"], ["NSE:INFY", "NSE:NIFTY 50"], "full")
            await held(kite_sim, {INFY: ["full"], NIFTY_50: ["full"]}, 1)
            assert (await first_tick(full, "z1", "NSE:INFY", "full")).depth is not None
            assert (await first_tick(quotes, "z1", "NSE:INFY", "quote")).depth is None  # the full ticks, trimmed
            await full.close()
            await held(kite_sim, {INFY: ["quote"]}, 1)
            await quotes.close()
            await held(kite_sim, {}, 0)
        finally:
            await manager.close()

    asyncio.run(scenario())
