"""The paper exchange's default universe: real tokens, live contracts only, stable tokens."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex.symbols import SymbolKind, parse_symbol
from brokerplex_paper.universe import Listing, build_universe, monthly_expiry, nearest_future, weekly_expiries

DAY = dt.date(2026, 11, 24)  # a Tuesday: the November monthly expiry
NEXT_DAY = DAY + dt.timedelta(days=1)
DERIVATIVES = (Exchange.NFO, Exchange.MCX, Exchange.CDS)
OPTIONS = (InstrumentType.CE, InstrumentType.PE)
KIND = {
    InstrumentType.EQ: SymbolKind.EQUITY,
    InstrumentType.INDEX: SymbolKind.INDEX,
    InstrumentType.FUT: SymbolKind.FUTURE,
    InstrumentType.CE: SymbolKind.OPTION,
    InstrumentType.PE: SymbolKind.OPTION,
}
days = st.dates(min_value=dt.date(2025, 9, 1), max_value=dt.date(2035, 12, 31))


@cache
def universe(day: dt.date) -> dict[str, Listing]:
    return {listing.instrument.symbol: listing for listing in build_universe(day)}


def token(day: dt.date, symbol: str) -> int | None:
    return universe(day)[symbol].instrument.exchange_token


def tokens(day: dt.date) -> dict[tuple[Exchange, int | None], str]:
    listed = universe(day).items()
    return {(item.instrument.exchange, item.instrument.exchange_token): symbol for symbol, item in listed}


def futures(day: dt.date, underlying: str) -> list[Listing]:
    found = [
        item
        for item in universe(day).values()
        if item.instrument.instrument_type is InstrumentType.FUT and item.instrument.underlying == underlying
    ]
    return sorted(found, key=lambda item: item.instrument.expiry or day)


def chains(day: dt.date) -> dict[tuple[str, dt.date], list[Listing]]:
    """Options by (underlying, expiry), each chain sorted by strike."""
    found: dict[tuple[str, dt.date], list[Listing]] = {}
    for item in universe(day).values():
        instrument = item.instrument
        if instrument.instrument_type in OPTIONS and instrument.underlying and instrument.expiry:
            found.setdefault((instrument.underlying, instrument.expiry), []).append(item)
    return {key: sorted(chain, key=lambda item: item.instrument.strike or 0) for key, chain in found.items()}


def of_type(chain: list[Listing], kind: InstrumentType) -> list[Listing]:
    return [item for item in chain if item.instrument.instrument_type is kind]


# -- invariants, checked on fixed days and by hypothesis on any day ----------------------------------


def check_invariants(day: dt.date) -> None:
    listings = build_universe(day)
    symbols = {item.instrument.symbol for item in listings}
    assert len(symbols) == len(listings)
    per_exchange = Counter((item.instrument.exchange, item.instrument.exchange_token) for item in listings)
    assert max(per_exchange.values()) == 1, "two listings share a token on one exchange"
    for item in listings:
        check_symbol(item.instrument)
        check_prices(item)
        if item.instrument.exchange in DERIVATIVES:
            check_derivative(item, day, symbols)
        else:
            assert item.instrument.expiry is None
            assert item.instrument.underlying is None
            assert item.spot is None


def check_symbol(instrument: Instrument) -> None:
    parsed = parse_symbol(instrument.symbol)
    assert str(parsed) == instrument.symbol == f"{instrument.exchange}:{instrument.tradingsymbol}"
    assert parsed.kind is KIND[instrument.instrument_type]
    if instrument.instrument_type in OPTIONS:
        assert parsed.strike == instrument.strike
        assert parsed.right == instrument.instrument_type.value
    if instrument.expiry is not None:
        assert (parsed.expiry_year, parsed.expiry_month) == (instrument.expiry.year, instrument.expiry.month)
        assert parsed.expiry_day in (None, instrument.expiry.day)
        assert parsed.underlying == instrument.underlying == instrument.name


def check_prices(item: Listing) -> None:
    instrument = item.instrument
    assert isinstance(instrument.exchange_token, int)
    assert 0 < instrument.exchange_token < 2**24  # Kite's instrument_token = token * 256 + segment
    assert isinstance(item.reference_price, Decimal)
    assert item.reference_price > 0
    assert item.reference_price % instrument.tick_size == 0
    assert isinstance(instrument.tick_size, Decimal)
    assert isinstance(instrument.multiplier, Decimal)


def check_derivative(item: Listing, day: dt.date, symbols: set[str]) -> None:
    instrument = item.instrument
    assert instrument.expiry is not None
    assert instrument.expiry >= day
    assert item.spot is None or item.spot in symbols
    if instrument.instrument_type in OPTIONS:
        assert isinstance(instrument.strike, Decimal)
        assert item.band_percent is None
        assert item.spot is not None


# -- the cash market ---------------------------------------------------------------------------------


def test_nse_equities_carry_real_tokens_and_isins() -> None:
    assert token(DAY, "NSE:INFY") == 1594
    assert token(DAY, "NSE:RELIANCE") == 2885
    assert token(DAY, "NSE:HDFCBANK") == 1333
    assert token(DAY, "NSE:M&M") == 2031
    assert universe(DAY)["NSE:INFY"].instrument.isin == "INE009A01021"
    assert universe(DAY)["NSE:RELIANCE"].instrument.isin == "INE002A01018"


def test_at_least_45_nse_equities_with_cash_market_terms() -> None:
    equities = [
        item
        for item in universe(DAY).values()
        if item.instrument.exchange is Exchange.NSE and item.instrument.instrument_type is InstrumentType.EQ
    ]
    assert len(equities) >= 45
    for item in equities:
        instrument = item.instrument
        assert (instrument.lot_size, instrument.freeze_quantity) == (1, None)
        assert instrument.tick_size == Decimal("0.05")
        assert item.band_percent in (Decimal(10), Decimal(20))
        assert 0.15 <= item.volatility <= 0.45
        assert instrument.name
        assert instrument.isin is None or (len(instrument.isin) == 12 and instrument.isin.startswith("INE"))


def test_bse_equities_use_scrip_codes_and_share_the_nse_isin() -> None:
    assert token(DAY, "BSE:RELIANCE") == 500325
    assert token(DAY, "BSE:INFY") == 500209
    assert universe(DAY)["BSE:INFY"].instrument.isin == universe(DAY)["NSE:INFY"].instrument.isin


def test_indices_are_quote_only() -> None:
    nifty = universe(DAY)["NSE:NIFTY 50"]
    assert nifty.instrument.exchange_token == 26000
    assert nifty.instrument.instrument_type is InstrumentType.INDEX
    assert not nifty.instrument.tradable
    assert nifty.band_percent is None
    assert {"NSE:NIFTY BANK", "NSE:INDIA VIX", "BSE:SENSEX"} <= universe(DAY).keys()


# -- NFO ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2025, 9, dt.date(2025, 9, 30)),
        (2025, 12, dt.date(2025, 12, 30)),
        (2026, 2, dt.date(2026, 2, 24)),
        (2026, 11, dt.date(2026, 11, 24)),
        (2027, 8, dt.date(2027, 8, 31)),
    ],
)
def test_monthly_expiry_is_the_last_tuesday(year: int, month: int, expected: dt.date) -> None:
    assert monthly_expiry(year, month) == expected


def test_weekly_expiries_start_on_an_expiry_day_itself() -> None:
    assert weekly_expiries(DAY, 2) == [DAY, dt.date(2026, 12, 1)]
    assert weekly_expiries(NEXT_DAY, 2) == [dt.date(2026, 12, 1), dt.date(2026, 12, 8)]


def test_index_futures_terms() -> None:
    nifty, banknifty = futures(DAY, "NIFTY"), futures(DAY, "BANKNIFTY")
    assert [item.instrument.symbol for item in nifty] == [
        "NFO:NIFTY26NOVFUT", "NFO:NIFTY26DECFUT", "NFO:NIFTY27JANFUT",
    ]
    assert (nifty[0].instrument.lot_size, nifty[0].instrument.freeze_quantity) == (65, 1800)
    assert (banknifty[0].instrument.lot_size, banknifty[0].instrument.freeze_quantity) == (30, 900)
    assert nifty[0].spot == "NSE:NIFTY 50"
    assert nifty[0].band_percent == Decimal(10)
    # futures trade at a premium that grows with the time to expiry
    assert universe(DAY)["NSE:NIFTY 50"].reference_price < nifty[0].reference_price < nifty[2].reference_price


def test_expiring_contracts_are_listed_on_expiry_day_and_gone_the_next() -> None:
    expiring = ("NFO:NIFTY26NOVFUT", "NFO:NIFTY26NOV26000CE", "NFO:BANKNIFTY26NOV59000PE", "NFO:INFY26NOVFUT")
    for symbol in expiring:
        assert symbol in universe(DAY)
        assert symbol not in universe(NEXT_DAY)
    weekly_day = dt.date(2026, 11, 17)
    assert "NFO:NIFTY26N1726000CE" in universe(weekly_day)
    assert "NFO:NIFTY26N1726000CE" not in universe(weekly_day + dt.timedelta(days=1))


def test_nifty_lists_two_weeklies_and_the_monthly() -> None:
    day = dt.date(2026, 11, 11)  # weeklies on 17 and 24 November; the 24th is also the monthly
    assert {expiry for (name, expiry) in chains(day) if name == "NIFTY"} == {
        dt.date(2026, 11, 17), dt.date(2026, 11, 24),
    }
    assert "NFO:NIFTY26N1726000PE" in universe(day)
    assert "NFO:NIFTY26NOV26000PE" in universe(day)
    assert "NFO:NIFTY26N2426000PE" not in universe(day)  # the monthly expiry takes the monthly form
    assert {expiry for (name, expiry) in chains(NEXT_DAY) if name == "NIFTY"} == {
        dt.date(2026, 12, 1), dt.date(2026, 12, 8), dt.date(2026, 12, 29),
    }
    assert {expiry for (name, expiry) in chains(NEXT_DAY) if name == "BANKNIFTY"} == {
        dt.date(2026, 12, 29), dt.date(2027, 1, 26),
    }


def test_option_strikes_straddle_the_underlying() -> None:
    for (name, _expiry), chain in chains(DAY).items():
        spot = universe(DAY)[chain[0].spot or ""].reference_price
        strikes = sorted({item.instrument.strike or Decimal(0) for item in chain})
        assert strikes[0] < spot < strikes[-1]
        assert len(chain) == 2 * len(strikes)
        if name == "NIFTY":
            assert len(strikes) == 21
            assert {high - low for low, high in itertools.pairwise(strikes)} == {Decimal(50)}


def test_option_prices_behave_like_options() -> None:
    chain = chains(NEXT_DAY)["NIFTY", dt.date(2026, 12, 29)]
    calls, puts = of_type(chain, InstrumentType.CE), of_type(chain, InstrumentType.PE)
    call_prices = [item.reference_price for item in calls]
    put_prices = [item.reference_price for item in puts]
    assert call_prices == sorted(call_prices, reverse=True)
    assert put_prices == sorted(put_prices)
    for item in calls:  # intrinsic value plus some time value, a month out
        assert item.reference_price > max(Decimal(26000) - (item.instrument.strike or 0), Decimal(0))


def test_stock_futures_follow_their_stock() -> None:
    reliance = futures(DAY, "RELIANCE")
    assert len(reliance) == 2
    assert reliance[0].instrument.lot_size == 500
    assert reliance[0].spot == "NSE:RELIANCE"
    for item in reliance:
        expiry = item.instrument.expiry
        assert expiry is not None
        assert expiry == monthly_expiry(expiry.year, expiry.month)
    others = {"NFO:INFY26DECFUT", "NFO:HDFCBANK26DECFUT", "NFO:SBIN26DECFUT", "NFO:TCS26DECFUT"}
    assert others <= universe(DAY).keys()


# -- MCX and CDS --------------------------------------------------------------------------------------


def lot_value(item: Listing) -> Decimal:
    return item.instrument.lot_size * item.reference_price * item.instrument.multiplier


def test_mcx_futures_value_a_lot_in_rupees() -> None:
    crude, gold = universe(DAY)["MCX:CRUDEOIL26DECFUT"], universe(DAY)["MCX:GOLDM26DECFUT"]
    assert [len(futures(DAY, name)) for name in ("CRUDEOIL", "GOLDM", "SILVERM")] == [2, 2, 2]
    assert crude.instrument.expiry == dt.date(2026, 12, 18)  # the 19th is a Saturday
    assert crude.instrument.tick_size == Decimal(1)
    assert crude.spot is None
    assert 400_000 < lot_value(crude) < 700_000  # 100 barrels
    assert 1_000_000 < lot_value(gold) < 1_600_000  # 100 g, quoted per 10 g


def test_cds_usdinr_futures_and_options() -> None:
    future = universe(DAY)["CDS:USDINR26DECFUT"]
    assert future.instrument.tick_size == Decimal("0.0025")
    assert future.instrument.multiplier == Decimal(1000)
    assert future.instrument.expiry == dt.date(2026, 12, 29)  # two working days before the 31st
    assert len(futures(DAY, "USDINR")) == 2
    option = universe(DAY)["CDS:USDINR26NOV88.5CE"]
    assert option.instrument.strike == Decimal("88.5")
    assert option.spot == "CDS:USDINR26NOVFUT"
    assert {"CDS:USDINR26NOV88.25PE", "CDS:USDINR26NOV89CE"} <= universe(DAY).keys()


# -- determinism and stable tokens ---------------------------------------------------------------------


def test_the_universe_is_deterministic_for_a_day() -> None:
    assert build_universe(DAY) == build_universe(DAY)


def test_a_contract_keeps_its_token_across_days() -> None:
    earlier = dt.date(2026, 11, 2)
    kept = ("NFO:NIFTY26DECFUT", "NFO:BANKNIFTY26DEC59000CE", "MCX:GOLDM26DECFUT", "CDS:USDINR26DECFUT")
    for symbol in kept:
        assert token(earlier, symbol) == token(DAY, symbol)
    assert token(DAY, "NFO:NIFTY26D0126000PE") == token(dt.date(2026, 11, 30), "NFO:NIFTY26D0126000PE")


def test_universe_holds_its_invariants_on_fixed_days() -> None:
    for day in (DAY, NEXT_DAY, dt.date(2025, 12, 31), dt.date(2026, 2, 28), dt.date(2028, 2, 29)):
        check_invariants(day)


@settings(max_examples=60, deadline=None)
@given(days)
def test_universe_holds_its_invariants_on_any_day(day: dt.date) -> None:
    check_invariants(day)
    counts = Counter(item.instrument.underlying for item in futures(day, "NIFTY") + futures(day, "USDINR"))
    assert counts == {"NIFTY": 3, "USDINR": 2}
    for (name, expiry), chain in chains(day).items():
        if name == "BANKNIFTY":
            assert expiry == monthly_expiry(expiry.year, expiry.month)
        if name != "USDINR":
            assert expiry.weekday() == 1  # Tuesday
            spot = universe(day)[chain[0].spot or ""].reference_price
            assert (chain[0].instrument.strike or 0) < spot < (chain[-1].instrument.strike or 0)


@settings(max_examples=40, deadline=None)
@given(days, st.integers(min_value=1, max_value=30))
def test_a_token_means_one_contract_across_nearby_days(day: dt.date, gap: int) -> None:
    before, after = tokens(day), tokens(day + dt.timedelta(days=gap))
    for key in before.keys() & after.keys():
        assert before[key] == after[key]
    keys = {symbol: key for key, symbol in before.items()}
    for key, symbol in after.items():
        assert keys.get(symbol, key) == key


FUT = InstrumentType.FUT


def test_the_nearest_future_is_the_first_to_expire() -> None:
    future = nearest_future("NIFTY", DAY)
    futures = [listing.instrument for listing in build_universe(DAY) if listing.instrument.instrument_type is FUT]
    expiries = [future.expiry for future in futures if future.underlying == "NIFTY"]
    assert (future.lot_size, future.expiry) == (65, min(e for e in expiries if e is not None))
    with pytest.raises(ValueError, match="no NOSUCH future"):
        nearest_future("NOSUCH", DAY)
