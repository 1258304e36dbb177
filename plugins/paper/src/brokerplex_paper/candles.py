"""Candles drawn from the paper market's own price path: the seeded walk its quotes and ticks come from.

The walk is a function of the moment (:func:`brokerplex_paper.market.walk`), so a candle is the
walk's price at its start (open), at a few moments inside it and at its end (high and low over all
of them), and at its end (close); the candle still forming ends now, at the last traded price. A
future or option is priced off its underlying's walk at each of those moments, as the exchange
prices it. One implementation for the paper broker and the broker simulators (the Kite sim's
historical route draws its candles here too).

The exchange keeps no closes of earlier days, so those days start their walk from the listing's
reference price (what a fresh exchange starts from); today's starts from today's previous close.
The daily candle of the day still trading is the exchange's own record of it (its quotes' open,
high, low, last price and volume), so that it agrees with the quotes and ticks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from brokerplex.formats import IST
from brokerplex.models import InstrumentType, Quote
from brokerplex.ops.models import Candle, Interval
from brokerplex_paper.hours import SESSIONS, years_to_expiry
from brokerplex_paper.market import fair_price, rng, walk
from brokerplex_paper.universe import Listing

if TYPE_CHECKING:
    from brokerplex_paper.exchange import PaperExchange

#: Candle widths in minutes (0: one candle a day).
MINUTES: dict[Interval, int] = {"1m": 1, "3m": 3, "5m": 5, "10m": 10, "15m": 15, "30m": 30, "1h": 60, "1d": 0}
_SAMPLES = 4  # price samples per candle for its high and low
_DERIVATIVES = (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)


@dataclass(frozen=True, slots=True)
class PricePath:
    """The price of one instrument at any moment, as the paper exchange's walk draws it."""

    listing: Listing
    seed: int
    step_seconds: float = 1.0
    references: Mapping[dt.date, Decimal] = field(default_factory=dict)  # each day's previous close, where known
    spot: PricePath | None = None  # a derivative's underlying: its price is the underlying's, carried

    def at(self, moment: dt.datetime) -> Decimal:
        if self.spot is not None:
            return fair_price(self.listing, self.spot.at(moment), years_to_expiry(self.listing, moment))
        reference = self.references.get(moment.date(), self.listing.reference_price)
        return walk(self.listing, reference, self.seed, moment, self.step_seconds)


@dataclass(frozen=True, slots=True)
class Forming:
    """The market now, for the candle still forming: it closes at the last traded price."""

    now: dt.datetime
    last_price: Decimal | None = None


def draw(path: PricePath, minutes: int, start: dt.datetime, end: dt.datetime, forming: Forming, *,
         sessions: bool) -> list[Candle]:
    """Candles ``minutes`` wide (0: daily, stamped at midnight) from ``start`` to ``end``, oldest first, none
    after ``forming.now``. With ``sessions``, weekdays within the exchange's session only (as real exchanges
    trade); otherwise every day around the clock (the paper exchange without market hours)."""
    start, end, now = (moment.astimezone(IST) for moment in (start, end, forming.now))
    candles = []
    for opens, closes in _windows(path.listing, start.date(), end.date(), sessions):
        if opens > now:
            break
        if minutes == 0:
            midnight = dt.datetime.combine(opens.date(), dt.time(0), IST)
            candles.append(_candle(path, midnight, opens, min(closes, now), forming))
            continue
        width = dt.timedelta(minutes=minutes)
        moment = opens
        while moment < closes and moment <= end and moment <= now:
            if moment >= start:
                candles.append(_candle(path, moment, moment, min(moment + width, closes, now), forming))
            moment += width
    return candles


def _windows(listing: Listing, first: dt.date, last: dt.date, sessions: bool) -> Iterator[tuple[dt.datetime,
                                                                                                  dt.datetime]]:
    opens, closes = SESSIONS[listing.instrument.exchange] if sessions else (dt.time(0), None)
    day = first
    while day <= last:
        if not sessions or day.weekday() < 5:
            close_at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), IST) if closes is None \
                else dt.datetime.combine(day, closes, IST)
            yield dt.datetime.combine(day, opens, IST), close_at
        day += dt.timedelta(days=1)


def _candle(path: PricePath, at: dt.datetime, begins: dt.datetime, ends: dt.datetime, forming: Forming) -> Candle:
    step = (ends - begins) / _SAMPLES
    prices = [path.at(begins + step * i) for i in range(_SAMPLES + 1)]
    if ends >= forming.now and forming.last_price is not None:
        prices[-1] = forming.last_price  # the candle still forming closes where the market trades now
    instrument = path.listing.instrument
    # About ten lots a second, as the exchange's tape trades between two looks.
    pace = rng(path.seed, instrument.symbol, begins.isoformat(), "volume").randint(1, 20)
    lots = pace * int((ends - begins).total_seconds())
    volume = max(lots, 1) * instrument.lot_size if instrument.tradable else 0
    oi = rng(path.seed, instrument.symbol, "oi").randint(100, 50_000) * instrument.lot_size \
        if instrument.instrument_type in _DERIVATIVES else None  # as the exchange's quotes give it
    return Candle(at=at, open=prices[0], high=max(prices), low=min(prices), close=prices[-1], volume=volume,
                  open_interest=oi)


def exchange_candles(exchange: PaperExchange, listing: Listing, minutes: int, start: dt.datetime, end: dt.datetime,
                     *, sessions: bool) -> list[Candle]:
    """``draw`` on the exchange's own walk of ``listing``, the forming candle closing at its last price: the
    candles that agree with the exchange's quotes and ticks (paper's, and every simulator's on it)."""
    quote = exchange.quotes([listing.instrument.symbol])[listing.instrument.symbol]
    assert quote.timestamp is not None
    candles = draw(price_path(exchange, listing, quote), minutes, start, end,
                   Forming(quote.timestamp, quote.last_price), sessions=sessions)
    now = quote.timestamp.astimezone(IST)
    forming = minutes == 0 and candles and candles[-1].at.date() == now.date() \
        and any(opens <= now < closes for opens, closes in _windows(listing, now.date(), now.date(), sessions))
    if forming and quote.open is not None and quote.high is not None and quote.low is not None:
        # The day still trading is the exchange's record of it, as its quotes and ticks give it.
        candles[-1] = candles[-1].model_copy(update={"open": quote.open, "high": quote.high, "low": quote.low,
                                                     "close": quote.last_price, "volume": quote.volume})
    return candles


def price_path(exchange: PaperExchange, listing: Listing, quote: Quote | None = None) -> PricePath:
    """The exchange's walk of ``listing`` (its step, today's previous close; a derivative's underlying as its
    spot); ``quote``: the listing's quote, when the caller has read it already."""
    if quote is None:
        symbol = listing.instrument.symbol
        quote = exchange.quotes([symbol])[symbol]
    assert quote.timestamp is not None
    assert quote.close is not None
    underlying = exchange.listing(listing.spot) if listing.spot else None
    spot = price_path(exchange, underlying) if underlying is not None else None
    return PricePath(listing, exchange.seed, exchange.step_seconds, {quote.timestamp.date(): quote.close}, spot)
