"""Ticks keep broker integers and give exact Decimals; reconnect delays back off with jitter; the bounded
event buffer every stream reads through; reading a stream with time bounds."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from brokerplex.errors import TokenExpiredError
from brokerplex.models import Order, OrderStatus, OrderType, Product, Side, Tick
from brokerplex.streaming import Backoff, EventBuffer, FeedState, StreamEvent


def test_prices_are_exact_decimals_of_the_broker_units() -> None:
    tick = Tick(symbol="CDS:USDINR26DECFUT", mode="quote", units=10**7, last=884_625_000,
                ohlc=(884_000_000, 885_000_000, 883_250_000, 883_900_000), average=884_500_000)
    assert tick.last_price == Decimal("88.4625")
    assert (tick.open, tick.high, tick.low, tick.close) == (
        Decimal("88.4"), Decimal("88.5"), Decimal("88.325"), Decimal("88.39"))
    assert tick.average_price == Decimal("88.45")
    assert tick.depth is None


def test_full_ticks_build_depth_and_times_on_access() -> None:
    tick = Tick(symbol="NSE:INFY", mode="full", units=100, last=150_005, exchange_time=1_700_000_000,
                bids=((150_000, 10, 2),), asks=((150_010, 7, 1),))
    depth = tick.depth
    assert depth is not None
    assert (depth.bids[0].price, depth.bids[0].quantity, depth.bids[0].orders) == (Decimal("1500"), 10, 2)
    assert depth.asks[0].price == Decimal("1500.1")
    assert tick.exchange_timestamp == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert tick.last_traded_at is None
    assert tick.open is None


def test_backoff_grows_to_its_cap_and_resets() -> None:
    backoff = Backoff(first=1.0, cap=8.0)
    delays = [backoff.next_delay() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(ceiling / 2 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings, strict=True))
    backoff.reset()
    assert backoff.next_delay() <= 1.0


# -- the event buffer every stream reads through ---------------------------------------------------
PLACED = dt.datetime(2025, 12, 1, 9, 15, tzinfo=dt.UTC)


def tick(symbol: str, last: int) -> Tick:
    return Tick(symbol=symbol, mode="quote", units=100, last=last)


def order(order_id: str) -> Order:
    return Order(order_id=order_id, symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.MARKET,
                 product=Product.CNC, status=OrderStatus.OPEN, placed_at=PLACED, updated_at=PLACED)


async def drain(buffer: EventBuffer) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    while len(buffer):
        event = await buffer.get()
        assert event is not None
        events.append(event)
    return events


def test_a_reader_that_keeps_up_gets_every_event_in_order() -> None:
    async def run() -> None:
        buffer = EventBuffer(capacity=10)
        pushed: list[StreamEvent] = [tick("NSE:INFY", 1), order("1"), tick("NSE:INFY", 2), FeedState("live"),
                                     tick("NSE:TCS", 3), tick("NSE:INFY", 4)]
        for event in pushed:
            buffer.put_tick(event) if isinstance(event, Tick) else buffer.put(event)
        assert len(buffer) == 6
        assert await drain(buffer) == pushed
        assert buffer.dropped == 0

    asyncio.run(run())


def test_a_lagging_reader_gets_the_latest_tick_of_each_symbol_and_every_other_event() -> None:
    async def run() -> None:
        buffer = EventBuffer(capacity=3)
        symbols = ["NSE:INFY", "NSE:TCS", "NSE:SBIN", "NSE:ITC"]
        orders = [order(str(n)) for n in range(20)]
        for n in range(400):
            buffer.put_tick(tick(symbols[n % 4], n))
            if n % 20 == 0:
                buffer.put(orders[n // 20])
            assert len(buffer) <= buffer.capacity + len(symbols) + n // 20 + 1
        events = await drain(buffer)
        ticks = [event for event in events if isinstance(event, Tick)]
        assert [event for event in events if isinstance(event, Order)] == orders
        assert buffer.dropped == 400 - len(ticks)
        assert len(ticks) <= buffer.capacity + len(symbols)
        for symbol in symbols:
            seen = [t.last for t in ticks if t.symbol == symbol]
            assert seen == sorted(seen)  # never an older tick after a newer one
            assert seen[-1] >= 396  # the symbol's last tick is delivered
        # Caught up, it loses nothing again.
        buffer.put_tick(tick("NSE:INFY", 1000))
        buffer.put_tick(tick("NSE:INFY", 1001))
        assert [t.last for t in await drain(buffer) if isinstance(t, Tick)] == [1000, 1001]

    asyncio.run(run())


def test_an_error_reaches_the_reader_after_what_was_waiting_then_the_events_end() -> None:
    async def run() -> None:
        buffer = EventBuffer()
        buffer.put(order("1"))
        buffer.fail(TokenExpiredError("refused"))
        buffer.put(order("2"))  # after the end: never delivered
        assert await buffer.get() == order("1")
        with pytest.raises(TokenExpiredError, match="refused"):
            await buffer.get()
        assert await buffer.get() is None

    asyncio.run(run())


def test_a_read_given_up_on_loses_nothing() -> None:
    async def run() -> None:
        buffer = EventBuffer()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(buffer.get(), 0.01)
        waiting = asyncio.ensure_future(buffer.get())
        await asyncio.sleep(0)
        buffer.put_tick(tick("NSE:INFY", 7))
        assert await asyncio.wait_for(waiting, 2) == tick("NSE:INFY", 7)

    asyncio.run(run())


def test_feed_states_read_as_one_line() -> None:
    assert str(FeedState("reconnecting", 3, 1.234, "connection refused")) == (
        "reconnecting in 1.2 s (attempt 3): connection refused")
    assert str(FeedState("login_needed", reason="run `brokerplex login z1`")) == (
        "login needed: run `brokerplex login z1`")
    assert str(FeedState("live")) == "live"
    assert FeedState("stale").up
    assert not FeedState("connecting").up
