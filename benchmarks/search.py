"""Instrument search over a 100k-instrument master: ``SearchIndex.search`` against a linear scan that
ranks by the same rules (minus misspellings, which a scan could not afford), over a mix of queries
traders type: symbols, names, partial names, "nifty 24000 ce", filters, typos.

Goal: p99 <= 5 ms per query (the ratio is the scan's median over ours).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from _harness import arguments, judge, report
from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex.ops import search as search_module
from brokerplex.ops.search import SearchIndex
from brokerplex.symbols import MONTHS, WEEKLY_MONTH_CODES

SIZE = 100_000
TODAY = dt.date(2026, 12, 1)
QUERIES = [
    ("infy", {}), ("RELIANCE", {}), ("reliance", {"exchange": "BSE"}), ("hdfc bank", {}), ("tata mot", {}),
    ("state bank", {}), ("nifty", {}), ("banknifty", {}), ("nifty 24000 ce", {}), ("nifty 26000 pe", {}),
    ("banknifty fut", {}), ("sensex 85000", {}), ("nifty dec fut", {}), ("relaince", {}), ("infosys", {}),
    ("sbin 900 pe", {}), ("hdfc", {}), ("bank", {}), ("26dec", {}), ("niftyy", {}), ("ce", {}), ("m&m", {}),
    ("midcp", {}), ("fin service", {}), ("tcs fut", {}), ("itc 400 ce", {}), ("xyzzy", {}),
    ("reliance", {"instrument_type": "CE"}), ("nifty 25000", {"instrument_type": "PE"}), ("industries", {}),
    ("26d08", {}), ("tata consultancy", {}), ("infy 1600", {}), ("adani ports", {}), ("niift", {}),
]
_SYLLABLES = ("ka", "ra", "vi", "tan", "shree", "lak", "mi", "dev", "sur", "ya", "pra", "jay", "an", "to", "mo",
              "ban", "gal", "ind", "or", "pa", "ram", "sun", "har", "vas")
_KINDS = ("Industries", "Ltd", "Finance", "Pharma", "Textiles", "Steel", "Power", "Bank", "Motors", "Chemicals",
          "Infra", "Foods", "Cement", "Capital", "Energy", "Technologies", "Realty", "Auto", "Agro", "Paper")
_KNOWN = [("RELIANCE", "Reliance Industries", 1540), ("INFY", "Infosys", 1550), ("HDFCBANK", "HDFC Bank", 1000),
          ("TCS", "Tata Consultancy Services", 3150), ("SBIN", "State Bank of India", 960), ("ITC", "ITC", 405),
          ("TATAMOTORS", "Tata Motors", 700), ("M&M", "Mahindra & Mahindra", 3700),
          ("ADANIPORTS", "Adani Ports and Special Economic Zone", 1500), ("HDFCLIFE", "HDFC Life Insurance", 760)]
_INDICES = [  # name, spot, exchange, price, strike step, weekly expiries
    ("NIFTY", "NSE:NIFTY 50", Exchange.NFO, 26000, 50, 8),
    ("BANKNIFTY", "NSE:NIFTY BANK", Exchange.NFO, 59000, 100, 0),
    ("FINNIFTY", "NSE:NIFTY FIN SERVICE", Exchange.NFO, 27500, 50, 0),
    ("MIDCPNIFTY", "NSE:NIFTY MID SELECT", Exchange.NFO, 13000, 25, 0),
    ("SENSEX", "BSE:SENSEX", Exchange.BSE, 85000, 100, 8),
    ("BANKEX", "BSE:BANKEX", Exchange.BSE, 62000, 100, 0),
]


def monthlies(count: int) -> list[dt.date]:
    found, year, month = [], TODAY.year, TODAY.month
    while len(found) < count:
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        expiry = last - dt.timedelta(days=(last.weekday() - 1) % 7)  # the last Tuesday
        if expiry >= TODAY:
            found.append(expiry)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def contract(exchange: Exchange, name: str, expiry: dt.date, kind: InstrumentType, strike: int | None = None,
             weekly: bool = False) -> Instrument:
    if strike is None:
        tradingsymbol = f"{name}{expiry:%y}{MONTHS[expiry.month - 1]}FUT"
    elif weekly:
        tradingsymbol = f"{name}{expiry:%y}{WEEKLY_MONTH_CODES[expiry.month - 1]}{expiry:%d}{strike}{kind}"
    else:
        tradingsymbol = f"{name}{expiry:%y}{MONTHS[expiry.month - 1]}{strike}{kind}"
    return Instrument(symbol=f"{exchange}:{tradingsymbol}", exchange=exchange, tradingsymbol=tradingsymbol, name=name,
                      instrument_type=kind, underlying=name, expiry=expiry,
                      strike=None if strike is None else Decimal(strike), lot_size=75)


def chain(exchange: Exchange, name: str, price: int, step: int, expiries: list[dt.date], strikes: int,
          weekly: set[dt.date]) -> list[Instrument]:
    atm = price // step * step
    return [contract(exchange, name, expiry, kind, atm + step * offset, expiry in weekly)
            for expiry in expiries for offset in range(-strikes // 2, strikes - strikes // 2)
            for kind in (InstrumentType.CE, InstrumentType.PE)]


def master(rng: random.Random) -> list[Instrument]:
    """Equities on NSE and BSE, indices, monthly futures, weekly and monthly index options, stock options."""
    stocks = list(_KNOWN)
    while len(stocks) < 4_500:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        stocks.append((word.upper()[:12], f"{word.title()} {rng.choice(_KINDS)}", rng.randint(20, 5000)))
    stocks = list({symbol: (symbol, name, price) for symbol, name, price in stocks}.values())
    items = [Instrument(symbol=f"{exchange}:{symbol}", exchange=exchange, tradingsymbol=symbol, name=name,
                        instrument_type=InstrumentType.EQ)
             for at, (symbol, name, _) in enumerate(stocks) for exchange in (Exchange.NSE, Exchange.BSE)
             if exchange is Exchange.BSE or at < 2_500]
    months = monthlies(3)
    derivatives = Exchange.NFO
    for name, spot, exchange, price, step, weeklies in _INDICES:
        derivatives = Exchange.BFO if exchange is Exchange.BSE else Exchange.NFO
        items.append(Instrument(symbol=spot, exchange=exchange, tradingsymbol=spot.partition(":")[2], name=name,
                                instrument_type=InstrumentType.INDEX))
        weekly = {TODAY + dt.timedelta(days=7 * week) for week in range(weeklies)} - set(months)
        items += [contract(derivatives, name, expiry, InstrumentType.FUT) for expiry in months]
        items += chain(derivatives, name, price, step, sorted(weekly | set(months)), 120, weekly)
    underlyings = stocks[:200]
    per_stock = (SIZE - len(items) - 3 * len(underlyings)) // (len(underlyings) * 3 * 2)
    for symbol, _, price in underlyings:
        step = max(price // 50 // 5 * 5, 1)
        items += [contract(Exchange.NFO, symbol, expiry, InstrumentType.FUT) for expiry in months]
        items += chain(Exchange.NFO, symbol, price, step, months, per_stock, set())
    return items[:SIZE]


def scan(instruments: list[Instrument], query: str, exchange: str | None = None,
         instrument_type: str | None = None, limit: int = 20) -> list[Instrument]:
    """The baseline: every instrument ranked by the same rules, then sorted."""
    words = query.lower().split()
    ranked = []
    for item in instruments:
        if (exchange and item.exchange != exchange) or (instrument_type and item.instrument_type != instrument_type):
            continue
        symbol, tokens = item.tradingsymbol.lower(), search_module._words(item)
        haystack = f"{symbol} {' '.join(tokens)}"
        worst = 0
        for word in words:
            tier = (0 if symbol == word else 1 if symbol.startswith(word) else
                    2 if any(token.startswith(word) for token in tokens) else 3 if word in haystack else 5)
            worst = max(worst, tier)
        if worst < 5:
            ranked.append(((worst, len(item.tradingsymbol), item.expiry or dt.date.min,
                            list(Exchange).index(item.exchange), item.symbol), item))
    return [item for _, item in sorted(ranked, key=lambda pair: pair[0])[:limit]]


def main() -> None:
    args = arguments(__doc__ or "", runs=20)
    instruments = master(random.Random(12))
    assert len(instruments) == SIZE
    start = time.perf_counter()
    index = SearchIndex(instruments)
    built = time.perf_counter() - start
    samples: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for query, options in QUERIES:
            start = time.perf_counter()
            index.search(query, **options)
            samples.setdefault(f"{query} {options}", []).append(time.perf_counter() - start)
    # each query's median over the runs (a neighbour's burst on a shared machine is not the query's cost)
    ours = sorted(statistics.median(times) for times in samples.values())
    baseline: list[float] = []
    for query, options in QUERIES:
        start = time.perf_counter()
        expected = scan(instruments, query, **options)
        baseline.append(time.perf_counter() - start)
        if expected:  # what a scan finds, the index finds in the same order (typos aside)
            assert index.search(query, **options) == expected, query
    p50, p99 = statistics.median(ours) * 1e3, statistics.quantiles(ours, n=100, method="inclusive")[98] * 1e3
    if not args.json:
        print(f"search: {SIZE} instruments indexed in {built * 1e3:.0f} ms; {len(QUERIES)} queries (median of "
              f"{args.runs} runs each): p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {ours[-1] * 1e3:.3f} ms; "
              f"linear scan p50 {statistics.median(baseline) * 1e3:.1f} ms")
    report("search", p50, statistics.median(baseline) * 1e3, "ms/query (p50)", args.json,
           f"goal: p99 <= 5 ms; ours p99 {p99:.2f} ms")
    judge("search", [f"p99 {p99:.2f} ms > 5 ms"] if p99 > 5 else [], args.json)


if __name__ == "__main__":
    main()
