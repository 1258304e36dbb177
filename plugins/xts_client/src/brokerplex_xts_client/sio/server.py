"""A Socket.IO 2 / Engine.IO 3 server for starlette (WebSocket transport), for the XTS simulator.

Mount it with ``Router(routes=server.routes("/apimarketdata/socket.io"))`` (or
``Mount``/``routes=[*server.routes(...), ...]``): that serves the WebSocket endpoint at the path
with and without the trailing slash, and answers long-polling requests the way an Engine.IO 3
server limited to WebSocket does (HTTP 400 ``{"code":0,"message":"Transport unknown"}``).
Run uvicorn with ``ws="websockets-sansio"``: its default websockets implementation is the legacy
one, whose DeprecationWarnings fail tests under ``filterwarnings = error``. And at
``log_level="warning"``: at INFO, uvicorn logs every WebSocket request line, query (tokens) included.

Per connection: OPEN (``sid``, ``upgrades: []``, ``pingInterval``, ``pingTimeout`` in ms), then
``authenticate(query)``; a key (e.g. the user id) joins namespace ``/`` (``40``) and
``on_connect(session)`` runs (the simulator emits ``joined`` there); None is refused the
Socket.IO 2 way, as a Node server's auth middleware does: ``44"<refusal>"``, then the socket is
closed. Pings are answered with pongs; a client silent for pingInterval + pingTimeout is dropped.
Other namespaces given in ``namespaces`` can be joined with ``40/ns,``; unknown ones get
``44/ns,"Invalid namespace"``. All methods must be called on the server's event loop
(from another thread: ``asyncio.run_coroutine_threadsafe(server.emit(...), loop)``).

What xts-api-client 0.1.26 (PyPI) does on the wire, read from its source and from the
python-socketio fork it depends on (``python-socketio-rishavrmoney`` 4.6.1 with
``python-engineio`` 3.14.2, asyncio client over aiohttp):

* Transport: WebSocket only (``transports='websocket'`` is the default of both socket classes),
  no long-polling, no upgrade. The market-data socket turns TLS verification off. The first
  frame it expects is OPEN; it reads ``sid``, ``upgrades``, ``pingInterval``, ``pingTimeout``.
* URL: ``ws://<host:port>/<path>/?<query>&transport=websocket&EIO=3&t=<float unix time>`` —
  only scheme and host of the given root are kept; the path has a trailing slash.
  Paths: ``/apimarketdata/socket.io`` (market data) and ``/interactive/socket.io`` (interactive).
  Query: market data ``token, userID, publishFormat=JSON, broadcastMode=Full``; interactive
  ``token, userID, apiType=INTERACTIVE``. No extra headers.
* Namespaces: only ``/``; it sends no CONNECT and waits for none (``connect()`` returns once
  Engine.IO is open), but fires its ``connect`` handler only when ``40`` arrives.
* Liveness: it sends PING ``2`` immediately on open and then every pingInterval; if the pong
  has not arrived by the next ping it aborts. So a pong must come within pingInterval (its
  pingTimeout is not used). It never sends pings with data.
* Events are received as ``42["<name>",<args>]``; handlers for market data call
  ``json.loads`` on the single argument, so it must be a JSON string (as the real server sends).
  A refusal ``44<data>`` fires its ``connect_error`` handler and marks it disconnected.
* It reconnects by itself (``reconnection=True``, delay 1 s doubling, jitter 0.5, unlimited).
* Closing: ``41`` (DISCONNECT of ``/``), then Engine.IO CLOSE ``1``, then the WebSocket close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from brokerplex_xts_client.sio.protocol import (
    EioPacket,
    EioType,
    Handshake,
    Message,
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

log = logging.getLogger(__name__)

Authenticate = Callable[[Mapping[str, str]], Awaitable[str | None]]
OnSession = Callable[["Session"], Awaitable[None]]
OnEvent = Callable[["Session", Message], Awaitable[Any]]

_CLOSE_WAIT: Final = 5.0  # seconds close() waits for a client to go before giving up on it


class Session:
    """One accepted connection. ``query`` holds the client's tokens: it is kept out of the repr."""

    def __init__(self, server: SocketIOServer, websocket: WebSocket, sid: str, query: Mapping[str, str]) -> None:
        self.server = server
        self.sid = sid
        self.query = query
        self.key = ""
        self.namespaces: set[str] = set()
        #: Fault injection for tests: False makes this connection ignore pings, like a hung server.
        self.answer_pings = True
        self._websocket = websocket
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self._closed = False
        self._gone = asyncio.Event()
        self._task = asyncio.current_task()  # the endpoint serving this connection

    def __repr__(self) -> str:
        return f"Session(sid={self.sid!r}, key={self.key!r}, namespaces={sorted(self.namespaces)!r})"

    @property
    def closed(self) -> bool:
        return self._closed

    async def emit(self, event: str, *args: Any, namespace: str = "/") -> bool:
        """Queue an event for this client; False when it has left (or not joined ``namespace``)."""
        frame = encode_message(event_packet(event, *args, namespace=namespace))
        if self._closed or namespace not in self.namespaces:
            return False
        self._outbox.put_nowait(frame)
        return True

    async def close(self) -> None:
        """Disconnect the client the Socket.IO way (``41``, WebSocket close) and wait until it is gone."""
        if not self._closed:
            for namespace in sorted(self.namespaces, reverse=True):  # "/" sorts first: leave it last
                self._send(encode_message(SioPacket(SioType.DISCONNECT, namespace)))
            self._hang_up()
        if asyncio.current_task() is self._task:
            return  # called from this connection's own callbacks: it ends once they return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_CLOSE_WAIT):
                await self._gone.wait()

    def _hang_up(self) -> None:
        """Send what is queued, then close the WebSocket; nothing more is queued after this."""
        if not self._closed:
            self._closed = True
            self._outbox.put_nowait(None)

    def _send(self, frame: str) -> None:
        if not self._closed:
            self._outbox.put_nowait(frame)

    async def _write_loop(self) -> None:
        """The only writer of the WebSocket, so that one slow client never blocks an emit."""
        try:
            while (frame := await self._outbox.get()) is not None:
                await self._websocket.send_text(frame)
            await self._websocket.close(code=1000)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client is gone; the read loop notices and cleans up
        finally:
            self._closed = True


class SocketIOServer:
    def __init__(
        self,
        authenticate: Authenticate,
        on_connect: OnSession | None = None,
        *,
        on_disconnect: OnSession | None = None,
        on_event: OnEvent | None = None,
        namespaces: Collection[str] = ("/",),
        ping_interval: float = 25.0,
        ping_timeout: float = 60.0,
        refusal: Any = "Invalid Token",
    ) -> None:
        self.authenticate = authenticate
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.on_event = on_event
        self.namespaces = frozenset({"/", *namespaces})
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.refusal = refusal
        self._sessions: dict[str, Session] = {}

    # ------------------------------------------------------------ public

    def routes(self, path: str) -> list[BaseRoute]:
        """WebSocket and (refusing) polling routes for ``path`` with and without its trailing slash."""
        base = "/" + path.strip("/")
        return [
            *(WebSocketRoute(p, self.websocket_endpoint) for p in (base, base + "/")),
            *(Route(p, self.polling_endpoint, methods=["GET", "POST"]) for p in (base, base + "/")),
        ]

    def connections(self, key: str | None = None) -> list[Session]:
        """Joined connections, of one key or of all."""
        return [s for s in self._sessions.values() if s.key and (key is None or s.key == key) and not s.closed]

    async def emit(self, event: str, *args: Any, to: str | None = None, namespace: str = "/") -> int:
        """Send an event to every connection of key ``to`` (everyone when None); returns how many."""
        event_packet(event, *args, namespace=namespace)  # bad input fails here even with nobody listening
        sent = 0
        for session in self.connections(to):
            sent += await session.emit(event, *args, namespace=namespace)
        return sent

    async def disconnect(self, key: str) -> int:
        """Drop every connection of ``key`` (e.g. after its logout); returns how many."""
        sessions = self.connections(key)
        await asyncio.gather(*(s.close() for s in sessions))
        return len(sessions)

    async def close_all(self) -> int:
        """Drop every connection, refused and half-open ones included; returns how many."""
        sessions = list(self._sessions.values())
        await asyncio.gather(*(s.close() for s in sessions))
        return len(sessions)

    async def polling_endpoint(self, request: Request) -> Response:
        # What an Engine.IO 3 server configured for WebSocket only answers to a polling client.
        return JSONResponse({"code": 0, "message": "Transport unknown"}, status_code=400)

    async def websocket_endpoint(self, websocket: WebSocket) -> None:
        query = dict(websocket.query_params)
        if query.get("EIO", "3") != "3" or query.get("transport", "websocket") != "websocket" or "sid" in query:
            # EIO=4 (python-socketio 5), polling upgrades: refused before the upgrade (HTTP 403).
            await websocket.close(code=1008)
            return
        await websocket.accept()
        session = Session(self, websocket, secrets.token_urlsafe(15), query)
        self._sessions[session.sid] = session
        writer = asyncio.create_task(session._write_loop(), name=f"sio-write-{session.sid}")
        try:
            if await self._open(session):
                await self._read_loop(session, websocket)
        finally:
            await self._finish(session, writer)

    # ------------------------------------------------------------ internals

    async def _open(self, session: Session) -> bool:
        handshake = Handshake(session.sid, self.ping_interval, self.ping_timeout)
        session._send(encode_eio(EioPacket(EioType.OPEN, handshake.encode())))
        key = await self.authenticate(session.query)
        if key is None:
            session._send(encode_message(SioPacket(SioType.ERROR, "/", self.refusal)))
            session._hang_up()
            return False
        session.key = key
        session.namespaces.add("/")
        session._send(encode_message(SioPacket(SioType.CONNECT, "/")))
        log.debug("socket %s joined for %s", session.sid, key)
        if self.on_connect is not None:
            await self.on_connect(session)
        return True

    async def _read_loop(self, session: Session, websocket: WebSocket) -> None:
        silence = self.ping_interval + self.ping_timeout
        while True:
            try:
                async with asyncio.timeout(silence):
                    message = await websocket.receive()
            except TimeoutError:
                log.debug("socket %s sent no ping for %g s: dropped", session.sid, silence)
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            try:
                if text is None:
                    raise SocketProtocolError("binary Engine.IO frames are not supported")
                if not await self._on_frame(session, text):
                    return
            except SocketProtocolError as error:
                log.debug("socket %s: %s", session.sid, error)
                return

    async def _on_frame(self, session: Session, frame: str) -> bool:
        """Handle one frame; False when the client said goodbye."""
        packet = decode_eio(frame)
        if packet.type is EioType.PING:
            if session.answer_pings:
                session._send(encode_eio(EioPacket(EioType.PONG, packet.data)))
        elif packet.type is EioType.MESSAGE:
            return await self._on_sio(session, decode_sio(packet.data))
        elif packet.type is EioType.CLOSE:
            return False
        elif packet.type is EioType.OPEN:
            raise SocketProtocolError("a client may not send an Engine.IO OPEN packet")
        return True  # PONG, UPGRADE, NOOP: nothing to do

    async def _on_sio(self, session: Session, packet: SioPacket) -> bool:
        namespace = packet.namespace
        if packet.type is SioType.CONNECT:
            if namespace in self.namespaces:
                session.namespaces.add(namespace)
                session._send(encode_message(SioPacket(SioType.CONNECT, namespace)))
            else:
                session._send(encode_message(SioPacket(SioType.ERROR, namespace, "Invalid namespace")))
        elif packet.type is SioType.DISCONNECT:
            session.namespaces.discard(namespace)
            return namespace != "/"
        elif packet.type is SioType.EVENT and namespace in session.namespaces:
            message = message_of(packet)
            answer = await self.on_event(session, message) if self.on_event is not None else None
            if message.ack_id is not None:
                args = [] if answer is None else [answer]
                session._send(encode_message(SioPacket(SioType.ACK, namespace, args, message.ack_id)))
        return True  # ACK, ERROR from a client, events of namespaces not joined: ignored

    async def _finish(self, session: Session, writer: asyncio.Task[None]) -> None:
        session._hang_up()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_CLOSE_WAIT):
                await writer
        writer.cancel()
        self._sessions.pop(session.sid, None)
        session._gone.set()
        if session.key:
            log.debug("socket %s of %s left", session.sid, session.key)
            if self.on_disconnect is not None:
                await self.on_disconnect(session)
