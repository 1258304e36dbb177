"""Candles (Kite's historical route, in our interval names and within its range per interval) and quotes
in batches of Kite's 500 instruments a call, through the Zerodha broker against the Kite simulator."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from brokerplex.errors import InputError, ProtocolError, SymbolError
from brokerplex.ops.models import INTERVALS, Candle, Interval
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator

OnKite = Callable[..., Any]
HISTORICAL = "GET /instruments/historical/"
WIDTHS: dict[Interval, dt.timedelta] = {"1m": dt.timedelta(minutes=1), "3m": dt.timedelta(minutes=3),
                                        "5m": dt.timedelta(minutes=5), "10m": dt.timedelta(minutes=10),
                                        "15m": dt.timedelta(minutes=15), "30m": dt.timedelta(minutes=30),
                                        "1h": dt.timedelta(hours=1), "1d": dt.timedelta(days=1)}


def candles_of(on_kite: OnKite, symbol: str, interval: Interval, start: dt.datetime, end: dt.datetime) -> list[Candle]:
    async def work(broker: ZerodhaBroker) -> list[Candle]:
        return await broker.candles(symbol, interval, start, end)

    found = on_kite(work)
    assert isinstance(found, list)
    return found


def test_day_candles_are_oldest_first_and_well_formed(on_kite: OnKite) -> None:
    end = dt.datetime.now(dt.UTC)
    candles = candles_of(on_kite, "NSE:INFY", "1d", end - dt.timedelta(days=10), end)
    assert candles  # ten days hold trading days
    assert all(isinstance(c, Candle) and c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high
               for c in candles)
    ats = [c.at for c in candles]
    assert ats == sorted(ats)
    assert len(set(ats)) == len(ats)
    assert all(c.open_interest is None for c in candles)  # an equity: Kite is not asked for open interest


@pytest.mark.parametrize("interval", INTERVALS[:-1])
def test_intraday_candles_fall_inside_the_window_one_interval_apart(on_kite: OnKite, interval: Interval) -> None:
    end = dt.datetime.now(dt.UTC)
    start = end - dt.timedelta(days=4)
    candles = candles_of(on_kite, "NSE:INFY", interval, start, end)
    assert candles  # four days hold at least one trading session
    # Each bar starts inside the window (the first may start in the minute the window starts in);
    # a wrong IST conversion would shift them by 5:30.
    first_minute = start.replace(second=0, microsecond=0)
    outside = [c.at for c in candles if not first_minute <= c.at <= end]
    assert not outside, f"bars outside {start}..{end}: {outside[:3]}"
    steps = {later.at - earlier.at for earlier, later in itertools.pairwise(candles)
             if later.at.date() == earlier.at.date()}
    assert steps <= {WIDTHS[interval]}, steps


def test_futures_candles_carry_open_interest(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> list[Candle]:
        store = await broker.instrument_store()
        future = min((i for i in store.instruments() if i.name == "NIFTY" and i.instrument_type.value == "FUT"),
                     key=lambda i: i.expiry or dt.date.max)
        end = dt.datetime.now(dt.UTC)
        return await broker.candles(future.symbol, "1d", end - dt.timedelta(days=10), end)

    candles = on_kite(work)
    assert candles
    assert all(c.open_interest is not None and c.open_interest > 0 for c in candles)


def test_each_interval_has_kites_longest_range_and_asks_for_it_in_one_request(
        kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    assert {interval: span.days for interval, span in ZerodhaBroker.candle_ranges.items()} == {
        "1m": 60, "3m": 100, "5m": 100, "10m": 100, "15m": 200, "30m": 200, "1h": 400, "1d": 2000}
    # Answered before the simulator draws a year of candles: this is about what the broker sends.
    sent = kite_sim.faults.refuse(HISTORICAL, status=200, body=b'{"status": "success", "data": {"candles": []}}',
                                  times=None)
    end = dt.datetime.now(dt.UTC)
    for interval in INTERVALS:
        assert candles_of(on_kite, "NSE:INFY", interval, end - ZerodhaBroker.candle_ranges[interval], end) == []
    assert sent.applied == len(INTERVALS)
    assert [hit.rsplit("/", 1)[1] for hit in sent.hits] == [
        "minute", "3minute", "5minute", "10minute", "15minute", "30minute", "60minute", "day"]


@pytest.mark.parametrize(
    ("interval", "days", "message"),
    [("fortnight", 1, "unknown candle interval 'fortnight'"), ("minute", 1, "unknown candle interval"),
     ("1m", 61, "at most 60 days"), ("5m", 101, "at most 100 days"), ("1d", 2001, "at most 2000 days"),
     ("1d", -1, "comes before its start")],
)
def test_a_bad_interval_or_range_is_refused_before_any_request(
        kite_sim: KiteSimulator, on_kite: OnKite, interval: str, days: int, message: str) -> None:
    watch = kite_sim.faults.refuse(HISTORICAL, status=503)
    end = dt.datetime.now(dt.UTC)
    with pytest.raises(InputError, match=message):
        candles_of(on_kite, "NSE:INFY", interval, end - dt.timedelta(days=days), end)  # type: ignore[arg-type]
    assert watch.applied == 0


def test_an_unlisted_symbol_is_a_symbol_error(on_kite: OnKite) -> None:
    end = dt.datetime.now(dt.UTC)
    with pytest.raises(SymbolError):
        candles_of(on_kite, "NSE:NOSUCHSCRIP", "1d", end - dt.timedelta(days=1), end)


@pytest.mark.parametrize("candle", [
    ["2024-01-02T09:15:00+0530", 1, 2, 0.5, "high", 10],  # a price that is no number
    ["2024-01-02T09:15:00+0530", 1, 2, 0.5, 1.5],  # no volume
    ["2024-01-02T09:15:00+0530", 1, 2, 0.5, 1.5, 10.5],  # a fraction of a share
    ["9999-99-99T09:15:00+0530", 1, 2, 0.5, 1.5, 10],  # no such day
])
def test_an_unreadable_candle_is_a_protocol_error(kite_sim: KiteSimulator, on_kite: OnKite,
                                                  candle: list[Any]) -> None:
    kite_sim.faults.answer(HISTORICAL, json.dumps({"status": "success", "data": {"candles": [candle]}}))
    end = dt.datetime.now(dt.UTC)
    with pytest.raises(ProtocolError):
        candles_of(on_kite, "NSE:INFY", "1d", end - dt.timedelta(days=5), end)


def test_quotes_go_in_calls_of_at_most_kites_batch(
        kite_sim: KiteSimulator, on_kite: OnKite, monkeypatch: pytest.MonkeyPatch) -> None:
    from brokerplex_zerodha import CAPABILITIES, broker

    assert broker.QUOTE_BATCH == CAPABILITIES.quote_batch == 500  # Kite's cap on /quote
    # The simulator lists fewer than 500 instruments: a batch of 100 shows the split.
    monkeypatch.setattr(broker, "QUOTE_BATCH", 100)

    async def work(broker: ZerodhaBroker) -> tuple[list[str], dict[str, Any]]:
        store = await broker.instrument_store()
        symbols = sorted(i.symbol for i in store.instruments())
        return symbols, await broker.quotes(symbols + symbols[:10])  # a symbol asked twice is fetched once

    watch = kite_sim.faults.rewrite("GET /quote$", lambda body: body, times=None)
    symbols, quotes = on_kite(work)
    assert len(symbols) > 200
    assert set(quotes) == set(symbols)
    assert watch.applied == -(-len(symbols) // 100)


def test_the_simulator_refuses_more_than_500_instruments_a_quote_call(kite: Any) -> None:
    from kiteconnect.exceptions import InputException

    with pytest.raises(InputException, match="Max permitted is 500"):
        kite.quote(*["NSE:INFY"] * 501)
