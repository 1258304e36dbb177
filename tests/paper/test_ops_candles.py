"""Paper candles through PaperBroker: drawn from the same seeded walk its quotes come from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from brokerplex.errors import InputError, SymbolError
from brokerplex.formats import IST
from brokerplex.models import InstrumentType
from brokerplex.ops.models import INTERVALS, Candle
from brokerplex_paper.broker import PaperBroker
from brokerplex_paper.stream import tick_of

Call = Callable[[Awaitable[Any]], Any]
INFY = "NSE:INFY"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def broker(paper_home: Any) -> PaperBroker:
    broker: PaperBroker = paper_home.broker()
    return broker


def well_formed(candles: list[Candle]) -> None:
    assert candles, "no candles"
    assert [c.at for c in candles] == sorted({c.at for c in candles})  # oldest first, once each
    for candle in candles:
        assert candle.low <= min(candle.open, candle.close) <= max(candle.open, candle.close) <= candle.high


def test_minute_candles_close_where_the_quotes_traded(broker: PaperBroker, call: Call, clock: Any) -> None:
    start = clock.now
    seen = {}
    for minute in (1, 2, 3, 7):  # quotes at some minutes' ends, as a ticker would show them
        clock.now = start + minute * MINUTE
        seen[clock.now] = call(broker.quotes([INFY]))[INFY].last_price
    clock.now = start + dt.timedelta(minutes=9, seconds=30)
    now = call(broker.quotes([INFY]))[INFY].last_price

    candles = call(broker.candles(INFY, "1m", start, clock.now))

    well_formed(candles)
    assert [c.at for c in candles] == [start + i * MINUTE for i in range(10)]  # up to the one forming now
    closes = {c.at + MINUTE: c.close for c in candles}
    assert {at: closes[at] for at in seen} == seen
    assert candles[-1].close == now
    lot = call(broker.instrument(INFY)).lot_size
    assert all(60 * lot <= c.volume <= 20 * 60 * lot for c in candles[:-1])  # the tape's pace: ~10 lots a second


def test_the_forming_candle_closes_at_the_last_trade(broker: PaperBroker, call: Call, clock: Any) -> None:
    broker.exchange.set_price(INFY, Decimal("1234.50"))  # a trade off the walk, now
    candles = call(broker.candles(INFY, "5m", clock.now - dt.timedelta(hours=1), clock.now))
    well_formed(candles)
    assert candles[-1].at == clock.now  # the paper market trades round the clock: candles at 5-minute marks
    assert candles[-1].close == call(broker.quotes([INFY]))[INFY].last_price == Decimal("1234.50")
    assert len(candles) == 13


def test_every_interval_is_drawn_within_its_range(broker: PaperBroker, call: Call, clock: Any) -> None:
    for interval in INTERVALS:
        width = broker.candle_ranges[interval]
        candles = call(broker.candles(INFY, interval, clock.now - min(width, dt.timedelta(days=3)), clock.now))
        well_formed(candles)
        assert candles[-1].at <= clock.now


def test_day_candles_are_stamped_at_midnight_one_a_day(broker: PaperBroker, call: Call, clock: Any) -> None:
    candles = call(broker.candles(INFY, "1d", clock.now - dt.timedelta(days=9), clock.now))
    well_formed(candles)
    assert all(c.volume >= 86_400 for c in candles[:-1])  # whole days of trading
    assert [c.at.date() for c in candles] == [clock.now.date() - dt.timedelta(days=d) for d in range(9, -1, -1)]
    assert {c.at.astimezone(IST).time() for c in candles} == {dt.time(0)}
    assert candles[-1].close == call(broker.quotes([INFY]))[INFY].last_price


def test_the_day_still_trading_is_the_candle_its_ticks_show(broker: PaperBroker, call: Call, clock: Any) -> None:
    call(broker.quotes([INFY]))  # the exchange's first look: its day's record starts
    for _ in range(5):  # then the market trades on
        clock.now += dt.timedelta(minutes=7)
        quote = call(broker.quotes([INFY]))[INFY]
    tick = tick_of(quote, "full")  # as the stream sends it at this moment
    day = call(broker.candles(INFY, "1d", clock.now - dt.timedelta(days=2), clock.now))[-1]
    assert (day.open, day.high, day.low, day.close, day.volume) == (tick.open, tick.high, tick.low,
                                                                    tick.last_price, tick.volume)
    assert day.low < day.high


def test_a_future_moves_with_its_underlying(broker: PaperBroker, call: Call, clock: Any) -> None:
    future = next(i for i in call(broker.instruments()) if i.instrument_type is InstrumentType.FUT)
    candles = call(broker.candles(future.symbol, "15m", clock.now - dt.timedelta(hours=2), clock.now))
    well_formed(candles)
    quote = call(broker.quotes([future.symbol]))[future.symbol]
    assert candles[-1].close == quote.last_price
    assert {c.open_interest for c in candles} == {quote.open_interest}


def test_bad_requests_are_refused_before_anything_is_drawn(broker: PaperBroker, call: Call, clock: Any) -> None:
    now = clock.now
    with pytest.raises(SymbolError):
        call(broker.candles("NSE:NOSUCH", "1m", now - MINUTE, now))
    with pytest.raises(InputError, match=r"ends .* before it starts"):
        call(broker.candles(INFY, "1m", now, now - MINUTE))
    with pytest.raises(InputError, match="at most 2 days"):
        call(broker.candles(INFY, "1m", now - dt.timedelta(days=3), now))
    with pytest.raises(InputError, match="aware"):
        call(broker.candles(INFY, "1m", now.replace(tzinfo=None), now))
    with pytest.raises(InputError, match="no candle interval"):
        call(broker.candles(INFY, "2m", now - MINUTE, now))  # type: ignore[arg-type]
