"""The floor under ``api_order_overhead``: what httpx, uvicorn and FastAPI cost an order with nothing of
ours in it. One route shaped like ours (the account in the path, an ``OrderRequest`` body validated, an
``OrderAck`` back) that answers at once, under uvicorn set as ``brokerplex serve`` sets it.

Run as a script, it listens on a free loopback port and prints ``{"url": …}`` first, as ``serve`` does.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import uvicorn
from fastapi import FastAPI

from brokerplex.ids import new_client_order_id
from brokerplex.models import OrderAck, OrderRequest, OrderStatus

WAIT = 20.0  # seconds
app = FastAPI()


@app.post("/api/v1/accounts/{account}/orders")
async def place_order(account: str, order: OrderRequest) -> OrderAck:
    return OrderAck(order_id="1", client_order_id=order.client_order_id or new_client_order_id(),
                    status=OrderStatus.OPEN)


class MinimalApi:
    """The app in a child process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, __file__], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = str(json.loads(self.process.stdout.readline())["url"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(WAIT)


def main() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(json.dumps({"url": f"http://127.0.0.1:{listener.getsockname()[1]}"}), flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, proxy_headers=False, server_header=False)
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
