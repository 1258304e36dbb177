"""The Kite simulator's ticks mean something: the market moves between ticks, and a tick with
nothing new is not sent (per connection, token and mode). Read off the raw binary ticker."""

from __future__ import annotations

import asyncio
import itertools
import struct
import time
from typing import Any

import websockets

from brokerplex_zerodha.sim import KiteSimulator

INFY, NIFTY_50 = 408065, 256265
RATE = 10  # ticks a second: a run of 30 takes 3 s


def packets(frame: bytes) -> list[bytes]:
    """The packets of one binary ticker frame."""
    found, offset = [], 2
    for _ in range(int.from_bytes(frame[:2], "big")):
        length = int.from_bytes(frame[offset:offset + 2], "big")
        found.append(frame[offset + 2:offset + 2 + length])
        offset += 2 + length
    return found


async def ticks_by_token(sim: KiteSimulator, access_token: str, modes: dict[str, list[int]],
                         wanted: dict[int, int], timeout: float) -> dict[int, list[bytes]]:
    """Packets by token until each token in ``wanted`` has that many."""
    seen: dict[int, list[bytes]] = {}
    async with websockets.connect(f"{sim.ws}?api_key={sim.api_key}&access_token={access_token}") as socket:
        await socket.send(f'{{"a": "subscribe", "v": {[t for tokens in modes.values() for t in tokens]}}}')
        for mode, tokens in modes.items():
            await socket.send(f'{{"a": "mode", "v": ["{mode}", {tokens}]}}')
        deadline = time.monotonic() + timeout
        while any(len(seen.get(token, [])) < count for token, count in wanted.items()):
            frame = await asyncio.wait_for(socket.recv(), max(0.01, deadline - time.monotonic()))
            if isinstance(frame, bytes) and len(frame) > 1:
                for packet in packets(frame):
                    seen.setdefault(int.from_bytes(packet[:4], "big"), []).append(packet)
    return seen


def test_consecutive_ticks_of_a_symbol_always_differ_and_the_market_moves_between_them(
        kite_sim: KiteSimulator, kite: Any) -> None:
    kite_sim.set_tick_rate(RATE)
    # Thirty ticks within the bound (ten a second, each with news): repeats held back would never get there.
    seen = asyncio.run(ticks_by_token(kite_sim, kite.access_token, {"full": [INFY], "quote": [NIFTY_50]},
                                      {INFY: 30}, timeout=20))
    infy = [packet for packet in seen[INFY] if len(packet) == 184]  # the first may still be in quote mode
    assert len(infy) >= 25
    assert all(before != after for before, after in itertools.pairwise(infy))
    volumes = [struct.unpack(">I", packet[16:20])[0] for packet in infy]
    assert all(after > before for before, after in itertools.pairwise(volumes))  # someone trades every step
    depths = [packet[64:] for packet in infy]
    assert sum(before != after for before, after in itertools.pairwise(depths)) >= len(depths) * 0.8
    prices = {struct.unpack(">I", packet[4:8])[0] for packet in infy}
    assert len(prices) > 1
    stamps = [struct.unpack(">I", packet[60:64])[0] for packet in infy]
    assert stamps == sorted(stamps)  # exchange time never goes back
    assert abs(stamps[-1] - time.time()) < 60
    nifty = seen.get(NIFTY_50, [])
    assert all(before != after for before, after in itertools.pairwise(nifty))


def test_an_index_in_ltp_mode_is_sent_only_when_its_price_moves(kite_sim: KiteSimulator, kite: Any) -> None:
    kite_sim.set_tick_rate(20)  # faster than an index's price changes by a tick
    seen = asyncio.run(ticks_by_token(kite_sim, kite.access_token, {"ltp": [NIFTY_50]}, {NIFTY_50: 15}, timeout=30))
    prices = [struct.unpack(">I", packet[4:8])[0] for packet in seen[NIFTY_50] if len(packet) == 8]
    assert len(prices) >= 10
    assert all(before != after for before, after in itertools.pairwise(prices))
