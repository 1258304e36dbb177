"""The default instrument universe of the paper exchange.

``build_universe(day)`` lists what the simulated exchange offers on ``day``: most NIFTY 50
stocks on NSE with their real exchange tokens, a few BSE stocks under their scrip codes, the
main indices, and the derivative contracts alive that day on NFO, MCX and CDS. It depends on
``day`` alone, so the Kite and XTS simulators built on it agree with each other and with
yesterday's run.

Today's rules apply to every day: NSE derivatives expire on Tuesdays (NSE's rule since
September 2025; holidays are ignored) and lot sizes are the 2026 ones. Reference prices are
late-2025 levels.

Contract value is ``quantity × price × multiplier``, and ``quantity`` must be a multiple of
``lot_size``. Cash and NFO quantities are shares or index units (multiplier 1). CRUDEOIL is
quoted and traded per barrel (lot 100 barrels, multiplier 1). Where a lot is a number of
quotation units that a broker counts as one, quantity counts lots: GOLDM is quoted per 10 g
for a 100 g lot (lot 1, multiplier 10), SILVERM per kg for a 5 kg lot (lot 1, multiplier 5),
USDINR per dollar for a USD 1000 lot (lot 1, multiplier 1000).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from brokerplex.formats import IST
from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex.symbols import MONTHS, WEEKLY_MONTH_CODES

__all__ = ["Listing", "build_universe", "monthly_expiry", "weekly_expiries"]

TUESDAY = 1
_TICK = Decimal("0.05")
_RATE = 0.065  # cost of carry of NSE futures; the paper market prices them with the same rate


@dataclass(frozen=True, slots=True)
class Listing:
    """One instrument as the paper exchange lists it, with what its price model needs."""

    instrument: Instrument
    reference_price: Decimal  # the previous close; a multiple of the tick size
    band_percent: Decimal | None  # daily price band around reference_price; None: no band
    volatility: float  # annualised, for the random walk (options: the underlying's)
    spot: str | None  # canonical symbol whose price drives this contract; None: walks on its own


# -- expiry calendars -------------------------------------------------------------------------


def monthly_expiry(year: int, month: int, weekday: int = TUESDAY) -> dt.date:
    """The last ``weekday`` (Monday = 0) of the month: NSE's monthly derivative expiry."""
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def weekly_expiries(day: dt.date, count: int, weekday: int = TUESDAY) -> list[dt.date]:
    """The next ``count`` weekly expiries on or after ``day`` (an expiry day lists its contract)."""
    first = day + dt.timedelta(days=(weekday - day.weekday()) % 7)
    return [first + dt.timedelta(weeks=week) for week in range(count)]


def _weekday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _last_weekday(year: int, month: int) -> dt.date:
    return _weekday_on_or_before(dt.date(year, month, calendar.monthrange(year, month)[1]))


def _crude_expiry(year: int, month: int) -> dt.date:
    return _weekday_on_or_before(dt.date(year, month, 19))  # MCX crude expires around the 19th


def _gold_mini_expiry(year: int, month: int) -> dt.date:
    return _weekday_on_or_before(dt.date(year, month, 5))


def _currency_expiry(year: int, month: int) -> dt.date:
    """Two working days before the month's last working day (NSE currency derivatives)."""
    day = _last_weekday(year, month)
    for _ in range(2):
        day = _weekday_on_or_before(day - dt.timedelta(days=1))
    return day


ExpiryRule = Callable[[int, int], dt.date]


def _monthlies(rule: ExpiryRule, day: dt.date, count: int) -> list[dt.date]:
    """The next ``count`` monthly expiries on or after ``day``."""
    found: list[dt.date] = []
    year, month = day.year, day.month
    while len(found) < count:
        if (expiry := rule(year, month)) >= day:
            found.append(expiry)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


# -- the cash market --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Stock:
    symbol: str
    token: int  # NSE token, checked against the XTS NSECM and NSEFO masters
    name: str
    isin: str | None
    price: str
    volatility: float = 0.25
    band: int = 20


_NSE_STOCKS = (
    _Stock("RELIANCE", 2885, "Reliance Industries", "INE002A01018", "1540", 0.22),
    _Stock("HDFCBANK", 1333, "HDFC Bank", "INE040A01034", "1000", 0.20),
    _Stock("ICICIBANK", 4963, "ICICI Bank", "INE090A01021", "1380", 0.22),
    _Stock("INFY", 1594, "Infosys", "INE009A01021", "1550", 0.25),
    _Stock("TCS", 11536, "Tata Consultancy Services", "INE467B01029", "3150", 0.22),
    _Stock("BHARTIARTL", 10604, "Bharti Airtel", "INE397D01024", "2100", 0.22),
    _Stock("LT", 11483, "Larsen & Toubro", "INE018A01030", "4000", 0.24),
    _Stock("ITC", 1660, "ITC", "INE154A01025", "405", 0.20),
    _Stock("SBIN", 3045, "State Bank of India", "INE062A01020", "960", 0.25),
    _Stock("AXISBANK", 5900, "Axis Bank", "INE238A01034", "1270", 0.25),
    _Stock("KOTAKBANK", 1922, "Kotak Mahindra Bank", None, "2120", 0.22),  # ISIN changed with its split
    _Stock("HINDUNILVR", 1394, "Hindustan Unilever", "INE030A01027", "2450", 0.20),
    _Stock("BAJFINANCE", 317, "Bajaj Finance", "INE296A01032", "1020", 0.30),
    _Stock("MARUTI", 10999, "Maruti Suzuki India", "INE585B01010", "16000", 0.24),
    _Stock("M&M", 2031, "Mahindra & Mahindra", "INE101A01026", "3700", 0.28),
    _Stock("SUNPHARMA", 3351, "Sun Pharmaceutical Industries", "INE044A01036", "1800", 0.22),
    _Stock("HCLTECH", 7229, "HCL Technologies", "INE860A01027", "1600", 0.25),
    _Stock("NTPC", 11630, "NTPC", "INE733E01010", "330", 0.24),
    _Stock("ULTRACEMCO", 11532, "UltraTech Cement", "INE481G01011", "11800", 0.22),
    _Stock("TITAN", 3506, "Titan Company", "INE280A01028", "3850", 0.25),
    _Stock("ETERNAL", 5097, "Eternal", "INE758T01015", "300", 0.40),  # ex-ZOMATO, same token
    _Stock("BAJAJFINSV", 16675, "Bajaj Finserv", "INE918I01026", "2050", 0.26),
    _Stock("ADANIPORTS", 15083, "Adani Ports and Special Economic Zone", "INE742F01042", "1500", 0.32, 10),
    _Stock("ONGC", 2475, "Oil & Natural Gas Corporation", "INE213A01029", "245", 0.28),
    _Stock("POWERGRID", 14977, "Power Grid Corporation of India", "INE752E01010", "270", 0.24),
    _Stock("BEL", 383, "Bharat Electronics", "INE263A01024", "410", 0.35),
    _Stock("JSWSTEEL", 11723, "JSW Steel", "INE019A01038", "1150", 0.30),
    _Stock("TATASTEEL", 3499, "Tata Steel", "INE081A01020", "170", 0.32),
    _Stock("ASIANPAINT", 236, "Asian Paints", "INE021A01026", "2900", 0.22),
    _Stock("WIPRO", 3787, "Wipro", "INE075A01022", "250", 0.26),
    _Stock("COALINDIA", 20374, "Coal India", "INE522F01014", "380", 0.28),
    _Stock("NESTLEIND", 17963, "Nestle India", "INE239A01024", "1270", 0.18),
    _Stock("ADANIENT", 25, "Adani Enterprises", "INE423A01024", "2350", 0.40, 10),
    _Stock("HINDALCO", 1363, "Hindalco Industries", "INE038A01020", "800", 0.32),
    _Stock("GRASIM", 1232, "Grasim Industries", "INE047A01021", "2750", 0.24),
    _Stock("JIOFIN", 18143, "Jio Financial Services", "INE758E01017", "310", 0.35, 10),
    _Stock("TECHM", 13538, "Tech Mahindra", "INE669C01036", "1500", 0.28),
    _Stock("SBILIFE", 21808, "SBI Life Insurance", "INE123W01016", "2000", 0.24),
    _Stock("INDIGO", 11195, "InterGlobe Aviation", "INE646L01027", "5800", 0.30),
    _Stock("SHRIRAMFIN", 4306, "Shriram Finance", "INE721A01047", "820", 0.32),
    _Stock("TRENT", 1964, "Trent", "INE849A01020", "4300", 0.35),
    _Stock("HDFCLIFE", 467, "HDFC Life Insurance", "INE795G01014", "760", 0.24),
    _Stock("EICHERMOT", 910, "Eicher Motors", "INE066A01021", "7000", 0.26),
    _Stock("MAXHEALTH", 22377, "Max Healthcare Institute", "INE027H01010", "1100", 0.30),
    _Stock("CIPLA", 694, "Cipla", "INE059A01026", "1520", 0.22),
    _Stock("TATACONSUM", 3432, "Tata Consumer Products", "INE192A01025", "1170", 0.24),
    _Stock("DRREDDY", 881, "Dr. Reddy's Laboratories", "INE089A01031", "1250", 0.22),
    _Stock("APOLLOHOSP", 157, "Apollo Hospitals Enterprise", "INE437A01024", "7400", 0.26),
    _Stock("BAJAJ-AUTO", 16669, "Bajaj Auto", "INE917I01010", "9000", 0.24),
    _Stock("HEROMOTOCO", 1348, "Hero MotoCorp", "INE158A01026", "6000", 0.26),
    _Stock("BRITANNIA", 547, "Britannia Industries", "INE216A01030", "5900", 0.20),
    _Stock("BPCL", 526, "Bharat Petroleum Corporation", "INE029A01011", "370", 0.30),
    _Stock("INDUSINDBK", 5258, "IndusInd Bank", "INE095A01012", "850", 0.35),
)

# BSE lists the same companies under its scrip codes, which are also its tokens.
_BSE_CODES = {
    "RELIANCE": 500325, "HDFCBANK": 500180, "ICICIBANK": 532174, "INFY": 500209,
    "TCS": 532540, "ITC": 500875, "SBIN": 500112,
}


@dataclass(frozen=True, slots=True)
class _Index:
    exchange: Exchange
    name: str
    token: int  # XTS's exchangeInstrumentID (Kite numbers indices differently)
    price: str
    volatility: float


_INDICES = (
    _Index(Exchange.NSE, "NIFTY 50", 26000, "26000", 0.13),
    _Index(Exchange.NSE, "NIFTY BANK", 26001, "59000", 0.15),
    _Index(Exchange.NSE, "INDIA VIX", 26002, "12", 0.80),
    _Index(Exchange.NSE, "NIFTY FIN SERVICE", 26034, "27500", 0.15),
    _Index(Exchange.BSE, "SENSEX", 26065, "85000", 0.13),
)

# (reference price, volatility) of every spot a derivative can follow
_SPOTS = {
    **{f"NSE:{stock.symbol}": (Decimal(stock.price), stock.volatility) for stock in _NSE_STOCKS},
    **{f"{index.exchange}:{index.name}": (Decimal(index.price), index.volatility) for index in _INDICES},
}


def _stock_listing(stock: _Stock, exchange: Exchange, token: int) -> Listing:
    instrument = Instrument(
        symbol=f"{exchange}:{stock.symbol}", exchange=exchange, tradingsymbol=stock.symbol, name=stock.name,
        instrument_type=InstrumentType.EQ, exchange_token=token, isin=stock.isin, tick_size=_TICK,
    )
    return Listing(instrument, Decimal(stock.price), Decimal(stock.band), stock.volatility, None)


def _index_listing(index: _Index) -> Listing:
    instrument = Instrument(
        symbol=f"{index.exchange}:{index.name}", exchange=index.exchange, tradingsymbol=index.name,
        name=index.name, instrument_type=InstrumentType.INDEX, exchange_token=index.token, tick_size=_TICK,
    )
    return Listing(instrument, Decimal(index.price), None, index.volatility, None)


def _cash_listings() -> list[Listing]:
    listings = [_stock_listing(stock, Exchange.NSE, stock.token) for stock in _NSE_STOCKS]
    bse = [stock for stock in _NSE_STOCKS if stock.symbol in _BSE_CODES]
    listings += [_stock_listing(stock, Exchange.BSE, _BSE_CODES[stock.symbol]) for stock in bse]
    return listings + [_index_listing(index) for index in _INDICES]


# -- derivatives --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Underlying:
    exchange: Exchange
    name: str
    slot: int  # its block of exchange tokens: append new underlyings, never renumber
    price: Decimal  # the spot's reference price (a notional one where no spot is listed)
    volatility: float  # the spot's
    expiry: ExpiryRule
    futures: int  # how many monthly futures are listed at a time
    lot_size: int
    tick: Decimal = _TICK
    multiplier: Decimal = Decimal(1)
    freeze: int | None = None
    band: Decimal = Decimal(10)  # futures only; options have no band
    spot: str | None = None
    carry: float = _RATE  # futures premium per year over the spot


@dataclass(frozen=True, slots=True)
class _Chain:
    underlying: _Underlying
    step: Decimal  # strike interval
    width: int  # strikes listed each side of the money
    expiries: Callable[[dt.date], list[dt.date]]


def _nfo(name: str, slot: int, spot: str, futures: int, lot: int, freeze: int) -> _Underlying:
    price, volatility = _SPOTS[spot]
    return _Underlying(Exchange.NFO, name, slot, price, volatility, monthly_expiry, futures, lot,
                       freeze=freeze, spot=spot)


def _stock(name: str, slot: int, lot: int, freeze_lots: int) -> _Underlying:
    return _nfo(name, slot, f"NSE:{name}", 2, lot, lot * freeze_lots)


_NIFTY = _nfo("NIFTY", 0, "NSE:NIFTY 50", 3, 65, 1800)
_BANKNIFTY = _nfo("BANKNIFTY", 1, "NSE:NIFTY BANK", 3, 30, 900)
_USDINR = _Underlying(Exchange.CDS, "USDINR", 0, Decimal("88.5"), 0.05, _currency_expiry, 2, 1,
                      tick=Decimal("0.0025"), multiplier=Decimal(1000), band=Decimal(3), carry=0.02)

_UNDERLYINGS = (
    _NIFTY,
    _BANKNIFTY,
    _stock("RELIANCE", 2, 500, 40),
    _stock("INFY", 3, 400, 30),
    _stock("HDFCBANK", 4, 550, 30),
    _stock("SBIN", 5, 750, 40),
    _stock("TCS", 6, 175, 30),
    _Underlying(Exchange.MCX, "CRUDEOIL", 0, Decimal(5400), 0.30, _crude_expiry, 2, 100, tick=Decimal(1),
                band=Decimal(6), carry=0.0),
    _Underlying(Exchange.MCX, "GOLDM", 1, Decimal(130000), 0.15, _gold_mini_expiry, 2, 1, tick=Decimal(1),
                multiplier=Decimal(10), band=Decimal(6), carry=0.06),
    _Underlying(Exchange.MCX, "SILVERM", 2, Decimal(160000), 0.25, _last_weekday, 2, 1, tick=Decimal(1),
                multiplier=Decimal(5), band=Decimal(6), carry=0.06),
    _USDINR,
)


def _nifty_expiries(day: dt.date) -> list[dt.date]:
    return sorted({*weekly_expiries(day, 2), *_monthlies(monthly_expiry, day, 1)})


_CHAINS = (
    _Chain(_NIFTY, Decimal(50), 10, _nifty_expiries),
    _Chain(_BANKNIFTY, Decimal(100), 10, lambda day: _monthlies(monthly_expiry, day, 2)),
    _Chain(_USDINR, Decimal("0.25"), 4, lambda day: _monthlies(_currency_expiry, day, 1)),
)

_KINDS = (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)
_TOKEN_BASE = 35_000  # above every NSE cash and index token
_EXPIRY_CYCLE = 128  # days; more than any listing window (under 100 days), so live contracts differ
_STRIKE_CYCLE = 1024  # strike steps; far more than any chain spans
_EPOCH = dt.date(2000, 1, 1)


def _token(underlying: _Underlying, expiry: dt.date, kind: InstrumentType, strike_steps: int = 0) -> int:
    """A contract's exchange token: a pure function of the contract, so a token means the same
    contract on every day it is listed. Below 2**24, so Kite's token*256 + segment fits 32 bits."""
    day_slot = (expiry - _EPOCH).days % _EXPIRY_CYCLE
    contract = (underlying.slot * _EXPIRY_CYCLE + day_slot) * _STRIKE_CYCLE + strike_steps % _STRIKE_CYCLE
    return _TOKEN_BASE + contract * len(_KINDS) + _KINDS.index(kind)


def _years(day: dt.date, expiry: dt.date) -> float:
    return ((expiry - day).days + 1) / 365  # from the previous close to the expiry day's close


def _to_tick(value: float, tick: Decimal) -> Decimal:
    ticks = (Decimal(repr(value)) / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(ticks, Decimal(1)) * tick


def _future_symbol(underlying: _Underlying, expiry: dt.date) -> str:
    return f"{underlying.exchange}:{underlying.name}{expiry:%y}{MONTHS[expiry.month - 1]}FUT"


def _future_price(underlying: _Underlying, day: dt.date, expiry: dt.date) -> Decimal:
    forward = float(underlying.price) * math.exp(underlying.carry * _years(day, expiry))
    return _to_tick(forward, underlying.tick)


def _future(underlying: _Underlying, day: dt.date, expiry: dt.date) -> Listing:
    symbol = _future_symbol(underlying, expiry)
    instrument = Instrument(
        symbol=symbol, exchange=underlying.exchange, tradingsymbol=symbol.partition(":")[2],
        name=underlying.name, instrument_type=InstrumentType.FUT,
        exchange_token=_token(underlying, expiry, InstrumentType.FUT), underlying=underlying.name,
        expiry=expiry, lot_size=underlying.lot_size, tick_size=underlying.tick,
        freeze_quantity=underlying.freeze, multiplier=underlying.multiplier,
    )
    price = _future_price(underlying, day, expiry)
    return Listing(instrument, price, underlying.band, underlying.volatility, underlying.spot)


def _option_tradingsymbol(name: str, expiry: dt.date, strike: Decimal, right: str, weekly: bool) -> str:
    if weekly:  # NSE's weekly form: YY, one-character month, DD
        return f"{name}{expiry:%y}{WEEKLY_MONTH_CODES[expiry.month - 1]}{expiry:%d}{strike}{right}"
    return f"{name}{expiry:%y}{MONTHS[expiry.month - 1]}{strike}{right}"


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or an exponent: 26000, 88.5, 88.25 (never 2.6E+4 or 88.50)."""
    return Decimal(format(value.normalize(), "f"))


def _black_scholes(spot: float, strike: float, years: float, vol: float, call: bool) -> float:
    """Black–Scholes at the paper market's carry rate: intrinsic value plus time value."""
    sd = vol * math.sqrt(years)
    d1 = (math.log(spot / strike) + _RATE * years) / sd + sd / 2
    d2 = d1 - sd
    discounted = strike * math.exp(-_RATE * years)
    if call:
        return spot * _normal(d1) - discounted * _normal(d2)
    return discounted * _normal(-d2) - spot * _normal(-d1)


def _normal(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _options(chain: _Chain, day: dt.date, expiry: dt.date) -> list[Listing]:
    underlying = chain.underlying
    # Options are priced off their spot; with no listed spot (USDINR), off the same-expiry future.
    spot = underlying.spot or _future_symbol(underlying, expiry)
    spot_price = underlying.price if underlying.spot else _future_price(underlying, day, expiry)
    atm_steps = int((spot_price / chain.step).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    weekly = expiry != underlying.expiry(expiry.year, expiry.month)
    return [
        _option(chain, day, expiry, steps, right, spot, spot_price, weekly)
        for steps in range(atm_steps - chain.width, atm_steps + chain.width + 1)
        for right in (InstrumentType.CE, InstrumentType.PE)
    ]


def _option(
    chain: _Chain, day: dt.date, expiry: dt.date, steps: int, right: InstrumentType, spot: str,
    spot_price: Decimal, weekly: bool,
) -> Listing:
    underlying, strike = chain.underlying, _plain(steps * chain.step)
    tradingsymbol = _option_tradingsymbol(underlying.name, expiry, strike, right.value, weekly)
    instrument = Instrument(
        symbol=f"{underlying.exchange}:{tradingsymbol}", exchange=underlying.exchange,
        tradingsymbol=tradingsymbol, name=underlying.name, instrument_type=right,
        exchange_token=_token(underlying, expiry, right, steps), underlying=underlying.name, expiry=expiry,
        strike=strike, lot_size=underlying.lot_size, tick_size=underlying.tick,
        freeze_quantity=underlying.freeze, multiplier=underlying.multiplier,
    )
    value = _black_scholes(float(spot_price), float(strike), _years(day, expiry), underlying.volatility,
                           right is InstrumentType.CE)
    return Listing(instrument, _to_tick(value, underlying.tick), None, underlying.volatility, spot)


def _derivative_listings(day: dt.date) -> list[Listing]:
    listings = [
        _future(underlying, day, expiry)
        for underlying in _UNDERLYINGS
        for expiry in _monthlies(underlying.expiry, day, underlying.futures)
    ]
    for chain in _CHAINS:
        for expiry in chain.expiries(day):
            listings += _options(chain, day, expiry)
    return listings


def _check_tokens(listings: list[Listing]) -> None:
    """Two live contracts must never share a token on one exchange."""
    seen: dict[tuple[Exchange, int | None], str] = {}
    for listing in listings:
        instrument = listing.instrument
        key = (instrument.exchange, instrument.exchange_token)
        if (other := seen.setdefault(key, instrument.symbol)) != instrument.symbol:
            raise RuntimeError(f"token clash on {key[0]}: {other} and {instrument.symbol}")


def build_universe(day: dt.date) -> list[Listing]:
    """Every listing tradable (or quotable) on trading day ``day``, deterministic for a given day."""
    listings = _cash_listings() + _derivative_listings(day)
    _check_tokens(listings)
    return listings


def nearest_future(underlying: str, day: dt.date | None = None) -> Instrument:
    """The nearest-expiry future of ``underlying`` listed on ``day`` (default: today in IST)."""
    day = day or dt.datetime.now(IST).date()
    futures = [listing.instrument for listing in build_universe(day)
               if listing.instrument.instrument_type is InstrumentType.FUT
               and listing.instrument.underlying == underlying]
    if not futures:
        raise ValueError(f"no {underlying} future is listed on {day}")
    return min(futures, key=lambda future: future.expiry or day)
