"""Socket.IO side of the simulator: market-data ticks for REST subscriptions, order/trade/position events.

One ticker task in the server's event loop steps the paper exchange every ``interval`` seconds:
subscribed instruments get fresh 1501/1502/1505/1510/1512 messages (full or partial per socket),
and every account's order changes since the last look become ``order``/``trade``/``position``
events for its user (a dealer receives those of all its clients).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute

from brokerplex.models import Order, Position
from brokerplex_xts_client.sim.accounts import PRO, User
from brokerplex_xts_client.sim.catalog import Entry, plain, price_band
from brokerplex_xts_client.sim.records import Owner, message, order_record, partial, position_event, trade_record
from brokerplex_xts_client.sim.state import INTERACTIVE, MARKETDATA, SimState

if TYPE_CHECKING:
    from brokerplex_xts_client.sio.server import Session, SocketIOServer

_FULL, _PARTIAL = "full", "partial"
_PROPERTY_EVERY = 10  # ticks between two 1105 broadcasts

log = logging.getLogger(__name__)


def _compact(data: Mapping[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


class Streams:
    def __init__(self, state: SimState, interval: float = 0.5) -> None:
        self.state, self.interval = state, interval
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._seen_history: dict[str, int] = {}  # AppOrderID → history entries already sent
        self._seen_trades: set[str] = set()
        self._ticks = 0
        self._seen_update: dict[str, dt.datetime] = {}
        self._md, self._ia = self._build_servers()
        state.on_interactive_change = self._changed

    # -- socket servers (the sio layer) --------------------------------------------------------
    def _build_servers(self) -> tuple[SocketIOServer, SocketIOServer]:
        from brokerplex_xts_client.sio.server import SocketIOServer

        # The real servers' timings (CAP handshake): ping every 20 s, 60 s of patience.
        return (SocketIOServer(self._authenticate_md, self._joined, ping_interval=20.0, ping_timeout=60.0),
                SocketIOServer(self._authenticate_ia, self._joined, ping_interval=20.0, ping_timeout=60.0))

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        for prefix in ("apimarketdata", "marketdata", "apibinarymarketdata"):
            routes += self._md.routes(f"/{prefix}/socket.io")
        routes += self._ia.routes("/interactive/socket.io")
        return routes

    async def _joined(self, session: Session) -> None:
        text = f"Socket joined successfully! SocketId={session.sid}"
        await session.emit("joined", _compact({"type": "success", "code": "s-socket-0001", "description": text}))

    async def _authenticate_md(self, query: Mapping[str, str]) -> str | None:
        session = self.state.session(query.get("token"), MARKETDATA)
        if session is None:
            return None
        mode = _PARTIAL if str(query.get("broadcastMode", "Full")).lower() == "partial" else _FULL
        return f"{session.token}|{mode}"

    async def _authenticate_ia(self, query: Mapping[str, str]) -> str | None:
        session = self.state.session(query.get("token"), INTERACTIVE)
        return None if session is None else session.user.user_id

    async def _emit(self, server: SocketIOServer, event: str, data: str, key: str) -> None:
        await server.emit(event, data, to=key)

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
                for order in exchange.orders(account):
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
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad tick must not stop the feed, but is never silent
                log.exception("the XTS simulator's ticker failed; it goes on")

    # -- one tick --------------------------------------------------------------------------------
    async def tick(self) -> None:
        sessions = [session for session in list(self.state.sessions.values())
                    if session.api == MARKETDATA and session.subscriptions]
        wanted = {entry.symbol: entry for session in sessions for instruments in session.subscriptions.values()
                  for entry in instruments.values()}
        quotes = self.state.exchange.step(list(wanted))
        self._ticks += 1
        if self._ticks % _PROPERTY_EVERY == 0:
            await self._property_change()
        for session in sessions:
            for code, instruments in session.subscriptions.items():
                for entry in list(instruments.values()):
                    quote = quotes.get(entry.symbol)
                    if quote is None:
                        continue
                    full = _compact(message(code, entry, quote, self.state.sequence()))
                    await self._emit(self._md, f"{code}-json-full", full, f"{session.token}|{_FULL}")
                    await self._emit(self._md, f"{code}-json-partial", partial(code, entry, quote),
                                     f"{session.token}|{_PARTIAL}")
        await self._order_events()

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
        orders = {order.order_id: order for order in exchange.orders(account)}
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
        # A trade whose order is not in this snapshot yet waits for the next tick, unseen.
        fresh = [trade for trade in exchange.trades(account)
                 if trade.trade_id not in self._seen_trades and trade.order_id in orders]
        for index, trade in enumerate(fresh, start=1):
            order = orders[trade.order_id]
            entry = self.state.catalog.by_symbol(order.symbol)
            if entry is None:
                self._seen_trades.add(trade.trade_id)  # not an XTS instrument: nothing to tell
                continue
            unique = self.state.unique_ids.get(order.order_id, order.client_order_id or "")
            record = trade_record(trade, order, entry, owner, unique, self.state.sequence(), index)
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
        return order_record(order, entry, owner, unique, self.state.sequence())
