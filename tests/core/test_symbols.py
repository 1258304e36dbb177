from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerplex.errors import SymbolError
from brokerplex.symbols import MONTHS, WEEKLY_MONTH_CODES, Exchange, SymbolKind, canonical, parse_symbol


@pytest.mark.parametrize(
    ("text", "kind", "underlying", "strike", "right"),
    [
        ("NSE:INFY", SymbolKind.EQUITY, None, None, None),
        ("nse:m&m", SymbolKind.EQUITY, None, None, None),
        ("NSE:BAJAJ-AUTO", SymbolKind.EQUITY, None, None, None),
        ("NSE:NIFTY 50", SymbolKind.INDEX, None, None, None),
        ("BSE:SENSEX", SymbolKind.INDEX, None, None, None),
        ("NFO:NIFTY25DECFUT", SymbolKind.FUTURE, "NIFTY", None, None),
        ("NFO:NIFTY25DEC24000CE", SymbolKind.OPTION, "NIFTY", Decimal(24000), "CE"),
        ("NFO:BANKNIFTY26JAN52000PE", SymbolKind.OPTION, "BANKNIFTY", Decimal(52000), "PE"),
        ("NFO:NIFTY25D0924000CE", SymbolKind.OPTION, "NIFTY", Decimal(24000), "CE"),
        ("NFO:NIFTYNXT5025DECFUT", SymbolKind.FUTURE, "NIFTYNXT50", None, None),
        ("CDS:USDINR25DEC83.5CE", SymbolKind.OPTION, "USDINR", Decimal("83.5"), "CE"),
        ("MCX:CRUDEOIL25DECFUT", SymbolKind.FUTURE, "CRUDEOIL", None, None),
    ],
)
def test_parses_the_canonical_forms(
    text: str, kind: SymbolKind, underlying: str | None, strike: Decimal | None, right: str | None
) -> None:
    symbol = parse_symbol(text)
    assert symbol.kind is kind
    assert symbol.underlying == underlying
    assert symbol.strike == strike
    assert symbol.right == right
    assert str(symbol) == text.upper()


def test_weekly_option_carries_its_expiry_day() -> None:
    symbol = parse_symbol("NFO:NIFTY25D0924000CE")
    assert (symbol.expiry_year, symbol.expiry_month, symbol.expiry_day) == (2025, 12, 9)
    assert parse_symbol("NFO:NIFTY25O0724000PE").expiry_month == 10


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty symbol"),
        ("INFY", "has no exchange; write it as EXCHANGE:SYMBOL"),
        ("NSX:INFY", "unknown exchange 'NSX'"),
        ("NSE:", "no trading symbol"),
        ("NSE:INFY$", "invalid character '$'"),
        ("NFO:INFY", "is not a NFO future or option"),
        ("NFO:NIFTY25DEX24000CE", "is not a NFO future or option"),
        ("NFO:NIFTY25D3224000CE", "invalid weekly expiry date"),
        ("NFO:NIFTY25DEC0CE", "strike must be positive"),
    ],
)
def test_refuses_with_a_clear_reason(text: str, reason: str) -> None:
    with pytest.raises(SymbolError, match=reason.replace("$", r"\$")):
        parse_symbol(text)


def test_index_is_not_tradable() -> None:
    assert not parse_symbol("NSE:NIFTY BANK").tradable
    assert parse_symbol("NSE:SBIN").tradable


underlyings = st.sampled_from(["NIFTY", "BANKNIFTY", "FINNIFTY", "RELIANCE", "M&M", "BAJAJ-AUTO", "USDINR"])
strikes = st.decimals(min_value=Decimal("0.25"), max_value=Decimal(200000), places=2).map(
    lambda d: d.normalize() if d == d.to_integral() else d.quantize(Decimal("0.01"))
)


@given(underlying=underlyings, year=st.integers(0, 99), month=st.integers(1, 12), strike=strikes,
       right=st.sampled_from(["CE", "PE"]), future=st.booleans())
def test_monthly_contracts_round_trip(
    underlying: str, year: int, month: int, strike: Decimal, right: str, future: bool
) -> None:
    tail = "FUT" if future else f"{strike:f}{right}"
    text = f"NFO:{underlying}{year:02d}{MONTHS[month - 1]}{tail}"
    symbol = parse_symbol(text)
    assert str(symbol) == text
    assert (symbol.underlying, symbol.expiry_year, symbol.expiry_month) == (underlying, 2000 + year, month)
    assert symbol.kind is (SymbolKind.FUTURE if future else SymbolKind.OPTION)
    if not future:
        assert symbol.strike == strike


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
       underlying=st.sampled_from(["NIFTY", "SENSEX", "BANKEX"]), strike=st.integers(1, 99999))
def test_weekly_contracts_round_trip(day: dt.date, underlying: str, strike: int) -> None:
    text = f"NFO:{underlying}{day:%y}{WEEKLY_MONTH_CODES[day.month - 1]}{day:%d}{strike}CE"
    symbol = parse_symbol(text)
    assert (symbol.expiry_year, symbol.expiry_month, symbol.expiry_day) == (day.year, day.month, day.day)
    assert symbol.strike == strike


@given(st.text(max_size=40))
def test_any_text_parses_to_a_fixed_point_or_a_symbol_error(text: str) -> None:
    try:
        symbol = parse_symbol(text)
    except SymbolError as exc:
        message = str(exc)
    else:
        assert canonical(str(symbol)) == str(symbol)
        assert symbol.exchange in Exchange
        return
    assert message
    assert "\n" not in message
