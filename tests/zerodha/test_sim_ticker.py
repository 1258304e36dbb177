"""The official ``KiteTicker`` (in a child process) against the simulator's ticker WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import websockets

from brokerplex_zerodha.sim import KiteSimulator

INFY, NIFTY_50 = 408065, 256265
API_KEY = "kite_sim_key"
Probe = Any  # conftest.TickerProbe


def is_ticks(event: dict[str, Any]) -> bool:
    return bool(event["event"] == "ticks")


def test_full_mode_ticks_with_depth_and_an_order_update(
    kite_sim: KiteSimulator, kite: Any, ticker_probe: Callable[..., Probe],
) -> None:
    probe = ticker_probe(kite_sim.ws, kite.access_token, "full", [INFY, NIFTY_50])
    ticks = {tick["instrument_token"]: tick for tick in probe.wait_for(is_ticks)["ticks"]}
    infy, nifty = ticks[INFY], ticks[NIFTY_50]
    assert infy["mode"] == "full"
    assert infy["tradable"] is True
    assert infy["last_price"] > 0
    assert len(infy["depth"]["buy"]) == len(infy["depth"]["sell"]) == 5
    best_bid, best_ask = infy["depth"]["buy"][0], infy["depth"]["sell"][0]
    assert best_ask["price"] > best_bid["price"] > 0
    assert best_bid["quantity"] > 0
    assert best_bid["orders"] > 0
    assert infy["exchange_timestamp"] is not None
    assert infy["ohlc"]["close"] > 0
    assert nifty["tradable"] is False
    assert nifty["mode"] == "full"
    assert nifty["ohlc"]["high"] >= nifty["ohlc"]["low"]

    order_id = kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="tick1")
    update = probe.wait_for(lambda e: e["event"] == "order")["data"]
    assert update["order_id"] == order_id
    assert update["status"] == "COMPLETE"
    assert update["tag"] == "tick1"
    assert update["filled_quantity"] == 1
    assert update["user_id"] == kite_sim.user_id
    assert len(update["checksum"]) == 64


def test_ltp_mode_and_order_updates_for_open_modified_cancelled(
    kite_sim: KiteSimulator, kite: Any, ticker_probe: Callable[..., Probe],
) -> None:
    probe = ticker_probe(kite_sim.ws, kite.access_token, "ltp", [INFY])
    (tick,) = probe.wait_for(is_ticks)["ticks"]
    assert tick == {"tradable": True, "mode": "ltp", "instrument_token": INFY, "last_price": tick["last_price"]}
    low = kite.quote("NSE:INFY")["NSE:INFY"]["lower_circuit_limit"]
    order_id = kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "LIMIT", price=low + 1)
    kite.modify_order("regular", order_id, price=low + 2)
    kite.cancel_order("regular", order_id)
    statuses = [probe.wait_for(lambda e: e["event"] == "order")["data"]["status"] for _ in range(3)]
    assert statuses == ["OPEN", "UPDATE", "CANCELLED"]


def test_dropped_streams_reconnect_and_resubscribe(
    kite_sim: KiteSimulator, kite: Any, ticker_probe: Callable[..., Probe],
) -> None:
    probe = ticker_probe(kite_sim.ws, kite.access_token, "quote", [INFY])
    assert probe.wait_for(is_ticks)["ticks"][0]["mode"] == "quote"
    kite_sim.drop_streams()
    probe.wait_for(lambda e: e["event"] == "close")
    probe.wait_for(lambda e: e["event"] == "connect")
    assert probe.wait_for(is_ticks)["ticks"][0]["instrument_token"] == INFY


def test_silenced_streams_send_nothing_until_resumed(
    kite_sim: KiteSimulator, kite: Any, ticker_probe: Callable[..., Probe],
) -> None:
    probe = ticker_probe(kite_sim.ws, kite.access_token, "quote", [INFY])
    probe.wait_for(is_ticks)
    kite_sim.silence_streams(True)
    probe.drain(0.6)  # what was already on its way
    assert probe.drain(2.0) == []
    kite_sim.silence_streams(False)
    probe.wait_for(is_ticks, timeout=5)


def test_idle_connections_get_heartbeats(
    kite_sim: KiteSimulator, kite: Any, ticker_probe: Callable[..., Probe],
) -> None:
    probe = ticker_probe(kite_sim.ws, kite.access_token, "quote", [999999999])  # nothing to stream
    probe.wait_for(lambda e: e["event"] == "connect")
    beats = [e for e in probe.drain(3.2) if e["event"] == "heartbeat"]
    assert 2 <= len(beats) <= 4


def test_bad_token_is_refused_at_the_upgrade(kite_sim: KiteSimulator) -> None:
    async def attempt() -> int:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(f"{kite_sim.ws}?api_key={API_KEY}&access_token=wrong"):
                pass
        return refused.value.response.status_code

    assert asyncio.run(attempt()) == 403


def test_subscribe_unsubscribe_and_mode_over_a_raw_socket(kite_sim: KiteSimulator, kite: Any) -> None:
    """Duplicate subscribe and mode messages (the client's resubscribe) are tolerated."""

    async def session() -> list[int]:
        url = f"{kite_sim.ws.removesuffix('/ws')}?api_key={API_KEY}&access_token={kite.access_token}"
        async with websockets.connect(url) as socket:
            for message in ('{"a": "subscribe", "v": [408065]}', '{"a":"subscribe","v":[408065, 256265]}',
                            '{"a": "mode", "v": ["full", [408065]]}', '{"a": "mode", "v": ["ltp", [256265]]}',
                            "not json"):
                await socket.send(message)
            sizes: list[int] = []
            while sorted(sizes) != [8, 184]:  # frames sent before the mode messages landed are in quote mode
                frame = await asyncio.wait_for(socket.recv(), 5)
                if isinstance(frame, bytes) and len(frame) > 1:
                    sizes, offset = [], 2
                    for _ in range(int.from_bytes(frame[:2], "big")):
                        length = int.from_bytes(frame[offset:offset + 2], "big")
                        sizes.append(length)
                        offset += 2 + length
            await socket.send('{"a": "unsubscribe", "v": [408065, 256265]}')
            return sizes

    assert sorted(asyncio.run(asyncio.wait_for(session(), 10))) == [8, 184]


def test_a_fourth_connection_per_api_key_is_told_and_closed(kite_sim: KiteSimulator, kite: Any) -> None:
    url = f"{kite_sim.ws}?api_key={API_KEY}&access_token={kite.access_token}"

    async def connect_four() -> str | bytes:
        async with (websockets.connect(url), websockets.connect(url), websockets.connect(url),
                    websockets.connect(url) as fourth):
            message = await asyncio.wait_for(fourth.recv(), 5)
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(fourth.recv(), 5)
            return message

    message = asyncio.run(connect_four())
    assert isinstance(message, str)
    assert json.loads(message)["type"] == "error"


def test_expired_sessions_cannot_open_the_ticker(kite_sim: KiteSimulator, kite: Any) -> None:
    kite_sim.expire_sessions()

    async def attempt() -> int:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(f"{kite_sim.ws}?api_key={API_KEY}&access_token={kite.access_token}"):
                pass
        return refused.value.response.status_code

    assert asyncio.run(attempt()) == 403
