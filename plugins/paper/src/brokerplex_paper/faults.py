"""What real networks and real brokers do to HTTP replies, injected into a simulator.

Every simulator (:class:`brokerplex_paper.simkit.Simulator`) wraps its ASGI app in
:class:`HttpFaults` and exposes it as ``sim.faults``. Each names its routes the same way,
so a test (or the conformance kit) says the same thing to every one of them:

=========  =====================================================================
route      requests it matches
=========  =====================================================================
login      session logins (token exchange, API logins)
orders     order placement
changes    modify, cancel, cancel-all
books      orders, order history, trades, positions, holdings, funds
quotes     quotes (every quote route)
master     the instrument master (and index lists)
any        every HTTP request
=========  =====================================================================

A route may also be given as ``"METHOD /regex"`` (``"GET /orders$"``) for one exact route.
Every fault applies to the next ``times`` matching requests (None: all of them), each
with probability ``rate`` drawn from a seeded generator, so that a run can be repeated.

Faults that come *after processing* (lost, late, trickled, replaced or cut replies) let the
simulator act on the request first: an order stands although its client never learns so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import threading
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Kind = Literal["lose", "refuse", "delay", "trickle", "answer", "rewrite", "truncate"]
Rewrite = Callable[[bytes], bytes]

#: A lost reply holds its connection at most this long, then cuts it (a client that never times out).
MAX_HOLD = 60.0
GARBAGE = b"\x00\x9c\xfe garbage \xff{{"
HTML_ERROR = (b"<html><head><title>502 Bad Gateway</title></head>"
              b"<body><center><h1>502 Bad Gateway</h1></center></body></html>")


class RoutePattern:
    """Methods and a path regex (case-insensitive, like the hosts that ignore case)."""

    def __init__(self, methods: str, path: str) -> None:
        self.methods = frozenset(methods.upper().split("|"))
        self.path = re.compile(path, re.IGNORECASE)

    def matches(self, method: str, path: str) -> bool:
        return ("*" in self.methods or method.upper() in self.methods) and self.path.search(path) is not None


@dataclass(slots=True)
class Fault:
    """One injected fault; ``applied`` counts the requests it hit."""

    kind: Kind
    route: str
    times: int | None = 1
    rate: float = 1.0
    seconds: float = 0.0
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    keep: float = 0.5  # truncate: the share of the reply that is sent
    change: Rewrite | None = None  # rewrite: the real reply's body → the body sent
    applied: int = 0
    hits: list[str] = field(default_factory=list)  # "METHOD /path" of each request hit

    @property
    def spent(self) -> bool:
        return self.times is not None and self.applied >= self.times


class _CutConnection(Exception):
    """Raised after a reply started: the server closes the connection mid-reply."""


class _QuietCuts(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _CutConnection))


logging.getLogger("uvicorn.error").addFilter(_QuietCuts())


class HttpFaults:
    """ASGI middleware injecting faults into matching HTTP requests; websockets pass through."""

    def __init__(self, app: App, routes: Mapping[str, Sequence[RoutePattern]], *, seed: int = 1) -> None:
        self.app = app
        self.routes = {name: list(patterns) for name, patterns in routes.items()}
        self.routes["any"] = [RoutePattern("*", "")]
        self._faults: list[Fault] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()  # tests set faults from their own thread

    # -- controls ---------------------------------------------------------------------------------
    def lose_reply(self, route: str = "orders", *, times: int | None = 1, rate: float = 1.0) -> Fault:
        """Act on the request, then never answer: the connection stays silent until the client gives up."""
        return self._add(Fault("lose", route, times, rate))

    def refuse(self, route: str = "orders", *, status: int = 503, body: bytes = b"", times: int | None = 1,
               rate: float = 1.0) -> Fault:
        """Answer ``status`` before processing: nothing happens at the broker."""
        return self._add(Fault("refuse", route, times, rate, status=status, body=body))

    def delay(self, route: str = "orders", seconds: float = 5.0, *, times: int | None = 1,
              rate: float = 1.0) -> Fault:
        """Act on the request at once; answer ``seconds`` late (past a client's timeout)."""
        return self._add(Fault("delay", route, times, rate, seconds=seconds))

    def trickle(self, route: str = "orders", interval: float = 1.5, *, times: int | None = 1,
                rate: float = 1.0) -> Fault:
        """Act on the request; send its reply one byte every ``interval`` seconds."""
        return self._add(Fault("trickle", route, times, rate, seconds=interval))

    def answer(self, route: str, body: bytes | str, *, status: int = 200, content_type: str = "application/json",
               times: int | None = 1, rate: float = 1.0) -> Fault:
        """Act on the request; reply with ``body`` instead (garbage, HTML, a malformed payload)."""
        data = body.encode() if isinstance(body, str) else body
        return self._add(Fault("answer", route, times, rate, status=status, body=data, content_type=content_type))

    def rewrite(self, route: str, change: Rewrite, *, times: int | None = 1, rate: float = 1.0) -> Fault:
        """Act on the request; reply with ``change(body)`` of its real reply, status and headers kept (a field
        nulled, a type changed: the malformed payloads real servers send)."""
        return self._add(Fault("rewrite", route, times, rate, change=change))

    def garbage(self, route: str = "orders", *, times: int | None = 1, rate: float = 1.0) -> Fault:
        return self.answer(route, GARBAGE, content_type="application/json", times=times, rate=rate)

    def html(self, route: str = "orders", *, status: int = 502, times: int | None = 1, rate: float = 1.0) -> Fault:
        """A proxy's HTML error page, as load balancers send when the service behind them fails."""
        return self.answer(route, HTML_ERROR, status=status, content_type="text/html", times=times, rate=rate)

    def truncate(self, route: str = "orders", *, keep: float = 0.5, times: int | None = 1,
                 rate: float = 1.0) -> Fault:
        """Act on the request; send the first ``keep`` of its reply, then close the connection."""
        return self._add(Fault("truncate", route, times, rate, keep=keep))

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return [fault for fault in self._faults if not fault.spent]

    def _add(self, fault: Fault) -> Fault:
        if fault.route not in self.routes and not re.fullmatch(r"[A-Za-z|*]+ /.*", fault.route):
            raise ValueError(f"unknown route {fault.route!r}; use one of {', '.join(self.routes)} or 'METHOD /regex'")
        if not 0.0 <= fault.rate <= 1.0:
            raise ValueError("rate is a probability between 0 and 1")
        with self._lock:
            self._faults.append(fault)
        return fault

    def _patterns(self, route: str) -> list[RoutePattern]:
        if route in self.routes:
            return self.routes[route]
        methods, _, path = route.partition(" ")
        return [RoutePattern(methods, path)]

    def _pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.spent or not any(p.matches(method, path) for p in self._patterns(fault.route)):
                    continue
                if fault.rate < 1.0 and self._random.random() >= fault.rate:
                    continue
                fault.applied += 1
                fault.hits.append(f"{method} {path}")
                return fault
        return None

    # -- ASGI -------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = self._pick(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "refuse":
            await _reply(send, fault.status, fault.body, fault.content_type)
        else:
            await self._after_processing(fault, scope, receive, send)

    async def _after_processing(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        reply = _Recorded()
        await self.app(scope, receive, reply.send)
        if fault.kind == "lose":
            await _hold_until_disconnect(receive)
            await _cut(send, reply)
        elif fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
            await _reply(send, reply.status, reply.body, headers=reply.headers)
        elif fault.kind == "answer":
            await _reply(send, fault.status, fault.body, fault.content_type)
        elif fault.kind == "rewrite":
            assert fault.change is not None
            await _reply(send, reply.status, fault.change(reply.body), headers=reply.headers)
        elif fault.kind == "truncate":
            await _cut(send, reply, keep=fault.keep)
        else:
            await _trickle(send, receive, reply, fault.seconds)


@dataclass(slots=True)
class _Recorded:
    """The reply an app sent, kept instead of sent."""

    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


def _headers(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    kept = [(name, value) for name, value in headers if name.lower() != b"content-length"]
    return [*kept, (b"content-length", str(length).encode())]


async def _reply(send: Send, status: int, body: bytes, content_type: str = "application/json", *,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    base = headers if headers is not None else [(b"content-type", content_type.encode())]
    await send({"type": "http.response.start", "status": status, "headers": _headers(base, len(body))})
    await send({"type": "http.response.body", "body": body})


async def _hold_until_disconnect(receive: Receive) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(MAX_HOLD):
            while (await receive())["type"] != "http.disconnect":
                pass


async def _cut(send: Send, reply: _Recorded, *, keep: float = 0.0) -> None:
    """Start the reply with its full length, send ``keep`` of it, and drop the connection."""
    with contextlib.suppress(Exception):  # the client may be gone already
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": _headers(reply.headers, len(reply.body))})
        part = reply.body[: int(len(reply.body) * keep)]
        if part:
            await send({"type": "http.response.body", "body": part, "more_body": True})
    raise _CutConnection("reply cut on purpose")


async def _trickle(send: Send, receive: Receive, reply: _Recorded, interval: float) -> None:
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.create_task(watch())
    try:
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": _headers(reply.headers, len(reply.body))})
        for index in range(len(reply.body)):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await gone.wait()
            if gone.is_set():
                return
            await send({"type": "http.response.body", "body": reply.body[index:index + 1],
                        "more_body": index + 1 < len(reply.body)})
    finally:
        watcher.cancel()
