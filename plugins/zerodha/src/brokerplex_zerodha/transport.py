"""The official client's HTTP, done asynchronously on the event loop.

``KiteConnect`` is synchronous: it builds each request, hands it to ``self.reqsession``
(a ``requests.Session``) and reads the reply. On a worker thread every call would cost
two thread switches, and requests is slow besides. Instead :func:`run_blocking` runs the
client's method in a greenlet on the loop thread, and :class:`LoopSession`, put in place
of its ``reqsession``, sends each request with aiohttp and suspends the greenlet until
the reply is read. The client's own code still builds every request and parses every
reply; only the socket work is ours, and it never blocks the loop. (SQLAlchemy drives
asyncpg under its synchronous ORM the same way.) ``benchmarks/kite_order_overhead.py``
measures the result against the client on its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import aiohttp
import greenlet

from brokerplex import wire
from brokerplex_zerodha.errors import kite_call

T = TypeVar("T")
#: The request of the current task: whether it is a write, and (set by the transport) whether it has left.
current_call: ContextVar[wire.Call] = ContextVar("kite_call")
#: The last reply read in the current task: an excerpt of it goes into the error when the client cannot read it.
last_reply: ContextVar[Reply | None] = ContextVar("kite_last_reply", default=None)
#: A longer cap for the requests of the current task (a download of megabytes); None: the client's timeout.
long_call: ContextVar[float | None] = ContextVar("kite_long_call", default=None)


class _Bridge(greenlet.greenlet):  # type: ignore[misc]  # greenlet ships no types
    """A greenlet running the client; its parent is the coroutine in :func:`run_blocking`."""


def await_only(awaitable: Awaitable[T]) -> T:
    """Inside :func:`run_blocking`: wait for ``awaitable`` on the loop, suspending only this greenlet."""
    current = greenlet.getcurrent()
    if not isinstance(current, _Bridge):
        if hasattr(awaitable, "close"):
            awaitable.close()  # never started: no "coroutine was never awaited" noise
        raise RuntimeError("the Kite client was called outside run_blocking; it would block the event loop")
    return cast(T, current.parent.switch(awaitable))


async def run_blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``function`` on this thread; each :func:`await_only` inside it is awaited here."""
    bridge = _Bridge(function)
    step: Any = bridge.switch(*args, **kwargs)
    while not bridge.dead:
        try:
            value = await step
        except BaseException as error:  # handed to the client, which lets it propagate
            step = bridge.throw(error)
        else:
            step = bridge.switch(value)
    return cast(T, step)


class Reply:
    """What ``KiteConnect`` reads of a reply: ``status_code``, ``headers``, ``content``, ``json()``."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive, as the client's "content-type" lookup needs
        self.content = content

    def json(self) -> Any:
        """Strict JSON; what is not (NaN literals, runaway nesting) is the ValueError the client expects."""
        return wire.parse_json(self.content)


class LoopSession:
    """Stands in for the client's ``requests.Session``: its ``request`` and ``close``.

    Transport failures leave as ours, by :func:`brokerplex.wire.send` and the task's :data:`current_call`.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout  # caps a whole request: connecting, sending and the slowest trickle of a reply
        self._session: aiohttp.ClientSession | None = None

    def request(self, method: str, url: str, *, json: Any = None, data: Mapping[str, Any] | None = None,
                params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
                timeout: float | None = None, allow_redirects: bool = True, **_: Any) -> Reply:
        # ``verify`` and ``proxies`` are not taken: TLS is always verified, and there is no proxy.
        return await_only(self._send(method, url, json=json, data=data, params=_pairs(params), headers=headers,
                                     timeout=timeout or self.timeout, allow_redirects=allow_redirects))

    async def _send(self, method: str, url: str, *, timeout: float, **options: Any) -> Reply:
        if self._session is None:
            tracing = aiohttp.TraceConfig()
            tracing.on_request_headers_sent.append(_mark_sent)
            self._session = aiohttp.ClientSession(trace_configs=[tracing])
            # aiohttp quietly resends a PUT or DELETE (Kite's modify and cancel) once when a kept-alive
            # connection drops before the reply; we never send anything twice. There is no public
            # switch: this is the attribute aiohttp's own test client turns off.
            self._session._retry_connection = False
        # Read here, in the task's context (the greenlet has its own).
        timeout = long_call.get() or timeout
        call = current_call.get(None) or kite_call("read", "")  # a bare read, outside ZerodhaBroker._call
        reply = await wire.send(call, timeout, self._exchange(method, url, call, **options),
                                unreachable=(aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError,
                                             aiohttp.InvalidURL),
                                lost=(aiohttp.ClientError,))
        last_reply.set(reply)
        return reply

    async def _exchange(self, method: str, url: str, call: wire.Call, **options: Any) -> Reply:
        assert self._session is not None
        async with self._session.request(method, url, trace_request_ctx=call, **options) as answer:
            return Reply(answer.status, answer.headers, await answer.read())

    def close(self) -> None:
        """The owner closes the session on the loop, with :meth:`aclose`."""

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


async def _mark_sent(session: aiohttp.ClientSession, context: SimpleNamespace, params: object) -> None:
    context.trace_request_ctx.mark_sent()


def _pairs(params: Mapping[str, Any] | None) -> list[tuple[str, str]] | None:
    """requests' query form (a list value repeats its key, as in ``i=NSE:INFY&i=NSE:TCS``) for aiohttp."""
    if params is None:
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((key, str(item)) for item in values if item is not None)
    return pairs
