"""Throughput of ``brokerplex serve`` under 50 concurrent clients, on SQLite and on PostgreSQL.

Ours: ``brokerplex serve`` (a child process, one worker) on a paper account; 50 clients in this process (one
``httpx.AsyncClient`` each, keep-alive, an admin's API key) each place a MARKET buy of NSE:INFY
(``POST /accounts/p1/orders``) and read it back (``GET /accounts/p1/orders/{id}``), again and again. The
baseline: the same 50 clients' orders and reads through one ``BrokerManager`` in this process (50 threads
calling ``place_order`` and ``order_history``), on the same database. The rounds alternate between the two
sides. The benchmark starts its own PostgreSQL (the tests' ``servers.postgres_server``); the paper
exchange itself is SQLite under the home on both.

Figures: orders a second (placed and read back) and the p99 latency of a placement. The JSON report is
milliseconds of wall time per order (1000 / orders a second) on SQLite; the text run shows PostgreSQL too.
Goal: none set by the issue beyond reporting; the ratio is the API's throughput over the in-process one's.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from _harness import arguments, judge, percentile, report
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, Side

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from apiserver import ApiServer  # type: ignore[import-not-found]  # the tests' way to start the server
from servers import postgres_server  # type: ignore[import-not-found]  # the tests' PostgreSQL: one way to start it

ACCOUNT, SYMBOL = "p1", "NSE:INFY"
CLIENTS = 50
ORDERS = 3  # per client per round
REQUEST = OrderRequest(symbol=SYMBOL, side=Side.BUY, quantity=1)
BODY = REQUEST.model_dump(mode="json", exclude_none=True)


@dataclass
class Run:
    """What one side measured, pooled over its rounds."""

    orders: int = 0
    wall: float = 0.0
    placements: list[float] = field(default_factory=list)  # seconds of each placement

    @property
    def per_second(self) -> float:
        return self.orders / self.wall

    @property
    def p99_ms(self) -> float:
        return percentile(self.placements, 0.99) * 1e3


async def api_round(clients: list[httpx.AsyncClient], into: Run, orders: int = ORDERS) -> None:
    async def one(client: httpx.AsyncClient) -> None:
        for _ in range(orders):
            start = time.perf_counter()
            placed = await client.post(f"/accounts/{ACCOUNT}/orders", json=BODY)
            into.placements.append(time.perf_counter() - start)
            placed.raise_for_status()
            (await client.get(f"/accounts/{ACCOUNT}/orders/{placed.json()['order_id']}")).raise_for_status()

    start = time.perf_counter()
    await asyncio.gather(*(one(client) for client in clients))
    into.wall += time.perf_counter() - start
    into.orders += len(clients) * orders


def manager_round(manager: BrokerManager, pool: ThreadPoolExecutor, into: Run, orders: int = ORDERS) -> None:
    def one() -> None:
        for _ in range(orders):
            start = time.perf_counter()
            ack = manager.place_order(ACCOUNT, REQUEST)
            into.placements.append(time.perf_counter() - start)
            manager.order_history(ACCOUNT, ack.order_id)

    start = time.perf_counter()
    for future in [pool.submit(one) for _ in range(CLIENTS)]:
        future.result()
    into.wall += time.perf_counter() - start
    into.orders += CLIENTS * orders


async def api_rounds(server: ApiServer, manager: BrokerManager, rounds: int) -> tuple[Run, Run]:
    headers = {"Authorization": f"Bearer {server.key('bench')}"}
    api, direct = Run(), Run()
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(CLIENTS) as pool:
        clients = [httpx.AsyncClient(base_url=f"{server.url}/api/v1", headers=headers, timeout=60) for _ in
                   range(CLIENTS)]
        try:
            await api_round(clients, Run(), 1)  # warm both: connections, the paper exchange, the threads
            await loop.run_in_executor(None, manager_round, manager, pool, Run(), 1)
            for _ in range(rounds):
                await api_round(clients, api)
                await loop.run_in_executor(None, manager_round, manager, pool, direct)
        finally:
            for client in clients:
                await client.aclose()
    return api, direct


def measure(home: Path, database: str | None, rounds: int) -> tuple[Run, Run]:
    with BrokerManager(home, database=database) as manager:
        manager.activate("paper", ACCOUNT, {"opening_cash": "1e12"})
        server = ApiServer.start(home, database)
        try:
            return asyncio.run(api_rounds(server, manager, rounds))
        finally:
            assert server.stop() == 0, server.child.stderr.rest()


def main() -> None:
    args = arguments(__doc__ or "", runs=10)
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        sqlite = measure(Path(folder) / "sqlite", None, args.runs)
        postgres_url = stack.enter_context(postgres_server(Path(folder)))
        postgres = measure(Path(folder) / "postgres", postgres_url, args.runs)
    if not args.json:
        for name, (api, direct) in (("SQLite", sqlite), ("PostgreSQL", postgres)):
            print(f"api_throughput on {name}: {CLIENTS} clients, {api.orders} orders a side: API "
                  f"{api.per_second:.0f} orders/s (placement p99 {api.p99_ms:.1f} ms), in-process BrokerManager "
                  f"{direct.per_second:.0f} orders/s (p99 {direct.p99_ms:.1f} ms), ratio "
                  f"{api.per_second / direct.per_second:.2f}")
    api, direct = sqlite
    report("api_throughput", 1e3 / api.per_second, 1e3 / direct.per_second, "ms/order on SQLite", args.json,
           "the API's throughput over the in-process manager's")
    judge("api_throughput", [], args.json)


if __name__ == "__main__":
    main()
