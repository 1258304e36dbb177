"""Consumers of one XTS login share its stream through the hub: the simulator's market-data session holds
one subscription per instrument, at the strongest mode any consumer wants, which follows them down."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.hub import EventConsumer, StreamLimitError
from brokerplex.hub.events import MODE_RANK
from brokerplex.manager import AsyncBrokerManager
from brokerplex.models import InstrumentType, Tick, TickMode
from brokerplex_paper.universe import build_universe
from brokerplex_xts_client import CAPABILITIES
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.sim.state import SUBSCRIPTION_LIMIT

RELIANCE, NIFTY_50 = "1:2885", "1:26000"
WAIT = 15.0


async def held(sim: XtsSimulator, wanted: dict[str, list[str]], sockets: int = 2) -> None:
    """Wait until the simulator holds ``wanted`` with ``sockets`` sockets open (a stream's market-data and
    interactive sockets)."""
    deadline = time.monotonic() + WAIT
    while (now := (await asyncio.to_thread(lambda: sim.stream_subscriptions), sim.stream_connections)) != (
            wanted, sockets):
        assert time.monotonic() < deadline, f"the simulator holds {now}, not {wanted} over {sockets} sockets"
        await asyncio.sleep(0.02)


async def tick(consumer: EventConsumer, symbol: str, mode: TickMode) -> Tick:
    """The consumer's first tick of ``symbol`` in ``mode`` (right after a mode goes up, ticks of the weaker
    mode may still be on their way); never one in a stronger mode than it asked for."""
    async with asyncio.timeout(WAIT):
        async for event in consumer:
            if isinstance(event.data, Tick) and event.data.symbol == symbol:
                assert MODE_RANK[event.data.mode] <= MODE_RANK[mode], event
                if event.data.mode != mode:
                    continue
                assert event.account == "x1"
                return event.data
    raise AssertionError("the consumer ended")


def test_two_consumers_share_one_session_and_one_subscription_per_instrument(
        tmp_path: Path, xts_sim: XtsSimulator) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(tmp_path / "home")
        try:
            manager.activate("xts_client", "x1", xts_sim.settings())
            await manager.login("x1", {}, ClickLoginIO())
            quotes = await manager.subscribe(["x1"], ["NSE:RELIANCE"], "quote")
            await held(xts_sim, {RELIANCE: ["quote"]})
            full = await manager.subscribe(["x1"], ["NSE:RELIANCE", "NSE:NIFTY 50"], "full")
            await held(xts_sim, {RELIANCE: ["full"], NIFTY_50: ["full"]})
            assert (await tick(full, "NSE:RELIANCE", "full")).depth is not None
            assert (await tick(quotes, "NSE:RELIANCE", "quote")).depth is None  # the full ticks, trimmed
            await full.close()
            await held(xts_sim, {RELIANCE: ["quote"]})
            await quotes.close()
            await held(xts_sim, {}, sockets=0)
        finally:
            await manager.close()

    asyncio.run(scenario())


def test_the_hub_keeps_within_the_sessions_subscription_limit(tmp_path: Path, xts_sim: XtsSimulator) -> None:
    listed = [listing.instrument for listing in build_universe(dt.date.today())]
    stocks = [i.symbol for i in listed if i.exchange == "NSE" and i.instrument_type is InstrumentType.EQ]
    assert len(stocks) > SUBSCRIPTION_LIMIT == CAPABILITIES.stream_subscriptions

    async def scenario() -> None:
        manager = AsyncBrokerManager(tmp_path / "home")
        try:
            manager.activate("xts_client", "x1", xts_sim.settings())
            await manager.login("x1", {}, ClickLoginIO())
            consumer = await manager.subscribe(["x1"], stocks[:SUBSCRIPTION_LIMIT], "quote")
            with pytest.raises(StreamLimitError, match="allows 50 subscribed instruments per login"):
                await consumer.subscribe("x1", stocks[SUBSCRIPTION_LIMIT:], "quote")
            held_now = await asyncio.to_thread(lambda: xts_sim.stream_subscriptions)
            assert len(held_now) == SUBSCRIPTION_LIMIT  # nothing more was asked of the session
            await consumer.close()
        finally:
            await manager.close()

    asyncio.run(scenario())
