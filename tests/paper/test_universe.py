"""The paper exchange's default universe: real tokens, live contracts only, stable tokens."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from functools import cache

import pytest
from brokerplex.models import Exchange, InstrumentType
from brokerplex.symbols import SymbolKind, parse_symbol
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerplex_paper.universe import Listing, build_universe, monthly_expiry, weekly_expiries

DAY = dt.date(2026, 11, 24)  # a Tuesday: the November monthly expiry
NEXT_DAY = DAY + dt.timedelta(days=1)
DERIVATIVES = (Exchange.NFO, Exchange.MCX, Exchange.CDS)
OPTIONS = (InstrumentType.CE, InstrumentType.PE)
_KIND = {
    InstrumentType.EQ: SymbolKind.EQUITY, InstrumentType.INDEX: SymbolKind.INDEX,
    InstrumentType.FUT: SymbolKind.FUTURE, InstrumentType.CE: SymbolKind.OPTION, InstrumentType.PE: SymbolKind.OPTION,
}
days = st.dates(min_value=dt.date(2025, 9, 1), max_value=dt.date(2035, 12, 31))


@cache
def universe(day: dt.date) -> dict[str, Listing]:
    return {listing.instrument.symbol: listing for listing in build_universe(day)}


def tokens(day: dt.date) -> dict[tuple[Exchange, int | None], str]:
    return {(l.instrument.exchange, l.instrument.exchange_token): s for s, l in universe(day).items()}


def check_invariants(day: dt.date) -> None:
    listings = build_universe(day)
    symbols = {listing.instrument.symbol for listing in listings}
    assert len(symbols) == len(listings)
    for exchange in Exchange:
        on_exchange = [l.instrument.exchange_token for l in listings if l.instrument.exchange is exchange]
        assert len(on_exchange) == len(set(on_exchange)), f"token clash on {exchange}"
    for listing in listings:
        check_listing(listing, day, symbols)


def check_listing(listing: Listing, day: dt.date, symbols: set[str]) -> None:
    instrument = listing.instrument
    parsed = parse_symbol(instrument.symbol)
    assert str(parsed) == instrument.symbol == f"{instrument.exchange}:{instrument.tradingsymbol}"
    assert parsed.kind is _KIND[instrument.instrument_type]
    assert isinstance(instrument.exchange_token, int) and 0 < instrument.exchange_token < 2**24
    assert isinstance(listing.reference_price, Decimal) and listing.reference_price > 0
    assert listing.reference_price % instrument.tick_size == 0
    assert isinstance(instrument.tick_size, Decimal) and isinstance(instrument.multiplier, Decimal)
    if instrument.exchange in DERIVATIVES:
        assert instrument.expiry is not None and instrument.expiry >= day
        assert (parsed.expiry_year, parsed.expiry_month) == (instrument.expiry.year, instrument.expiry.month)
        assert parsed.expiry_day in (None, instrument.expiry.day)
        assert parsed.underlying == instrument.underlying == instrument.name
        assert listing.spot is None or listing.spot in symbols
    else:
        assert instrument.expiry is None and instrument.underlying is None and listing.spot is None
    if instrument.instrument_type in OPTIONS:
        assert isinstance(instrument.strike, Decimal) and parsed.strike == instrument.strike
        assert parsed.right == instrument.instrument_type.value and listing.band_percent is None
        assert listing.spot is not None


def chains(day: dt.date) -> dict[tuple[str, dt.date], list[Listing]]:
    found: dict[tuple[str, dt.date], list[Listing]] = {}
    for listing in universe(day).values():
        instrument = listing.instrument
        if instrument.instrument_type in OPTIONS and instrument.underlying and instrument.expiry:
            found.setdefault((instrument.underlying, instrument.expiry), []).append(listing)
    return found


def futures(day: dt.date, underlying: str) -> list[Listing]:
    return sorted(
        (l for l in universe(day).values()
         if l.instrument.instrument_type is InstrumentType.FUT and l.instrument.underlying == underlying),
        key=lambda l: l.instrument.expiry or day,
    )


# -- the cash market ------------------------------------------------------------------------------


def test_nse_equities_carry_real_tokens_and_isins() -> None:
    listings = universe(DAY)
    assert listings["NSE:INFY"].instrument.exchange_token == 1594
    assert listings["NSE:RELIANCE"].instrument.exchange_token == 2885
    assert listings["NSE:HDFCBANK"].instrument.exchange_token == 1333
    assert listings["NSE:M&M"].instrument.exchange_token == 2031
    assert listings["NSE:INFY"].instrument.isin == "INE009A01021"
    assert listings["NSE:RELIANCE"].instrument.isin == "INE002A01018"


def test_at_least_45_nse_equities_with_cash_market_terms() -> None:
    equities = [l for l in universe(DAY).values()
                if l.instrument.exchange is Exchange.NSE and l.instrument.instrument_type is InstrumentType.EQ]
    assert len(equities) >= 45
    for listing in equities:
        instrument = listing.instrument
        assert (instrument.lot_size, instrument.tick_size, instrument.freeze_quantity) == (1, Decimal("0.05"), None)
        assert listing.band_percent in (Decimal(10), Decimal(20)) and 0.15 <= listing.volatility <= 0.45
        assert instrument.name
        assert instrument.isin is None or (len(instrument.isin) == 12 and instrument.isin.startswith("INE"))


def test_bse_equities_use_scrip_codes_and_share_the_nse_isin() -> None:
    listings = universe(DAY)
    assert listings["BSE:RELIANCE"].instrument.exchange_token == 500325
    assert listings["BSE:INFY"].instrument.exchange_token == 500209
    assert listings["BSE:INFY"].instrument.isin == listings["NSE:INFY"].instrument.isin


def test_indices_are_quote_only() -> None:
    listings = universe(DAY)
    nifty = listings["NSE:NIFTY 50"]
    assert nifty.instrument.exchange_token == 26000 and nifty.instrument.instrument_type is InstrumentType.INDEX
    assert not nifty.instrument.tradable and nifty.band_percent is None
    assert {"NSE:NIFTY BANK", "NSE:INDIA VIX", "BSE:SENSEX"} <= listings.keys()


# -- NFO ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [(2025, 9, dt.date(2025, 9, 30)), (2025, 12, dt.date(2025, 12, 30)), (2026, 2, dt.date(2026, 2, 24)),
     (2026, 11, dt.date(2026, 11, 24)), (2027, 8, dt.date(2027, 8, 31))],
)
def test_monthly_expiry_is_the_last_tuesday(year: int, month: int, expected: dt.date) -> None:
    assert monthly_expiry(year, month) == expected


def test_weekly_expiries_start_on_an_expiry_day_itself() -> None:
    assert weekly_expiries(DAY, 2) == [DAY, dt.date(2026, 12, 1)]
    assert weekly_expiries(NEXT_DAY, 2) == [dt.date(2026, 12, 1), dt.date(2026, 12, 8)]


def test_index_contract_terms() -> None:
    nifty, banknifty = futures(DAY, "NIFTY"), futures(DAY, "BANKNIFTY")
    assert [l.instrument.symbol for l in nifty] == ["NFO:NIFTY26NOVFUT", "NFO:NIFTY26DECFUT", "NFO:NIFTY27JANFUT"]
    assert (nifty[0].instrument.lot_size, nifty[0].instrument.freeze_quantity) == (65, 1800)
    assert (banknifty[0].instrument.lot_size, banknifty[0].instrument.freeze_quantity) == (30, 900)
    assert nifty[0].spot == "NSE:NIFTY 50" and nifty[0].band_percent == Decimal(10)
    # futures trade at a premium that grows with time to expiry
    assert universe(DAY)["NSE:NIFTY 50"].reference_price < nifty[0].reference_price < nifty[2].reference_price


def test_expiring_contracts_are_listed_on_expiry_day_and_gone_the_next() -> None:
    for symbol in ("NFO:NIFTY26NOVFUT", "NFO:NIFTY26NOV26000CE", "NFO:BANKNIFTY26NOV59000PE", "NFO:INFY26NOVFUT"):
        assert symbol in universe(DAY)
        assert symbol not in universe(NEXT_DAY)
    weekly = dt.date(2026, 11, 17)
    assert "NFO:NIFTY26N1726000CE" in universe(weekly)
    assert "NFO:NIFTY26N1726000CE" not in universe(weekly + dt.timedelta(days=1))


def test_nifty_lists_two_weeklies_and_the_monthly() -> None:
    day = dt.date(2026, 11, 11)  # Wednesday: weeklies 17 and 24 November, the 24th being the monthly
    assert set(k for (u, k) in chains(day) if u == "NIFTY") == {dt.date(2026, 11, 17), dt.date(2026, 11, 24)}
    assert "NFO:NIFTY26N1726000PE" in universe(day) and "NFO:NIFTY26NOV26000PE" in universe(day)
    assert "NFO:NIFTY26N2426000PE" not in universe(day)  # the monthly expiry takes the monthly form
    assert set(k for (u, k) in chains(NEXT_DAY) if u == "NIFTY") == {
        dt.date(2026, 12, 1), dt.date(2026, 12, 8), dt.date(2026, 12, 29)}
    assert {k for (u, k) in chains(NEXT_DAY) if u == "BANKNIFTY"} == {dt.date(2026, 12, 29), dt.date(2027, 1, 26)}


def test_option_strikes_straddle_the_underlying() -> None:
    for (underlying, _expiry), chain in chains(DAY).items():
        spot = universe(DAY)[chain[0].spot or ""].reference_price
        strikes = sorted({l.instrument.strike or Decimal(0) for l in chain})
        assert strikes[0] < spot < strikes[-1]
        assert len(chain) == 2 * len(strikes)
        if underlying == "NIFTY":
            assert len(strikes) == 21 and {b - a for a, b in zip(strikes, strikes[1:])} == {Decimal(50)}


def test_option_prices_behave_like_options() -> None:
    chain = chains(NEXT_DAY)[("NIFTY", dt.date(2026, 12, 29))]
    calls = sorted((l for l in chain if l.instrument.instrument_type is InstrumentType.CE),
                   key=lambda l: l.instrument.strike or 0)
    puts = sorted((l for l in chain if l.instrument.instrument_type is InstrumentType.PE),
                  key=lambda l: l.instrument.strike or 0)
    call_prices, put_prices = [l.reference_price for l in calls], [l.reference_price for l in puts]
    assert call_prices == sorted(call_prices, reverse=True) and put_prices == sorted(put_prices)
    spot = Decimal(26000)
    for listing in calls:  # at least intrinsic value, and some time value a month out
        assert listing.reference_price > max(spot - (listing.instrument.strike or 0), Decimal(0))


def test_stock_futures_follow_their_stock() -> None:
    reliance = futures(DAY, "RELIANCE")
    assert len(reliance) == 2 and reliance[0].instrument.lot_size == 500 and reliance[0].spot == "NSE:RELIANCE"
    assert all(l.instrument.expiry == monthly_expiry(l.instrument.expiry.year, l.instrument.expiry.month)
               for l in reliance if l.instrument.expiry)
    assert {"NFO:INFY26DECFUT", "NFO:HDFCBANK26DECFUT", "NFO:SBIN26DECFUT", "NFO:TCS26DECFUT"} <= universe(DAY).keys()


# -- MCX and CDS -----------------------------------------------------------------------------------


def test_mcx_futures_value_a_lot_in_rupees() -> None:
    listings = universe(DAY)
    crude, gold = listings["MCX:CRUDEOIL26DECFUT"], listings["MCX:GOLDM26DECFUT"]
    assert len(futures(DAY, "CRUDEOIL")) == len(futures(DAY, "GOLDM")) == len(futures(DAY, "SILVERM")) == 2
    assert crude.instrument.expiry == dt.date(2026, 12, 18)  # the 19th is a Saturday
    assert crude.instrument.tick_size == Decimal(1) and crude.spot is None

    def lot_value(listing: Listing) -> Decimal:
        instrument = listing.instrument
        return instrument.lot_size * listing.reference_price * instrument.multiplier

    assert 400_000 < lot_value(crude) < 700_000  # 100 barrels
    assert 1_000_000 < lot_value(gold) < 1_600_000  # 100 g at a price per 10 g


def test_cds_usdinr_futures_and_options() -> None:
    listings = universe(DAY)
    future = listings["CDS:USDINR26DECFUT"]
    assert future.instrument.tick_size == Decimal("0.0025") and future.instrument.multiplier == Decimal(1000)
    assert future.instrument.expiry == dt.date(2026, 12, 29)  # two working days before the 31st
    assert len(futures(DAY, "USDINR")) == 2
    option = listings["CDS:USDINR26NOV88.5CE"]
    assert option.instrument.strike == Decimal("88.5") and option.spot == "CDS:USDINR26NOVFUT"
    assert "CDS:USDINR26NOV88.25PE" in listings and "CDS:USDINR26NOV89CE" in listings


# -- determinism and stable tokens -----------------------------------------------------------------


def test_the_universe_is_deterministic_for_a_day() -> None:
    assert build_universe(DAY) == build_universe(DAY)


def test_a_contract_keeps_its_token_across_days() -> None:
    earlier, later = universe(dt.date(2026, 11, 2)), universe(DAY)
    for symbol in ("NFO:NIFTY26DECFUT", "NFO:BANKNIFTY26DEC59000CE", "MCX:GOLDM26DECFUT", "CDS:USDINR26DECFUT"):
        assert earlier[symbol].instrument.exchange_token == later[symbol].instrument.exchange_token
    weekly = "NFO:NIFTY26D0126000PE"
    assert universe(DAY)[weekly].instrument.exchange_token == universe(dt.date(2026, 11, 30))[weekly].instrument.exchange_token


def test_universe_holds_its_invariants_on_fixed_days() -> None:
    for day in (DAY, NEXT_DAY, dt.date(2025, 12, 31), dt.date(2026, 2, 28), dt.date(2028, 2, 29)):
        check_invariants(day)


@settings(max_examples=60, deadline=None)
@given(days)
def test_universe_holds_its_invariants_on_any_day(day: dt.date) -> None:
    check_invariants(day)
    counts = Counter(l.instrument.underlying for l in build_universe(day)
                     if l.instrument.instrument_type is InstrumentType.FUT)
    assert counts["NIFTY"] == counts["BANKNIFTY"] == 3 and counts["RELIANCE"] == counts["USDINR"] == 2
    for (underlying, expiry), _chain in chains(day).items():
        if underlying == "BANKNIFTY":
            assert expiry == monthly_expiry(expiry.year, expiry.month)
        assert expiry.weekday() == 1 or underlying == "USDINR"


@settings(max_examples=40, deadline=None)
@given(days, st.integers(min_value=1, max_value=30))
def test_a_token_means_one_contract_across_nearby_days(day: dt.date, gap: int) -> None:
    before, after = tokens(day), tokens(day + dt.timedelta(days=gap))
    for key in before.keys() & after.keys():
        assert before[key] == after[key]
    by_symbol = {symbol: key for key, symbol in before.items()}
    for key, symbol in after.items():
        assert by_symbol.get(symbol, key) == key
