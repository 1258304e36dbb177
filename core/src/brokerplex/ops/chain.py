"""The option chain of one underlying and expiry, from its contracts and their quotes: pure work, no
requests (the manager fetches :func:`chain_symbols` in as few quote calls as the broker allows)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from decimal import Decimal

from brokerplex.formats import IST
from brokerplex.models import Instrument, InstrumentType, Quote
from brokerplex.ops.greeks import greeks, implied_volatility
from brokerplex.ops.models import ChainRow, OptionChain, OptionQuote

#: Where an index's options take their spot from (a stock's is its NSE listing).
INDEX_SPOTS = {
    "NIFTY": "NSE:NIFTY 50",
    "BANKNIFTY": "NSE:NIFTY BANK",
    "FINNIFTY": "NSE:NIFTY FIN SERVICE",
    "MIDCPNIFTY": "NSE:NIFTY MID SELECT",
    "NIFTYNXT50": "NSE:NIFTY NEXT 50",
    "SENSEX": "BSE:SENSEX",
    "BANKEX": "BSE:BANKEX",
}
EXPIRY_CLOSE = dt.time(15, 30)  # options expire at the close of their expiry day, IST
YEAR_SECONDS = 365 * 24 * 3600


def spot_symbol_for(underlying: str) -> str:
    """The symbol whose price is an underlying's spot: its index, or the stock on NSE."""
    name = underlying.strip().upper()
    return INDEX_SPOTS.get(name, f"NSE:{name}")


def years_to_expiry(expiry: dt.date, now: dt.datetime) -> float:
    """Years of 365 days from ``now`` to the expiry day's close (15:30 IST); negative once past."""
    close = dt.datetime.combine(expiry, EXPIRY_CLOSE, IST)
    moment = now if now.tzinfo else now.replace(tzinfo=IST)
    return (close - moment).total_seconds() / YEAR_SECONDS


def select_strikes(options: Sequence[Instrument], spot: Decimal | None, strikes: int | None) -> list[Decimal]:
    """The chain's strikes, ascending: the one nearest ``spot`` and ``strikes`` on each side of it
    (every strike when ``strikes`` is None or the spot is unknown)."""
    return _around(sorted({option.strike for option in options if option.strike is not None}), spot, strikes)


def _around(listed: list[Decimal], spot: Decimal | None, strikes: int | None) -> list[Decimal]:
    if strikes is None or spot is None or not listed:
        return listed
    at = bisect_left(listed, spot)
    if at == len(listed) or (at > 0 and spot - listed[at - 1] < listed[at] - spot):
        at -= 1  # the strike below is nearer (a tie goes to the one above)
    return listed[max(at - strikes, 0):at + strikes + 1]


def chain_symbols(options: Sequence[Instrument], spot: Decimal | None, strikes: int | None) -> list[str]:
    """The contracts a chain needs quotes for: calls and puts at the selected strikes."""
    wanted = set(select_strikes(options, spot, strikes))
    return [option.symbol for option in _sides(options) if option.strike in wanted]


def build_chain(
    underlying: str, expiry: dt.date, options: Sequence[Instrument], quotes: Mapping[str, Quote],
    spot: Decimal | None, spot_symbol: str, now: dt.datetime, *, strikes: int | None, rate: float = 0.065,
    quote_calls: int,
) -> OptionChain:
    """Rows by strike ascending around ``spot``, each side priced from its quote, with implied volatility
    and greeks (Black–Scholes at ``rate``, to 15:30 IST on the expiry day) where the price allows."""
    years = years_to_expiry(expiry, now)
    by_strike: dict[Decimal, dict[InstrumentType, Instrument]] = {}
    for option in _sides(options):
        if option.expiry == expiry and option.strike is not None:
            by_strike.setdefault(option.strike, {})[option.instrument_type] = option
    rows = []
    for strike in _around(sorted(by_strike), spot, strikes):
        sides = by_strike[strike]
        call, put = sides.get(InstrumentType.CE), sides.get(InstrumentType.PE)
        rows.append(ChainRow(
            strike=strike,
            call=None if call is None else option_quote(call, quotes.get(call.symbol), spot, years, rate),
            put=None if put is None else option_quote(put, quotes.get(put.symbol), spot, years, rate),
        ))
    return OptionChain(underlying=underlying.strip().upper(), expiry=expiry, spot=spot, spot_symbol=spot_symbol,
                       rows=rows, quote_calls=quote_calls)


def option_quote(option: Instrument, quote: Quote | None, spot: Decimal | None, years: float,
                 rate: float) -> OptionQuote:
    """One side of a row: what the quote says, and the volatility and greeks its price implies (from
    the mid when both a bid and an ask stand, else from the last price)."""
    if quote is None:
        return OptionQuote(symbol=option.symbol)
    bid = next((level.price for level in quote.depth.bids if level.price > 0 and level.quantity > 0), None)
    ask = next((level.price for level in quote.depth.asks if level.price > 0 and level.quantity > 0), None)
    price = (bid + ask) / 2 if bid is not None and ask is not None else quote.last_price
    iv = found = None
    if spot is not None and option.strike is not None and price > 0 and years > 0:
        call = option.instrument_type is InstrumentType.CE
        spot_value, strike_value = float(spot), float(option.strike)
        iv = implied_volatility(float(price), spot_value, strike_value, years, call=call, rate=rate)
        found = None if iv is None else greeks(spot_value, strike_value, years, iv, call=call, rate=rate)
    return OptionQuote(
        symbol=option.symbol, last_price=quote.last_price or None, bid=bid, ask=ask,
        open_interest=quote.open_interest, volume=quote.volume, iv=None if iv is None else _places(iv, 4),
        delta=found and _places(found.delta, 4), gamma=found and _places(found.gamma, 6),
        theta=found and _places(found.theta, 2), vega=found and _places(found.vega, 2),
    )


def _sides(options: Sequence[Instrument]) -> list[Instrument]:
    return [option for option in options if option.instrument_type in (InstrumentType.CE, InstrumentType.PE)]


def _places(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}") + 0  # + 0 turns -0.00 into 0.00
