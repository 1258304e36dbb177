"""Ticks keep broker integers and give exact Decimals; reconnect delays back off with jitter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from brokerplex.models import Tick
from brokerplex.streaming import Backoff


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
