"""What the REST API adds to an order: ``POST /api/v1/accounts/p1/orders`` on ``brokerplex serve`` (a child
process, one keep-alive ``httpx.Client`` with an admin's API key: authentication, validation, the audit
entry, JSON both ways, the server's event loop) against ``BrokerManager.place_order`` called directly in
this process, the same paper order on the same home and store (SQLite under the home).

The order is a LIMIT buy of NSE:INFY 10% under the market, so that it rests; each round's orders are
cancelled afterwards, untimed, so that the paper book (and its cost per order) stays the same. The rounds
alternate between the two sides, so that a noisy neighbour slows both alike.

The server runs on a CPU of its own, and this process (the API's client, and the direct side) on the
others, as a server and its clients on different machines would; the same rounds are then run with both
on every CPU, and printed. On two CPUs, sharing them added 0.3-0.45 ms to the API side, which the
server's ASGI messages, timed, located: Linux wakes the client on the server's CPU (the other one idles),
where it runs in the middle of the server's writes of the reply's head and body (0.17-0.28 ms each,
against 0.05-0.08 and 0.015 ms apart), and the server's order work, moved between CPUs, took 0.2-0.3 ms
longer.

Goal: the added latency (API p50 - direct p50) <= 1 ms, on separate CPUs. The ratio is direct p50 / API p50.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from _harness import arguments, cpu_split, judge, percentile, report, run_on
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

                split, every_cpu = cpu_split(), os.sched_getaffinity(0)
                if split is not None:
                    run_on(server.child.process.pid, split[0])
                    run_on(os.getpid(), split[1])
                api, bare = rounds([through_api, direct], cancel, args.runs)
                if split is not None:
                    run_on(server.child.process.pid, every_cpu)
                    run_on(os.getpid(), every_cpu)
                    shared = rounds([through_api, direct], cancel, args.runs)
            finally:
                assert server.stop() == 0, server.child.stderr.rest()
    api_p50, bare_p50 = percentile(api, 0.5) * 1e3, percentile(bare, 0.5) * 1e3
    added = api_p50 - bare_p50
    if not args.json:
        print(f"api_order_overhead: {len(api)} paper orders a side, {_cpus(split)}: {_figures(api, bare)}")
        if split is not None:
            print(f"api_order_overhead: the same, server and client sharing every CPU: {_figures(*shared)}")
    report("api_order_overhead", api_p50, bare_p50, "ms/order p50", args.json,
           f"goal: added p50 {added:.3f} ms <= {GOAL_MS} ms")
    judge("api_order_overhead", [f"added p50 {added:.3f} ms > {GOAL_MS} ms"] if added > GOAL_MS else [], args.json)


def _cpus(split: tuple[set[int], set[int]] | None) -> str:
    if split is None:
        return "one CPU for all"
    server, clients = split
    return f"server on CPU {min(server)}, client on CPU {','.join(map(str, sorted(clients)))}"


def _figures(api: list[float], bare: list[float]) -> str:
    api_p50, bare_p50 = percentile(api, 0.5) * 1e3, percentile(bare, 0.5) * 1e3
    return (f"API p50/p99 {api_p50:.3f}/{percentile(api, 0.99) * 1e3:.3f} ms, direct p50/p99 {bare_p50:.3f}/"
            f"{percentile(bare, 0.99) * 1e3:.3f} ms; added p50 {api_p50 - bare_p50:.3f} ms")


if __name__ == "__main__":
    main()
