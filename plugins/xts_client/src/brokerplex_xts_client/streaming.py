"""Live XTS data: the market-data and interactive Socket.IO sockets as one core Stream.

XTS sockets carry no subscription state: instruments are subscribed through REST
(``POST/PUT /instruments/subscription``) and their events then reach every socket of
that market-data session (spec section 11). So a reconnect is: wait (core ``Backoff``),
log in to market data again for a fresh token, open the socket, subscribe everything
again through REST. The interactive socket brings ``order`` and ``trade`` events
(both carry the order's fields) as :class:`~brokerplex.models.Order` updates;
``position`` events are not orders and are left out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from brokerplex.errors import AuthenticationError, BrokerError, ProtocolError
from brokerplex.models import Order, TickMode
from brokerplex.streaming import Backoff, Stream, StreamEvent
from brokerplex_xts_client import mapping
from brokerplex_xts_client.sio.client import SocketIOClient, connect
from brokerplex_xts_client.sio.protocol import ConnectionRefused
from brokerplex_xts_client.ticks import CODES, OPEN_INTEREST, Key, TickBook

MODE_CODES = frozenset(CODES.values())
CASH_SEGMENTS = frozenset({1, 11})

if TYPE_CHECKING:
    from brokerplex_xts_client.broker import XtsClientBroker
    from brokerplex_xts_client.master import Store

log = logging.getLogger("brokerplex.xts")
_END = object()


class XtsStream(Stream):
    """Ticks of REST-subscribed instruments and the login's order updates, reconnecting by itself."""

    def __init__(self, broker: XtsClientBroker) -> None:
        self._broker = broker
        self._http = broker.http
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._subscribed: dict[Key, int] = {}  # instrument → xtsMessageCode
        self._interest: set[Key] = set()  # derivatives also subscribed to open interest (1510)
        self._symbols: dict[Key, str] = {}
        self._book = TickBook(self._wanted)
        self._store: Store | None = None
        self._clients: dict[str, SocketIOClient] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._lock = asyncio.Lock()  # subscription changes and resubscription never interleave
        self._closed = False
        self.reconnects = 0  # how many times a socket was opened again (for observers and tests)

    def __repr__(self) -> str:
        return f"<XtsStream {self._http.settings.host} subscribed={len(self._subscribed)}>"

    @property
    def closed(self) -> bool:
        return self._closed

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open both sockets; errors here (refused token, unreachable host) go to the caller."""
        self._store = await self._broker.store()
        self._clients["marketdata"] = await self._open_marketdata()
        try:
            self._clients["interactive"] = await self._open_interactive()
        except BaseException:
            await self._clients["marketdata"].close()
            raise
        for name, handler in (("marketdata", self._on_market_event), ("interactive", self._on_order_event)):
            self._tasks.append(asyncio.create_task(self._run(name, handler), name=f"xts-{name}-socket"))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for client in self._clients.values():
            with contextlib.suppress(Exception):
                await client.close()
        self._broker.forget_stream(self)
        await self._release()
        self._queue.put_nowait(_END)

    async def _release(self) -> None:
        """Unsubscribe what no other open stream of this login still uses: subscriptions belong to the
        market-data session (50 instruments at most), not to the socket."""
        others = self._broker.open_streams()
        kept = {(key, code) for other in others for key, code in other.subscriptions.items()}
        kept |= {(key, OPEN_INTEREST) for other in others for key in other.interest}
        by_code: dict[int, list[Key]] = {}
        for key, code in [*self._subscribed.items(), *((key, OPEN_INTEREST) for key in self._interest)]:
            if (key, code) not in kept:
                by_code.setdefault(code, []).append(key)
        for code, keys in by_code.items():
            with contextlib.suppress(BrokerError):
                await self._subscription("PUT", keys, code)

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        while True:
            item = await self._queue.get()
            if item is _END:
                self._queue.put_nowait(_END)  # a second iterator ends too
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    # -- subscriptions ---------------------------------------------------------------------------
    async def subscribe(self, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        store = self._require_store()
        keys = {store.key(symbol): symbol for symbol in symbols}  # SymbolError before any request
        code = CODES[mode]
        async with self._lock:
            moving: dict[int, list[Key]] = {}
            for key in keys:
                old = self._subscribed.get(key)
                if old is not None and old != code:
                    moving.setdefault(old, []).append(key)
            for old, moved in moving.items():
                await self._subscription("PUT", moved, old)
                for key in moved:
                    self._subscribed.pop(key, None)
                    self._book.forget(key)
            fresh = [key for key in keys if self._subscribed.get(key) != code]
            self._symbols.update(keys)
            if fresh:
                result = await self._subscription("POST", fresh, code)
                self._subscribed.update(dict.fromkeys(fresh, code))
                self._snapshot(code, result)
            # Derivatives' open interest comes as its own message (1510), merged into their ticks.
            interest = [key for key in keys if mode != "ltp" and key[0] not in CASH_SEGMENTS
                        and key not in self._interest]
            if interest:
                await self._subscription("POST", interest, OPEN_INTEREST)
                self._interest.update(interest)

    async def unsubscribe(self, symbols: Sequence[str]) -> None:
        store = self._require_store()
        keys = [store.key(symbol) for symbol in symbols]
        async with self._lock:
            by_code: dict[int, list[Key]] = {}
            for key in keys:
                if (code := self._subscribed.get(key)) is not None:
                    by_code.setdefault(code, []).append(key)
            interest = [key for key in keys if key in self._interest]
            if interest:
                by_code[OPEN_INTEREST] = interest
            for code, wanted in by_code.items():
                await self._subscription("PUT", wanted, code)
            self._interest.difference_update(keys)
            for key in keys:
                self._subscribed.pop(key, None)
                self._symbols.pop(key, None)
                self._book.forget(key)

    def _wanted(self, key: Key, code: int) -> str | None:
        """The symbol of an instrument this stream subscribed to ``code`` messages of (1505/1510 ride along):
        another stream on the same market-data session may have subscribed other codes."""
        subscribed = self._subscribed.get(key)
        if subscribed is None or (code != subscribed and code in MODE_CODES):
            return None
        return self._symbols.get(key)

    @property
    def subscriptions(self) -> dict[Key, int]:
        return dict(self._subscribed)

    @property
    def interest(self) -> frozenset[Key]:
        return frozenset(self._interest)

    def _require_store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the stream is not started; use `await broker.stream()`")
        return self._store

    async def _subscription(self, method: str, keys: Sequence[Key], code: int) -> Any:
        body = {"instruments": [{"exchangeSegment": seg, "exchangeInstrumentID": ident} for seg, ident in keys],
                "xtsMessageCode": code}
        return await self._http.marketdata(method, "/instruments/subscription", body=body, empty={})

    def _snapshot(self, code: int, result: Any) -> None:
        """The subscription reply quotes each instrument: the first tick, before the socket's."""
        for message in mapping.listed_quotes(result):
            self._put_tick(lambda message=message: self._book.full(code, message))

    # -- sockets ---------------------------------------------------------------------------------
    async def _open_marketdata(self) -> SocketIOClient:
        http, settings = self._http, self._http.settings
        user = self._broker.marketdata_user_id or http.user_id or ""
        return await connect(settings.base_url, path=f"/{settings.marketdata_prefix}/socket.io", query={
            "token": http.marketdata_token or "", "userID": user, "publishFormat": "JSON",
            "broadcastMode": settings.broadcast_mode})

    async def _open_interactive(self) -> SocketIOClient:
        http = self._http
        return await connect(http.settings.base_url, path="/interactive/socket.io", query={
            "token": http.interactive_token or "", "userID": http.user_id or "", "apiType": "INTERACTIVE"})

    async def _run(self, name: str, handler: Any) -> None:
        backoff = Backoff()
        while not self._closed:
            client = self._clients[name]
            try:
                async for event, data in client:
                    handler(event, data)
            except BrokerError as exc:  # ConnectionLost, a garbage frame, a refusal: reconnect
                log.info("XTS %s socket ended: %s", name, type(exc).__name__)
            with contextlib.suppress(Exception):
                await client.close()
            if self.closed:
                return
            self._clients[name] = await self._reconnect(name, backoff)

    async def _reconnect(self, name: str, backoff: Backoff) -> SocketIOClient:
        """Keep trying until the socket is back (and, for market data, everything resubscribed)."""
        while True:
            await asyncio.sleep(backoff.next_delay())
            try:
                client = await (self._reopen_marketdata() if name == "marketdata" else self._reopen_interactive())
            except AuthenticationError as exc:  # the keys themselves are refused: retrying will not help
                self._queue.put_nowait(exc)
                raise
            except BrokerError as exc:
                log.info("XTS %s socket reconnect failed: %s", name, type(exc).__name__)
                continue
            backoff.reset()
            self.reconnects += 1
            return client

    async def _reopen_marketdata(self) -> SocketIOClient:
        result = await self._http.login_marketdata()
        self._http.marketdata_token = result["token"]
        self._broker.remember_tokens(marketdata=result["token"])
        client = await self._open_marketdata()
        try:
            async with self._lock:
                by_code: dict[int, list[Key]] = {}
                for key, code in self._subscribed.items():
                    by_code.setdefault(code, []).append(key)
                for code, keys in by_code.items():
                    self._snapshot(code, await self._subscription("POST", keys, code))
                if self._interest:
                    await self._subscription("POST", list(self._interest), OPEN_INTEREST)
        except BaseException:
            await client.close()
            raise
        return client

    async def _reopen_interactive(self) -> SocketIOClient:
        try:
            return await self._open_interactive()
        except ConnectionRefused:  # the session ended: a fresh interactive login, then the socket
            result = await self._http.login_interactive()
            self._broker.check_login(result)
            self._http.interactive_token = result["token"]
            self._broker.remember_tokens(interactive=result["token"])
            return await self._open_interactive()

    # -- events ----------------------------------------------------------------------------------
    def _on_market_event(self, event: str, data: Any) -> None:
        code_text, _, kind = event.partition("-")
        if not code_text.isdigit():
            return  # joined, error, …
        code = int(code_text)
        if kind == "json-full":
            self._put_tick(lambda: self._book.full(code, data))
        elif kind == "json-partial":
            self._put_tick(lambda: self._book.partial(code, data))

    def _put_tick(self, build: Any) -> None:
        try:
            tick = build()
        except ProtocolError as exc:  # one unreadable message must not end the stream
            log.warning("skipped a market-data message: %s", exc)
            return
        if tick is not None:
            self._queue.put_nowait(tick)

    def _on_order_event(self, event: str, data: Any) -> None:
        if event not in ("order", "trade"):
            return
        try:
            record = json.loads(data) if isinstance(data, str) else data
            if not isinstance(record, dict):
                raise ProtocolError(f"an {event} event that is not a JSON object", broker=self._http.broker)
            store = self._require_store()
            symbol = mapping.record_symbol(lambda seg, ident: store.symbol((seg, ident)),
                                           record.get("ExchangeSegment"), record.get("ExchangeInstrumentID"), record)
            order: Order = mapping.order(record, symbol, self._broker.record_client(record))
        except (ProtocolError, ValueError) as exc:
            log.warning("skipped an %s event: %s", event, exc)
            return
        self._queue.put_nowait(order)
