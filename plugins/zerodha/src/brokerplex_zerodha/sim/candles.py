"""Historical candles drawn from the paper market's price model (the same seeded walk)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from brokerplex.formats import IST
from brokerplex.models import InstrumentType
from brokerplex_paper.hours import SESSIONS
from brokerplex_paper.market import rng, walk
from brokerplex_paper.universe import Listing

INTERVALS = {"minute": 1, "3minute": 3, "5minute": 5, "10minute": 10, "15minute": 15, "30minute": 30,
             "60minute": 60, "day": 0}
# The longest range one call may ask for, per interval (days).
MAX_DAYS = {"minute": 60, "3minute": 100, "5minute": 100, "10minute": 100, "15minute": 200, "30minute": 200,
            "60minute": 400, "day": 2000}
_SAMPLES = 4  # price samples per candle for its high and low


def _price(listing: Listing, seed: int, moment: dt.datetime) -> Decimal:
    return walk(listing, listing.reference_price, seed, moment, 1.0)


def _candle(listing: Listing, seed: int, start: dt.datetime, end: dt.datetime, oi: bool) -> list[Any]:
    step = (end - start) / _SAMPLES
    prices = [_price(listing, seed, start + step * i) for i in range(_SAMPLES + 1)]
    symbol = listing.instrument.symbol
    tradable = listing.instrument.instrument_type is not InstrumentType.INDEX
    volume = rng(seed, symbol, start.isoformat(), "volume").randint(1, 500) * listing.instrument.lot_size \
        if tradable else 0
    row: list[Any] = [start.strftime("%Y-%m-%dT%H:%M:%S%z"), float(prices[0]), float(max(prices)),
                      float(min(prices)), float(prices[-1]), volume]
    if oi:
        derivative = listing.instrument.instrument_type in (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)
        row.append(rng(seed, symbol, "oi").randint(100, 50_000) * listing.instrument.lot_size if derivative else 0)
    return row


def candles(listing: Listing, seed: int, interval: str, start: dt.datetime, end: dt.datetime, now: dt.datetime,
            oi: bool) -> list[list[Any]]:
    """Candles of ``interval`` between ``start`` and ``end`` (IST), weekdays in session only, none
    in the future."""
    opens, closes = SESSIONS[listing.instrument.exchange]
    minutes = INTERVALS[interval]
    rows: list[list[Any]] = []
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5:
            session_open = dt.datetime.combine(day, opens, IST)
            session_close = dt.datetime.combine(day, closes, IST)
            if minutes == 0:
                midnight = dt.datetime.combine(day, dt.time(0), IST)
                if start.date() <= day <= end.date() and session_open <= now:
                    rows.append(_candle(listing, seed, session_open, min(session_close, now), oi))
                    rows[-1][0] = midnight.strftime("%Y-%m-%dT%H:%M:%S%z")
            else:
                width = dt.timedelta(minutes=minutes)
                moment = session_open
                while moment < session_close and moment <= end and moment <= now:
                    if moment >= start:
                        rows.append(_candle(listing, seed, moment, min(moment + width, session_close, now), oi))
                    moment += width
        day += dt.timedelta(days=1)
    return rows
