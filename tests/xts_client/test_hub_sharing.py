"""Consumers of one XTS login share its stream through the hub: the simulator's market-data session holds
one subscription per instrument, at the strongest mode any consumer wants, which follows them down."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.hub import StreamLimitError
from brokerplex.manager import AsyncBrokerManager
from brokerplex.models import InstrumentType
from brokerplex_paper.universe import build_universe
from brokerplex_xts_client import CAPABILITIES
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.sim.state import SUBSCRIPTION_LIMIT
from hubevents import first_tick, held

RELIANCE, NIFTY_50 = "1:2885", "1:26000"
SOCKETS = 2  # a stream holds a market-data and an interactive socket


def test_two_consumers_share_one_session_and_one_subscription_per_instrument(
        tmp_path: Path, xts_sim: XtsSimulator) -> None:
    async def scenario() -> None:
        manager = AsyncBrokerManager(tmp_path / "home")
        try:
            manager.activate("xts_client", "x1", xts_sim.settings())
            await manager.login("x1", {}, ClickLoginIO())
            quotes = await manager.subscribe(["x1"], ["NSE:RELIANCE"], "quote")
            await held(xts_sim, {RELIANCE: ["quote"]}, SOCKETS)
            full = await manager.subscribe(["x1"], ["NSE:RELIANCE", "NSE:NIFTY 50"], "full")
            await held(xts_sim, {RELIANCE: ["full"], NIFTY_50: ["full"]}, SOCKETS)
            assert (await first_tick(full, "x1", "NSE:RELIANCE", "full")).depth is not None
            assert (await first_tick(quotes, "x1", "NSE:RELIANCE", "quote")).depth is None  # the full ticks, trimmed
            await full.close()
            await held(xts_sim, {RELIANCE: ["quote"]}, SOCKETS)
            await quotes.close()
            await held(xts_sim, {}, 0)
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
