"""What the REST API adds to an order: ``POST /api/v1/accounts/p1/orders`` on ``brokerplex serve`` (a child
process, one keep-alive ``httpx.Client`` with an admin's API key: authentication, validation, the audit
entry, JSON both ways, the server's event loop) against ``BrokerManager.place_order`` called directly in
this process, the same paper order on the same home and store (SQLite under the home).

The order is a LIMIT buy of NSE:INFY 10% under the market, so that it rests; each round's orders are
cancelled afterwards, untimed, so that the paper book (and its cost per order) stays the same. The rounds
alternate between the two sides, so that a noisy neighbour slows both alike.

Goal: the added latency (API p50 - direct p50) <= 1 ms. The ratio is direct p50 / API p50.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from _harness import arguments, judge, percentile, report
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from apiserver import ApiServer  # type: ignore[import-not-found]  # the tests' way to start the server

ACCOUNT, SYMBOL = "p1", "NSE:INFY"
ORDERS = 10  # per side per round
GOAL_MS = 1.0


def rounds(sides: list[Callable[[], str]], cancel: Callable[[str], None], runs: int) -> list[list[float]]:
    """Seconds of every order of each side over ``runs`` rounds (after one warm-up round, not kept)."""
    times: list[list[float]] = [[] for _ in sides]
    for number in range(runs + 1):
        for place, mine in zip(sides, times, strict=True):
            placed = []
            for _ in range(ORDERS):
                start = time.perf_counter()
                placed.append(place())
                if number:
                    mine.append(time.perf_counter() - start)
            for order_id in placed:
                cancel(order_id)
    return times


def main() -> None:
    args = arguments(__doc__ or "", runs=30)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        with BrokerManager(home) as manager:
            manager.activate("paper", ACCOUNT, {})
            infy = manager.instrument(ACCOUNT, SYMBOL)
            price = tick_floor(manager.quotes(ACCOUNT, [SYMBOL])[SYMBOL].last_price * Decimal("0.9"), infy)
            request = OrderRequest(symbol=SYMBOL, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price)
            body = request.model_dump(mode="json", exclude_none=True)
            server = ApiServer.start(home, None)
            try:
                client = server.client(server.key("bench"))

                def through_api() -> str:
                    answer = client.post(f"/accounts/{ACCOUNT}/orders", json=body)
                    answer.raise_for_status()
                    return str(answer.json()["order_id"])

                def direct() -> str:
                    return manager.place_order(ACCOUNT, request).order_id

                def cancel(order_id: str) -> None:
                    manager.cancel_order(ACCOUNT, order_id)

                api, bare = rounds([through_api, direct], cancel, args.runs)
            finally:
                assert server.stop() == 0, server.child.stderr.rest()
    api_p50, bare_p50 = percentile(api, 0.5) * 1e3, percentile(bare, 0.5) * 1e3
    added = api_p50 - bare_p50
    if not args.json:
        print(f"api_order_overhead: {len(api)} paper orders a side: API p50/p99 {api_p50:.3f}/"
              f"{percentile(api, 0.99) * 1e3:.3f} ms, direct p50/p99 {bare_p50:.3f}/{percentile(bare, 0.99) * 1e3:.3f}"
              f" ms; added p50 {added:.3f} ms")
    report("api_order_overhead", api_p50, bare_p50, "ms/order p50", args.json,
           f"goal: added p50 {added:.3f} ms <= {GOAL_MS} ms")
    judge("api_order_overhead", [f"added p50 {added:.3f} ms > {GOAL_MS} ms"] if added > GOAL_MS else [], args.json)


if __name__ == "__main__":
    main()
