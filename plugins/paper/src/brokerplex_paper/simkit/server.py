"""``SimServer``: uvicorn serving one ASGI app, from a daemon thread or in the foreground.

The socket is bound when the server is made, so its address is known (and printable) before it
serves; connections made before then wait in the listen backlog. Controls that touch connections
run in the server's own event loop through :meth:`SimServer.call`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from types import FrameType, TracebackType
from typing import Any, Self, TypeVar

import uvicorn

T = TypeVar("T")
ASGIApp = Callable[..., Any]

START_TIMEOUT = 15.0
GRACEFUL_SECONDS = 3  # open connections get this long to finish when the server stops
CALL_TIMEOUT = 10.0


def bind_socket(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP spelled out: asyncio turns Nagle off only on sockets that say TCP, and with
    # Nagle on, every reply's body waits for the client's delayed ACK (40 ms a request).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # accept connections at once, before uvicorn's loop takes over
    except OSError:
        sock.close()
        raise
    return sock


class SimServer:
    """One app on one bound socket; ``with SimServer(app) as server:`` serves it from a daemon thread."""

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, name: str = "sim",
                 ws_protocol: type[asyncio.Protocol] | None = None, ws_ping_interval: float | None = 20.0) -> None:
        """``ws_protocol``: uvicorn's WebSocket protocol class (the frozen links' one, see links.py);
        ``ws_ping_interval`` None: no server pings (Engine.IO pings by itself)."""
        self.name = name
        self._socket = bind_socket(host, port)
        address: tuple[str, int] = self._socket.getsockname()[:2]
        self.host, self.port = address
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False,
                                ws=ws_protocol or "auto", ws_ping_interval=ws_ping_interval,
                                ws_ping_timeout=None if ws_ping_interval is None else 20.0,
                                timeout_graceful_shutdown=GRACEFUL_SECONDS)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"SimServer({self.name!r}, url={self.url!r}, running={self.running})"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._loop is not None and self._loop.is_running() and self._server.started

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> Self:
        """Serve from a daemon thread; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name} is already serving")
        thread = self._thread = threading.Thread(target=self._serve, name=f"{self.name}-{self.port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            thread.join(0.01)
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start on {self.host}:{self.port}")
        return self

    def _serve(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:  # not the main thread: uvicorn leaves signals alone
            loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        finally:
            loop.close()

    def stop(self) -> None:
        """Stop serving (open requests get a few seconds) and close the socket. Safe to call twice."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._server.should_exit = True
            thread.join(GRACEFUL_SECONDS + 7)
            if thread.is_alive():
                self._server.force_exit = True
                thread.join(5)
        with contextlib.suppress(OSError):
            self._socket.close()

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until SIGINT or SIGTERM (call from the main thread), then stop and return.

        ``on_ready`` runs once the server accepts connections (the CLI prints its first line there).
        """
        stop = threading.Event()

        def on_signal(_number: int, _frame: FrameType | None) -> None:
            stop.set()

        previous = {number: signal.signal(number, on_signal) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            with self:
                if on_ready is not None:
                    on_ready()
                while not stop.wait(0.5):  # a bounded wait lets the signal handler run
                    if self._thread is None or not self._thread.is_alive():
                        break
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def call(self, work: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT) -> T | None:
        """Run ``work`` in the server's event loop and wait for its result. When the server is not
        running there is no connection to act on: ``work`` is closed unrun and None returned."""
        loop = self._loop
        if loop is None or not loop.is_running():
            work.close()
            return None
        return asyncio.run_coroutine_threadsafe(work, loop).result(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
