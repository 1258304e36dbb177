"""The simulators' HTTP fault controls, seen by a bare HTTP client over real sockets.

Both simulators take the same controls under the same route names; each test runs against both.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_zerodha.sim import KiteSimulator


class Target:
    """One simulator with a logged-in bare client: ``place`` sends an order POST, ``book`` reads the order book."""

    def __init__(self, sim: Any, headers: dict[str, str], place: tuple[str, str, dict[str, Any]],
                 book: tuple[str, str]) -> None:
        self.sim, self.headers, self._place, self._book = sim, headers, place, book

    @property
    def faults(self) -> Any:
        return self.sim.faults

    def root(self) -> str:
        return str(self.sim.rest if isinstance(self.sim, KiteSimulator) else self.sim.root)

    def place(self, tag: str, timeout: float = 5.0) -> httpx.Response:
        method, path, body = self._place
        if isinstance(self.sim, KiteSimulator):
            return httpx.request(method, self.root() + path, headers=self.headers, data={**body, "tag": tag},
                                 timeout=timeout)
        return httpx.request(method, self.root() + path, headers=self.headers,
                             json={**body, "orderUniqueIdentifier": tag}, timeout=timeout)

    def tags(self) -> list[str]:
        """The client order ids in the order book."""
        method, path = self._book
        reply = httpx.request(method, self.root() + path, headers=self.headers, timeout=5)
        if reply.status_code == 400 and reply.json().get("description") == "Data Not Available":
            return []  # XTS's answer for an empty book
        reply.raise_for_status()
        rows = reply.json()["data" if isinstance(self.sim, KiteSimulator) else "result"]
        return [row["tag" if isinstance(self.sim, KiteSimulator) else "OrderUniqueIdentifier"] for row in rows]


def kite_target(tmp_path: Path) -> Iterator[Target]:
    with KiteSimulator(state_dir=tmp_path, rate_limits=False) as sim:
        request_token = sim.request_token()
        checksum = hashlib.sha256(f"{sim.api_key}{request_token}kite_sim_secret".encode()).hexdigest()
        session = httpx.post(sim.rest + "/session/token", data={
            "api_key": sim.api_key, "request_token": request_token, "checksum": checksum}, timeout=5)
        token = session.json()["data"]["access_token"]
        headers = {"Authorization": f"token {sim.api_key}:{token}", "X-Kite-Version": "3"}
        yield Target(sim, headers, ("POST", "/orders/regular", {
            "exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "quantity": "1",
            "product": "CNC", "order_type": "MARKET", "validity": "DAY"}), ("GET", "/orders"))


def xts_target(tmp_path: Path) -> Iterator[Target]:
    with XtsSimulator(state_dir=tmp_path, rate_limits=False) as sim:
        account = sim.account("investor")
        login = httpx.post(sim.root + "/interactive/user/session", json={**account["interactive"], "source": "WEBAPI"})
        headers = {"Authorization": login.json()["result"]["token"]}
        yield Target(sim, headers, ("POST", "/interactive/orders", {
            "exchangeSegment": "NSECM", "exchangeInstrumentID": 1594, "productType": "CNC", "orderType": "MARKET",
            "orderSide": "BUY", "timeInForce": "DAY", "disclosedQuantity": 0, "orderQuantity": 1, "limitPrice": 0,
            "stopPrice": 0}), ("GET", "/interactive/orders"))


@pytest.fixture(params=["kite", "xts"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    yield from (kite_target if request.param == "kite" else xts_target)(tmp_path)


def test_a_lost_reply_leaves_the_order_standing_and_the_client_waiting(target: Target) -> None:
    fault = target.faults.lose_reply("orders")
    with pytest.raises(httpx.ReadTimeout):
        target.place("lost1", timeout=0.5)
    assert fault.applied == 1
    assert target.tags() == ["lost1"]
    assert target.place("next1").status_code == 200  # one request only: the next one is answered


def test_a_refusal_comes_before_processing(target: Target) -> None:
    target.faults.refuse("orders", status=503)
    assert target.place("refused1").status_code == 503
    assert target.tags() == []


def test_a_late_reply_times_out_though_the_order_stands(target: Target) -> None:
    target.faults.delay("orders", 1.0)
    with pytest.raises(httpx.ReadTimeout):
        target.place("late1", timeout=0.3)
    assert target.tags() == ["late1"]


def test_a_trickled_reply_arrives_a_byte_at_a_time(target: Target) -> None:
    target.faults.trickle("orders", 0.5)
    method, path, body = target._place
    payload: dict[str, Any] = ({"data": {**body, "tag": "slow1"}} if isinstance(target.sim, KiteSimulator)
                               else {"json": {**body, "orderUniqueIdentifier": "slow1"}})
    started = time.monotonic()
    # The read timeout also waits for the head, which comes once the order is placed: 1.5 s, for a loaded
    # machine (0.5 s timed out there once).
    with httpx.Client(timeout=1.5) as client, client.stream(method, target.root() + path, headers=target.headers,
                                                            **payload) as reply:
        chunks = []
        for chunk in reply.iter_raw():  # each gap is under the read timeout
            chunks.append(chunk)
            if len(chunks) == 4:
                break
    assert [len(chunk) for chunk in chunks] == [1, 1, 1, 1]
    assert time.monotonic() - started >= 1.5  # longer than the read timeout, in all
    assert target.tags() == ["slow1"]  # acted on before the first byte


@pytest.mark.parametrize("body", ["{}", "<html>gateway</html>", '{"type": "success"'])
def test_an_answer_replaces_the_reply_after_processing(target: Target, body: str) -> None:
    target.faults.answer("orders", body)
    reply = target.place("odd1")
    assert (reply.status_code, reply.text) == (200, body)
    assert target.tags() == ["odd1"]


def test_a_truncated_reply_drops_the_connection(target: Target) -> None:
    target.faults.truncate("orders", keep=0.5)
    with pytest.raises(httpx.RemoteProtocolError):
        target.place("cut1")
    assert target.tags() == ["cut1"]


def test_a_rate_applies_to_a_share_of_requests_and_routes_are_told_apart(target: Target) -> None:
    fault = target.faults.refuse("orders", times=None, rate=0.5)
    statuses = [target.place(f"r{index}").status_code for index in range(40)]
    assert 8 <= statuses.count(503) <= 32
    assert fault.applied == statuses.count(503)
    assert len(target.tags()) == statuses.count(200)  # the book is a "books" route: never refused
    target.faults.clear()
    assert target.place("after").status_code == 200


def test_an_unknown_route_name_is_refused(target: Target) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        target.faults.lose_reply("ordres")
