"""The XTS stream against the simulator's Socket.IO servers: ticks, order events, reconnects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from brokerplex.errors import SymbolError
from brokerplex.hub import Event
from brokerplex.models import Order, OrderRequest, OrderStatus, Side, Tick, Trade
from brokerplex.streaming import StreamEvent
from brokerplex_paper.universe import nearest_future
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.streaming import XtsStream

if TYPE_CHECKING:
    from tests.xts_client.conftest import Account, Streaming


async def collect(stream: XtsStream, done: Callable[[list[StreamEvent]], bool], seconds: float = 10.0,
                  ) -> list[StreamEvent]:
    seen: list[StreamEvent] = []

    async def read() -> None:
        async for event in stream:
            seen.append(event)
            if done(seen):
                return

    await asyncio.wait_for(read(), seconds)
    return seen


def ticks_of(events: list[StreamEvent], symbol: str, mode: str | None = None) -> list[Tick]:
    return [e for e in events if isinstance(e, Tick) and e.symbol == symbol and (mode is None or e.mode == mode)]


@pytest.mark.parametrize("broadcast", ["Full", "Partial"])
def test_touchline_and_depth_ticks(
    tmp_path: Path, xts_sim: XtsSimulator, broadcast: str, xts_streaming: Streaming,
) -> None:
    async def run() -> list[StreamEvent]:
        async with xts_streaming(tmp_path, xts_sim, broadcast_mode=broadcast) as (_, stream):
            await stream.subscribe(["NSE:INFY"], "quote")
            await stream.subscribe(["NSE:RELIANCE"], "full")
            await stream.subscribe(["NSE:NIFTY 50"], "ltp")
            return await collect(stream, lambda seen: all(len(ticks_of(seen, s)) >= 4 for s in (
                "NSE:INFY", "NSE:RELIANCE", "NSE:NIFTY 50")))

    events = asyncio.run(run())
    quotes, depth, ltp = (ticks_of(events, "NSE:INFY"), ticks_of(events, "NSE:RELIANCE"),
                          ticks_of(events, "NSE:NIFTY 50"))
    assert {t.mode for t in quotes} == {"quote"}
    assert {t.mode for t in depth} == {"full"}
    assert {t.mode for t in ltp} == {"ltp"}
    for tick in quotes + depth:
        assert tick.last_price > 0
        assert tick.volume is not None
        assert tick.ohlc is not None
    latest = depth[-1].depth
    assert latest is not None
    assert latest.bids
    assert latest.asks
    assert latest.bids[0].price < latest.asks[0].price
    assert len({t.last for t in quotes}) > 1 or len({t.volume for t in quotes}) > 1  # the market moved


def test_unlisted_symbols_are_refused_before_subscribing(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> None:
        async with xts_streaming(tmp_path, xts_sim) as (_, stream):
            with pytest.raises(SymbolError):
                await stream.subscribe(["NSE:NOSUCHSCRIP"])

    asyncio.run(run())


def test_a_dropped_socket_reconnects_and_resubscribes(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> tuple[int, list[StreamEvent]]:
        async with xts_streaming(tmp_path, xts_sim) as (_, stream):
            await stream.subscribe(["NSE:INFY"], "quote")
            await collect(stream, lambda seen: len(ticks_of(seen, "NSE:INFY")) >= 2)
            await asyncio.get_running_loop().run_in_executor(None, xts_sim.drop_streams)
            dropped_at = time.time()
            after = await collect(stream, lambda seen: stream.reconnects >= 2 and len(ticks_of(seen, "NSE:INFY")) >= 3,
                                  seconds=20)
            assert time.time() > dropped_at
            return stream.reconnects, after

    reconnects, after = asyncio.run(run())
    assert reconnects >= 2  # both sockets came back
    assert len(ticks_of(after, "NSE:INFY")) >= 3  # and the subscription with them


def test_order_events_become_order_updates(tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming) -> None:
    async def run() -> list[StreamEvent]:
        async with xts_streaming(tmp_path, xts_sim) as (broker, stream):
            await broker.place_order(OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1,
                                                  client_order_id="streamcid1"))
            return await collect(stream, lambda seen: any(
                isinstance(e, Order) and e.status is OrderStatus.COMPLETE for e in seen))

    events = asyncio.run(run())
    orders = [e for e in events if isinstance(e, Order)]
    assert {o.client_order_id for o in orders} == {"streamcid1"}
    assert {o.symbol for o in orders} == {"NSE:INFY"}
    assert orders[-1].status is OrderStatus.COMPLETE
    assert orders[-1].filled_quantity == 1


def trades_of(events: Iterator[Event], order_id: str, quantity: int, seconds: float = 15.0) -> list[Event]:
    """The trade events of ``order_id`` until their quantities add up to ``quantity``."""
    deadline, trades = time.monotonic() + seconds, []
    for event in events:
        if isinstance(event.data, Trade) and event.data.order_id == order_id:
            trades.append(event)
        if sum(event.data.quantity for event in trades if isinstance(event.data, Trade)) >= quantity:
            return trades
        assert time.monotonic() < deadline, f"trades of {order_id} so far: {trades}"
    raise AssertionError("the events ended")


def test_trade_events_are_trades_as_the_trade_book_has_them(investor: Account) -> None:
    manager = investor.manager
    with closing(manager.watch("x1", idle_timeout=15)) as events:
        next(events)  # the feed is open: what is placed now is streamed
        ack = manager.place_order("x1", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=3))
        streamed = trades_of(events, ack.order_id, 3)
    assert {event.account for event in streamed} == {"x1"}
    booked = [trade for trade in manager.trades("x1") if trade.order_id == ack.order_id]
    assert [event.data for event in streamed] == booked


def test_unsubscribe_stops_the_ticks(tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming) -> None:
    async def run() -> list[StreamEvent]:
        async with xts_streaming(tmp_path, xts_sim) as (_, stream):
            await stream.subscribe(["NSE:INFY", "NSE:RELIANCE"], "quote")
            await collect(stream, lambda seen: len(ticks_of(seen, "NSE:INFY")) >= 2)
            await stream.unsubscribe(["NSE:INFY"])
            settled = time.monotonic() + 0.6  # ticks already in flight may still carry INFY
            await collect(stream, lambda seen: time.monotonic() > settled)
            return await collect(stream, lambda seen: len(ticks_of(seen, "NSE:RELIANCE")) >= 3)

    later = asyncio.run(run())
    assert ticks_of(later, "NSE:INFY") == []


def test_expired_sessions_are_renewed_by_the_reconnecting_stream(
    tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming,
) -> None:
    async def run() -> tuple[list[StreamEvent], int]:
        async with xts_streaming(tmp_path, xts_sim) as (broker, stream):
            await stream.subscribe(["NSE:INFY"], "ltp")
            await collect(stream, lambda seen: len(ticks_of(seen, "NSE:INFY")) >= 1)
            await asyncio.get_running_loop().run_in_executor(None, xts_sim.expire_sessions)
            after = await collect(stream, lambda seen: stream.reconnects >= 2 and len(ticks_of(seen, "NSE:INFY")) >= 2,
                                  seconds=20)
            funds = await broker.funds()  # REST works again with the renewed interactive token
            return after, int(funds.cash)

    after, cash = asyncio.run(run())
    assert ticks_of(after, "NSE:INFY")
    assert cash > 0


def test_derivative_ticks_carry_open_interest(tmp_path: Path, xts_sim: XtsSimulator, xts_streaming: Streaming) -> None:
    future = nearest_future("NIFTY").symbol

    async def run() -> list[StreamEvent]:
        async with xts_streaming(tmp_path, xts_sim) as (_, stream):
            await stream.subscribe([future], "full")
            return await collect(stream, lambda seen: any(t.open_interest for t in ticks_of(seen, future)))

    ticks = ticks_of(asyncio.run(run()), future)
    assert {t.mode for t in ticks} == {"full"}
    assert ticks[-1].open_interest
    assert ticks[-1].last_price > 0
