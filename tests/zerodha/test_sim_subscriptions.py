"""The Kite simulator counts the ticker's subscriptions as a client holds them over the raw WebSocket: per
connection, each token at its mode."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import websockets

from brokerplex_zerodha.sim import KiteSimulator

INFY, NIFTY_50 = 408065, 256265


async def held(sim: KiteSimulator, wanted: dict[str, list[str]], seconds: float = 10.0) -> None:
    """Wait until the simulator holds ``wanted`` (each token's modes in any order): commands land in its loop."""
    deadline = time.monotonic() + seconds
    while (now := {token: sorted(modes) for token, modes in sim.stream_subscriptions.items()}) != wanted:
        assert time.monotonic() < deadline, f"the simulator holds {now}, not {wanted}"
        await asyncio.sleep(0.02)


def test_each_connection_holds_its_tokens_at_their_mode_until_it_unsubscribes_or_closes(
        kite_sim: KiteSimulator, kite: Any) -> None:
    url = f"{kite_sim.ws}?api_key={kite_sim.api_key}&access_token={kite.access_token}"

    async def scenario() -> None:
        async with websockets.connect(url) as first, websockets.connect(url) as second:
            await first.send(json.dumps({"a": "subscribe", "v": [INFY, NIFTY_50]}))
            await first.send(json.dumps({"a": "mode", "v": ["full", [INFY]]}))
            await second.send(json.dumps({"a": "subscribe", "v": [INFY]}))
            await held(kite_sim, {str(INFY): ["full", "quote"], str(NIFTY_50): ["quote"]})
            await first.send(json.dumps({"a": "unsubscribe", "v": [INFY, NIFTY_50]}))
            await held(kite_sim, {str(INFY): ["quote"]})
        await held(kite_sim, {})  # a closed connection holds nothing

    asyncio.run(scenario())
    assert kite_sim.stream_connections == 0
