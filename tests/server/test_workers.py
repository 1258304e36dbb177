"""Two ``brokerplex serve`` processes on one PostgreSQL and one Redis, trading on the Kite simulator: they
share Kite's rate limit (the simulator answers no 429), send a client order id once whichever server gets
it, and a server killed mid-order leaves an unresolved journal entry that the other one reconciles, with
no duplicate at the broker."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from apiserver import ApiServer
from brokerplex.cli import ClickLoginIO
from brokerplex.manager import BrokerManager
from brokerplex.testing.harness import eventually
from brokerplex_server.auth.principal import Role
from brokerplex_zerodha.sim import KiteSimulator
from processes import WAIT

TOO_MANY = b"Too many requests"


@pytest.fixture
def database(fresh_postgres_url: str) -> str:
    """Several workers share PostgreSQL (not a SQLite file)."""
    return fresh_postgres_url


@pytest.fixture
def kite_sim(tmp_path: Path) -> Iterator[KiteSimulator]:
    simulator = KiteSimulator(state_dir=tmp_path / "kite").start()  # Kite's rate limits on
    yield simulator
    simulator.stop()


@pytest.fixture
def kite_account(home: Path, database: str, kite_sim: KiteSimulator) -> str:
    """``z1``, logged in to the simulator, in the servers' store (a REST call may take 30 s: the kill test
    holds a reply that long)."""
    with BrokerManager(home, database=database) as manager:
        manager.activate("zerodha", "z1", {"api_key": kite_sim.api_key, "api_secret": "kite_sim_secret",
                                           "root": kite_sim.rest, "ws_root": kite_sim.ws,
                                           "login_url": kite_sim.login, "timeout": "30"})
        manager.login("z1", {"request_token": kite_sim.request_token()}, ClickLoginIO())
    return "z1"


@pytest.fixture
def servers(home: Path, database: str, kite_account: str, bus_url: str) -> Iterator[tuple[ApiServer, ApiServer]]:
    """Two servers on one store and one bus; each ends cleanly on SIGTERM unless a test killed it."""
    started: list[ApiServer] = []
    try:
        for _ in range(2):
            started.append(ApiServer.start(home, database, "--bus", bus_url))
        yield started[0], started[1]
    finally:
        for server in started:
            assert server.stop() in (0, -signal.SIGKILL), server.child.stderr.rest()


class TooManyCounter:
    """Counts the simulator's 429 replies: a rewrite fault on every route that keeps each body as it is."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, body: bytes) -> bytes:
        if TOO_MANY in body:
            with self._lock:
                self.count += 1
        return body


def order(client_order_id: str) -> dict[str, Any]:
    return {"symbol": "NSE:INFY", "side": "BUY", "quantity": 1, "client_order_id": client_order_id}


def sent(kite_sim: KiteSimulator, client_order_id: str) -> int:
    return sum(placed.client_order_id == client_order_id for placed in kite_sim.received_orders())


def test_two_servers_placing_faster_than_kite_allows_get_no_429_and_a_client_order_id_is_sent_once(
        servers: tuple[ApiServer, ApiServer], kite_sim: KiteSimulator) -> None:
    too_many = TooManyCounter()
    kite_sim.faults.rewrite("any", too_many, times=None)
    key = servers[0].key("tess", Role.TRADER, ("z1",))
    clients = [server.client(key) for server in servers]

    def place_in_a_loop(n: int) -> list[httpx.Response]:  # as a strategy does: the next once one is answered
        return [clients[n % 2].post("/accounts/z1/orders", json=order(f"fast{n}x{k}")) for k in range(6)]

    count = 24  # Kite takes 10 orders a second per API key; each server alone would send them at that pace
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = [reply for replies in pool.map(place_in_a_loop, range(4)) for reply in replies]
    assert [reply.status_code for reply in replies] == [200] * count, [r.text for r in replies if r.is_error]
    assert too_many.count == 0
    assert len(kite_sim.received_orders()) == count

    with ThreadPoolExecutor(max_workers=2) as pool:  # one client order id, sent to both servers at once
        twice = list(pool.map(lambda client: client.post("/accounts/z1/orders", json=order("twice")), clients))
    assert sorted(reply.status_code for reply in twice)[0] == 200, [reply.text for reply in twice]
    refused = [reply for reply in twice if reply.status_code != 200]  # the journal's key, in the shared database
    assert [(reply.status_code, "was used before" in reply.text) for reply in refused] == [(422, True)]
    assert sent(kite_sim, "twice") == 1
    again = clients[1].post("/accounts/z1/orders", json=order("fast0x0"))  # placed through the other server
    assert again.status_code == 422, again.text
    assert sent(kite_sim, "fast0x0") == 1
    assert too_many.count == 0


def test_a_server_killed_mid_order_leaves_it_unresolved_and_the_other_reconciles_it_without_a_duplicate(
        servers: tuple[ApiServer, ApiServer], kite_sim: KiteSimulator) -> None:
    doomed, survivor = servers
    key = doomed.key("tess", Role.TRADER, ("z1",))
    kite_sim.faults.delay("orders", seconds=60)  # acted on at once, answered after the kill
    placing = ThreadPoolExecutor(max_workers=1)
    in_flight = placing.submit(doomed.client(key).post, "/accounts/z1/orders", json=order("killed1"))
    assert eventually(lambda: sent(kite_sim, "killed1") or None, WAIT) == 1
    doomed.child.stop()  # SIGKILL, with the broker's reply still held
    with pytest.raises(httpx.TransportError):
        in_flight.result(WAIT)
    placing.shutdown()

    rest = survivor.client(key)
    unresolved = rest.get("/accounts/z1/unresolved-orders").json()
    # journalled before the send, never settled: its outcome is unknown to the journal
    assert [(entry["client_order_id"], entry["state"]) for entry in unresolved] == [("killed1", "INTENT")]
    reconciled = rest.post("/accounts/z1/reconcile")
    assert reconciled.status_code == 200, reconciled.text
    [settled] = reconciled.json()
    assert (settled["client_order_id"], settled["was"], settled["now"]) == ("killed1", "INTENT", "SENT")
    [at_kite] = [placed for placed in kite_sim.received_orders() if placed.client_order_id == "killed1"]
    assert settled["order_id"] == at_kite.order_id
    assert rest.get("/accounts/z1/unresolved-orders").json() == []
    assert rest.post("/accounts/z1/orders", json=order("killed1")).status_code == 422
    assert sent(kite_sim, "killed1") == 1
