"""How prices move and what the book looks like: pure, seeded, reproducible.

Every random number is drawn from a generator seeded with (seed, symbol, day, …), and a
price is a function of the moment, not of the path of observations: two exchanges with
the same seed and the same previous close quote the same market at the same time. Cash
instruments and indices walk (geometric Brownian motion); futures and options are
priced off their underlying's walk, so a NIFTY option moves with NIFTY.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from brokerplex.models import Depth, DepthLevel, InstrumentType, Quote
from brokerplex_paper.universe import Listing

if TYPE_CHECKING:
    from brokerplex_paper.ledger import Tape

RATE = 0.065  # the cost of carry priced into futures
LEVELS = 5


def rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def round_to_tick(value: Decimal | float, tick: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    ticks = (Decimal(str(value)) / tick).quantize(Decimal(1), rounding=rounding)
    return max(ticks, Decimal(1)) * tick


def brownian(seed: int, symbol: str, day: dt.date, fraction: float, levels: int = 17) -> float:
    """W(fraction) of a standard Brownian motion on [0, 1], one per (seed, symbol, day).

    Built by the Lévy–Ciesielski construction (W(1)·t plus one Schauder tent per level), so
    any moment is evaluated on its own: the price at 11:00 does not depend on whether
    anyone looked at 10:59. Seventeen levels resolve a day to under a second.
    """
    value = _gauss(seed, symbol, day, "end") * fraction
    for level in range(levels):
        width = 0.5**level
        index = min(math.floor(fraction / width), 2**level - 1)
        middle = (index + 0.5) * width
        tent = max(0.0, width / 2 - abs(fraction - middle)) / math.sqrt(width)
        value += _gauss(seed, symbol, day, level, index) * tent
    return value


@functools.lru_cache(maxsize=1 << 16)
def _gauss(seed: int, symbol: str, day: dt.date, *parts: object) -> float:
    """One normal draw of the walk; kept, as nearby moments share most of them (candles draw thousands)."""
    return rng(seed, symbol, day, *parts).gauss(0.0, 1.0)


def walk(listing: Listing, reference: Decimal, seed: int, moment: dt.datetime, step_seconds: float) -> Decimal:
    """The walk's price at ``moment`` (IST), starting the day from ``reference`` (the previous
    close) and kept inside the day's band."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = math.floor((moment - midnight).total_seconds() / step_seconds) * step_seconds
    daily_sigma = listing.volatility / math.sqrt(252)
    fraction = elapsed / 86_400
    shock = brownian(seed, listing.instrument.symbol, moment.date(), fraction)
    moved = float(reference) * math.exp(daily_sigma * shock - daily_sigma**2 * fraction / 2)
    return clamp_to_band(listing, reference, round_to_tick(moved, listing.instrument.tick_size))


def band(listing: Listing, reference: Decimal) -> tuple[Decimal, Decimal] | None:
    """The day's (lower, upper) circuit limits around the previous close, or None."""
    if listing.band_percent is None:
        return None
    tick = listing.instrument.tick_size
    width = reference * listing.band_percent / 100
    return round_to_tick(reference - width, tick, ROUND_DOWN), round_to_tick(reference + width, tick, ROUND_DOWN)


def clamp_to_band(listing: Listing, reference: Decimal, price: Decimal) -> Decimal:
    limits = band(listing, reference)
    if limits is None:
        return price
    return min(max(price, limits[0]), limits[1])


def fair_price(listing: Listing, spot: Decimal, years_to_expiry: float) -> Decimal:
    """A future's or option's price from its underlying's price."""
    instrument = listing.instrument
    t = max(years_to_expiry, 1e-6)
    if instrument.instrument_type is InstrumentType.FUT:
        value = float(spot) * math.exp(RATE * t)
    else:
        assert instrument.strike is not None
        value = black_scholes(float(spot), float(instrument.strike), t, listing.volatility,
                              call=instrument.instrument_type is InstrumentType.CE)
    return round_to_tick(value, instrument.tick_size)


def black_scholes(spot: float, strike: float, years: float, vol: float, *, call: bool) -> float:
    d1 = (math.log(spot / strike) + (RATE + vol * vol / 2) * years) / (vol * math.sqrt(years))
    d2 = d1 - vol * math.sqrt(years)
    discount = math.exp(-RATE * years)
    if call:
        return spot * _norm(d1) - strike * discount * _norm(d2)
    return strike * discount * _norm(-d2) - spot * _norm(-d1)


def _norm(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass(frozen=True, slots=True)
class Book:
    """The synthetic order book at one step; deeper levels exist beyond the five shown."""

    listing: Listing
    last_price: Decimal
    seed: int
    step: int

    def _best(self) -> tuple[Decimal, Decimal]:
        tick = self.listing.instrument.tick_size
        # The last trade hit either the bid or the offer; which one is part of the draw.
        if rng(self.seed, self.listing.instrument.symbol, self.step, "side").random() < 0.5:
            return max(self.last_price - tick, tick), self.last_price
        return self.last_price, self.last_price + tick

    def level(self, side: str, index: int) -> DepthLevel:
        """Level ``index`` (0 = best) of the ``"bid"`` or ``"ask"`` side."""
        tick, lot = self.listing.instrument.tick_size, self.listing.instrument.lot_size
        best_bid, best_ask = self._best()
        price = best_ask + tick * index if side == "ask" else max(best_bid - tick * index, tick)
        draw = rng(self.seed, self.listing.instrument.symbol, self.step, side, index)
        lots = draw.randint(1, 40) if lot > 1 else draw.randint(1, 60) * 10
        return DepthLevel(price=price, quantity=lots * lot, orders=draw.randint(1, 25))

    def depth(self, side: str) -> list[DepthLevel]:
        return [self.level(side, index) for index in range(LEVELS)]

    def sweep(
        self, side: str, quantity: int, limit: Decimal | None, *, max_levels: int = 50
    ) -> list[tuple[Decimal, int]]:
        """Fills (price, quantity) taking ``side`` liquidity up to ``quantity`` and ``limit``."""
        fills: list[tuple[Decimal, int]] = []
        remaining = quantity
        for index in range(max_levels):
            level = self.level(side, index)
            if limit is not None and (level.price > limit if side == "ask" else level.price < limit):
                break
            take = min(remaining, level.quantity)
            fills.append((level.price, take))
            remaining -= take
            if not remaining:
                break
        return fills


def to_paise(value: Decimal) -> Decimal:
    """An amount rounded half up to whole paise, as the exchange books money."""
    # + 0 turns a negative zero (a short position at its own price) into plain 0.00
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) + 0


def quote(listing: Listing, tape: Tape, seed: int, at: dt.datetime) -> Quote:
    """The quote of an instrument whose market is ``tape``: its day, its band, and its seeded book."""
    instrument = listing.instrument
    limits = band(listing, tape.close)
    book = Book(listing, tape.last_price, seed, tape.step)
    derivative = instrument.instrument_type in (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)
    return Quote(
        symbol=instrument.symbol, last_price=tape.last_price, last_quantity=tape.last_quantity,
        last_traded_at=tape.last_trade_at, volume=tape.volume,
        average_price=to_paise(tape.turnover / tape.volume) if tape.volume else None,
        open=tape.open, high=tape.high, low=tape.low, close=tape.close,
        open_interest=rng(seed, instrument.symbol, "oi").randint(100, 50_000) * instrument.lot_size
        if derivative else None,
        lower_circuit=limits[0] if limits else None, upper_circuit=limits[1] if limits else None,
        depth=Depth(bids=book.depth("bid"), asks=book.depth("ask")) if instrument.tradable else Depth(),
        timestamp=at,
    )
