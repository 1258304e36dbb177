"""``WS /api/v1/stream?window=N``: the server has at most N frames out that the client has not
acknowledged; meanwhile ticks wait conflated (the newest of each symbol) and order events wait whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role
from processes import WAIT
from streamclient import open_socket

SYMBOLS = ["NSE:INFY", "NSE:TCS", "NSE:SBIN", "NSE:RELIANCE"]
QUIET = 1.0  # seconds a paused socket is watched for a frame it must not get (the paper ticks every 0.05 s)


def frame(socket: ClientConnection, timeout: float = WAIT) -> list[dict[str, Any]]:
    return [json.loads(line) for line in str(socket.recv(timeout=timeout)).splitlines()]


def test_a_paused_client_gets_nothing_then_the_newest_tick_of_each_symbol_and_every_order_event(
        api: ApiServer) -> None:
    key = api.key("tess", Role.TRADER, ("p1",))
    with open_socket(api.url, key, window=1) as socket:
        socket.send(json.dumps({"type": "subscribe", "account": "p1", "symbols": SYMBOLS, "mode": "ltp"}))
        frame(socket)  # the one frame the window allows; not acknowledged yet
        placed = api.client(key).post("/accounts/p1/orders", json={"symbol": "NSE:INFY", "side": "BUY",
                                                                   "quantity": 1})
        assert placed.status_code == 200, placed.text
        with pytest.raises(TimeoutError):
            socket.recv(timeout=QUIET)  # ticks came all the while, and the order's events: none is sent

        socket.send(json.dumps({"type": "ack"}))
        first = frame(socket)
        ticked = [record["symbol"] for record in first if record["type"] == "tick"]
        assert ticked  # the ticks of the pause are there,
        assert sorted(ticked) == sorted(set(ticked))  # conflated: each symbol once
        records = first
        while not any(r["type"] == "order" and r["status"] == "COMPLETE" for r in records):
            socket.send(json.dumps({"type": "ack"}))
            records += frame(socket)
        order_id = placed.json()["order_id"]
        assert [r["type"] for r in records if r.get("order_id") == order_id and r["type"] == "trade"] == ["trade"]


def test_acks_are_for_windowed_sockets_and_never_more_than_were_sent(api: ApiServer) -> None:
    key = api.key("tess", Role.TRADER, ("p1",))
    with open_socket(api.url, key) as unpaced:
        unpaced.send(json.dumps({"type": "ack"}))
        (said,) = frame(unpaced)
        assert said["error"]["type"] == "InputError"
        assert "window" in said["error"]["message"]
    with open_socket(api.url, key, window=2) as socket:
        socket.send(json.dumps({"type": "ack", "frames": 1}))  # nothing sent yet
        (said,) = frame(socket)
        assert said["error"]["type"] == "InputError"
        socket.send(json.dumps({"type": "follow", "account": "p1"}))
        assert any(record["type"] == "state" for record in frame(socket))  # the socket stayed open
