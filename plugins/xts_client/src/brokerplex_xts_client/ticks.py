"""Market-data socket messages → :class:`~brokerplex.models.Tick`: pure and fast.

Full mode sends JSON text per message (``1501-json-full``); Partial mode sends
``key:value`` text with only the changed fields (``t:1_2885,ltp:1567.95,bi:0|10|1567.9|2``,
spec section 11.2), so a :class:`TickBook` keeps each instrument's last tick and
merges what changed. Prices become integers in ``units`` per rupee (100, or 10 000
for currency segments quoted to 0.0025).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from brokerplex.errors import ProtocolError
from brokerplex.models import PriceLevel, Tick, TickMode
from brokerplex.wire import parse_json
from brokerplex_xts_client.mapping import EPOCH_1980, IST_OFFSET, NSE_SEGMENTS

TOUCHLINE, DEPTH, CANDLE, OPEN_INTEREST, LTP = 1501, 1502, 1505, 1510, 1512
MODES: dict[int, TickMode] = {LTP: "ltp", TOUCHLINE: "quote", DEPTH: "full"}
CODES: dict[TickMode, int] = {mode: code for code, mode in MODES.items()}
CURRENCY_SEGMENTS = frozenset({3, 13})

Key = tuple[int, int]


def units_of(segment: int) -> int:
    return 10_000 if segment in CURRENCY_SEGMENTS else 100


def _price(value: Any, units: int) -> int:
    if isinstance(value, str):
        value = value.replace(",", "")
    return round(float(value) * units)


def _int(value: Any) -> int:
    return int(float(value)) if isinstance(value, str) else int(value)


def _time(value: Any, segment: int) -> int | None:
    seconds = _int(value) if value not in (None, "") else 0
    if seconds <= 0:
        return None
    return seconds + (EPOCH_1980 if segment in NSE_SEGMENTS else 0) - IST_OFFSET


def _levels(raw: Any, units: int) -> tuple[PriceLevel, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple((_price(level["Price"], units), _int(level["Size"]), _int(level.get("TotalOrders", 0)))
                 for level in raw if isinstance(level, Mapping) and level.get("Price"))


def full_tick(code: int, message: Mapping[str, Any], symbol: str, previous: Tick | None) -> Tick | None:
    """A Full-mode message (already JSON-decoded) as a tick; None for codes that carry no price."""
    segment = _int(message.get("ExchangeSegment", 1))
    units = units_of(segment)
    if code in (TOUCHLINE, DEPTH, LTP):
        line = message.get("Touchline")
        line = line if isinstance(line, Mapping) else message
        last = _price(line.get("LastTradedPrice", 0), units)
        quantity = line.get("LastTradedQunatity", line.get("LastTradedQuantity"))
        if code == LTP:
            return Tick(symbol, "ltp", units, last, None if quantity is None else _int(quantity),
                        exchange_time=_time(line.get("LastUpdateTime"), segment))
        bids, asks = (_levels(message.get("Bids"), units), _levels(message.get("Asks"), units)) if code == DEPTH \
            else ((), ())
        return Tick(
            symbol, MODES[code], units, last,
            last_quantity=None if quantity is None else _int(quantity),
            average=_price(line.get("AverageTradedPrice", 0), units),
            volume=_int(line.get("TotalTradedQuantity", 0)),
            buy_quantity=_int(line.get("TotalBuyQuantity", 0)),
            sell_quantity=_int(line.get("TotalSellQuantity", 0)),
            ohlc=(_price(line.get("Open", 0), units), _price(line.get("High", 0), units),
                  _price(line.get("Low", 0), units), _price(line.get("Close", 0), units)),
            last_traded=_time(line.get("LastTradedTime"), segment),
            exchange_time=_time(message.get("ExchangeTimeStamp") or line.get("LastUpdateTime"), segment),
            bids=bids, asks=asks,
        )
    if code == OPEN_INTEREST:
        oi = _int(message.get("OpenInterest", 0))
        stamp = _time(message.get("ExchangeTimeStamp"), segment)
        if previous is None:
            return None  # open interest alone has no price to carry
        return dataclasses.replace(previous, open_interest=oi, exchange_time=stamp or previous.exchange_time)
    if code == CANDLE:
        close = _price(message.get("Close", 0), units)
        bar = _int(message.get("BarTime", 0))
        base = previous or Tick(symbol, "ltp", units, close)
        return dataclasses.replace(base, last=close, exchange_time=bar - IST_OFFSET if bar > 0 else None)
    return None


def parse_partial(text: str) -> tuple[Key, dict[str, str]]:
    """``t:1_2885,ltp:1567.95,…`` → ((segment, instrument), {key: value}); empty values mean "unchanged"."""
    fields: dict[str, str] = {}
    for pair in text.split(","):
        name, _, value = pair.partition(":")
        if value:
            fields[name.strip()] = value.strip()
    segment, _, ident = fields.pop("t", "").partition("_")
    try:
        return (int(segment), int(ident)), fields
    except ValueError:
        raise ProtocolError(f"partial market-data message without a t:<segment>_<id> ({text[:60]!r})",
                            broker="xts_client") from None


def _merge_levels(old: tuple[PriceLevel, ...], raw: str, units: int) -> tuple[PriceLevel, ...]:
    """``index|size|price|orders`` groups (NM's layout) replace those levels of the book."""
    levels = list(old)
    parts = raw.split("|")
    for start in range(0, len(parts) - 3, 4):
        index, size, price, orders = parts[start:start + 4]
        position = int(index)
        level = (_price(price, units), int(float(size)), int(float(orders or 0)))
        while len(levels) <= position:
            levels.append((0, 0, 0))
        levels[position] = level
    return tuple(level for level in levels if level[0] > 0)


def partial_tick(code: int, segment: int, fields: Mapping[str, str], symbol: str,
                 previous: Tick | None) -> Tick | None:
    """Merge a Partial-mode message into the instrument's previous tick."""
    units = units_of(segment)
    if code == OPEN_INTEREST:
        return None if previous is None or "o" not in fields else dataclasses.replace(
            previous, open_interest=_int(fields["o"]))
    if code == CANDLE:
        if "c" not in fields:
            return None
        base = previous or Tick(symbol, "ltp", units, 0)
        bar = _int(fields.get("bt", 0))
        return dataclasses.replace(base, last=_price(fields["c"], units),
                                   exchange_time=bar - IST_OFFSET if bar > 0 else base.exchange_time)
    mode = MODES.get(code)
    if mode is None:
        return None
    current = previous if previous is not None and previous.mode == mode else None
    if current is None:
        if "ltp" not in fields:
            return None  # nothing to build on yet
        current = Tick(symbol, mode, units, _price(fields["ltp"], units))
    changes: dict[str, Any] = {}
    simple: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "ltp": ("last", lambda v: _price(v, units)), "ltq": ("last_quantity", _int),
        "ap": ("average", lambda v: _price(v, units)), "v": ("volume", _int),
        "tb": ("buy_quantity", _int), "ts": ("sell_quantity", _int),
        "ltt": ("last_traded", lambda v: _time(v, segment)), "lut": ("exchange_time", lambda v: _time(v, segment)),
    }
    for key, value in fields.items():
        target = simple.get(key)
        if target is not None:
            changes[target[0]] = target[1](value)
    if mode != "ltp" and any(key in fields for key in ("o", "h", "l", "c")):
        old = current.ohlc or (0, 0, 0, 0)
        changes["ohlc"] = tuple(_price(fields[key], units) if key in fields else old[i]
                                for i, key in enumerate(("o", "h", "l", "c")))
    if mode == "full" or mode == "quote":
        if "bi" in fields:
            changes["bids"] = _merge_levels(current.bids, fields["bi"], units)
        if "ai" in fields:
            changes["asks"] = _merge_levels(current.asks, fields["ai"], units)
    return dataclasses.replace(current, **changes) if changes else current


class TickBook:
    """Each instrument's last tick, so that partial and open-interest messages can be merged."""

    def __init__(self, resolve: Callable[[Key, int], str | None]) -> None:
        """``resolve(key, code)``: the symbol of an instrument whose ``code`` messages are wanted, else None."""
        self._resolve = resolve
        self._last: dict[Key, Tick] = {}

    def forget(self, key: Key) -> None:
        self._last.pop(key, None)

    def full(self, code: int, data: Any) -> Tick | None:
        """One ``<code>-json-full`` event (its JSON text, or an already decoded object)."""
        try:
            message = parse_json(data) if isinstance(data, str | bytes) else data
            if not isinstance(message, Mapping):
                raise ProtocolError("a market-data event that is not a JSON object", broker="xts_client")
            key = (_int(message["ExchangeSegment"]), _int(message["ExchangeInstrumentID"]))
            symbol = self._resolve(key, code)
            if symbol is None:
                return None  # not ours (1105 broadcasts reach every socket)
            tick = full_tick(code, message, symbol, self._last.get(key))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"unreadable {code} market-data event ({type(exc).__name__}: {exc})",
                                broker="xts_client") from None
        if tick is not None:
            self._last[key] = tick
        return tick

    def partial(self, code: int, data: Any) -> Tick | None:
        """One ``<code>-json-partial`` event."""
        if not isinstance(data, str):
            raise ProtocolError("a partial market-data event that is not text", broker="xts_client")
        key, fields = parse_partial(data)
        symbol = self._resolve(key, code)
        if symbol is None:
            return None
        try:
            tick = partial_tick(code, key[0], fields, symbol, self._last.get(key))
        except (TypeError, ValueError) as exc:
            raise ProtocolError(f"unreadable {code} partial event ({exc})", broker="xts_client") from None
        if tick is not None:
            self._last[key] = tick
        return tick
