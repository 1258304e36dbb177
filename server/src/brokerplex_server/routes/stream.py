"""``WS /api/v1/stream``: one multiplexed socket per client, on the hub (in-process, or the Redis bus).

The socket is authenticated like the REST routes (``Authorization: Bearer <key>``, or the session cookie
with an ``Origin`` of this server: a WebSocket carries no CSRF header, and browsers always send Origin),
and refused before it is accepted (403 on the handshake) otherwise. ``?after=ID`` resumes order events
after an event's ``id`` (the bus's with ``--bus``, else the store's).

``?window=N`` paces the socket to the client: the server has at most N frames out that the client has
not acknowledged with ``{"type": "ack"}`` (one a frame, or ``"frames": n``). Without it the only pace is
TCP's, and the kernels' buffers at both ends hold many frames before a send waits: a client that reads
slower than ticks come then gets them late rather than fresh. With it, they wait in the server, where a
newer tick of a symbol replaces the older (order events all wait).

The client sends ``{"type": "subscribe", "account", "symbols": […], "mode": "ltp"|"quote"|"full"}``
(no symbols: the account's order updates, trades and feed states only), ``{"type": "unsubscribe",
"account", "symbols": […]}`` or ``{"type": "follow", "account"}``. The server sends each event as
``brokerplex watch --json`` prints it (``Event.record()``: type tick, order, trade or state), and
``{"type": "error", "error": {…the API's one error shape…}}`` for a message it refuses (nothing changed,
the socket stays open). A text frame carries one event or several, one JSON object a line (what was
ready when the socket could take more). When the stream itself ends (a feed failed, the client fell too far behind on
order events) the error is sent and the socket closed with 1011: reconnect with ``after``.

One hub consumer per socket: only the newest tick of each symbol waits in it (a socket's client wants
the market as it is, at the pace it reads), never merging order events. A send waits for the client,
or for its acknowledgements.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from brokerplex.errors import BrokerplexError, InputError
from brokerplex.hub import EventConsumer
from brokerplex.models import TickMode
from brokerplex_server.auth.identify import identify
from brokerplex_server.auth.principal import Principal
from brokerplex_server.auth.users import UserStore
from brokerplex_server.errors import ApiError, ErrorDetail, detail_of, validation_message

log = logging.getLogger("brokerplex.server.stream")
router = APIRouter(tags=["stream"])
MAX_WINDOW = 1000


class Subscribe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["subscribe"]
    account: str
    symbols: list[str] = Field(default_factory=list, max_length=3000)
    mode: TickMode = "quote"


class Unsubscribe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["unsubscribe"]
    account: str
    symbols: list[str] = Field(max_length=3000)


class Follow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["follow"]
    account: str


class Ack(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["ack"]
    frames: int = Field(default=1, ge=1, le=MAX_WINDOW)


ClientMessage = Annotated[Subscribe | Unsubscribe | Follow | Ack, Field(discriminator="type")]
MESSAGES: TypeAdapter[Subscribe | Unsubscribe | Follow | Ack] = TypeAdapter(ClientMessage)


class Window:
    """The frames a ``?window=N`` socket may have out unacknowledged."""

    def __init__(self, size: int) -> None:
        self.size, self.out = size, 0
        self._room = asyncio.Event()
        self._room.set()

    async def wait(self) -> None:
        await self._room.wait()

    def sent(self) -> None:
        self.out += 1
        if self.out >= self.size:
            self._room.clear()

    def acked(self, frames: int) -> None:
        if frames > self.out:
            raise InputError(f"{frames} frames acknowledged, {self.out} sent unacknowledged")
        self.out -= frames
        self._room.set()


@router.websocket("/stream")
async def stream(websocket: WebSocket, after: str | None = None,
                 window: Annotated[int | None, Query(ge=1, le=MAX_WINDOW)] = None) -> None:
    """Live ticks, order updates, trades and feed states of the accounts the caller may read."""
    users: UserStore = websocket.app.state.users
    try:
        principal = identify(websocket, users)
        _check_origin(websocket, principal)
    except ApiError as refusal:
        log.info("stream refused from %s: %s", websocket.client.host if websocket.client else "?", refusal.type)
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)  # before accept: 403 on the handshake
        return
    await websocket.accept()
    try:
        consumer = websocket.app.state.manager.consumer(after=after, capacity=0)  # only the newest tick waits
    except BrokerplexError as error:
        await _send_error(websocket, error)
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    paced = Window(window) if window is not None else None
    sender = asyncio.create_task(_send_events(websocket, consumer, paced), name="stream sender")
    taker = asyncio.create_task(_take_messages(websocket, consumer, principal, paced), name="stream messages")
    try:  # until the client leaves or the stream ends (it said why): then the other stops too
        await asyncio.wait([sender, taker], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sender, taker):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await consumer.close()
    failed = taker.exception() if taker.done() and not taker.cancelled() else None
    if failed is not None and not isinstance(failed, WebSocketDisconnect | RuntimeError):  # a bug: never silent
        log.error("the stream's message reader failed", exc_info=failed)


async def _send_events(websocket: WebSocket, consumer: EventConsumer, window: Window | None) -> None:
    """Send what is ready, all of it in one frame (one event a line); while a send waits for the client, the
    consumer's buffer conflates its ticks, so a slow client gets the latest of each symbol, not a backlog."""
    try:
        async for event in consumer:
            waiting = consumer.take_waiting()
            if window is not None:
                window.sent()  # before the write, which may yield: its ack can be read before the write returns
            await websocket.send_text("\n".join([event.text(), *(more.text() for more in waiting)]) if waiting
                                      else event.text())
            if window is not None:
                await window.wait()  # before the next event is taken: what comes meanwhile is conflated
    except BrokerplexError as error:  # the stream ended with it: say why, then close (reconnect to go on)
        with contextlib.suppress(Exception):
            await _send_error(websocket, error)
            await websocket.close(code=status.WS_1011_INTERNAL_ERROR)
    except (WebSocketDisconnect, RuntimeError):  # the client went away mid-send
        pass
    except Exception:  # a bug: logged, never silent; the client sees the socket close
        log.exception("the stream sender failed")
        with contextlib.suppress(Exception):
            await websocket.close(code=status.WS_1011_INTERNAL_ERROR)


async def _take_messages(websocket: WebSocket, consumer: EventConsumer, principal: Principal,
                         window: Window | None) -> None:
    """Apply the client's messages, one at a time, until it disconnects."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        try:
            if message.get("text") is None:
                raise InputError("messages are JSON text frames")
            said = MESSAGES.validate_json(message["text"])
            if isinstance(said, Ack):
                if window is None:
                    raise InputError("an ack is for a socket opened with ?window=N")
                window.acked(said.frames)
            else:
                await _apply(said, consumer, principal)
        except ValidationError as error:
            await _send_error(websocket, InputError(validation_message(error.errors())))
        except (BrokerplexError, ApiError) as error:
            await _send_error(websocket, error)


async def _apply(message: Subscribe | Unsubscribe | Follow, consumer: EventConsumer, principal: Principal) -> None:
    if not principal.may_read(message.account):  # asked before any lookup: a refusal tells nothing more
        raise ApiError(403, "PermissionDenied", f"{principal.name} may not read account {message.account!r}")
    if isinstance(message, Subscribe) and message.symbols:
        await consumer.subscribe(message.account, message.symbols, message.mode)
    elif isinstance(message, Unsubscribe):
        await consumer.unsubscribe(message.account, message.symbols)
    else:
        await consumer.follow(message.account)


async def _send_error(websocket: WebSocket, error: BrokerplexError | ApiError) -> None:
    detail = ErrorDetail(type=error.type, message=error.message) if isinstance(error, ApiError) else detail_of(error)
    await websocket.send_text(json.dumps({"type": "error", "error": detail.model_dump()}))


def _check_origin(websocket: WebSocket, principal: Principal) -> None:
    """A cookie-authenticated socket must come from a page of this server (or an allowed CORS origin):
    otherwise any site the user visits could open it with the user's cookie."""
    if not principal.via_cookie:
        return
    origin = websocket.headers.get("origin", "")
    allowed = websocket.app.state.config.cors_origins
    if origin and (urlsplit(origin).netloc == websocket.headers.get("host") or origin in allowed):
        return
    raise ApiError(403, "CSRFError", "a signed-in browser's socket must come from this server's pages")
