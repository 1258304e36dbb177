"""A short-lived local HTTP listener that catches Kite's login redirect.

Like OAuth command-line tools: listen on the app's redirect URL (``127.0.0.1:5000``
by default), show the login URL, and wait for the browser to arrive with
``?request_token=...&status=success``. The browser waits while the token is exchanged
for a session, and its page then says what really happened: logged in, or why not.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from brokerplex.errors import AuthenticationError, BrokerplexError, InputError
from brokerplex_zerodha.errors import BROKER

T = TypeVar("T")

_PAGE = ("<!doctype html><title>brokerplex</title><body style='font-family:sans-serif'>"
         "<h3>{text}</h3><p>You can close this tab.</p></body>")
_MAX_REQUEST = 16_384


def _reply(status: str, text: str) -> bytes:
    body = _PAGE.format(text=html.escape(text)).encode()
    head = (f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")
    return head.encode() + body


def _listen_address(redirect_url: str) -> tuple[str, int, str]:
    parts = urlsplit(redirect_url)
    if parts.hostname is None:
        raise InputError(f"redirect_url {redirect_url!r} has no host")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), parts.path or "/"


async def login_through_redirect(redirect_url: str, timeout: float, ready: Callable[[], None],
                                 exchange: Callable[[str], Awaitable[T]]) -> T:
    """Listen on ``redirect_url``'s host and port, call ``ready()``, and when the browser arrives with a request
    token, ``exchange`` it for a session while the browser waits; its page then shows the real outcome."""
    host, port, path = _listen_address(redirect_url)
    outcome: asyncio.Future[T] = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            answer = await _answer(head[:_MAX_REQUEST], path, outcome, exchange)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, UnicodeDecodeError):
            answer = _reply("400 Bad Request", "Not a login redirect.")
        with contextlib.suppress(ConnectionError):
            writer.write(answer)
            await writer.drain()
        writer.close()

    try:
        server = await asyncio.start_server(handle, host, port)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port} for Kite's login redirect ({exc.strerror or exc}); "
                         "free the port, or log in with --request-token") from None
    async with server:
        ready()
        try:
            return await asyncio.wait_for(asyncio.shield(outcome), timeout)
        except TimeoutError:
            raise AuthenticationError(
                f"no login redirect reached {redirect_url} within {timeout:g} s; open the login URL in a browser "
                "and finish the login, or pass --request-token", broker=BROKER) from None


async def _answer(head: bytes, path: str, outcome: asyncio.Future[T],
                  exchange: Callable[[str], Awaitable[T]]) -> bytes:
    request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    method, _, rest = request_line.partition(" ")
    target = rest.rpartition(" ")[0] or rest
    url = urlsplit(target)
    if method != "GET" or url.path.rstrip("/") != path.rstrip("/"):
        return _reply("404 Not Found", "Not a login redirect.")
    if outcome.done():
        return _reply("409 Conflict", "This login was already handled; see the terminal.")
    query = parse_qs(url.query)
    token = (query.get("request_token") or [""])[0]
    status = (query.get("status") or ["success"])[0]
    if status != "success" or not token:
        outcome.set_exception(AuthenticationError(f"the Kite login did not succeed (status {status!r})",
                                                  broker=BROKER))
        return _reply("400 Bad Request", "Login failed.")
    try:
        result = await exchange(token)
    except BrokerplexError as exc:  # never a secret: our errors carry none
        if not outcome.done():
            outcome.set_exception(exc)
        return _reply("502 Bad Gateway", f"Kite login failed: {exc}")
    except BaseException as exc:
        if not outcome.done():
            outcome.set_exception(exc)
        raise
    if not outcome.done():
        outcome.set_result(result)
    return _reply("200 OK", "Logged in to Kite.")
