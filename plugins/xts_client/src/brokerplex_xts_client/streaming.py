"""Live XTS data: the market-data and interactive Socket.IO sockets as one core Stream.

XTS sockets carry no subscription state: instruments are subscribed through REST
(``POST/PUT /instruments/subscription``) and their events then reach every socket of
that market-data session (spec section 11). So a reconnect is: wait (core ``Backoff``),
log in to market data again for a fresh token, open the socket, subscribe everything
again through REST. The interactive socket's ``order`` events become
:class:`~brokerplex.models.Order` updates and its ``trade`` events (the order's fields plus
the fill's, as in the trade book) :class:`~brokerplex.models.Trade` events, each naming a
dealer's client; ``position`` events are left out.

Each socket has its own feed state; the stream's is the worse of the two (see
:mod:`brokerplex.streaming`). XTS sends market data only when something changed and its
Engine.IO pings come every 20 s with 60 s of patience, so a half-dead socket would go
unnoticed for over a minute. Instead, a socket silent for ``silence`` seconds is pinged
at once: no pong within ``probe_timeout`` drops it and reconnects (a frozen server or a
dead path answers nothing); a pong on a subscribed market-data socket that still brings
no data makes the stream ``stale`` (the link is alive, the market quiet) until data comes.
Refused API keys make it ``login_needed``: the keys are not tried again until a new
``brokerplex login`` stored a fresh session, which the stream then uses.

A stream knows its login only through :class:`LoginSession` (the broker gives it): the tokens it
stores and a fresh login to one API; nothing else of the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from brokerplex import wire
from brokerplex.errors import AuthenticationError, BrokerError, ProtocolError
from brokerplex.models import TickMode
from brokerplex.streaming import DEFAULT_CAPACITY, Backoff, FeedState, Stream
from brokerplex_xts_client import mapping, quotes
from brokerplex_xts_client.sio.client import SocketIOClient, connect
from brokerplex_xts_client.sio.protocol import ConnectionLost, ConnectionRefused, PongTimeout
from brokerplex_xts_client.ticks import CODES, OPEN_INTEREST, Key, TickBook

MODE_CODES = frozenset(CODES.values())
CASH_SEGMENTS = frozenset({1, 11})
SOCKETS = ("marketdata", "interactive")
SILENCE = 10.0  # seconds without an event before a socket is pinged
PROBE_TIMEOUT = 5.0  # seconds a ping waits for its pong before the socket counts as dead
LOGIN_POLL = 1.0  # seconds between looks at the stored session while a login is needed
_LIVE = FeedState("live")
_RANK = {"live": 0, "stale": 1, "connecting": 2, "reconnecting": 3, "login_needed": 4, "closed": 5}
_TITLES = {"marketdata": "market-data socket", "interactive": "interactive socket"}

if TYPE_CHECKING:
    from brokerplex_xts_client.http import XtsHttp
    from brokerplex_xts_client.master import Store

log = logging.getLogger("brokerplex.xts")
Handler = Callable[[str, Any], None]
Api = Literal["interactive", "marketdata"]


class LoginSession(Protocol):
    """What a stream asks of its login when a socket refuses the session."""

    def stored_tokens(self) -> object:
        """The tokens of the account's stored session as they are now: a new ``brokerplex login`` changes them."""

    async def connect(self) -> None:
        """Take the stored session; AuthenticationError when it cannot be used."""

    async def renew(self, api: Api) -> None:
        """Log in to ``api`` again, with the account's keys, and store its new token."""


class XtsStream(Stream):
    """Ticks of REST-subscribed instruments and the login's order updates, reconnecting by itself."""

    def __init__(self, http: XtsHttp, login: LoginSession, store: Store, *, peers: list[XtsStream],
                 record_client: Callable[[Mapping[str, Any]], str | None], silence: float = SILENCE,
                 probe_timeout: float = PROBE_TIMEOUT, capacity: int = DEFAULT_CAPACITY) -> None:
        """``peers``: the open streams of this login (this one joins when started, leaves when closed): they
        share the market-data session's subscriptions. ``record_client``: whose an order event is (dealers)."""
        super().__init__(capacity=capacity)
        self._http = http
        self._login = login
        self._peers = peers
        self._record_client = record_client
        self._subscribed: dict[Key, int] = {}  # instrument → xtsMessageCode
        self._interest: set[Key] = set()  # derivatives also subscribed to open interest (1510)
        self._symbols: dict[Key, str] = {}
        self._book = TickBook(self._wanted)
        self._store: Store = store
        self._started = False
        self._clients: dict[str, SocketIOClient] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._lock = asyncio.Lock()  # subscription changes and resubscription never interleave
        self._closed = False
        self._feeds = dict.fromkeys(SOCKETS, FeedState("connecting"))
        self._heard: dict[str, float] = {}  # loop time of each socket's last event
        self.silence = silence
        self.probe_timeout = probe_timeout
        self.reconnects = 0  # how many times a socket was opened again (for observers and tests)
        self.silent_closes = 0  # sockets dropped because a silent one did not answer a ping

    def __repr__(self) -> str:
        return f"<XtsStream {self._http.settings.host} subscribed={len(self._subscribed)} state={self.state.state}>"

    @property
    def closed(self) -> bool:
        return self._closed

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open both sockets; errors here (refused token, unreachable host) go to the caller."""
        self._clients["marketdata"] = await self._open_marketdata()
        try:
            self._clients["interactive"] = await self._open_interactive()
        except BaseException:
            await self._clients["marketdata"].close()
            raise
        self._started = True
        self._peers.append(self)
        for name in SOCKETS:
            self._feed(name, _LIVE)
            self._tasks.append(asyncio.create_task(self._run(name), name=f"xts-{name}-socket"))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # Together: each close waits for a handshake a frozen link never answers, but only so long.
        await asyncio.gather(*(client.close() for client in self._clients.values()), return_exceptions=True)
        if self in self._peers:
            self._peers.remove(self)
        await self._release()
        self._finish()

    async def _release(self) -> None:
        """Unsubscribe what no other open stream of this login still uses: subscriptions belong to the
        market-data session (50 instruments at most), not to the socket."""
        others = list(self._peers)
        kept = {(key, code) for other in others for key, code in other.subscriptions.items()}
        kept |= {(key, OPEN_INTEREST) for other in others for key in other.interest}
        by_code: dict[int, list[Key]] = {}
        for key, code in [*self._subscribed.items(), *((key, OPEN_INTEREST) for key in self._interest)]:
            if (key, code) not in kept:
                by_code.setdefault(code, []).append(key)
        for code, keys in by_code.items():
            with contextlib.suppress(BrokerError):
                await self._subscription("PUT", keys, code)

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
    def feeds(self) -> dict[str, FeedState]:
        """The state of each socket (``marketdata``, ``interactive``); ``state`` is the worse of them."""
        return dict(self._feeds)

    @property
    def subscriptions(self) -> dict[Key, int]:
        return dict(self._subscribed)

    @property
    def interest(self) -> frozenset[Key]:
        return frozenset(self._interest)

    def _require_store(self) -> Store:
        if not self._started:
            raise RuntimeError("the stream is not started; use `await broker.stream()`")
        return self._store

    async def _subscription(self, method: str, keys: Sequence[Key], code: int) -> Any:
        body = {"instruments": [{"exchangeSegment": seg, "exchangeInstrumentID": ident} for seg, ident in keys],
                "xtsMessageCode": code}
        return await self._http.marketdata(method, "/instruments/subscription", body=body, empty={})

    def _snapshot(self, code: int, result: Any) -> None:
        """The subscription reply quotes each instrument: the first tick, before the socket's."""
        for message in quotes.listed_quotes(result):
            self._book_tick(lambda message=message: self._book.full(code, message))

    # -- sockets ---------------------------------------------------------------------------------
    async def _open_marketdata(self) -> SocketIOClient:
        http, settings = self._http, self._http.settings
        user = http.marketdata_user_id or http.user_id or ""
        return await connect(settings.base_url, path=f"/{settings.marketdata_prefix}/socket.io", query={
            "token": http.marketdata_token or "", "userID": user, "publishFormat": "JSON",
            "broadcastMode": settings.broadcast_mode})

    async def _open_interactive(self) -> SocketIOClient:
        http = self._http
        return await connect(http.settings.base_url, path="/interactive/socket.io", query={
            "token": http.interactive_token or "", "userID": http.user_id or "", "apiType": "INTERACTIVE"})

    def _feed(self, name: str, state: FeedState) -> None:
        """Set one socket's state; the stream's is the worse of the two."""
        if state.reason and state is not _LIVE:
            state = FeedState(state.state, state.attempt, state.delay, f"{_TITLES[name]}: {state.reason}")
        self._feeds[name] = state
        self._set_state(max(self._feeds.values(), key=lambda feed: _RANK[feed.state]))

    async def _run(self, name: str) -> None:
        try:
            await self._keep_open(name)
        except Exception as exc:  # a bug must reach the reader, never end in a silent task
            log.exception("the XTS %s failed", _TITLES[name])
            self._fail(exc, broker=self._http.broker)

    async def _keep_open(self, name: str) -> None:
        handler: Handler = self._on_market_event if name == "marketdata" else self._on_order_event
        backoff = Backoff()
        while not self._closed:
            client = self._clients[name]
            reason = await self._serve(name, client, handler)
            with contextlib.suppress(Exception):
                await client.close()
            if self.closed:  # closed while the socket was being served
                return
            log.info("XTS %s ended: %s", _TITLES[name], reason)
            self._clients[name] = await self._reconnect(name, backoff, reason)

    async def _serve(self, name: str, client: SocketIOClient, handler: Handler) -> str:
        """Hand the socket's events to ``handler`` until it ends; why it ended."""
        loop = asyncio.get_running_loop()
        self._heard[name] = loop.time()
        guard = asyncio.create_task(self._watch(name, client), name=f"xts-{name}-watchdog")
        try:
            async for event, data in client:
                self._heard[name] = loop.time()
                if self._feeds[name] is not _LIVE:
                    self._feed(name, _LIVE)
                handler(event, data)
            return client.close_reason or "the server closed the socket"
        except BrokerError as exc:  # ConnectionLost, a garbage frame, a refusal
            return str(exc)
        except Exception as exc:  # a bug while reading an event: reconnect, and say why
            log.warning("reading the XTS %s failed; reconnecting", _TITLES[name], exc_info=exc)
            return f"{type(exc).__name__}: {exc}"
        finally:
            guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await guard

    async def _watch(self, name: str, client: SocketIOClient) -> None:
        """Ping a socket silent for ``silence`` seconds (module docstring)."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                quiet = loop.time() - self._heard[name]
                if quiet < self.silence:
                    await asyncio.sleep(self.silence - quiet)
                    continue
                try:
                    await client.ping(self.probe_timeout)
                except PongTimeout:  # the socket is dropped, and _serve sees it end
                    self.silent_closes += 1
                    return
                except ConnectionLost:  # it ended meanwhile for another reason
                    return
                if name == "marketdata" and self._subscribed and loop.time() - self._heard[name] >= self.silence:
                    self._feed(name, FeedState("stale", reason=f"no market data for over {self.silence:g} s; "
                                                                "the socket answers pings"))
                await asyncio.sleep(self.silence)
        except Exception as exc:  # a watchdog that fails must not leave a dead socket unwatched
            log.warning("the XTS %s watchdog failed; reconnecting", _TITLES[name], exc_info=exc)
            with contextlib.suppress(Exception):
                await client.close()  # _serve sees the socket end

    async def _reconnect(self, name: str, backoff: Backoff, reason: str) -> SocketIOClient:
        """Keep trying until the socket is back (and, for market data, everything resubscribed)."""
        may_log_in = True  # False once the keys were refused, until a new login stored a session
        while True:
            if may_log_in:
                delay = backoff.next_delay()
                self._feed(name, FeedState("reconnecting", backoff.attempt, delay, reason))
                await asyncio.sleep(delay)
            else:
                await self._stored_session(name, reason)
            try:
                if name == "marketdata":
                    client = await self._reopen_marketdata(log_in=may_log_in)
                else:
                    client = await self._reopen_interactive(log_in=may_log_in)
            except AuthenticationError as exc:  # refused keys or session: never retried as they are
                reason, may_log_in = str(exc), False
                continue
            except Exception as exc:  # unreachable, an unreadable or absurdly nested reply, a bug: later
                reason, may_log_in = _why(exc), True
                log.info("XTS %s reconnect failed: %s", _TITLES[name], reason)
                continue
            backoff.reset()
            self.reconnects += 1
            self._feed(name, _LIVE)
            return client

    async def _stored_session(self, name: str, reason: str) -> None:
        """``login_needed`` until the account's stored session changes (a new login); then use it."""
        account = self._http.account
        hint = "" if "brokerplex login" in reason else f"; run `brokerplex login {account}`"
        self._feed(name, FeedState("login_needed", reason=reason + hint))
        refused = self._login.stored_tokens()
        while True:
            await asyncio.sleep(LOGIN_POLL)
            if self._login.stored_tokens() == refused:
                continue
            try:
                await self._login.connect()  # takes the stored tokens
            except AuthenticationError:  # not usable either (another day's session): keep waiting
                continue
            return

    async def _reopen_marketdata(self, *, log_in: bool) -> SocketIOClient:
        if log_in:
            await self._login.renew("marketdata")
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

    async def _reopen_interactive(self, *, log_in: bool) -> SocketIOClient:
        try:
            return await self._open_interactive()
        except ConnectionRefused:  # the session ended: a fresh interactive login, then the socket
            if not log_in:
                raise AuthenticationError("the interactive socket refused the stored session",
                                          broker=self._http.broker) from None
            await self._login.renew("interactive")
            return await self._open_interactive()

    # -- events ----------------------------------------------------------------------------------
    def _on_market_event(self, event: str, data: Any) -> None:
        code_text, _, kind = event.partition("-")
        if not code_text.isdigit():
            return  # joined, error, …
        code = int(code_text)
        if kind == "json-full":
            self._book_tick(lambda: self._book.full(code, data))
        elif kind == "json-partial":
            self._book_tick(lambda: self._book.partial(code, data))

    def _book_tick(self, build: Any) -> None:
        try:
            tick = build()
        except (ProtocolError, RecursionError) as exc:  # one unreadable message must not end the stream
            log.warning("skipped a market-data message: %s", _short(exc))
            return
        if tick is not None:
            self._put_tick(tick)

    def _on_order_event(self, event: str, data: Any) -> None:
        if event not in ("order", "trade"):
            return
        try:
            record = wire.parse_json(data) if isinstance(data, str) else data
            if not isinstance(record, dict):
                raise ProtocolError(f"an {event} event that is not a JSON object", broker=self._http.broker)
            store = self._require_store()
            symbol = mapping.record_symbol(lambda seg, ident: store.symbol((seg, ident)),
                                           record.get("ExchangeSegment"), record.get("ExchangeInstrumentID"), record)
            client = self._record_client(record)
            if event == "trade":  # a fill, read as the trade book's records are
                self._put_trade(mapping.trade(record, symbol, client))
            else:
                self._put_order(mapping.order(record, symbol, client))
        except (ProtocolError, ValueError, RecursionError) as exc:
            log.warning("skipped an %s event: %s", event, _short(exc))


def _why(error: Exception) -> str:
    if isinstance(error, BrokerError):
        return str(error)
    log.warning("an XTS reconnect failed unexpectedly", exc_info=error)
    return f"{type(error).__name__}: {error}"[:300]


def _short(error: BaseException) -> str:
    return str(error) if isinstance(error, BrokerError) else f"{type(error).__name__}: {str(error)[:200]}"

