"""Per-order overhead of brokerplex on Kite: ``BrokerManager.place_order`` (validation, the
order journal, rate limiter, the greenlet and aiohttp transport, mapping) against the official
``KiteConnect.place_order`` alone, both on the same local Kite simulator (its rate limits off).
The simulator stands in for a remote server: it runs in a child process (not sharing this
process's GIL) and keeps its exchange in memory (not queueing its disk syncs in front of the
order journal's).

Goal: ratio >= 0.87, i.e. at most 15% slower than the bare official client.
"""

from __future__ import annotations

import itertools
import tempfile
from decimal import Decimal
from pathlib import Path

from _harness import ChildSimulator, QuietIO, arguments, interleaved, judge_ratio, per_order, report
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor

# Per sample: LIMIT buys 10% under the market, so they rest; each sample's orders are cancelled
# afterwards (untimed), so that the simulator's working book stays the same. Cancelled orders stay in its
# order book, as in Kite's; its order actions read only the orders that changed, so they cost the same all
# run. (Until they did, that cost grew with the book, the same on both sides, and lifted the ratio towards
# 1: 0.86 then, 0.69 since, on the same host.)
ORDERS = 5
SECRET = "kite_sim_secret"




def main() -> None:
    args = arguments(__doc__ or "", runs=40)
    from kiteconnect import KiteConnect

    with tempfile.TemporaryDirectory() as folder, ChildSimulator(CHILD, SECRET, cwd=Path(folder)) as sim, \
            BrokerManager(Path(folder) / "home") as manager:
        urls = sim.info
        manager.activate("zerodha", "z1", {
            "api_key": urls["api_key"], "api_secret": SECRET, "root": urls["rest"], "ws_root": urls["ws"],
            "login_url": urls["login"], "orders_per_second": "100000", "orders_per_minute": "1000000",
            "orders_per_day": "10000000"})
        manager.login("z1", {"request_token": sim.ask()}, QuietIO())
        official = KiteConnect(urls["api_key"], root=urls["rest"])
        official.generate_session(sim.ask(), SECRET)
        infy = manager.instrument("z1", "NSE:INFY")
        price = tick_floor(manager.quotes("z1", ["NSE:INFY"])["NSE:INFY"].last_price * Decimal("0.9"), infy)
        request = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price)

        def ours() -> str:
            return manager.place_order("z1", request).order_id

        tags = (f"base{n}" for n in itertools.count())

        def baseline() -> str:  # the same form as ours, a unique tag included
            return str(official.place_order(
                variety="regular", exchange="NSE", tradingsymbol="INFY", transaction_type="BUY", quantity=1,
                product="CNC", order_type="LIMIT", price=str(price), validity="DAY", tag=next(tags)))

        def cancel(order_id: str) -> None:
            official.cancel_order("regular", order_id)

        ours_time, baseline_time = interleaved(per_order(ours, cancel, ORDERS), per_order(baseline, cancel, ORDERS),
                                               args.runs)
    report("kite_order_overhead", ours_time * 1e3, baseline_time * 1e3, "ms/order", args.json,
           "goal: ratio >= 0.87, at most 15% overhead")
    judge_ratio("kite_order_overhead", ours_time, baseline_time, 0.87, args.json)


# The child: a simulator without rate limits; its first line is its URLs, then one fresh
# request token per line read from stdin.
CHILD = """
import json, sys
from brokerplex_zerodha.sim import KiteSimulator
with KiteSimulator(api_secret=sys.argv[1], rate_limits=False) as sim:
    print(json.dumps({"rest": sim.rest, "ws": sim.ws, "login": sim.login, "api_key": sim.api_key}), flush=True)
    for _ in sys.stdin:
        print(sim.request_token(), flush=True)
"""


if __name__ == "__main__":
    main()
