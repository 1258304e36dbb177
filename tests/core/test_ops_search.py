"""Instrument search: ranking, multi-word queries, filters, misspellings, and an underlying's expiries and
options."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from brokerplex.errors import InputError
from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex.ops.search import SearchIndex

WEEKLY, MONTHLY, NEXT_MONTH = dt.date(2026, 12, 8), dt.date(2026, 12, 29), dt.date(2027, 1, 26)


def equity(symbol: str, name: str, exchange: Exchange = Exchange.NSE) -> Instrument:
    return Instrument(symbol=f"{exchange}:{symbol}", exchange=exchange, tradingsymbol=symbol, name=name,
                      instrument_type=InstrumentType.EQ)


def index(name: str, exchange: Exchange = Exchange.NSE) -> Instrument:
    return Instrument(symbol=f"{exchange}:{name}", exchange=exchange, tradingsymbol=name, name=name,
                      instrument_type=InstrumentType.INDEX)


def derivative(name: str, expiry: dt.date, kind: str, strike: int | None = None, *,
               exchange: Exchange = Exchange.NFO) -> Instrument:
    weekly = expiry == WEEKLY
    month = "123456789OND"[expiry.month - 1] + f"{expiry:%d}" if weekly else f"{expiry:%b}".upper()
    tradingsymbol = f"{name}{expiry:%y}{month}{'' if strike is None else strike}{kind}"
    return Instrument(symbol=f"{exchange}:{tradingsymbol}", exchange=exchange, tradingsymbol=tradingsymbol, name=name,
                      instrument_type=InstrumentType(kind), underlying=name, expiry=expiry,
                      strike=None if strike is None else Decimal(strike))


INSTRUMENTS = [
    equity("INFY", "Infosys"), equity("INFY", "Infosys", Exchange.BSE), equity("INFIBEAM", "Infibeam Avenues"),
    equity("RELIANCE", "Reliance Industries"), equity("RELIANCE", "Reliance Industries", Exchange.BSE),
    equity("HDFCBANK", "HDFC Bank"), equity("SBIN", "State Bank of India"), equity("M&M", "Mahindra & Mahindra"),
    equity("TATAMOTORS", "Tata Motors"), equity("TATASTEEL", "Tata Steel"), equity("NIFTYBEES", "Nippon Nifty ETF"),
    index("NIFTY 50"), index("NIFTY BANK"), index("SENSEX", Exchange.BSE),
    *(derivative("NIFTY", expiry, "FUT") for expiry in (MONTHLY, NEXT_MONTH)),
    *(derivative("NIFTY", expiry, right, strike) for expiry in (WEEKLY, MONTHLY, NEXT_MONTH)
      for strike in range(23_900, 24_150, 50) for right in ("CE", "PE")),
    *(derivative("BANKNIFTY", MONTHLY, right, 24_000) for right in ("CE", "PE")),
    derivative("BANKNIFTY", MONTHLY, "FUT"), derivative("INFY", MONTHLY, "FUT"),
    derivative("INFY", MONTHLY, "CE", 1600), derivative("RELIANCE", NEXT_MONTH, "PE", 1500),
    derivative("SENSEX", WEEKLY, "CE", 85_000, exchange=Exchange.BFO),
]


@pytest.fixture(scope="module")
def searcher() -> SearchIndex:
    return SearchIndex(INSTRUMENTS)


def symbols(found: list[Instrument]) -> list[str]:
    return [instrument.symbol for instrument in found]


def test_an_exact_symbol_comes_first_then_prefixes_by_length_and_expiry(searcher: SearchIndex) -> None:
    assert symbols(searcher.search("infy")) == [
        "NSE:INFY", "BSE:INFY", "NFO:INFY26DECFUT", "NFO:INFY26DEC1600CE"]  # NSE before BSE; shorter first
    assert symbols(searcher.search("nifty", limit=5)) == [
        "NSE:NIFTY 50", "NSE:NIFTYBEES", "NSE:NIFTY BANK", "NFO:NIFTY26DECFUT", "NFO:NIFTY27JANFUT"]
    assert symbols(searcher.search("tata")) == ["NSE:TATASTEEL", "NSE:TATAMOTORS"]


def test_name_words_rank_after_symbol_prefixes_and_before_substrings(searcher: SearchIndex) -> None:
    assert symbols(searcher.search("bank")) == [
        "NFO:BANKNIFTY26DECFUT", "NFO:BANKNIFTY26DEC24000CE", "NFO:BANKNIFTY26DEC24000PE",  # symbol prefixes
        "NSE:SBIN", "NSE:HDFCBANK", "NSE:NIFTY BANK",  # a word of the name: "State Bank of India", "HDFC Bank"
    ]
    assert symbols(searcher.search("motors")) == ["NSE:TATAMOTORS"]
    found = symbols(searcher.search("ifty", limit=50))  # substrings only, still shortest first
    assert found[:3] == ["NSE:NIFTY 50", "NSE:NIFTYBEES", "NSE:NIFTY BANK"]
    assert len(found) == sum("IFTY" in instrument.tradingsymbol for instrument in INSTRUMENTS)


def test_every_word_of_a_query_must_match(searcher: SearchIndex) -> None:
    assert symbols(searcher.search("nifty 24000 ce")) == [
        "NFO:NIFTY26D0824000CE", "NFO:NIFTY26DEC24000CE", "NFO:NIFTY27JAN24000CE", "NFO:BANKNIFTY26DEC24000CE"]
    assert symbols(searcher.search("NIFTY jan fut")) == ["NFO:NIFTY27JANFUT"]
    assert symbols(searcher.search("state bank")) == ["NSE:SBIN"]
    assert symbols(searcher.search("  Reliance   INDUSTRIES ")) == ["NSE:RELIANCE", "BSE:RELIANCE"]
    assert searcher.search("infosys 99999") == []


def test_weekly_contracts_are_found_by_their_month_too(searcher: SearchIndex) -> None:
    assert "NFO:NIFTY26D0823900PE" in symbols(searcher.search("nifty dec 23900 pe"))


def test_filters(searcher: SearchIndex) -> None:
    assert symbols(searcher.search("reliance", exchange="BSE")) == ["BSE:RELIANCE"]
    assert symbols(searcher.search("nifty 24000", instrument_type="PE")) == [
        "NFO:NIFTY26D0824000PE", "NFO:NIFTY26DEC24000PE", "NFO:NIFTY27JAN24000PE", "NFO:BANKNIFTY26DEC24000PE"]
    assert symbols(searcher.search("sensex", exchange=Exchange.BFO)) == ["BFO:SENSEX26D0885000CE"]
    assert symbols(searcher.search("nifty", instrument_type=InstrumentType.FUT)) == [
        "NFO:NIFTY26DECFUT", "NFO:NIFTY27JANFUT", "NFO:BANKNIFTY26DECFUT"]
    with pytest.raises(ValueError, match="NYSE"):
        searcher.search("infy", exchange="NYSE")


def test_substrings_and_misspellings_come_last(searcher: SearchIndex) -> None:
    assert symbols(searcher.search("26d08", limit=3)) == [
        "NFO:NIFTY26D0823900CE", "NFO:NIFTY26D0823900PE", "NFO:NIFTY26D0823950CE"]
    assert symbols(searcher.search("26d08", limit=50))[-1] == "BFO:SENSEX26D0885000CE"  # longer: last
    assert symbols(searcher.search("relaince", limit=3)) == ["NSE:RELIANCE", "BSE:RELIANCE", "NFO:RELIANCE27JAN1500PE"]
    assert symbols(searcher.search("infosis")) == ["NSE:INFY", "BSE:INFY"]
    assert symbols(searcher.search("hdfc bnak")) == ["NSE:HDFCBANK"]  # one word right, one misspelt
    assert searcher.search("xyzzy") == []
    assert symbols(searcher.search("m&m")) == ["NSE:M&M"]


def test_a_query_needs_words_and_a_positive_limit(searcher: SearchIndex) -> None:
    for empty in ("", "   "):
        with pytest.raises(InputError, match="search for something"):
            searcher.search(empty)
    with pytest.raises(InputError, match="limit"):
        searcher.search("infy", limit=0)
    assert len(searcher.search("nifty", limit=3)) == 3


def test_expiries_options_and_the_nearest_expiry(searcher: SearchIndex) -> None:
    assert searcher.expiries("NIFTY") == [WEEKLY, MONTHLY, NEXT_MONTH]
    assert searcher.expiries("nifty", exchange="BFO") == []
    assert searcher.expiries("SENSEX") == [WEEKLY]
    assert searcher.expiries("INFY") == [MONTHLY]
    assert searcher.expiries("UNKNOWN") == []
    options = searcher.options("NIFTY", MONTHLY)
    assert [(o.strike, o.instrument_type.value) for o in options][:3] == [
        (Decimal(23_900), "CE"), (Decimal(23_900), "PE"), (Decimal(23_950), "CE")]
    assert len(options) == 10
    assert all(o.expiry == MONTHLY for o in options)
    assert searcher.nearest_expiry("NIFTY", dt.date(2026, 12, 1)) == WEEKLY
    assert searcher.nearest_expiry("NIFTY", WEEKLY) == WEEKLY  # still live on its expiry day
    assert searcher.nearest_expiry("NIFTY", WEEKLY + dt.timedelta(days=1)) == MONTHLY
    assert searcher.nearest_expiry("NIFTY", dt.date(2027, 2, 1)) is None
    assert len(searcher) == len(INSTRUMENTS)


def ranked_by_scan(query: str) -> list[str]:
    """The ranking rules applied to every instrument, one by one: what the index must agree with."""
    words = query.lower().split()
    ranked = []
    for item in INSTRUMENTS:
        symbol = item.tradingsymbol.lower()
        names = [*item.name.lower().replace("&", " ").split(), *((item.underlying or "").lower().split())]
        if item.instrument_type in (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE):
            assert item.expiry is not None
            names += [item.instrument_type.value.lower(), f"{item.expiry:%b}".lower()]
            names += [str(item.strike)] if item.strike is not None else []
        text = " ".join((symbol, *names))
        tiers = [0 if symbol == word else 1 if symbol.startswith(word) else
                 2 if any(name.startswith(word) for name in names) else 3 if word in text else 9 for word in words]
        if max(tiers) < 9:
            ranked.append(((max(tiers), len(symbol), item.expiry or dt.date.min, item.exchange != "NSE"), item.symbol))
    return [symbol for _, symbol in sorted(ranked)][:20]


@pytest.mark.parametrize("query", ["n", "ni", "nif 24", "24", "24000", "ce", "fut", "2", "e", "ta", "bank nifty",
                                   "dec", "jan pe", "50", "india", "&", "ifty 5", "inf"])
def test_the_index_ranks_as_a_scan_would(searcher: SearchIndex, query: str) -> None:
    assert symbols(searcher.search(query)) == ranked_by_scan(query)
