"""Candles from the OHLC route and quotes over the per-request limit, against the XTS simulator."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING

import pytest

from brokerplex.errors import InputError, ProtocolError
from brokerplex.formats import IST
from brokerplex.models import InstrumentType
from brokerplex.ops.models import Interval
from brokerplex_xts_client import CAPABILITIES
from brokerplex_xts_client.broker import XtsClientBroker
from brokerplex_xts_client.sim import XtsSimulator

if TYPE_CHECKING:
    from tests.xts_client.conftest import Account, Clients

INFY = "NSE:INFY"


def week() -> tuple[dt.datetime, dt.datetime]:
    """The last five days to now: every range within the six days XTS is asked for at once."""
    end = dt.datetime.now(IST)
    return end - dt.timedelta(days=5), end


def test_candles_come_oldest_first_within_the_range_and_ohlc_consistent(investor: Account) -> None:
    start, end = week()
    bars = investor.run(lambda broker: broker.candles(INFY, "15m", start, end))
    assert bars
    assert [bar.at for bar in bars] == sorted({bar.at for bar in bars})  # oldest first, one per start time
    for bar in bars:
        assert start <= bar.at < end
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert bar.open_interest is None  # a share has none
    steps = {later.at - earlier.at for earlier, later in itertools.pairwise(bars)
             if later.at.date() == earlier.at.date()}
    assert steps == {dt.timedelta(minutes=15)}
    days = investor.run(lambda broker: broker.candles(INFY, "1d", start, end))
    assert len({bar.at.astimezone(IST).date() for bar in days}) == len(days) >= 2


def test_every_interval_is_asked_in_its_own_compression(investor: Account) -> None:
    end = dt.datetime.now(IST)
    for interval, minutes in (("1m", 1), ("3m", 3), ("5m", 5), ("10m", 10), ("30m", 30), ("1h", 60)):
        wanted: Interval = interval  # type: ignore[assignment]
        bars = investor.run(lambda broker: broker.candles(INFY, wanted, end - dt.timedelta(days=4), end))  # noqa: B023
        same_day = [(a, b) for a, b in itertools.pairwise(bars) if a.at.date() == b.at.date()]
        assert same_day, interval
        assert {b.at - a.at for a, b in same_day} == {dt.timedelta(minutes=minutes)}, interval


def test_futures_candles_carry_open_interest(investor: Account) -> None:
    instruments = investor.manager.instruments(investor.name)
    future = next(i.symbol for i in instruments if i.instrument_type is InstrumentType.FUT and i.exchange == "NFO")
    start, end = week()
    bars = investor.run(lambda broker: broker.candles(future, "1h", start, end))
    assert bars
    assert all(bar.open_interest for bar in bars)


def test_candle_ranges_are_six_days_and_longer_ones_are_refused(investor: Account) -> None:
    assert set(XtsClientBroker.candle_ranges.values()) == {dt.timedelta(days=6)}
    end = dt.datetime.now(IST)
    with pytest.raises(InputError, match="at most 6 days"):
        investor.run(lambda broker: broker.candles(INFY, "1d", end - dt.timedelta(days=7), end))
    with pytest.raises(InputError, match="unknown candle interval"):
        investor.run(lambda broker: broker.candles(INFY, "7m", end - dt.timedelta(days=1), end))  # type: ignore[arg-type]


def test_a_malformed_bar_from_the_host_is_a_protocol_error(investor: Account, xts_sim: XtsSimulator) -> None:
    xts_sim.faults.rewrite(r"GET /apimarketdata/instruments/ohlc$", lambda body: body.replace(b"|", b";", 3))
    start, end = week()
    with pytest.raises(ProtocolError, match="candle"):
        investor.run(lambda broker: broker.candles(INFY, "15m", start, end))


def test_quotes_beyond_the_batch_are_asked_in_several_requests(investor: Account, xts_sim: XtsSimulator,
                                                               xts_api: Clients) -> None:
    assert CAPABILITIES.quote_batch == 50
    options = [i.symbol for i in investor.manager.instruments(investor.name)
               if i.instrument_type in (InstrumentType.CE, InstrumentType.PE)][:120]
    assert len(options) == 120
    quotes = investor.manager.quotes(investor.name, options)
    assert set(quotes) == set(options)
    market = xts_api(xts_sim, "investor", "marketdata")
    too_many = [{"exchangeSegment": 2, "exchangeInstrumentID": i.exchange_token}
                for i in investor.manager.instruments(investor.name)
                if i.instrument_type is InstrumentType.CE][:51]
    refused = xts_api.error_of(market.call("POST", "/apimarketdata/instruments/quotes", {
        "instruments": too_many, "xtsMessageCode": 1502, "publishFormat": "JSON"}))
    assert refused["result"]["errors"] == ["at most 50 instruments a request"]
