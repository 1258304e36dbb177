"""XTS market-data REST payloads → the unified model: quotes (1501/1502/1512 messages) and OHLC candles.

The same tolerance and the same limits as :mod:`brokerplex_xts_client.mapping`: a quote cannot be
without its last price, and anything unreadable is our ProtocolError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from brokerplex.errors import ProtocolError
from brokerplex.instruments import IST
from brokerplex.models import Depth, DepthLevel, Quote
from brokerplex.payloads import parse_json
from brokerplex_xts_client.mapping import (
    BROKER,
    decimal,
    integer,
    ist_epoch_to_utc,
    market_time,
    money,
    pick,
    readable,
    required,
    text,
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
            parsed = parse_json(item) if isinstance(item, str) else item
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
        price, size = money(level.get("Price")), integer(level.get("Size"))
        if price > 0 and size > 0:
            levels.append(DepthLevel(price=price, quantity=size, orders=integer(level.get("TotalOrders"))))
    return levels


@readable("quote")
def quote(message: Mapping[str, Any], symbol: str) -> Quote:
    """A 1501/1502/1512 message (nested or flat) → Quote; depth from 1502's Bids/Asks, else the touchline."""
    line = touchline(message)
    segment = integer(message.get("ExchangeSegment"), 1)
    bids, asks = _levels(message.get("Bids")), _levels(message.get("Asks"))
    if not bids and not asks:
        bids, asks = _levels([line.get("BidInfo")]), _levels([line.get("AskInfo")])
    traded = market_time(line.get("LastTradedTime"), segment)
    stamp = market_time(pick(message, "ExchangeTimeStamp", "LastUpdateTime") or line.get("LastUpdateTime"), segment)
    last = decimal(required(line, "LastTradedPrice"))
    if last is None:  # "NaN", "-": no last price is not a price of zero
        raise ProtocolError("XTS sent a quote without a last price", broker=BROKER)
    return Quote(
        symbol=symbol,
        last_price=last,
        last_quantity=integer(pick(line, "LastTradedQunatity", "LastTradedQuantity")),
        last_traded_at=utc_time(traded),
        volume=integer(line.get("TotalTradedQuantity")),
        average_price=decimal(line.get("AverageTradedPrice")) or None,
        open=decimal(line.get("Open")) or None,
        high=decimal(line.get("High")) or None,
        low=decimal(line.get("Low")) or None,
        close=decimal(line.get("Close")) or None,
        depth=Depth(bids=sorted(bids, key=lambda level: -level.price),
                    asks=sorted(asks, key=lambda level: level.price)),
        timestamp=utc_time(stamp),
    )


def ohlc_time(moment: dt.datetime) -> str:
    """OHLC query times: ``MMM DD YYYY HHMMSS`` on the IST clock."""
    return moment.astimezone(IST).strftime("%b %d %Y %H%M%S")


def candles(data: Any) -> list[tuple[dt.datetime, Decimal, Decimal, Decimal, Decimal, int, int]]:
    """``dataReponse``: ``ts|o|h|l|c|v|oi|`` candles joined by ``,``; ts on the IST clock (spec section 8)."""
    raw = text(data)
    found = []
    for chunk in raw.split(","):
        if not chunk.strip():
            continue
        fields = chunk.strip().split("|")
        if len(fields) < 6:
            raise ProtocolError(f"XTS sent an unreadable candle {chunk[:60]!r}", broker=BROKER)
        found.append((ist_epoch_to_utc(integer(fields[0])), money(fields[1]), money(fields[2]), money(fields[3]),
                      money(fields[4]), integer(fields[5]), integer(fields[6]) if len(fields) > 6 else 0))
    return found
