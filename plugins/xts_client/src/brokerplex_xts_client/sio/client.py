"""An asyncio Socket.IO 2 client over Engine.IO 3, WebSocket transport only, on ``websockets``.

It does not reconnect: a stream that wants to stay up reconnects itself (with core
``Backoff``) when iteration ends or raises :class:`ConnectionLost`.
The query carries session tokens: it is never logged and never put in an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from brokerplex.errors import InputError, UnreachableError
from brokerplex_xts_client.sio.protocol import (
    ConnectionLost,
    ConnectionRefused,
    EioPacket,
    EioType,
    Handshake,
    Message,
    PongTimeout,
    SioPacket,
    SioType,
    SocketProtocolError,
    decode_eio,
    decode_sio,
    encode_eio,
    encode_message,
    event_packet,
    message_of,
)

# websockets logs the request line, query and all, at DEBUG: give it a logger that says nothing.
_SILENT: Final = logging.Logger("brokerplex_xts_client.sio.transport")
_SILENT.disabled = True

_SCHEMES: Final = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
_NORMAL_CLOSE: Final = frozenset({1000, 1001})


class _End:
    """Queued after the last message of a channel; carries the error that ended it, if any."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class Channel:
    """The events of one namespace: ``async for event, data in channel``; ``await channel.emit(...)``."""

    def __init__(self, client: SocketIOClient, namespace: str) -> None:
        self.namespace = namespace
        self._client = client
        self._queue: asyncio.Queue[Message | _End] = asyncio.Queue()
        self._end: _End | None = None
        self.joined: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def __aiter__(self) -> Channel:
        return self

    async def __anext__(self) -> tuple[str, Any]:
        message = await self.next_message()
        if message is None:
            raise StopAsyncIteration
        return message.name, message.data

    async def next_message(self) -> Message | None:
        """The next event with all its arguments; None once the channel ended normally."""
        item = await self._queue.get()
        if isinstance(item, _End):
            self._queue.put_nowait(item)  # every later read ends the same way
            if item.error is not None:
                raise item.error
            return None
        return item

    async def emit(self, event: str, *args: Any) -> None:
        await self._client.emit(event, *args, namespace=self.namespace)

    def _deliver(self, message: Message) -> None:
        if self._end is None:
            self._queue.put_nowait(message)

    def _finish(self, error: BaseException | None) -> None:
        if self._end is not None:
            return
        self._end = _End(error)
        self._queue.put_nowait(self._end)
        if not self.joined.done():
            self.joined.set_exception(error or ConnectionLost("the socket closed before the namespace joined"))
            self.joined.exception()  # retrieved: nobody may be waiting any more


class SocketIOClient:
    """One open Socket.IO 2 connection. Iterating it yields ``(event, data)`` of the ``/`` namespace."""

    def __init__(self, websocket: ClientConnection, handshake: Handshake, namespaces: Sequence[str]) -> None:
        self.handshake = handshake
        self._ws = websocket
        self._channels = {name: Channel(self, name) for name in dict.fromkeys(("/", *namespaces))}
        self._pong = asyncio.Event()
        self._pongs = 0  # pongs received: a waiter knows its ping was answered when this grows
        self._closing = False
        self.close_reason: str | None = None
        self._reader = asyncio.create_task(self._read_loop(), name="sio-client-read")
        self._pinger = asyncio.create_task(self._ping_loop(), name="sio-client-ping")
        self._aborting: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ public

    @property
    def sid(self) -> str:
        return self.handshake.sid

    @property
    def connected(self) -> bool:
        return self.close_reason is None

    def of(self, namespace: str) -> Channel:
        """The channel of a namespace given to :func:`connect`."""
        try:
            return self._channels[namespace]
        except KeyError:
            raise InputError(f"namespace {namespace!r} was not connected") from None

    def __aiter__(self) -> Channel:
        return self._channels["/"]

    async def emit(self, event: str, *args: Any, namespace: str = "/") -> None:
        """Send an event (no acknowledgement); ConnectionLost once the connection is gone."""
        channel = self.of(namespace)
        packet = encode_message(event_packet(event, *args, namespace=namespace))
        if not self.connected or channel._end is not None:
            reason = self.close_reason or "namespace left"
            raise ConnectionLost(f"cannot emit {event!r}: the socket is closed ({reason})")
        await self._send(packet)

    async def ping(self, timeout: float) -> None:
        """Ping now and wait for the pong: the server and the whole path to it are alive.

        Without a pong within ``timeout``, the connection is dead: it is dropped at once (no close
        handshake a dead link would never answer), and every channel ends with PongTimeout (a
        ConnectionLost), as does this call."""
        answered = self._pongs
        await self._send(encode_eio(EioPacket(EioType.PING)))
        if not await self._pong_after(answered, timeout):
            error = PongTimeout(f"no Engine.IO pong within {timeout:g} s: the connection is dead")
            self._fail(error, dead=True)
            raise error
        if not self.connected:
            raise ConnectionLost(f"the socket is closed ({self.close_reason})")

    async def close(self) -> None:
        """Say goodbye (Socket.IO DISCONNECT, WebSocket close) and end every channel normally.

        Bounded: the close handshake is waited for at most the connection's close timeout (2 s)."""
        if self._closing:
            await self._wait_tasks()
            return
        self._closing = True
        if self.connected:
            with contextlib.suppress(ConnectionClosed):
                for name in reversed(self._channels):  # like socket.io-client: namespaces first, then "/"
                    await self._ws.send(encode_message(SioPacket(SioType.DISCONNECT, name)))
        self._end_all(None, "closed by the client")
        await self._ws.close()
        await self._wait_tasks()
        if self._aborting is not None:
            await self._aborting

    async def __aenter__(self) -> SocketIOClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    # ------------------------------------------------------------ internals

    async def _wait_joined(self, timeout: float | None) -> None:
        """Until every requested namespace joined; ConnectionRefused if the server said no."""
        for name in self._channels:
            if name != "/":
                await self._send(encode_message(SioPacket(SioType.CONNECT, name)))
        async with asyncio.timeout(timeout):
            for channel in self._channels.values():
                await asyncio.shield(channel.joined)

    async def _send(self, frame: str) -> None:
        try:
            await self._ws.send(frame)
        except ConnectionClosed as closed:
            self._end_all(_lost(closed), "connection lost")
            raise ConnectionLost("the socket closed while sending") from None

    async def _wait_tasks(self) -> None:
        current = asyncio.current_task()
        for task in (self._pinger, self._reader):
            if task is not current:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _end_all(self, error: BaseException | None, reason: str) -> None:
        if self.close_reason is None:
            self.close_reason = reason
        for channel in self._channels.values():
            channel._finish(error)

    def _fail(self, error: BaseException, *, dead: bool = False) -> None:
        """End everything with ``error`` and drop the transport without waiting for the peer
        (``dead``: not even a close frame, the link is known to be gone)."""
        self._end_all(error, str(error))
        for task in (self._pinger, self._reader):
            if task is not asyncio.current_task():
                task.cancel()
        if dead:
            self._ws.transport.abort()
        elif self._aborting is None:  # kept referenced: a pending task may be garbage-collected
            self._aborting = asyncio.create_task(self._ws.close(), name="sio-client-abort")

    async def _pong_after(self, answered: int, timeout: float) -> bool:
        """Whether a pong beyond the first ``answered`` arrives within ``timeout``."""
        try:
            async with asyncio.timeout(timeout):
                while self._pongs == answered:
                    self._pong.clear()
                    await self._pong.wait()
        except TimeoutError:
            return False
        return True

    async def _ping_loop(self) -> None:
        # Engine.IO 3: the client pings every pingInterval; a pong must come within pingTimeout.
        interval, timeout = self.handshake.ping_interval, self.handshake.ping_timeout
        while True:
            await asyncio.sleep(interval)
            answered = self._pongs
            try:
                await self._send(encode_eio(EioPacket(EioType.PING)))
            except ConnectionLost:
                return  # the reader has seen the end too
            if not await self._pong_after(answered, timeout):
                self._fail(PongTimeout(f"no Engine.IO pong within {timeout:g} s: the connection is dead"), dead=True)
                return

    async def _read_loop(self) -> None:
        try:
            async for frame in self._ws:
                if isinstance(frame, bytes):
                    raise SocketProtocolError("binary Engine.IO frames are not supported")
                await self._on_frame(frame)
        except SocketProtocolError as error:
            self._fail(error)
            return
        except ConnectionClosed as closed:
            self._end_all(_lost(closed), "connection lost")
            return
        except ConnectionLost:
            return  # a reply could not be sent; _send has ended the channels
        except Exception as error:  # a bug must end iteration, not leave a consumer waiting forever
            lost = ConnectionLost(f"the socket reader failed: {type(error).__name__}: {error}")
            lost.__cause__ = error
            self._fail(lost)
            return
        code = self._ws.close_code
        if code in _NORMAL_CLOSE or self._closing:
            self._end_all(None, f"closed by the server (WebSocket close {code})")
        else:
            self._end_all(ConnectionLost(f"the socket closed abnormally (WebSocket close {code})"), "connection lost")

    async def _on_frame(self, frame: str) -> None:
        packet = decode_eio(frame)
        if packet.type is EioType.MESSAGE:
            await self._on_sio(decode_sio(packet.data))
        elif packet.type is EioType.PONG:
            self._pongs += 1
            self._pong.set()
        elif packet.type is EioType.PING:  # not Engine.IO 3, but answering costs nothing
            await self._send(encode_eio(EioPacket(EioType.PONG, packet.data)))
        elif packet.type is EioType.CLOSE:
            self._end_all(None, "closed by the server (Engine.IO CLOSE)")
            await self._ws.close()
        elif packet.type is EioType.OPEN:
            raise SocketProtocolError("a second Engine.IO OPEN packet on an open connection")
        # NOOP and UPGRADE need nothing on a WebSocket-only connection.

    async def _on_sio(self, packet: SioPacket) -> None:
        channel = self._channels.get(packet.namespace)
        if channel is None:
            return  # a namespace we did not ask for: nothing to deliver it to
        if packet.type is SioType.EVENT:
            message = message_of(packet)
            channel._deliver(message)
            if message.ack_id is not None:  # the application cannot answer: an empty ack unblocks the server
                await self._send(encode_message(SioPacket(SioType.ACK, packet.namespace, [], message.ack_id)))
        elif packet.type is SioType.CONNECT:
            if not channel.joined.done():
                channel.joined.set_result(None)
        elif packet.type is SioType.DISCONNECT:
            if packet.namespace == "/":
                self._end_all(None, "disconnected by the server")
                await self._ws.close()
            else:
                channel._finish(None)
        elif packet.type is SioType.ERROR:
            refused = ConnectionRefused(f"the server refused namespace {packet.namespace}: {_reason(packet.data)}")
            if packet.namespace == "/":
                self._end_all(refused, "refused by the server")
                await self._ws.close()
            else:
                channel._finish(refused)
        # ACK: this client never asks for acknowledgements; a stray one is harmless.


def _reason(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return json.dumps(data)


def _lost(closed: ConnectionClosed) -> ConnectionLost | None:
    """None for a normal WebSocket close, else the error that ends iteration."""
    if closed.rcvd is not None and closed.rcvd.code in _NORMAL_CLOSE:
        return None
    return ConnectionLost(f"the socket connection was lost ({closed.rcvd.code if closed.rcvd else 'no close frame'})")


def socket_uri(url: str, path: str, query: Mapping[str, str]) -> str:
    """``ws(s)://host[:port]/<path>/?<url query>&<query>&EIO=3&transport=websocket``.

    Like the Socket.IO clients, only the scheme and host of ``url`` count; ``path`` is the
    engine's path (``/apimarketdata/socket.io``) and gets the trailing slash they send.
    """
    parts = urlsplit(url)
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise InputError("the socket URL must be http(s):// or ws(s):// with a host")
    pairs = [*parse_qsl(parts.query, keep_blank_values=True), *query.items(), ("EIO", "3"), ("transport", "websocket")]
    return urlunsplit((scheme, parts.netloc, "/" + path.strip("/") + "/", urlencode(pairs), ""))


async def connect(
    url: str,
    *,
    path: str = "/socket.io",
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    namespaces: Sequence[str] = ("/",),
    open_timeout: float = 10.0,
) -> SocketIOClient:
    """Open a Socket.IO 2 connection and wait until every namespace has joined.

    Raises InputError (bad URL), UnreachableError (no connection, HTTP failure, no handshake),
    ConnectionRefused (the server answered the upgrade with 401/403 or refused a namespace),
    SocketProtocolError (the server does not speak Engine.IO 3).
    """
    for name in namespaces:
        if not name.startswith("/") or "," in name:
            raise InputError(f"a namespace starts with '/' and has no comma: {name!r}")
    uri = socket_uri(url, path, query or {})
    host = urlsplit(uri).netloc
    websocket = await _open_websocket(uri, host, headers, open_timeout)
    try:
        handshake = await _read_handshake(websocket, host, open_timeout)
        client = SocketIOClient(websocket, handshake, namespaces)
    except BaseException:
        await websocket.close()
        raise
    try:
        await client._wait_joined(open_timeout)
    except TimeoutError:
        await client.close()
        raise UnreachableError(f"socket at {host} did not confirm the namespaces within {open_timeout:g} s") from None
    except BaseException:
        await client.close()
        raise
    return client


async def _open_websocket(
    uri: str, host: str, headers: Mapping[str, str] | None, open_timeout: float
) -> ClientConnection:
    try:
        return await ws_connect(
            uri,
            additional_headers=dict(headers or {}),
            open_timeout=open_timeout,
            ping_interval=None,  # liveness is Engine.IO's ping/pong, as the real clients do it
            close_timeout=2,
            max_size=None,
            logger=_SILENT,
        )
    except InvalidURI:
        raise InputError("the socket URL is not valid") from None  # its text would carry the tokens
    except InvalidStatus as refused:
        status = refused.response.status_code
        if status in (401, 403):
            raise ConnectionRefused(f"socket at {host} refused the connection (HTTP {status})") from None
        raise UnreachableError(f"socket at {host} answered HTTP {status} instead of a WebSocket") from None
    except (OSError, TimeoutError, InvalidHandshake) as error:
        raise UnreachableError(f"cannot open a socket to {host}: {type(error).__name__}: {error}") from None


async def _read_handshake(websocket: ClientConnection, host: str, open_timeout: float) -> Handshake:
    try:
        async with asyncio.timeout(open_timeout):
            frame = await websocket.recv()
    except TimeoutError:
        raise UnreachableError(f"socket at {host} sent no Engine.IO handshake within {open_timeout:g} s") from None
    except ConnectionClosed:
        raise UnreachableError(f"socket at {host} closed before the Engine.IO handshake") from None
    if isinstance(frame, bytes):
        raise SocketProtocolError("the Engine.IO handshake came as a binary frame")
    packet = decode_eio(frame)
    if packet.type is not EioType.OPEN:
        raise SocketProtocolError(f"expected the Engine.IO OPEN packet, got {packet.type.name}")
    return Handshake.decode(packet.data)


__all__ = ["Channel", "SocketIOClient", "connect", "socket_uri"]
