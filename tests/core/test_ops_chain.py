"""The option chain: strike selection around the spot, quotes into rows, and the volatility and greeks
their prices imply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from brokerplex.formats import IST
from brokerplex.models import Depth, DepthLevel, Exchange, Instrument, InstrumentType, Quote
from brokerplex.ops.chain import build_chain, chain_symbols, select_strikes, spot_symbol_for, years_to_expiry
from brokerplex.ops.greeks import greeks, price

EXPIRY = dt.date(2026, 12, 8)  # a Tuesday
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=IST)
SPOT = Decimal("26012.35")
RATE, VOL = 0.065, 0.13


def option(strike: int, right: str, expiry: dt.date = EXPIRY) -> Instrument:
    tradingsymbol = f"NIFTY{expiry:%y}{'123456789OND'[expiry.month - 1]}{expiry:%d}{strike}{right}"
    return Instrument(symbol=f"NFO:{tradingsymbol}", exchange=Exchange.NFO, tradingsymbol=tradingsymbol, name="NIFTY",
                      instrument_type=InstrumentType(right), underlying="NIFTY", expiry=expiry,
                      strike=Decimal(strike), lot_size=65)


OPTIONS = [option(strike, right) for strike in range(25_500, 26_550, 50) for right in ("CE", "PE")]


def fair(contract: Instrument, vol: float = VOL) -> Decimal:
    assert contract.strike is not None
    value = price(float(SPOT), float(contract.strike), years_to_expiry(EXPIRY, NOW), vol,
                  call=contract.instrument_type is InstrumentType.CE, rate=RATE)
    return Decimal(f"{value:.2f}")


def quote(contract: Instrument, *, bid: Decimal | None = None, ask: Decimal | None = None,
          last: Decimal | None = None) -> Quote:
    depth = Depth(bids=[DepthLevel(price=bid, quantity=650)] if bid else [DepthLevel(price=Decimal(0), quantity=0)],
                  asks=[DepthLevel(price=ask, quantity=325)] if ask else [])
    return Quote(symbol=contract.symbol, last_price=fair(contract) if last is None else last, volume=1200,
                 open_interest=45_000, depth=depth)


def test_spot_symbols_of_indices_and_stocks() -> None:
    assert spot_symbol_for("NIFTY") == "NSE:NIFTY 50"
    assert spot_symbol_for("banknifty") == "NSE:NIFTY BANK"
    assert spot_symbol_for("FINNIFTY") == "NSE:NIFTY FIN SERVICE"
    assert spot_symbol_for("MIDCPNIFTY") == "NSE:NIFTY MID SELECT"
    assert spot_symbol_for("SENSEX") == "BSE:SENSEX"
    assert spot_symbol_for("BANKEX") == "BSE:BANKEX"
    assert spot_symbol_for("RELIANCE") == "NSE:RELIANCE"


def test_time_runs_to_the_close_of_the_expiry_day() -> None:
    assert years_to_expiry(EXPIRY, dt.datetime(2026, 12, 8, 15, 30, tzinfo=IST)) == 0
    assert years_to_expiry(EXPIRY, dt.datetime(2026, 12, 7, 15, 30, tzinfo=IST)) == pytest.approx(1 / 365)
    assert years_to_expiry(EXPIRY, dt.datetime(2026, 12, 8, 4, 0, tzinfo=dt.UTC)) == pytest.approx(6 / 24 / 365)
    assert years_to_expiry(EXPIRY, dt.datetime(2026, 12, 7, 15, 30)) == pytest.approx(1 / 365)  # naive: IST


def test_strikes_around_the_spot() -> None:
    assert select_strikes(OPTIONS, SPOT, 2) == [Decimal(s) for s in (25_900, 25_950, 26_000, 26_050, 26_100)]
    assert select_strikes(OPTIONS, Decimal("26030"), 1) == [Decimal(s) for s in (26_000, 26_050, 26_100)]
    assert select_strikes(OPTIONS, Decimal("26025"), 0) == [Decimal(26_050)]  # halfway: the one above
    assert select_strikes(OPTIONS, Decimal(10), 2) == [Decimal(s) for s in (25_500, 25_550, 25_600)]
    assert select_strikes(OPTIONS, Decimal(99_999), 1) == [Decimal(26_450), Decimal(26_500)]
    assert len(select_strikes(OPTIONS, SPOT, None)) == len(select_strikes(OPTIONS, None, 3)) == 21
    assert select_strikes([], SPOT, 3) == []


def test_chain_symbols_are_both_sides_of_the_selected_strikes() -> None:
    symbols = chain_symbols(OPTIONS, SPOT, 1)
    assert sorted(symbols) == sorted(f"NFO:NIFTY26D08{strike}{right}" for strike in (25_950, 26_000, 26_050)
                                     for right in ("CE", "PE"))
    assert len(chain_symbols(OPTIONS, SPOT, None)) == len(OPTIONS)


def test_a_chain_reads_back_the_volatility_its_prices_were_made_with() -> None:
    quotes = {contract.symbol: quote(contract) for contract in OPTIONS}
    chain = build_chain("nifty", EXPIRY, OPTIONS, quotes, SPOT, "NSE:NIFTY 50", NOW, strikes=3, quote_calls=1)
    assert (chain.underlying, chain.expiry, chain.spot, chain.spot_symbol, chain.quote_calls) == (
        "NIFTY", EXPIRY, SPOT, "NSE:NIFTY 50", 1)
    assert [row.strike for row in chain.rows] == [Decimal(s) for s in range(25_850, 26_200, 50)]
    years = years_to_expiry(EXPIRY, NOW)
    for row in chain.rows:
        assert row.call is not None
        assert row.put is not None
        for side, call in ((row.call, True), (row.put, False)):
            assert side.iv == pytest.approx(Decimal(VOL), abs=Decimal("0.002"))  # prices are rounded to paise
            expected = greeks(float(SPOT), float(row.strike), years, float(side.iv or 0), call=call, rate=RATE)
            # the chain's greeks are at the unrounded volatility
            assert side.delta == pytest.approx(Decimal(f"{expected.delta:.4f}"), abs=Decimal("0.001"))
            assert side.gamma == pytest.approx(Decimal(f"{expected.gamma:.6f}"), abs=Decimal("0.000002"))
            assert side.theta == pytest.approx(Decimal(f"{expected.theta:.2f}"), abs=Decimal("0.02"))
            assert side.vega == pytest.approx(Decimal(f"{expected.vega:.2f}"), abs=Decimal("0.02"))
            assert (side.volume, side.open_interest, side.bid, side.ask) == (1200, 45_000, None, None)
        assert row.call.delta is not None
        assert row.put.delta is not None
        assert 0 < row.call.delta < 1
        assert -1 < row.put.delta < 0
        assert row.call.delta - row.put.delta == pytest.approx(1, abs=Decimal("0.0002"))
        assert row.call.theta is not None
        assert row.call.theta < 0


def test_volatility_comes_from_the_mid_when_both_sides_stand() -> None:
    call = option(26_000, "CE")
    wide = fair(call, 0.20)
    quotes = {call.symbol: quote(call, bid=wide - 2, ask=wide + 2, last=Decimal("1.00"))}
    row = build_chain("NIFTY", EXPIRY, [call], quotes, SPOT, "NSE:NIFTY 50", NOW, strikes=None, quote_calls=1).rows[0]
    assert row.put is None
    assert row.call is not None
    assert (row.call.bid, row.call.ask, row.call.last_price) == (wide - 2, wide + 2, Decimal("1.00"))
    assert row.call.iv == pytest.approx(Decimal("0.20"), abs=Decimal("0.001"))
    only_bid = {call.symbol: quote(call, bid=wide - 2, last=fair(call, 0.15))}
    row = build_chain("NIFTY", EXPIRY, [call], only_bid, SPOT, "NSE:NIFTY 50", NOW, strikes=None, quote_calls=1).rows[0]
    assert row.call is not None
    assert row.call.iv == pytest.approx(Decimal("0.15"), abs=Decimal("0.001"))  # from the last price


def test_sides_without_a_usable_price_have_no_greeks() -> None:
    deep = option(25_500, "CE")
    quotes = {deep.symbol: quote(deep, last=Decimal("100"))}  # far below intrinsic
    chain = build_chain("NIFTY", EXPIRY, OPTIONS, quotes, SPOT, "NSE:NIFTY 50", NOW, strikes=None, quote_calls=1)
    first = chain.rows[0]
    assert first.call is not None
    assert (first.call.last_price, first.call.iv, first.call.delta) == (Decimal(100), None, None)
    assert first.put is not None
    assert first.put.last_price is None  # no quote at all: the contract, and nothing else
    assert first.put.volume == 0
    no_spot = build_chain("NIFTY", EXPIRY, OPTIONS, {o.symbol: quote(o) for o in OPTIONS}, None, "NSE:NIFTY 50",
                          NOW, strikes=2, quote_calls=1)
    assert len(no_spot.rows) == 21
    assert all(row.call and row.call.iv is None and row.call.last_price for row in no_spot.rows)
    expired = build_chain("NIFTY", EXPIRY, OPTIONS, {o.symbol: quote(o) for o in OPTIONS}, SPOT, "NSE:NIFTY 50",
                          dt.datetime(2026, 12, 8, 15, 31, tzinfo=IST), strikes=1, quote_calls=1)
    assert all(row.put and row.put.iv is None and row.put.gamma is None for row in expired.rows)


def test_contracts_of_other_expiries_stay_out() -> None:
    later = [option(26_000, "CE", dt.date(2026, 12, 15)), option(26_100, "PE", dt.date(2026, 12, 15))]
    chain = build_chain("NIFTY", EXPIRY, OPTIONS + later, {}, SPOT, "NSE:NIFTY 50", NOW, strikes=None, quote_calls=0)
    assert len(chain.rows) == 21
    assert all(row.call and row.call.symbol.startswith("NFO:NIFTY26D08") for row in chain.rows)
