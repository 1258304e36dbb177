"""Per-order overhead of brokerplex on Kite: ``BrokerManager.place_order`` (validation, the
order journal, rate limiter, worker thread, mapping) against the official
``KiteConnect.place_order`` alone, both on the same local Kite simulator (its rate limits off).
The simulator stands in for a remote server: it runs in a child process (not sharing this
process's GIL) and keeps its exchange in memory (not queueing its disk syncs in front of the
order journal's).

Goal: ratio >= 0.87, i.e. at most 15% slower than the bare official client.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from _harness import arguments, interleaved, report
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor

# Per sample: LIMIT buys 10% under the market, so they rest; each sample's orders are cancelled
# afterwards (untimed) so that the simulator's book, and its cost per order, stays the same.
ORDERS = 5
SECRET = "kite_sim_secret"


class QuietIO:
    """The login's messages are not part of the benchmark's output."""

    def show(self, text: str) -> None:
        pass

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        raise RuntimeError("no prompts in a benchmark")


def main() -> None:
    args = arguments(__doc__ or "", runs=40)
    from kiteconnect import KiteConnect

    with tempfile.TemporaryDirectory() as folder, Simulator(Path(folder)) as sim, \
            BrokerManager(Path(folder) / "home") as manager:
        manager.activate("zerodha", "z1", {
            "api_key": sim.api_key, "api_secret": SECRET, "root": sim.rest, "ws_root": sim.ws,
            "login_url": sim.login, "orders_per_second": "100000", "orders_per_minute": "1000000",
            "orders_per_day": "10000000"})
        manager.login("z1", {"request_token": sim.request_token()}, QuietIO())
        official = KiteConnect(sim.api_key, root=sim.rest)
        official.generate_session(sim.request_token(), SECRET)
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

        ours_time, baseline_time = interleaved(per_order(ours, cancel), per_order(baseline, cancel), args.runs)
    report("kite_order_overhead", ours_time * 1e3, baseline_time * 1e3, "ms/order", args.json,
           "goal: ratio >= 0.87, at most 15% overhead")


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


class Simulator:
    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", CHILD, SECRET], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=folder)

    def __enter__(self) -> Simulator:
        assert self.process.stdout is not None
        urls = json.loads(self.process.stdout.readline())
        self.rest, self.ws, self.login, self.api_key = urls["rest"], urls["ws"], urls["login"], urls["api_key"]
        return self

    def request_token(self) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


def per_order(place: Callable[[], str], cancel: Callable[[str], None]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        placed = [place() for _ in range(ORDERS)]
        elapsed = time.perf_counter() - start
        for order_id in placed:
            cancel(order_id)
        return elapsed / ORDERS

    return run


if __name__ == "__main__":
    main()
