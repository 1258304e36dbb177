"""What the REST API adds to an order: ``POST /api/v1/accounts/p1/orders`` on ``brokerplex serve`` (a child
process, one keep-alive ``httpx.Client`` with an admin's API key: authentication, validation, the audit
entry, JSON both ways, the server's event loop) against ``BrokerManager.place_order`` called directly in
this process, the same paper order on the same home and store (SQLite under the home).

The order is a LIMIT buy of NSE:INFY 10% under the market, so that it rests; each round's orders are
cancelled afterwards, untimed, so that the paper book (and its cost per order) stays the same. The rounds
alternate between the ways, so that a noisy neighbour slows each alike.

A third way is printed for scale, the floor: the same client posting the same order to a one-route
FastAPI app under uvicorn that answers at once (``_minimal_api.py``), what httpx, uvicorn and FastAPI
cost a request alone. On these shared VMs it moves with the host, and with it what the goal leaves to
ours: the httpx client's own CPU was 0.6 ms a request on a quiet host and 0.9 ms on a slow one.

The servers run on a CPU of their own, and this process (the API's client, and the direct way) on the
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

import httpx

from _harness import arguments, cpu_split, judge, percentile, report, run_on
from _minimal_api import MinimalApi
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from apiserver import ApiServer, api_client  # type: ignore[import-not-found]  # the tests' server and clients

ACCOUNT, SYMBOL = "p1", "NSE:INFY"
ORDERS = 10  # per side per round
GOAL_MS = 1.0


Way = tuple[Callable[[], str], Callable[[str], None]]  # an order's way in: place one (its id), cancel one


def rounds(ways: list[Way], runs: int) -> list[list[float]]:
    """Seconds of every order of each way over ``runs`` rounds (after one warm-up round, not kept)."""
    times: list[list[float]] = [[] for _ in ways]
    for number in range(runs + 1):
        for (place, cancel), mine in zip(ways, times, strict=True):
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
            request = _resting_order(manager)
            server, floor = ApiServer.start(home, None), MinimalApi()
            try:
                split, (api, bare, stack), shared = _measure(manager, request, server, floor, args.runs)
            finally:
                floor.stop()
                assert server.stop() == 0, server.child.stderr.rest()
    api_p50, bare_p50 = percentile(api, 0.5) * 1e3, percentile(bare, 0.5) * 1e3
    added = api_p50 - bare_p50
    if not args.json:
        print(f"api_order_overhead: {len(api)} paper orders a side, {_cpus(split)}: {_figures(api, bare, stack)}")
        if shared:
            print(f"api_order_overhead: the same, server and client sharing every CPU: {_figures(*shared)}")
    report("api_order_overhead", api_p50, bare_p50, "ms/order p50", args.json,
           f"goal: added p50 {added:.3f} ms <= {GOAL_MS} ms")
    judge("api_order_overhead", [f"added p50 {added:.3f} ms > {GOAL_MS} ms"] if added > GOAL_MS else [], args.json)


def _measure(manager: BrokerManager, request: OrderRequest, server: ApiServer, floor: MinimalApi,
             runs: int) -> tuple[tuple[set[int], set[int]] | None, list[list[float]], list[list[float]]]:
    """The CPU split (None on one CPU), then the rounds on it and the rounds on every CPU (none on one)."""
    key = server.key("bench")
    with api_client(floor.url, key) as floor_client:  # made as the server's client: the same client work
        ways = _ways(manager, request, server.client(key), floor_client)
        split, every_cpu = cpu_split(), os.sched_getaffinity(0)
        servers = [server.child.process.pid, floor.process.pid]
        if split is None:
            return None, rounds(ways, runs), []
        _pin(servers, split[0], split[1])
        apart = rounds(ways, runs)
        _pin(servers, every_cpu, every_cpu)
        return split, apart, rounds(ways, runs)


def _resting_order(manager: BrokerManager) -> OrderRequest:
    """A LIMIT buy of ``SYMBOL`` 10% under the market."""
    infy = manager.instrument(ACCOUNT, SYMBOL)
    price = tick_floor(manager.quotes(ACCOUNT, [SYMBOL])[SYMBOL].last_price * Decimal("0.9"), infy)
    return OrderRequest(symbol=SYMBOL, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price)


def _ways(manager: BrokerManager, request: OrderRequest, api: httpx.Client, floor: httpx.Client) -> list[Way]:
    """The order through the API, directly, and through the floor (nothing to cancel there)."""
    body = request.model_dump(mode="json", exclude_none=True)

    def poster(client: httpx.Client) -> Callable[[], str]:
        def post() -> str:
            answer = client.post(f"/accounts/{ACCOUNT}/orders", json=body)
            answer.raise_for_status()
            return str(answer.json()["order_id"])
        return post

    def cancel(order_id: str) -> None:
        manager.cancel_order(ACCOUNT, order_id)

    def direct() -> str:
        return manager.place_order(ACCOUNT, request).order_id

    return [(poster(api), cancel), (direct, cancel), (poster(floor), lambda _: None)]


def _pin(servers: list[int], their_cpus: set[int], my_cpus: set[int]) -> None:
    for pid in servers:
        run_on(pid, their_cpus)
    run_on(os.getpid(), my_cpus)


def _cpus(split: tuple[set[int], set[int]] | None) -> str:
    if split is None:
        return "one CPU for all"
    server, clients = split
    return f"server on CPU {min(server)}, client on CPU {','.join(map(str, sorted(clients)))}"


def _figures(api: list[float], bare: list[float], stack: list[float]) -> str:
    api_p50, bare_p50 = percentile(api, 0.5) * 1e3, percentile(bare, 0.5) * 1e3
    return (f"API p50/p99 {api_p50:.3f}/{percentile(api, 0.99) * 1e3:.3f} ms, direct p50/p99 {bare_p50:.3f}/"
            f"{percentile(bare, 0.99) * 1e3:.3f} ms; added p50 {api_p50 - bare_p50:.3f} ms; the floor (a one-route "
            f"FastAPI app answering at once) p50 {percentile(stack, 0.5) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
