"""A NIFTY option chain of two expiries, about 100 strikes each (some 400 contracts), on the Kite simulator:
brokerplex (its instrument index, one batched quote call through ``BrokerManager.quotes``, then
``build_chain`` with implied volatility and greeks for every contract) against the official
``KiteConnect.quote`` called the way a user naively would, once per contract (no greeks at all).

Goals: local work (strike selection, IV and greeks for 400 contracts) <= 50 ms; quote requests = the
minimum Kite's limits allow (ceil(400 / 500) = 1; Kite serves one quote request a second, so the
naive way also costs about 400 seconds against the real API: the simulator runs without its limits).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import tempfile
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from _harness import ChildSimulator, QuietIO, arguments, interleaved, judge, report, timed
from brokerplex.formats import IST
from brokerplex.manager import BrokerManager
from brokerplex.models import Depth, DepthLevel, Exchange, Instrument, InstrumentType, Quote
from brokerplex.ops.chain import build_chain, chain_symbols, spot_symbol_for
from brokerplex.ops.greeks import price
from brokerplex.ops.models import OptionChain
from brokerplex.ops.search import SearchIndex

SECRET = "kite_sim_secret"
KITE_QUOTE_BATCH = 500  # instruments per Kite quote request
STRIKES = 100  # per expiry, for the local-work figure
LOCAL_RUNS = 20


def local_contracts() -> tuple[list[tuple[dt.date, list[Instrument]]], dict[str, Quote], Decimal, dt.datetime]:
    """100 strikes × 2 expiries of NIFTY with quotes priced at 13 % volatility, bid and ask a tick apart."""
    now, spot = dt.datetime(2026, 12, 1, 11, 0, tzinfo=IST), Decimal("26012.35")
    expiries, quotes = [], {}
    for expiry in (dt.date(2026, 12, 8), dt.date(2026, 12, 29)):
        options = []
        for step in range(-STRIKES // 2, STRIKES // 2):
            strike = 26_000 + 50 * step
            for right in (InstrumentType.CE, InstrumentType.PE):
                tradingsymbol = f"NIFTY{expiry:%y%b}{strike}{right}".upper()
                option = Instrument(symbol=f"NFO:{tradingsymbol}", exchange=Exchange.NFO, tradingsymbol=tradingsymbol,
                                    name="NIFTY", instrument_type=right, underlying="NIFTY", expiry=expiry,
                                    strike=Decimal(strike), lot_size=65)
                value = price(float(spot), strike, ((expiry - now.date()).days + 0.2) / 365, 0.13,
                              call=right is InstrumentType.CE, rate=0.065)
                mid = max(Decimal(f"{value:.1f}"), Decimal("0.10"))
                quotes[option.symbol] = Quote(
                    symbol=option.symbol, last_price=mid, volume=12_000, open_interest=250_000,
                    depth=Depth(bids=[DepthLevel(price=mid - Decimal("0.05"), quantity=650)],
                                asks=[DepthLevel(price=mid + Decimal("0.05"), quantity=975)]))
                options.append(option)
        expiries.append((expiry, options))
    return expiries, quotes, spot, now


def build(expiries: Sequence[tuple[dt.date, Sequence[Instrument]]], quotes: Mapping[str, Quote], spot: Decimal | None,
          now: dt.datetime, calls: int) -> list[OptionChain]:
    return [build_chain("NIFTY", expiry, options, quotes, spot, spot_symbol_for("NIFTY"), now, strikes=None,
                        quote_calls=calls) for expiry, options in expiries]


def local_work() -> tuple[float, int, int]:
    """Median milliseconds to select the strikes and build both chains, the contracts, and the requests."""
    expiries, quotes, spot, now = local_contracts()
    samples, contracts = [], 0
    for _ in range(LOCAL_RUNS):
        start = time.perf_counter()
        contracts = sum(len(chain_symbols(options, spot, None)) for _, options in expiries)
        chains = build(expiries, quotes, spot, now, math.ceil(contracts / KITE_QUOTE_BATCH))
        samples.append(time.perf_counter() - start)
        assert all(row.call and row.call.iv for chain in chains for row in chain.rows[40:60])
    return statistics.median(samples) * 1e3, contracts, math.ceil(contracts / KITE_QUOTE_BATCH)


def main() -> None:
    args = arguments(__doc__ or "", runs=5)
    from kiteconnect import KiteConnect

    local_ms, local_contracts_count, requests = local_work()
    with tempfile.TemporaryDirectory() as folder, ChildSimulator(CHILD, SECRET, cwd=Path(folder)) as sim, \
            BrokerManager(Path(folder) / "home") as manager:
        urls = sim.info
        # Kite serves one quote request a second; the official client below does not wait for that, so
        # neither do we here: both sides are timed on their work, and the request counts say the rest.
        manager.activate("zerodha", "z1", {"api_key": urls["api_key"], "api_secret": SECRET, "root": urls["rest"],
                                           "ws_root": urls["ws"], "login_url": urls["login"],
                                           "quotes_per_second": "1000"})
        manager.login("z1", {"request_token": sim.ask()}, QuietIO())
        official = KiteConnect(urls["api_key"], root=urls["rest"])
        official.generate_session(sim.ask(), SECRET)
        index = SearchIndex(manager.instruments("z1"))
        today = dt.datetime.now(IST).date()
        expiries = [(expiry, index.options("NIFTY", expiry)) for expiry in index.expiries("NIFTY")
                    if expiry >= today][:2]
        spot_symbol = spot_symbol_for("NIFTY")
        symbols = [spot_symbol, *(s for _, options in expiries for s in chain_symbols(options, None, None))]
        calls = math.ceil(len(symbols) / KITE_QUOTE_BATCH)

        def ours() -> list[OptionChain]:
            quotes = manager.quotes("z1", symbols)  # the broker batches by its quote_batch: one request here
            spot = quotes[spot_symbol].last_price if spot_symbol in quotes else None
            return build(expiries, quotes, spot, dt.datetime.now(IST), calls)

        def naive() -> dict[str, object]:  # one request per contract, as the official examples do
            return {symbol: official.quote(symbol)[symbol] for symbol in symbols}

        chains = ours()
        assert len(official.quote(symbols)) == len(symbols), "the simulator lists every contract of the chain"
        assert sum(len(chain.rows) for chain in chains) * 2 == len(symbols) - 1
        batched = statistics.median(timed(lambda: official.quote(symbols))() for _ in range(args.runs))
        ours_time, baseline_time = interleaved(timed(ours), timed(naive), args.runs)
    if not args.json:
        print(f"chain: local work for {local_contracts_count} contracts (2 expiries × {STRIKES} strikes): "
              f"{local_ms:.1f} ms (goal <= 50 ms), {requests} quote request(s) on Kite")
        print(f"chain on the Kite simulator, {len(symbols) - 1} contracts + the spot: brokerplex "
              f"{ours_time * 1e3:.1f} ms in {calls} request(s) with IV and greeks; official client "
              f"{baseline_time * 1e3:.1f} ms in {len(symbols)} requests (one per contract, quotes only; "
              f"{len(symbols)} s at Kite's 1 request/s), or {batched * 1e3:.1f} ms batched by hand (quotes only)")
    report("chain", ours_time * 1e3, baseline_time * 1e3, "ms", args.json,
           f"goal: local work <= 50 ms (was {local_ms:.1f} ms), {calls} request(s)")
    judge("chain", [f"local work {local_ms:.1f} ms > 50 ms"] if local_ms > 50 else [], args.json)


# The child: the Kite simulator (no rate limits) listing 101 NIFTY strikes per expiry, the chain this
# benchmark asks for; its first line is its URLs, then one fresh request token per line read from stdin.
CHILD = """
import dataclasses, json, sys
from brokerplex_paper import universe
universe._CHAINS = tuple(dataclasses.replace(chain, width=50) if chain.underlying.name == "NIFTY" else chain
                         for chain in universe._CHAINS)
from brokerplex_zerodha.sim import KiteSimulator
with KiteSimulator(api_secret=sys.argv[1], rate_limits=False) as sim:
    print(json.dumps({"rest": sim.rest, "ws": sim.ws, "login": sim.login, "api_key": sim.api_key}), flush=True)
    for _ in sys.stdin:
        print(sim.request_token(), flush=True)
"""


if __name__ == "__main__":
    main()
