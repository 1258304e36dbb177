"""The instrument-dump parser and store, against the official client's parser on the same CSV."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal

import pytest

from brokerplex.errors import ProtocolError, SymbolError
from brokerplex.models import InstrumentType
from brokerplex_zerodha.instruments import HEADER, build_instrument, parse_instruments, parse_store

ROWS = [
    "408065,1594,INFY,INFOSYS,1540.0,,0.0,0.05,1,EQ,NSE,NSE",
    "256265,1001,NIFTY 50,NIFTY 50,0.0,,0.0,0.0,0,EQ,INDICES,NSE",
    "9442306,36884,NIFTY26DEC24000CE,NIFTY,120.5,2026-12-29,24000.0,0.05,65,CE,NFO-OPT,NFO",
    "9443842,36890,NIFTY26DECFUT,NIFTY,24100.0,2026-12-29,0.0,0.1,65,FUT,NFO-FUT,NFO",
    "412675,1612,USDINR26DECFUT,USDINR,84.1,2026-12-29,0.0,0.0025,1,FUT,CDS-FUT,CDS",
    '500001,1953,ACME,"ACME, LTD",1.0,,0.0,0.05,1,EQ,NSE,NSE',
    '500002,1954,"ODD,SYMBOL",ODD,1.0,,0.0,0.05,1,EQ,NSE,NSE',
    "700012,2734,GOLDNCO26DECFUT,GOLD,0.0,2026-12-29,0.0,1.0,1,FUT,NCO-FUT,NCO",
]
DUMP = ("\r\n".join([HEADER, *ROWS]) + "\r\n").encode()


def test_instruments_match_the_official_parser() -> None:
    from kiteconnect import KiteConnect

    theirs = KiteConnect("key")._parse_instruments(DUMP)
    ours = parse_instruments(DUMP)
    assert len(ours) == len(theirs) == len(ROWS)
    for row, reference in zip(ours, theirs, strict=True):
        assert row.instrument_token == reference["instrument_token"]
        if reference["exchange"] == "NCO":
            continue  # an exchange brokerplex does not know: never built (see the store test)
        built = build_instrument(row)
        assert (built.tradingsymbol, built.name, built.exchange.value) == (
            reference["tradingsymbol"], reference["name"], reference["exchange"])
        assert built.exchange_token == int(reference["exchange_token"])
        assert built.lot_size == max(reference["lot_size"], 1)  # indices list 0
        assert built.tick_size == (Decimal(str(reference["tick_size"])) or Decimal("0.05"))
        assert built.expiry == (reference["expiry"] or None)
        if built.instrument_type in (InstrumentType.CE, InstrumentType.PE):
            assert built.strike == Decimal(str(reference["strike"]))


def test_store_maps_canonical_symbols_to_tokens_and_back() -> None:
    store = parse_store(gzip.compress(DUMP))  # a gzipped body is accepted as well
    assert store.key("NSE:INFY") == 408065
    assert store.symbol(256265) == "NSE:NIFTY 50"
    assert "NCO:GOLDNCO26DECFUT" not in store  # an exchange brokerplex does not know is left out
    with pytest.raises(SymbolError):
        store.key("NSE:NOSUCHSCRIP")
    index = store.instrument("NSE:NIFTY 50")
    assert index is not None
    assert (index.instrument_type, index.tradable, index.lot_size, index.tick_size) == (
        InstrumentType.INDEX, False, 1, Decimal("0.05"))
    option = store.instrument("NFO:NIFTY26DEC24000CE")
    assert option is not None
    assert (option.strike, option.expiry, option.lot_size, option.underlying) == (
        Decimal("24000.0"), dt.date(2026, 12, 29), 65, "NIFTY")
    currency = store.instrument("CDS:USDINR26DECFUT")
    assert currency is not None
    assert currency.tick_size == Decimal("0.0025")


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "header"),
    (b"token,symbol\r\n1,INFY\r\n", "header"),
    (DUMP + b"408066,1594,INFY,X,0.0,,0.0,0.05,1,EQ,NSE\r\n", "line 10: 11 columns"),
    (DUMP + b"abc,1594,INFY,INFOSYS,0.0,,0.0,0.05,1,EQ,NSE,NSE\r\n", "line 10"),
    (DUMP + b"408066,1594,INFY\r\n", "line 10: 3 columns"),
    (b"\xff\xfe" + DUMP, "UTF-8"),
    (b"\x1f\x8bnot gzip", "gzip"),
])
def test_malformed_dumps_are_protocol_errors(data: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        parse_instruments(data)


@pytest.mark.parametrize("line", ["1,2,INFY,X,0.0,2026-13-40,0.0,0.05,1,EQ,NSE,NSE",
                                  "1,2,INFY,X,0.0,,0.0,0.05,one,EQ,NSE,NSE", "1,2,INFY,X,0.0,,0.0,tick,1,EQ,NSE,NSE"])
def test_a_malformed_field_read_lazily_is_a_protocol_error_when_built(line: str) -> None:
    (row,) = parse_instruments(f"{HEADER}\r\n{line}\r\n".encode())
    with pytest.raises(ProtocolError, match="NSE:INFY"):
        build_instrument(row)
