"""The pipe-separated master parser: layouts by column count, canonical symbols, lazy instruments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerplex.errors import ProtocolError
from brokerplex.models import InstrumentType
from brokerplex.symbols import parse_symbol
from brokerplex_xts_client.master import build_store, index_rows, parse_master


def cash(segment: str, ident: int, name: str, series: str = "EQ", tick: str = "0.05") -> str:
    return "|".join([segment, str(ident), "8", name, f"{name}-{series}", series, f"{name}-{series}",
                     f"11001000{ident:05d}", "2000", "1000", "100001", tick, "1", "1", name, "INE000X01010", "1", "1",
                     f"{name} LIMITED-{series}", "0", "-1", "-1"])


def future(ident: int, name: str, expiry: str, lot: int = 75, kind: str = "1") -> str:
    return "|".join(["NSEFO", str(ident), kind, name, f"{name}FUT", "FUTIDX", f"{name}-FUTIDX", f"2{ident:012d}",
                     "26000", "22000", "1801", "0.05", str(lot), "1", "-1", "Nifty 50", f"{expiry}T14:30:00",
                     f"{name} X", "1", "1", f"{name}FUT"])


def option(ident: int, name: str, expiry: str, strike: str, right: int, listed: str = "") -> str:
    return "|".join(["NSEFO", str(ident), "2", name, listed or f"{name}OPT", "OPTIDX", f"{name}-OPTIDX",
                     f"2{ident:012d}", "500", "0.05", "1801", "0.05", "75", "1", "-1", "Nifty 50",
                     f"{expiry}T14:30:00", strike, str(right), f"{name} X", "1", "1", listed or f"{name}OPT"])


def test_layouts_are_told_apart_by_column_count() -> None:
    text = "\n".join([
        cash("NSECM", 1594, "INFY"), cash("NSECM", 16738, "MKPL", series="BE"), cash("BSECM", 500209, "INFY"),
        future(35001, "NIFTY", "2026-12-29"), future(35002, "NIFTY", "2026-12-29", kind="4"),  # a spread
        option(40001, "NIFTY", "2026-12-29", "24000", 3), option(40002, "NIFTY", "2026-12-29", "24000.0", 4),
    ]) + "\r\n"
    symbols = [row[0] for row in parse_master(text)]
    assert symbols == ["NSE:INFY", "NSE:MKPL-BE", "BSE:INFY", "NFO:NIFTY26DECFUT", "NFO:NIFTY26DEC24000CE",
                       "NFO:NIFTY26DEC24000PE"]
    for symbol in symbols:
        assert str(parse_symbol(symbol)) == symbol


def test_weekly_and_monthly_options_by_the_last_expiry_of_the_month() -> None:
    rows = parse_master("\n".join([
        option(1, "NIFTY", "2026-12-01", "24000", 3), option(2, "NIFTY", "2026-12-29", "24000", 3),
        option(3, "NIFTY", "2026-12-08", "23950.5", 4),
    ]))
    assert [row[0] for row in rows] == ["NFO:NIFTY26D0124000CE", "NFO:NIFTY26DEC24000CE", "NFO:NIFTY26D0823950.5PE"]


def test_the_masters_own_trading_symbol_wins_when_it_spells_the_contract() -> None:
    # Only weeklies of January are listed: the rule alone would call the last one monthly.
    rows = parse_master(option(7, "NIFTY", "2027-01-05", "25000", 3, listed="NIFTY2710525000CE"))
    assert rows[0][0] == "NFO:NIFTY2710525000CE"


def test_lazy_instruments_carry_trading_rules() -> None:
    store = build_store(parse_master("\n".join([
        cash("NSECM", 1594, "INFY", tick="0.1"), future(35001, "NIFTY", "2026-12-29"),
        option(40001, "NIFTY", "2026-12-29", "24000", 4),
    ])))
    assert store.key("NSE:INFY") == (1, 1594)
    assert store.symbol((2, 40001)) == "NFO:NIFTY26DEC24000PE"
    infy = store.instrument("NSE:INFY")
    assert infy is not None
    assert (infy.tick_size, infy.lot_size, infy.exchange_token, infy.isin) == (Decimal("0.1"), 1, 1594,
                                                                               "INE000X01010")
    fut = store.instrument("NFO:NIFTY26DECFUT")
    assert fut is not None
    assert (fut.instrument_type, fut.expiry, fut.lot_size, fut.freeze_quantity) == (
        InstrumentType.FUT, dt.date(2026, 12, 29), 75, 1800)
    put = store.instrument("NFO:NIFTY26DEC24000PE")
    assert put is not None
    assert (put.instrument_type, put.strike, put.underlying) == (InstrumentType.PE, Decimal(24000), "NIFTY")


def test_index_rows_from_the_index_list() -> None:
    lines = [row[3] for row in index_rows("NSECM", ["NIFTY 50_26000", "NIFTY BANK_26001", "junk"])]
    store = build_store(parse_master("\n".join(lines)))
    assert list(store) == ["NSE:NIFTY 50", "NSE:NIFTY BANK"]
    nifty = store.instrument("NSE:NIFTY 50")
    assert nifty is not None
    assert nifty.instrument_type is InstrumentType.INDEX
    assert store.key("NSE:NIFTY BANK") == (1, 26001)


def test_a_truncated_master_is_a_protocol_error() -> None:
    whole = cash("NSECM", 1594, "INFY")
    with pytest.raises(ProtocolError, match="line 2"):
        parse_master(whole + "\n" + whole[:40])
    with pytest.raises(ProtocolError):
        parse_master(whole.replace("|1594|", "|15x94|"))


def test_unknown_segments_are_skipped() -> None:
    assert parse_master(cash("NCDEX", 5, "GUAR")) == []


@given(st.lists(st.tuples(st.integers(1, 99_999), st.from_regex(r"[A-Z][A-Z0-9&]{0,11}", fullmatch=True)),
                min_size=1, max_size=30, unique_by=lambda pair: pair[0]))
def test_every_cash_row_round_trips(pairs: list[tuple[int, str]]) -> None:
    rows = parse_master("\n".join(cash("NSECM", ident, name) for ident, name in pairs))
    assert [(row[0], row[2]) for row in rows] == [(f"NSE:{name}", ident) for ident, name in pairs]
