"""Runs the official KiteTicker (Twisted) against a Kite simulator and prints what it receives.

Usage: python sim_ticker_probe.py WS_ROOT API_KEY ACCESS_TOKEN MODE TOKEN[,TOKEN...]

Each event is one JSON line on stdout: {"event": "connect" | "ticks" | "order" | "close" |
"error" | "reconnect", ...}. Runs until killed (or 60 s). Twisted's reactor cannot be
restarted in one process, which is why the tests run this in a child process.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from kiteconnect import KiteTicker


def emit(event: str, **data: Any) -> None:
    print(json.dumps({"event": event, **data}, default=str), flush=True)


def main() -> None:
    root, api_key, access_token, mode, tokens_text = sys.argv[1:6]
    tokens = [int(token) for token in tokens_text.split(",")]
    ticker = KiteTicker(api_key, access_token, root=root, reconnect_max_delay=5)

    def on_connect(ws: KiteTicker, _response: Any) -> None:
        emit("connect")
        ws.subscribe(tokens)
        ws.set_mode(mode, tokens)

    ticker.on_connect = on_connect
    ticker.on_ticks = lambda _ws, ticks: emit("ticks", ticks=ticks)
    ticker.on_order_update = lambda _ws, data: emit("order", data=data)
    ticker.on_close = lambda _ws, code, reason: emit("close", code=code, reason=reason)
    ticker.on_error = lambda _ws, code, reason: emit("error", code=code, reason=reason)
    ticker.on_reconnect = lambda _ws, attempt: emit("reconnect", attempt=attempt)
    ticker.on_message = lambda _ws, payload, binary: emit("heartbeat") if binary and len(payload) == 1 else None

    from twisted.internet import reactor

    clock: Any = reactor  # Twisted's reactor module is typed as a bare module
    clock.callLater(60, clock.stop)
    ticker.connect()


if __name__ == "__main__":
    main()
