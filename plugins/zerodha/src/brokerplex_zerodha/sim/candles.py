"""Kite's historical candles: its interval names, its range limits and its row shape, over the candles the
paper market draws from its own price path (:mod:`brokerplex_paper.candles`), as the paper broker draws
them: on the exchange's own walk, so that they agree with the simulator's quotes and ticks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from brokerplex_paper.candles import exchange_candles
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.universe import Listing

INTERVALS = {"minute": 1, "3minute": 3, "5minute": 5, "10minute": 10, "15minute": 15, "30minute": 30,
             "60minute": 60, "day": 0}
# The longest range one call may ask for, per interval (days).
MAX_DAYS = {"minute": 60, "3minute": 100, "5minute": 100, "10minute": 100, "15minute": 200, "30minute": 200,
            "60minute": 400, "day": 2000}


def candles(exchange: PaperExchange, listing: Listing, interval: str, start: dt.datetime, end: dt.datetime,
            oi: bool) -> list[list[Any]]:
    """Candles of ``interval`` between ``start`` and ``end`` (IST), weekdays in session only, none in the
    future, the one still forming closing at the last traded price, as Kite's rows: time, open, high, low,
    close, volume (and open interest)."""
    rows: list[list[Any]] = []
    for candle in exchange_candles(exchange, listing, INTERVALS[interval], start, end, sessions=True):
        row: list[Any] = [candle.at.strftime("%Y-%m-%dT%H:%M:%S%z"), float(candle.open), float(candle.high),
                          float(candle.low), float(candle.close), candle.volume]
        if oi:
            row.append(candle.open_interest or 0)
        rows.append(row)
    return rows
