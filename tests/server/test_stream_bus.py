"""The stream over the Redis bus (``serve --bus``): one ``brokerplex hub`` process holds the broker feeds,
every server's clients get its events, a socket resumes order events after a bus id, ``--workers 2``
serves sockets and REST from both workers, and more than one worker without a bus is refused."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import httpx

from apiserver import ApiServer
from brokerplex.hub.bus.codec import stream_id_key
from brokerplex_server.auth.principal import Role
from processes import WAIT, Child
from streamclient import StreamClient, is_order, is_state

Start = Callable[..., ApiServer]


def start_hub(children: Callable[..., Child], bus: str, server: ApiServer) -> Child:
    hub = children("hub", "--bus", bus, "--accounts", "p1", env=server.env)
    hub.record(lambda record: record.get("accounts") == ["p1"])
    return hub


def place(client: httpx.Client, client_order_id: str) -> str:
    placed = client.post("/accounts/p1/orders", json={"symbol": "NSE:INFY", "side": "BUY", "quantity": 1,
                                                      "client_order_id": client_order_id})
    assert placed.status_code == 200, placed.text
    return str(placed.json()["order_id"])


def is_tick(record: dict[str, Any]) -> bool:
    return record["type"] == "tick" and record["symbol"] == "NSE:INFY"


def test_two_servers_on_one_bus_each_stream_the_hubs_ticks_and_the_orders_placed_through_the_other(
        start_server: Start, paper_accounts: tuple[str, str], bus_url: str, children: Callable[..., Child]) -> None:
    one = start_server("--bus", bus_url)
    other = start_server("--bus", bus_url)
    start_hub(children, bus_url, one)
    key = one.key("tess", Role.TRADER, ("p1",))
    with StreamClient(one.url, key) as on_one, StreamClient(other.url, key) as on_other:
        for client in (on_one, on_other):
            client.send(type="subscribe", account="p1", symbols=["NSE:INFY"], mode="ltp")
            client.next(is_state("p1", "live"))
            client.next(is_tick)
        order_id = place(one.client(key), "bus1")
        for client in (on_one, on_other):
            placed = client.next(is_order(order_id))
            complete = client.next(is_order(order_id, "COMPLETE"))
            assert stream_id_key(placed["id"]) < stream_id_key(complete["id"])


def test_a_socket_resumes_order_events_after_an_id(
        start_server: Start, paper_accounts: tuple[str, str], bus_url: str, children: Callable[..., Child]) -> None:
    api = start_server("--bus", bus_url)
    start_hub(children, bus_url, api)
    key = api.key("tess", Role.TRADER, ("p1",))
    rest = api.client(key)
    with StreamClient(api.url, key) as first:
        first.send(type="follow", account="p1")
        first.next(is_state("p1", "live"))
        seen = first.next(is_order(place(rest, "early"), "COMPLETE"))
    later = place(rest, "late")  # nobody is connected
    with StreamClient(api.url, key, after=seen["id"]) as resumed:
        resumed.send(type="follow", account="p1")
        resumed.next(is_order(later, "COMPLETE"))
        resumed_ids = [record["id"] for record in resumed.seen if record["type"] in ("order", "trade")]
        assert all(stream_id_key(event_id) > stream_id_key(seen["id"]) for event_id in resumed_ids)


def test_a_malformed_resume_id_is_said_on_the_socket(start_server: Start, paper_accounts: tuple[str, str],
                                                     bus_url: str) -> None:
    for server in (start_server(), start_server("--bus", bus_url)):
        with StreamClient(server.url, server.key("tess", Role.TRADER, ("p1",)), after="yesterday") as refused:
            assert refused.next(lambda record: record["type"] == "error")["error"]["type"] == "InputError"


def test_two_workers_serve_sockets_and_rest_and_more_workers_without_a_bus_are_refused(
        start_server: Start, paper_accounts: tuple[str, str], bus_url: str, children: Callable[..., Child]) -> None:
    api = start_server("--workers", "2", "--bus", bus_url)
    start_hub(children, bus_url, api)
    key = api.key("tess", Role.TRADER, ("p1",))
    with ExitStack() as sockets:  # the workers share the listening socket: some land on each
        clients = [sockets.enter_context(StreamClient(api.url, key)) for _ in range(4)]
        for client in clients:
            client.send(type="subscribe", account="p1", symbols=["NSE:INFY"], mode="ltp")
            client.next(is_tick)
        order_id = place(api.client(key), "workers1")
        for client in clients:
            client.next(is_order(order_id, "COMPLETE"))
    alone = children("serve", "--port", "0", "--workers", "2", env={**api.env, "BROKERPLEX_BUS": ""})
    assert alone.process.wait(WAIT) != 0
    assert "give --bus" in "\n".join(alone.stderr.rest())
