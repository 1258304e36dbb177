"""Per-order overhead of brokerplex on XTS: ``BrokerManager.place_order`` (validation, the order
journal, rate limiter, worker thread, mapping, httpx) against a bare ``httpx.Client`` POST of the
same order with the same token, both on one local XTS simulator (its rate limits off).

Goal: ratio >= 0.87, i.e. at most 15% slower than the bare HTTP call.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx

from _harness import arguments, interleaved, report
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor

# Per sample: LIMIT buys 10% under the market, so they rest; each sample's orders are cancelled
# afterwards (untimed) so that the simulator's book, and its cost per order, stays the same.
ORDERS = 20
ACCOUNT = "x1"


class QuietIO:
    def show(self, text: str) -> None:
        pass

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        raise RuntimeError("no prompts in a benchmark")


def main() -> None:
    args = arguments(__doc__ or "", runs=15)
    from brokerplex_xts_client.sim import XtsSimulator

    with tempfile.TemporaryDirectory() as folder, \
            XtsSimulator(state_dir=Path(folder) / "sim", rate_limits=False) as sim, \
            BrokerManager(Path(folder) / "home") as manager:
        investor = next(account for account in sim.accounts if account["role"] == "investor")
        manager.activate("xts_client", ACCOUNT, {
            "root": sim.root, "interactive_key": investor["interactive"]["appKey"],
            "interactive_secret": investor["interactive"]["secretKey"],
            "marketdata_key": investor["marketdata"]["appKey"],
            "marketdata_secret": investor["marketdata"]["secretKey"],
            "orders_per_second": "100000", "requests_per_second": "100000"})
        manager.login(ACCOUNT, {}, QuietIO())
        token = json.loads((Path(folder) / "home" / "sessions" / f"{ACCOUNT}.json").read_text())["interactive_token"]
        infy = manager.instrument(ACCOUNT, "NSE:INFY")
        price = tick_floor(manager.quotes(ACCOUNT, ["NSE:INFY"])["NSE:INFY"].last_price * Decimal("0.9"), infy)
        request = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price)
        bare = httpx.Client(base_url=sim.root, headers={"Authorization": token, "Content-Type": "application/json"})
        counter = iter(range(10**9))

        def ours() -> str:
            return manager.place_order(ACCOUNT, request).order_id

        def baseline() -> str:
            body = {"exchangeSegment": "NSECM", "exchangeInstrumentID": infy.exchange_token, "productType": "CNC",
                    "orderType": "LIMIT", "orderSide": "BUY", "timeInForce": "DAY", "disclosedQuantity": 0,
                    "orderQuantity": 1, "limitPrice": float(price), "stopPrice": 0,
                    "orderUniqueIdentifier": f"bare{next(counter)}", "apiOrderSource": ""}
            reply = bare.post("/interactive/orders", content=json.dumps(body))
            reply.raise_for_status()
            return str(reply.json()["result"]["AppOrderID"])

        def cancel(order_id: str) -> None:
            bare.delete("/interactive/orders", params={"appOrderID": order_id}).raise_for_status()

        with bare:
            ours_time, baseline_time = interleaved(per_order(ours, cancel), per_order(baseline, cancel), args.runs)
    report("xts_order_overhead", ours_time * 1e3, baseline_time * 1e3, "ms/order", args.json,
           "goal: ratio >= 0.87, at most 15% overhead")


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
