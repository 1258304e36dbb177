"""A client of the server's ``/api/v1/stream`` WebSocket (the websockets library's sync client), reading
JSON records with a deadline (``tests/`` is on pytest's path; for tests/server/test_stream*.py and
test_workers*.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from websockets.sync.client import ClientConnection, connect

from processes import WAIT

Record = dict[str, Any]


def stream_url(server_url: str, after: str | None = None, window: int | None = None) -> str:
    given = {name: value for name, value in (("after", after), ("window", window)) if value}
    query = f"?{urlencode(given)}" if given else ""
    return f"{server_url.replace('http', 'ws', 1)}/api/v1/stream{query}"


def open_socket(server_url: str, key: str | None = None, *, after: str | None = None, window: int | None = None,
                headers: dict[str, str] | None = None) -> ClientConnection:
    """A socket to the server, authenticated with ``key`` (raises websockets' InvalidStatus if refused); use
    it in a ``with`` block."""
    sent = dict(headers or {})
    if key:
        sent["Authorization"] = f"Bearer {key}"
    return connect(stream_url(server_url, after, window), additional_headers=sent, open_timeout=WAIT,
                   close_timeout=5)


class StreamClient:
    """One socket: send messages, read records until one is wanted (every record read is kept in ``seen``).
    Use it in a ``with`` block."""

    def __init__(self, server_url: str, key: str, *, after: str | None = None) -> None:
        self.socket = open_socket(server_url, key, after=after)
        self.seen: list[Record] = []
        self._unread: list[Record] = []

    def __enter__(self) -> StreamClient:
        self.socket.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.socket.close()

    def send(self, **message: Any) -> None:
        self.socket.send(json.dumps(message))

    def next(self, wanted: Callable[[Record], bool], timeout: float = WAIT) -> Record:
        """The next record for which ``wanted`` is true."""
        deadline = time.monotonic() + timeout
        while self._unread or (left := deadline - time.monotonic()) > 0:
            if not self._unread:  # a frame carries one record a line
                try:
                    self._unread.extend(json.loads(line) for line in str(self.socket.recv(timeout=left)).splitlines())
                except TimeoutError:
                    break
            record: Record = self._unread.pop(0)
            self.seen.append(record)
            if wanted(record):
                return record
        raise AssertionError(f"no such record within {timeout} s; saw {self.seen[-20:]}")



def is_state(account: str, state: str) -> Callable[[Record], bool]:
    return lambda record: record["type"] == "state" and record["account"] == account and record["state"] == state


def is_order(order_id: str, status: str | None = None) -> Callable[[Record], bool]:
    return lambda record: (record["type"] == "order" and record["order_id"] == order_id
                           and (status is None or record["status"] == status))
