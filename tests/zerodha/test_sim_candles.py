"""The Kite simulator's historical candles, read with the official client while the simulator's clock is
held: they are drawn on the same walk as its quotes, so a minute closes where the quotes traded and the
candle still forming closes at the last price."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from brokerplex.formats import IST
from brokerplex_zerodha.sim import KiteSimulator
from clocks import HeldClock

INFY = "NSE:INFY"
MINUTE = dt.timedelta(minutes=1)
MONDAY_10AM = dt.datetime(2026, 11, 30, 10, 0, tzinfo=IST)




@pytest.fixture
def clock() -> HeldClock:
    return HeldClock(MONDAY_10AM)


@pytest.fixture
def held(kite_sim_factory: Callable[..., KiteSimulator], kite_login: Callable[..., Any], clock: HeldClock) -> Any:
    """The official client on a simulator whose clock the test holds (rate limits off: time stands still)."""
    return kite_login(kite_sim_factory(clock=clock, rate_limits=False))


def naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(IST).replace(tzinfo=None)  # the client sends IST wall-clock time


def test_minute_candles_close_where_the_quotes_traded(held: Any, clock: HeldClock) -> None:
    token = held.ltp(INFY)[INFY]["instrument_token"]
    start, seen = clock.now, {}
    for minute in (1, 2, 3, 7):  # quotes at some minutes' ends, as the ticker would show them
        clock.now = start + minute * MINUTE
        seen[clock.now] = held.ltp(INFY)[INFY]["last_price"]
    clock.now = start + dt.timedelta(minutes=9, seconds=30)
    last = held.quote(INFY)[INFY]

    candles = held.historical_data(token, naive(start), naive(clock.now), "minute")

    assert [c["date"] for c in candles] == [start + i * MINUTE for i in range(10)]  # up to the one forming now
    closes = {c["date"] + MINUTE: c["close"] for c in candles}
    assert {at: closes[at] for at in seen} == seen
    assert candles[-1]["close"] == last["last_price"]
    assert all(c["low"] <= min(c["open"], c["close"]) <= max(c["open"], c["close"]) <= c["high"] for c in candles)


def test_a_futures_candles_follow_its_quotes_with_open_interest(held: Any, clock: HeldClock) -> None:
    future = min((row for row in held.instruments("NFO") if row["name"] == "NIFTY" and row["instrument_type"] == "FUT"),
                 key=lambda row: row["expiry"])
    key = f"NFO:{future['tradingsymbol']}"
    quote = held.quote(key)[key]
    candles = held.historical_data(future["instrument_token"], naive(clock.now - dt.timedelta(hours=1)),
                                   naive(clock.now), "15minute", oi=True)
    assert candles[-1]["close"] == quote["last_price"]
    assert {c["oi"] for c in candles} == {quote["oi"]}
