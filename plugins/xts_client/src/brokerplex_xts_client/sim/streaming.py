"""Socket.IO side of the simulator: market-data ticks for REST subscriptions, order/trade/position events.

One ticker task in the server's event loop steps the paper exchange at the tick rate: each
socket gets a 1501/1502/1505/1510/1512 message (full or partial, per socket) for a subscribed
instrument whose data changed since the last one that socket got for it (a real feed sends
news, not repeats). Twice a second, and at once after an interactive call, every account's
order changes since the last look become ``order``/``trade``/``position`` events for its user
(a dealer receives those of all its clients).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute

from brokerplex.models import Order, Position, Quote
from brokerplex_paper.feed import TickPace
from brokerplex_xts_client.sim.accounts import PRO, User
from brokerplex_xts_client.sim.catalog import Entry, plain, price_band
from brokerplex_xts_client.sim.records import Owner, message, order_record, partial, position_event, trade_record
from brokerplex_xts_client.sim.state import INTERACTIVE, MARKETDATA, SimState

if TYPE_CHECKING:
    from brokerplex_xts_client.sio.server import Session, SocketIOServer

_FULL, _PARTIAL = "full", "partial"
_PROPERTY_EVERY = 10  # ticks between two 1105 broadcasts
_ORDER_EVENTS_EVERY = 0.5  # seconds, at most, between two looks at the order books
#: What each message code brings: ticks in a mode, or what rides along with them.
_CODE_NAMES = {1501: "quote", 1502: "full", 1505: "candle", 1510: "open_interest", 1512: "ltp"}
_UNSTAMPED = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # stands for every update time in a tick's fingerprint

log = logging.getLogger(__name__)


def _compact(data: Mapping[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def _fingerprint(code: int, entry: Entry, quote: Quote, mode: str) -> str:
    """One market-data message without its update time and sequence number: a message with
    nothing new has the fingerprint of the last one."""
    unstamped = quote.model_copy(update={"timestamp": _UNSTAMPED})
    return partial(code, entry, unstamped) if mode == _PARTIAL else _compact(message(code, entry, unstamped, 0))


class Streams:
    def __init__(self, state: SimState, ticks_per_second: float = 2.0) -> None:
        self.state = state
        self.pace = TickPace(ticks_per_second)
        #: Silenced: no event and no Engine.IO pong on any socket, connections left open.
        self.silenced = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._seen_history: dict[str, int] = {}  # AppOrderID → history entries already sent
        self._seen_trades: set[str] = set()
        self._ticks = 0
        self._seen_update: dict[str, dt.datetime] = {}
        self._looked: dict[str, int] = {}  # account → the exchange's newest order change at the last look
        self._told: dict[str, dict[tuple[int, int, int], str]] = {}  # socket id → message → fingerprint
        self._joined_sockets: set[str] = set()
        self._md, self._ia = self._build_servers()
        state.on_interactive_change = self._changed

    # -- socket servers (the sio layer) --------------------------------------------------------
    def _build_servers(self) -> tuple[SocketIOServer, SocketIOServer]:
        from brokerplex_xts_client.sio.server import SocketIOServer

        # The real servers' timings (CAP handshake): ping every 20 s, 60 s of patience.
        def server(authenticate: Callable[[Mapping[str, str]], Awaitable[str | None]]) -> SocketIOServer:
            return SocketIOServer(authenticate, self._joined, on_disconnect=self._left, ping_interval=20.0,
                                  ping_timeout=60.0)

        return server(self._authenticate_md), server(self._authenticate_ia)


    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        for prefix in ("apimarketdata", "marketdata", "apibinarymarketdata"):
            routes += self._md.routes(f"/{prefix}/socket.io")
        routes += self._ia.routes("/interactive/socket.io")
        return routes

    @property
    def open_connections(self) -> int:
        """Sockets joined and not yet gone (market data and interactive)."""
        return len(self._joined_sockets)

    @property
    def subscriptions(self) -> dict[str, list[str]]:
        """Each instrument (``segment:id``) subscribed, with one entry per market-data session holding it:
        its message codes by name, joined by ``+`` (XTS counts an instrument once a session, whatever the
        codes; a derivative's full ticks are ``full+open_interest``)."""
        held: dict[tuple[int, int], list[str]] = {}
        for session in self.state.sessions.values():
            codes: dict[tuple[int, int], list[int]] = {}
            for code, instruments in sorted(session.subscriptions.items()):
                for key in instruments:
                    codes.setdefault(key, []).append(code)
            for key, held_codes in codes.items():
                held.setdefault(key, []).append("+".join(_CODE_NAMES.get(code, str(code)) for code in held_codes))
        return {f"{segment}:{ident}": modes for (segment, ident), modes in sorted(held.items())}

    async def _joined(self, session: Session) -> None:
        self._joined_sockets.add(session.sid)
        if self.silenced:
            session.answer_pings = False
            return
        text = f"Socket joined successfully! SocketId={session.sid}"
        await session.emit("joined", _compact({"type": "success", "code": "s-socket-0001", "description": text}))

    async def _left(self, session: Session) -> None:
        self._joined_sockets.discard(session.sid)
        self._told.pop(session.sid, None)

    async def silence(self, on: bool) -> None:
        self.silenced = on
        for server in (self._md, self._ia):
            for socket in server.connections():
                socket.answer_pings = not on
        if self._wake is not None and not on:
            self._wake.set()  # what waited goes out now

    async def wake(self) -> None:
        """Look again now (a new tick rate starts at once)."""
        if self._wake is not None:
            self._wake.set()

    async def _emit(self, server: SocketIOServer, event: str, data: str, key: str) -> None:
        await server.emit(event, data, to=key)

    async def _authenticate_md(self, query: Mapping[str, str]) -> str | None:
        if self.state.sessions.refusing:
            return None
        session = self.state.session(query.get("token"), MARKETDATA)
        if session is None:
            return None
        mode = _PARTIAL if str(query.get("broadcastMode", "Full")).lower() == "partial" else _FULL
        return f"{session.token}|{mode}"

    async def _authenticate_ia(self, query: Mapping[str, str]) -> str | None:
        if self.state.sessions.refusing:
            return None
        session = self.state.session(query.get("token"), INTERACTIVE)
        return None if session is None else session.user.user_id

    async def drop_all(self) -> None:
        for server in (self._md, self._ia):
            await server.close_all()

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        self._prime()
        self.loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="xts-sim-ticker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.drop_all()

    def _prime(self) -> None:
        """What an earlier run left in the exchange was told then: stream only what happens now."""
        exchange = self.state.exchange
        for user in self.state.users.values():
            for code in (*user.client_codes, *(() if user.investor else (PRO,))):
                account = user.account(code)
                orders, self._looked[account] = exchange.orders_since(account, None)
                for order in orders:
                    self._seen_update[order.order_id] = order.updated_at
                    self._seen_history[order.order_id] = len(exchange.order_history(account, order.order_id))
                self._seen_trades.update(trade.trade_id for trade in exchange.trades(account))

    def _changed(self, user: User) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.pace.wait(_ORDER_EVENTS_EVERY))
            self._wake.clear()
            if self.silenced:
                continue
            try:
                await self.tick(market=self.pace.take())
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad tick must not stop the feed, but is never silent
                log.exception("the XTS simulator's ticker failed; it goes on")

    # -- one tick --------------------------------------------------------------------------------
    async def tick(self, market: bool = True) -> None:
        """Market data (when ``market``: a tick is due), then the order events."""
        if market:
            await self._market_tick()
        await self._order_events()

    async def _market_tick(self) -> None:
        sessions = [session for session in self.state.sessions.values()
                    if session.api == MARKETDATA and session.subscriptions]
        wanted = {entry.symbol: entry for session in sessions for instruments in session.subscriptions.values()
                  for entry in instruments.values()}
        quotes = self.state.exchange.step(list(wanted))
        self._ticks += 1
        if self._ticks % _PROPERTY_EVERY == 0:
            await self._property_change()
        for session in sessions:
            for mode in (_FULL, _PARTIAL):
                sockets = self._md.connections(f"{session.token}|{mode}")
                if sockets:
                    await self._send_news(sockets, session.subscriptions, quotes, mode)

    async def _send_news(self, sockets: list[Session], subscriptions: dict[int, dict[tuple[int, int], Entry]],
                         quotes: dict[str, Quote], mode: str) -> None:
        for code, instruments in subscriptions.items():
            for key, entry in list(instruments.items()):
                quote = quotes.get(entry.symbol)
                if quote is None:
                    continue
                fingerprint = _fingerprint(code, entry, quote, mode)
                fresh = [socket for socket in sockets
                         if self._told.setdefault(socket.sid, {}).get((code, *key)) != fingerprint]
                if not fresh:
                    continue
                text = partial(code, entry, quote) if mode == _PARTIAL \
                    else _compact(message(code, entry, quote, self.state.sequence()))
                for socket in fresh:
                    self._told[socket.sid][(code, *key)] = fingerprint
                    await socket.emit(f"{code}-json-{mode}", text)

    async def _property_change(self) -> None:
        """A 1105 instrument-property change (price band, properties 110/111) to every market-data
        socket: the real server broadcasts these for instruments nobody subscribed, even in Full mode."""
        entries = self.state.catalog.entries
        entry = entries[(self._ticks // _PROPERTY_EVERY) % len(entries)]
        high, low = price_band(entry.listing)
        text = f"t:{entry.segment_id}_{entry.token},110:{plain(high)},111:{plain(low)}"
        await self._md.emit("1105-json-partial", text)

    async def _order_events(self) -> None:
        for user in self.state.users.values():
            codes = (*user.client_codes, *(() if user.investor else (PRO,)))
            for code in codes:
                await self._account_events(user, code)

    async def _account_events(self, user: User, code: str) -> None:
        exchange, account = self.state.exchange, user.account(code)
        owner = Owner(user.user_id, user.user_id if code == PRO else code)
        # The orders changed since the last look, not the whole book (which grows all day). A trade and its
        # order's fill are one change: a trade read before its order's is told at the next look.
        changed, self._looked[account] = exchange.orders_since(account, self._looked.get(account, 0))
        orders = {order.order_id: order for order in changed}
        for order in orders.values():
            if self._seen_update.get(order.order_id) == order.updated_at:
                continue  # unchanged since the last look: no history to read
            self._seen_update[order.order_id] = order.updated_at
            history = exchange.order_history(account, order.order_id)
            seen = self._seen_history.get(order.order_id, 0)
            if len(history) <= seen:
                continue
            self._seen_history[order.order_id] = len(history)
            entry = self.state.catalog.by_symbol(order.symbol)
            if entry is None:
                continue
            last_status = None
            for state in history[seen:]:
                record = self._order(state, entry, owner)
                if record["OrderStatus"] != last_status:
                    await self._emit(self._ia, "order", _compact(record), user.user_id)
                last_status = record["OrderStatus"]
        fresh = [trade for trade in exchange.trades(account)
                 if trade.trade_id not in self._seen_trades and trade.order_id in orders]
        for index, trade in enumerate(fresh, start=1):
            order = orders[trade.order_id]
            entry = self.state.catalog.by_symbol(order.symbol)
            if entry is None:
                self._seen_trades.add(trade.trade_id)  # not an XTS instrument: nothing to tell
                continue
            unique = self.state.unique_ids.get(order.order_id, order.client_order_id or "")
            record = self.state.decorate(trade_record(trade, order, entry, owner, unique, self.state.sequence(),
                                                      index))
            await self._emit(self._ia, "trade", _compact(record), user.user_id)
            self._seen_trades.add(trade.trade_id)
        if fresh:
            touched = {orders[trade.order_id].symbol for trade in fresh}
            for position in exchange.positions(account):
                await self._position(position, touched, owner, user)

    async def _position(self, position: Position, touched: set[str], owner: Owner, user: User) -> None:
        entry = self.state.catalog.by_symbol(position.symbol)
        if position.symbol in touched and entry is not None:
            await self._emit(self._ia, "position", _compact(position_event(position, entry, owner)), user.user_id)

    def _order(self, order: Order, entry: Entry, owner: Owner) -> dict[str, Any]:
        unique = self.state.unique_ids.get(order.order_id, order.client_order_id or "")
        return self.state.decorate(order_record(order, entry, owner, unique, self.state.sequence()))
