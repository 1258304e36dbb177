"""``WS /api/v1/stream?window=N``: the server has at most N frames out that the client has not
acknowledged; meanwhile ticks wait conflated (the newest of each symbol) and order events wait whole."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role
from brokerplex_server.routes.stream import Window, _send_events
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


class _Text:
    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text


class _Consumer:
    """Two events, then the end."""

    def __init__(self) -> None:
        self._events = [_Text("one"), _Text("two")]

    def __aiter__(self) -> _Consumer:
        return self

    async def __anext__(self) -> _Text:
        if not self._events:
            raise StopAsyncIteration
        return self._events.pop(0)

    def take_waiting(self) -> list[_Text]:
        return []


class _AckedMidWrite:
    """A socket whose client's ack is read while the server's write of the frame still waits (to drain)."""

    def __init__(self, window: Window) -> None:
        self.window, self.sent = window, list[str]()

    async def send_text(self, text: str) -> None:
        self.sent.append(text)
        self.window.acked(1)  # the ack reader ran first
        await asyncio.sleep(0)


def test_an_ack_read_before_its_frame_s_write_returns_counts() -> None:
    window = Window(1)
    socket = _AckedMidWrite(window)
    asyncio.run(asyncio.wait_for(_send_events(socket, _Consumer(), window), WAIT))  # type: ignore[arg-type]
    assert socket.sent == ["one", "two"]  # the ack let the second frame go: it was not refused as unasked
    assert window.out == 0
