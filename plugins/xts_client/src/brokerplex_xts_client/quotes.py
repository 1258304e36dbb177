"""XTS market-data REST payloads → the unified model: quotes (1501/1502/1512 messages) and OHLC candles.

The same tolerance and the same limits as :mod:`brokerplex_xts_client.mapping`: a quote cannot be
without its last price, and anything unreadable is our ProtocolError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from brokerplex import wire
from brokerplex.errors import ProtocolError
from brokerplex.formats import IST
from brokerplex.models import Depth, DepthLevel, Quote
from brokerplex.ops.models import Candle
from brokerplex_xts_client.mapping import (
    BROKER,
    amount,
    amount_or_zero,
    decimal,
    integer,
    ist_epoch_to_utc,
    market_time,
    utc_time,
)


def listed_quotes(result: Any) -> list[dict[str, Any]]:
    """``listQuotes``: JSON *strings* (or, from lenient servers, objects) → dicts."""
    raw = result.get("listQuotes") if isinstance(result, Mapping) else None
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ProtocolError("XTS sent listQuotes that is not a list", broker=BROKER)
    found = []
    for item in raw:
        try:
            parsed = wire.parse_json(item) if isinstance(item, str) else item
        except ValueError:
            raise ProtocolError("XTS sent a quote that is not JSON", broker=BROKER) from None
        if not isinstance(parsed, dict):
            raise ProtocolError("XTS sent a quote that is not an object", broker=BROKER)
        found.append(parsed)
    return found


def touchline(message: Mapping[str, Any]) -> Mapping[str, Any]:
    """The Touchline of a 1501/1502 message; flat quotes carry its fields at the top level."""
    nested = message.get("Touchline")
    return nested if isinstance(nested, Mapping) else message


def _levels(raw: Any) -> list[DepthLevel]:
    if not isinstance(raw, list):
        return []
    levels = []
    for level in raw:
        if not isinstance(level, Mapping):
            continue
        price, size = amount_or_zero(level.get("Price"), "Price"), integer(level.get("Size"), "Size")
        if price > 0 and size > 0:
            levels.append(DepthLevel(price=price, quantity=size, orders=integer(level.get("TotalOrders"),
                                                                                "TotalOrders")))
    return levels


def quote(message: Mapping[str, Any], symbol: str) -> Quote:
    """A 1501/1502/1512 message (nested or flat) → Quote; depth from 1502's Bids/Asks, else the touchline."""
    with wire.reading(BROKER, "quote", message):
        return _quote(message, symbol)


def _quote(message: Mapping[str, Any], symbol: str) -> Quote:
    line = touchline(message)
    segment = integer(message.get("ExchangeSegment"), "ExchangeSegment", 1)
    bids, asks = _levels(message.get("Bids")), _levels(message.get("Asks"))
    if not bids and not asks:
        bids, asks = _levels([line.get("BidInfo")]), _levels([line.get("AskInfo")])
    traded = market_time(line.get("LastTradedTime"), segment)
    stamp = market_time(wire.field(message, "ExchangeTimeStamp", "LastUpdateTime") or line.get("LastUpdateTime"),
                        segment)
    last = decimal(line.get("LastTradedPrice"), "LastTradedPrice")
    if last is None:  # missing, "NaN", "-": no last price is not a price of zero
        raise ProtocolError("XTS sent a quote without a last price", broker=BROKER)
    return Quote(
        symbol=symbol,
        last_price=last,
        last_quantity=integer(wire.field(line, "LastTradedQunatity", "LastTradedQuantity"), "LastTradedQuantity"),
        last_traded_at=utc_time(traded),
        volume=integer(line.get("TotalTradedQuantity"), "TotalTradedQuantity"),
        average_price=decimal(line.get("AverageTradedPrice"), "AverageTradedPrice") or None,
        open=decimal(line.get("Open"), "Open") or None,
        high=decimal(line.get("High"), "High") or None,
        low=decimal(line.get("Low"), "Low") or None,
        close=decimal(line.get("Close"), "Close") or None,
        depth=Depth(bids=sorted(bids, key=lambda level: -level.price),
                    asks=sorted(asks, key=lambda level: level.price)),
        timestamp=utc_time(stamp),
    )


def ohlc_time(moment: dt.datetime) -> str:
    """OHLC query times: ``MMM DD YYYY HHMMSS`` on the IST clock."""
    return moment.astimezone(IST).strftime("%b %d %Y %H%M%S")


def candles(data: Any) -> list[Candle]:
    """``dataReponse``: bars ``ts|o|h|l|c|v|oi|`` joined by ``,``, ts on the IST clock (spec section 8), oldest
    first. Read strictly: a bar without its seven values, or whose high and low do not hold its open and
    close, is a ProtocolError, never a candle."""
    with wire.reading(BROKER, "candles", data):
        raw = wire.text(data, "dataReponse", "")
        found = [_bar(chunk.strip()) for chunk in raw.split(",") if chunk.strip()]
        return sorted(found, key=lambda candle: candle.at)


def _bar(chunk: str) -> Candle:
    fields = chunk.split("|")
    if fields[-1] == "":  # the trailing pipe
        fields.pop()
    if len(fields) != 7:
        raise ProtocolError(f"XTS sent an unreadable candle {chunk[:60]!r}", broker=BROKER)
    at, opened, high, low, close, volume, interest = fields
    candle = Candle(at=ist_epoch_to_utc(wire.whole(at, "time")), open=amount(opened, "open"),
                    high=amount(high, "high"), low=amount(low, "low"), close=amount(close, "close"),
                    volume=wire.whole(volume, "volume"), open_interest=integer(interest, "open interest") or None)
    if not candle.low <= min(candle.open, candle.close) <= max(candle.open, candle.close) <= candle.high:
        raise ProtocolError(f"XTS sent a candle whose high and low do not hold its open and close {chunk[:60]!r}",
                            broker=BROKER)
    return candle
