"""The Kite stream under faults: forced drops, a slow reader, a frozen link (issue 10, items 7 to 9)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from brokerplex.cli import ClickLoginIO
from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderRequest, OrderStatus, Side, Tick, TickMode
from brokerplex.streaming import FeedState, StreamEvent
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator
from brokerplex_zerodha.ticker import CLOSE_TIMEOUT, KiteTickerStream

SILENCE = 2.0  # ticker_silence of the frozen-link test; the others keep the default, 5 s, not to trip on load
SUBSCRIBED: dict[str, TickMode] = {"NSE:INFY": "full", "NSE:RELIANCE": "quote", "NSE:TCS": "quote",
                                   "NSE:NIFTY 50": "ltp"}
Scenario = Callable[[ZerodhaBroker, KiteTickerStream, AsyncIterator[StreamEvent]], Awaitable[None]]


def activated(home: Path, sim: KiteSimulator, **settings: str) -> Path:
    """``home`` with a fresh, logged-in account ``z1`` with these extra settings."""
    with BrokerManager(home) as manager:
        manager.activate("zerodha", "z1", {"api_key": sim.api_key, "api_secret": "kite_sim_secret",
                                           "root": sim.rest, "ws_root": sim.ws, "login_url": sim.login, **settings})
        manager.login("z1", {"request_token": sim.request_token()}, ClickLoginIO())
    return home


async def subscribe_all(stream: KiteTickerStream) -> None:
    for mode in ("ltp", "quote", "full"):
        await stream.subscribe([symbol for symbol, wanted in SUBSCRIBED.items() if wanted == mode], mode)


async def next_state(events: AsyncIterator[StreamEvent], timeout: float = 15.0) -> FeedState:
    async with asyncio.timeout(timeout):
        while not isinstance(event := await anext(events), FeedState):
            pass
    return event


async def ticks_of_every_symbol(events: AsyncIterator[StreamEvent], timeout: float = 15.0) -> None:
    """Read until each subscribed symbol ticked in its mode; a state change on the way fails."""
    missing = set(SUBSCRIBED.items())
    async with asyncio.timeout(timeout):
        while missing:
            event = await anext(events)
            assert not isinstance(event, FeedState), f"{event} before every symbol ticked again; missing {missing}"
            if isinstance(event, Tick):
                missing.discard((event.symbol, event.mode))


def test_twenty_forced_drops_each_come_back_live_and_resubscribed(
    tmp_path: Path, kite_sim: KiteSimulator, kite_stream: Callable[..., None],
) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await subscribe_all(stream)
        assert [await next_state(events), await next_state(events)] == [FeedState("connecting"), FeedState("live")]
        await ticks_of_every_symbol(events)
        resubscribed = 0
        for drop in range(20):
            await asyncio.to_thread(kite_sim.drop_streams)
            lost = await next_state(events)
            assert (lost.state, lost.attempt) == ("reconnecting", 1), lost
            assert await next_state(events) == FeedState("live")
            await ticks_of_every_symbol(events)
            resubscribed += 1
            assert stream.connections == drop + 2
        assert resubscribed == 20
        assert stream.subscriptions == SUBSCRIBED
        assert stream.dropped == 0  # this reader kept up

    kite_stream(activated(tmp_path, kite_sim), scenario)


def test_a_slow_reader_stays_bounded_and_gets_every_order_update(
    tmp_path: Path, kite_sim: KiteSimulator, kite_stream: Callable[..., None],
) -> None:
    symbols = ["NSE:INFY", "NSE:RELIANCE", "NSE:TCS", "NSE:SBIN", "NSE:ITC", "NSE:HDFCBANK", "NSE:ICICIBANK",
               "NSE:LT", "NSE:AXISBANK", "NSE:WIPRO"]

    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        stream.capacity = 20
        await stream.subscribe(symbols, "full")
        assert [await next_state(events), await next_state(events)] == [FeedState("connecting"), FeedState("live")]
        kite_sim.set_tick_rate(20)  # 200 ticks a second, and this reader reads none for a while
        placed = [await broker.place_order(OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1,
                                                        client_order_id=f"slow{n}")) for n in range(5)]
        largest, dropped_seen = 0, [stream.dropped]
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            largest = max(largest, stream.pending)
            dropped_seen.append(stream.dropped)
            await asyncio.sleep(0.02)
        waiting = stream.pending
        events_read = [await anext(events) for _ in range(waiting)]
        updates = [event for event in events_read if isinstance(event, Order)]
        assert not [event for event in events_read if isinstance(event, FeedState)]
        assert largest <= stream.capacity + len(symbols) + len(updates)
        assert dropped_seen == sorted(dropped_seen)
        assert dropped_seen[-1] > dropped_seen[len(dropped_seen) // 2] > 0  # it kept growing
        assert dropped_seen[-1] > 300  # of ~600 ticks in 3 s, at most 30 could wait
        assert {event.symbol for event in events_read if isinstance(event, Tick)} == set(symbols)
        done = {update.order_id for update in updates if update.status is OrderStatus.COMPLETE}
        assert done == {ack.order_id for ack in placed}

    kite_stream(activated(tmp_path, kite_sim), scenario)


def test_a_frozen_link_is_dropped_without_waiting_on_its_close(
    tmp_path: Path, kite_sim: KiteSimulator, kite_stream: Callable[..., None],
) -> None:
    async def scenario(broker: ZerodhaBroker, stream: KiteTickerStream, events: AsyncIterator[StreamEvent]) -> None:
        await stream.subscribe(["NSE:INFY"], "quote")
        assert [await next_state(events), await next_state(events)] == [FeedState("connecting"), FeedState("live")]
        await asyncio.to_thread(kite_sim.freeze_streams, True)
        frozen_at = time.monotonic()
        try:
            assert await next_state(events) == FeedState("stale", reason=f"no data from the ticker for {SILENCE:g} s")
            stale_at = time.monotonic()
            assert stale_at - frozen_at < SILENCE + 2
            lost = await next_state(events)
            assert lost.state == "reconnecting"
            assert time.monotonic() - stale_at < 0.5  # no close handshake waited for
            assert await next_state(events) == FeedState("live")  # a new link works while the old one is frozen
            assert stream.silent_closes == 1
            await asyncio.to_thread(kite_sim.freeze_streams, True)  # freeze the new one too, then close
            closing = time.monotonic()
            await stream.close()
            assert time.monotonic() - closing < CLOSE_TIMEOUT + 1
            assert stream.state == FeedState("closed")
        finally:
            await asyncio.to_thread(kite_sim.freeze_streams, False)

    kite_stream(activated(tmp_path, kite_sim, ticker_silence=str(SILENCE)), scenario)
