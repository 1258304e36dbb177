"""The streaming tick: the hot path of market data, a slotted dataclass rather than a pydantic model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from brokerplex.formats import IST, money_at_places_of, money_places, money_text

if TYPE_CHECKING:
    from brokerplex.models import Depth, DepthLevel

TickMode = Literal["ltp", "quote", "full"]
PriceLevel = tuple[int, int, int]  # (price in units, quantity, orders)
_DIGITS = {10**n: n for n in range(10)}  # units per rupee that are a power of ten -> its decimal digits


@dataclass(frozen=True, slots=True)
class Tick:
    """One streaming update; ``mode`` says how much of it is filled in.

    Ticks are the hot path (thousands a second), so this is a slotted dataclass, not
    a pydantic model: prices are kept as the integers brokers send (``units`` per
    rupee: 100 for paise, 10**7 for Kite's currency segment) and turned into exact
    Decimals only when read. ``benchmarks/kite_ticks.py`` measures why.
    """

    symbol: str
    mode: TickMode
    units: int
    last: int
    last_quantity: int | None = None
    average: int | None = None
    volume: int | None = None
    buy_quantity: int | None = None
    sell_quantity: int | None = None
    ohlc: tuple[int, int, int, int] | None = None  # open, high, low, previous close
    open_interest: int | None = None
    last_traded: int | None = None  # epoch seconds
    exchange_time: int | None = None  # epoch seconds
    bids: tuple[PriceLevel, ...] = ()
    asks: tuple[PriceLevel, ...] = ()

    def price(self, units: int) -> Decimal:
        return Decimal(units) / self.units

    @property
    def last_price(self) -> Decimal:
        return self.price(self.last)

    @property
    def average_price(self) -> Decimal | None:
        return None if self.average is None else self.price(self.average)

    @property
    def open(self) -> Decimal | None:
        return None if self.ohlc is None else self.price(self.ohlc[0])

    @property
    def high(self) -> Decimal | None:
        return None if self.ohlc is None else self.price(self.ohlc[1])

    @property
    def low(self) -> Decimal | None:
        return None if self.ohlc is None else self.price(self.ohlc[2])

    @property
    def close(self) -> Decimal | None:
        return None if self.ohlc is None else self.price(self.ohlc[3])

    @property
    def depth(self) -> Depth | None:
        if self.mode != "full":
            return None
        from brokerplex.models import Depth  # the pydantic models import this module

        return Depth(bids=[self._level(level) for level in self.bids], asks=[self._level(level) for level in self.asks])

    @property
    def exchange_timestamp(self) -> dt.datetime | None:
        return None if self.exchange_time is None else dt.datetime.fromtimestamp(self.exchange_time, IST)

    @property
    def last_traded_at(self) -> dt.datetime | None:
        return None if self.last_traded is None else dt.datetime.fromtimestamp(self.last_traded, IST)

    def json_record(self) -> dict[str, object]:
        """The tick in the one JSON form of the models (money at the symbol's places, times in IST);
        fields the tick does not carry are left out."""
        places = money_places(self.symbol)
        record: dict[str, object] = {"symbol": self.symbol, "mode": self.mode,
                                     "last_price": self.money(self.last, places)}
        open_, high, low, close = self.ohlc or (None, None, None, None)
        optional = {"last_quantity": self.last_quantity, "volume": self.volume, "open_interest": self.open_interest}
        prices = {"average_price": self.average, "open": open_, "high": high, "low": low, "close": close}
        record.update({key: value for key, value in optional.items() if value is not None})
        record.update({key: self.money(value, places) for key, value in prices.items() if value is not None})
        if self.exchange_time is not None:
            record["exchange_timestamp"] = dt.datetime.fromtimestamp(self.exchange_time, IST).isoformat()
        if (depth := self.depth) is not None:
            with money_at_places_of(self.symbol):
                record["depth"] = depth.model_dump(mode="json")
        return record

    def money(self, raw: int, places: int) -> str:
        """``money_text`` of the price ``raw`` units make, in integers when the units are a power of ten (a
        quote tick's JSON line took 15 µs through Decimals, 9 µs so: the server's sockets make one a tick)."""
        digits = _DIGITS.get(self.units)
        if digits is None:
            return money_text(self.price(raw), places)
        whole, fraction = divmod(abs(raw), self.units)
        tail = f"{fraction:0{digits}d}".rstrip("0") if digits else ""
        return f"{'-' if raw < 0 else ''}{whole}.{tail.ljust(places, '0')}"

    def _level(self, level: PriceLevel) -> DepthLevel:
        from brokerplex.models import DepthLevel

        return DepthLevel(price=self.price(level[0]), quantity=level[1], orders=level[2])
