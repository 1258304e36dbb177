"""The ticker WebSocket: subscriptions, periodic binary ticks, heartbeats and order updates.

One hub serves every connection from the server's event loop. Each tick advances the paper
market for the subscribed instruments (which also matches working orders) and sends each
connection one frame with a packet per token in its mode, for the tokens whose data changed
since the last packet that connection got for them (a real feed sends news, not repeats).
Between ticks (and while ticks are paused) a connection that has had nothing for a second
gets a heartbeat, and ``{"type": "order"}`` updates go out for orders that changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from decimal import Decimal
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from brokerplex.models import Order, OrderStatus, Quote
from brokerplex_paper.feed import TickPace
from brokerplex_zerodha.sim.auth import Session
from brokerplex_zerodha.sim.catalog import INDEX_SEGMENT, Entry, divisor
from brokerplex_zerodha.sim.envelope import KiteError
from brokerplex_zerodha.sim.mapping import kite_status
from brokerplex_zerodha.sim.state import SimState
from brokerplex_zerodha.sim.ticker import (
    HEARTBEAT,
    Level,
    encode_full,
    encode_index,
    encode_ltp,
    encode_quote,
    frame,
    without_timestamp,
)

log = logging.getLogger(__name__)

MODES = ("ltp", "quote", "full")
MAX_TOKENS = 3000
MAX_CONNECTIONS = 3  # per API key
HEARTBEAT_SECONDS = 1.0
SUBSCRIBE_GRACE = 0.05  # seconds


def _units(value: Decimal | None, scale: int) -> int:
    return int((value or Decimal(0)) * scale)


def _epoch(quote: Quote, attribute: str) -> int:
    moment = getattr(quote, attribute)
    return int(moment.timestamp()) if moment else 0


def quote_packet(entry: Entry, quote: Quote, mode: str) -> bytes:
    """The packet Kite sends for ``quote`` in ``mode`` (index or tradable layout by segment)."""
    token, scale = entry.instrument_token, divisor(entry.instrument_token)
    last = _units(quote.last_price, scale)
    if mode == "ltp":
        return encode_ltp(token, last)
    open_, high, low, close = (_units(getattr(quote, name), scale) for name in ("open", "high", "low", "close"))
    if token & 0xFF == INDEX_SEGMENT:
        return encode_index(token, last, high, low, open_, close,
                            _epoch(quote, "timestamp") if mode == "full" else None)
    bids, asks = quote.depth.bids, quote.depth.asks
    packet = encode_quote(
        token, last, quote.last_quantity, _units(quote.average_price or quote.last_price, scale), quote.volume,
        sum(level.quantity for level in bids), sum(level.quantity for level in asks), open_, high, low, close,
    )
    if mode == "quote":
        return packet
    oi = quote.open_interest or 0

    def levels(side: list[Any]) -> list[Level]:
        return [(level.quantity, _units(level.price, scale), level.orders) for level in side]

    return encode_full(packet, _epoch(quote, "last_traded_at"), oi, oi, oi, _epoch(quote, "timestamp"),
                       levels(list(bids)), levels(list(asks)))


class Connection:
    def __init__(self, websocket: WebSocket, session: Session) -> None:
        self.websocket, self.session = websocket, session
        self.modes: dict[int, str] = {}  # token -> mode
        self.last_sent = time.monotonic()
        self._told: dict[int, bytes] = {}  # token -> its last packet sent, timestamps left out
        self._lock = asyncio.Lock()

    def news(self, entries: dict[int, Entry], quotes: dict[str, Quote]) -> list[bytes]:
        """A packet for each subscribed token whose data changed since this connection last heard of it."""
        packets = []
        for token, mode in list(self.modes.items()):
            entry = entries.get(token)
            quote = quotes.get(entry.key) if entry is not None else None
            if entry is None or quote is None:
                continue
            packet = quote_packet(entry, quote, mode)
            if self._told.get(token) != (told := without_timestamp(packet)):
                self._told[token] = told
                packets.append(packet)
        return packets

    def forget(self, tokens: list[int]) -> None:
        """Tokens (re)subscribed or switched to another mode: their next tick is news."""
        for token in tokens:
            self._told.pop(token, None)

    async def send_bytes(self, data: bytes) -> None:
        async with self._lock:
            await self.websocket.send_bytes(data)
        self.last_sent = time.monotonic()

    async def send_json(self, payload: dict[str, Any]) -> None:
        async with self._lock:
            await self.websocket.send_text(json.dumps(payload))
        self.last_sent = time.monotonic()


def _fingerprint(order: Order) -> tuple[object, ...]:
    return (order.status, order.filled_quantity, order.quantity, order.price, order.trigger_price,
            order.order_type, order.validity, order.cancelled_quantity)


class TickerHub:
    def __init__(self, state: SimState, ticks_per_second: float = 2.0) -> None:
        self.state = state
        self.pace = TickPace(ticks_per_second)
        self.connections: set[Connection] = set()
        self.silenced = False
        self._seen: dict[str, dict[str, tuple[object, ...]]] = {}  # user -> order id -> fingerprint
        self._looked: dict[str, int] = {}  # user -> the exchange's newest order change at the last look
        self._wake = asyncio.Event()
        self._publishing = asyncio.Lock()  # one diff at a time, so updates go out in order

    # -- connections -------------------------------------------------------------------
    async def serve(self, websocket: WebSocket) -> None:
        params = websocket.query_params
        if self.state.sessions.store.refusing:
            await websocket.close(code=1008)  # the key is refused: so is the upgrade (403)
            return
        try:
            session = self.state.sessions.find(params.get("api_key", ""), params.get("access_token", ""))
        except KiteError:
            await websocket.close(code=1008)  # before accept: the upgrade is refused with 403
            return
        await websocket.accept()
        connection = Connection(websocket, session)
        if sum(1 for c in self.connections if c.session.api_key == session.api_key) >= MAX_CONNECTIONS:
            await connection.send_json({"type": "error", "data": "Maximum allowed connections exceeded."})
            await websocket.close(code=1008)
            return
        self.prime(session.user_id)
        self.connections.add(connection)
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text") or (message.get("bytes") or b"").decode(errors="replace")
                await self._command(connection, text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.connections.discard(connection)

    async def _command(self, connection: Connection, text: str) -> None:
        try:
            message = json.loads(text)
            action, value = message.get("a"), message.get("v")
        except (ValueError, AttributeError):
            return  # Kite ignores what it cannot read
        if action == "subscribe" and isinstance(value, list):
            tokens = [token for token in value if isinstance(token, int)]
            if len(set(connection.modes) | set(tokens)) > MAX_TOKENS:
                await connection.send_json({"type": "error", "data": f"Maximum {MAX_TOKENS} instruments allowed."})
                return
            for token in tokens:
                connection.modes.setdefault(token, "quote")
            connection.forget(tokens)
            # Stream soon, but give the mode message that clients send right after a moment
            # to land: new tokens stream in quote mode until it does.
            asyncio.get_running_loop().call_later(SUBSCRIBE_GRACE, self._wake.set)
        elif action == "unsubscribe" and isinstance(value, list):
            for token in value:
                connection.modes.pop(token, None)
            connection.forget([token for token in value if isinstance(token, int)])
        elif action == "mode" and isinstance(value, list) and len(value) == 2 and value[0] in MODES:
            mode, tokens = value
            # Only a real change is news: the same mode again must not repeat the last packet.
            changed = [token for token in (tokens if isinstance(tokens, list) else [])
                       if token in connection.modes and connection.modes[token] != mode]
            for token in changed:
                connection.modes[token] = mode
            connection.forget(changed)
            self._wake.set()

    async def drop_all(self) -> None:
        for connection in list(self.connections):
            self.connections.discard(connection)
            with contextlib.suppress(Exception):
                if connection.websocket.client_state is WebSocketState.CONNECTED:
                    await connection.websocket.close(code=1011)

    # -- the periodic cycle ------------------------------------------------------------------
    @property
    def open_connections(self) -> int:
        return len(self.connections)

    @property
    def subscriptions(self) -> dict[str, list[str]]:
        """Each token subscribed, with the mode of each connection that subscribed it."""
        held: dict[str, list[str]] = {}
        for connection in self.connections:
            for token, mode in connection.modes.items():
                held.setdefault(str(token), []).append(mode)
        return held

    async def wake(self) -> None:
        """Cycle now (a new tick rate starts at once)."""
        self._wake.set()

    async def silence(self, on: bool) -> None:
        """Stop (True) or resume (False) every message, heartbeats included; resuming sends what waited."""
        self.silenced = on
        if not on:
            self._wake.set()

    async def run(self) -> None:
        while True:
            asked = False
            with contextlib.suppress(TimeoutError):
                # Wake for the next tick, a subscription, or at least twice a heartbeat period.
                await asyncio.wait_for(self._wake.wait(), self.pace.wait(HEARTBEAT_SECONDS / 2))
                asked = True
            self._wake.clear()
            if self.silenced:
                continue
            try:
                await self.cycle(ticks=self.pace.take(asked))
            except Exception:  # a bad cycle must not end the ticker
                log.exception("ticker cycle failed")

    async def cycle(self, ticks: bool = True) -> None:
        """Step the market (the subscribed instruments when ``ticks``, else those with working orders),
        send each connection its news or a heartbeat, then the order updates."""
        connections = list(self.connections)
        catalog = self.state.catalog()
        entries = {token: entry for c in connections for token in c.modes
                   if (entry := catalog.by_token.get(token)) is not None} if ticks else {}
        quotes = self.state.exchange.step([entry.key for entry in entries.values()])
        for connection in connections:
            await self._send(connection, connection.news(entries, quotes) if ticks else [])
        await self.publish_orders()

    async def _send(self, connection: Connection, packets: list[bytes]) -> None:
        try:
            if packets:
                await connection.send_bytes(frame(packets))
            elif time.monotonic() - connection.last_sent >= HEARTBEAT_SECONDS:
                await connection.send_bytes(HEARTBEAT)
        except Exception:  # the socket went away; its handler cleans up
            self.connections.discard(connection)

    # -- order updates ------------------------------------------------------------------------
    def prime(self, user_id: str) -> None:
        """Start watching ``user_id``'s orders (what exists now is not news)."""
        if user_id not in self._seen:
            orders, self._looked[user_id] = self.state.exchange.orders_since(user_id, None)
            self._seen[user_id] = {o.order_id: _fingerprint(o) for o in orders}

    async def publish_orders(self) -> None:
        """Send an update for every order that changed since the last look."""
        if self.silenced:
            return
        async with self._publishing:
            for user_id, seen in list(self._seen.items()):
                await self._publish(user_id, seen)

    async def _publish(self, user_id: str, seen: dict[str, tuple[object, ...]]) -> None:
        updates = []
        changed, self._looked[user_id] = self.state.exchange.orders_since(user_id, self._looked[user_id])
        for order in changed:  # not the whole book: an order action here once cost more the longer the day
            fingerprint = _fingerprint(order)
            before = seen.get(order.order_id)
            if before == fingerprint:
                continue
            seen[order.order_id] = fingerprint
            status = kite_status(order)
            still_working = not order.status.is_final and order.status is not OrderStatus.PENDING
            if before is not None and still_working and before[0] == order.status:
                status = "UPDATE"  # modified or partly filled, still working
            updates.append(self.state.view(user_id).postback(order, status, self.state.api_secret))
        for connection in [c for c in self.connections if c.session.user_id == user_id]:
            for update in updates:
                with contextlib.suppress(Exception):
                    await connection.send_json({"type": "order", "data": update})
