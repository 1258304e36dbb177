"""Kite's ticker WebSocket: a native asyncio client of its binary protocol.

Not ``KiteTicker``: that runs Twisted's reactor, which can be started once per process
and owns a thread. This client speaks the same protocol on ``websockets``:

* decoding is pure functions (:func:`decode_frame`), one ``struct`` call per packet,
  straight into :class:`~brokerplex.models.Tick` with the integer prices of the wire;
* :class:`KiteTickerStream` keeps itself connected: it reconnects with
  :class:`~brokerplex.streaming.Backoff`, re-reads the access token from the stored
  session each time, subscribes again with each token's mode, and drops a connection
  that stays silent for longer than a few heartbeats (Kite sends one a second) without
  waiting on a close handshake a frozen link would never answer. A refused token is
  never sent again: the stream is ``login_needed`` until a new login stores another.
  States, ticks and order updates reach the reader through the core's bounded buffer
  (:mod:`brokerplex.streaming`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import struct
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from brokerplex.errors import AuthenticationError, InputError, ProtocolError
from brokerplex.models import Order, PriceLevel, Tick, TickMode
from brokerplex.streaming import DEFAULT_CAPACITY, Backoff, FeedState, Stream
from brokerplex.symbols import canonical
from brokerplex.wire import parse_json
from brokerplex_zerodha.errors import BROKER, relogin_hint
from brokerplex_zerodha.mapping import order_from_kite

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

    from brokerplex_zerodha.instruments import KiteStore

log = logging.getLogger("brokerplex.zerodha.ticker")
# websockets logs the handshake's request line at DEBUG, and Kite puts the access token in
# its query string: this connection's logger never goes below INFO, whatever the root says.
_wire_log = logging.getLogger("brokerplex.zerodha.ticker.wire")
_wire_log.setLevel(logging.INFO)

MODES: tuple[TickMode, ...] = ("ltp", "quote", "full")
MAX_SUBSCRIPTIONS = 3000  # Kite's cap per connection
# Price units per rupee by segment (token & 0xFF): currency futures quote 4 decimals
# (CDS in units of 10**-7, BCD and NCO 10**-4); everything else is in paise.
UNITS = {3: 10_000_000, 6: 10_000, 12: 10_000}
PAISE = 100

_U16 = struct.Struct(">H")
_LTP = struct.Struct(">II")
_INDEX_QUOTE = struct.Struct(">IIIIIIi")
_INDEX_FULL = struct.Struct(">IIIIIIiI")
_QUOTE = struct.Struct(">11I")
# 16 fields, then 10 depth entries of quantity, price, orders (uint16) and 2 bytes of padding.
_FULL = struct.Struct(">16I" + "IIH2x" * 10)


def decode_packet(data: bytes, offset: int, length: int, symbols: Mapping[int, str]) -> Tick | None:
    """One packet at ``data[offset:offset+length]``; None for an unknown length or an unsubscribed token."""
    if length == 184:
        v = _FULL.unpack_from(data, offset)
        symbol = symbols.get(v[0])
        if symbol is None:
            return None
        bids: tuple[PriceLevel, ...] = ((v[17], v[16], v[18]), (v[20], v[19], v[21]), (v[23], v[22], v[24]),
                                        (v[26], v[25], v[27]), (v[29], v[28], v[30]))
        asks: tuple[PriceLevel, ...] = ((v[32], v[31], v[33]), (v[35], v[34], v[36]), (v[38], v[37], v[39]),
                                        (v[41], v[40], v[42]), (v[44], v[43], v[45]))
        if not v[28]:  # a thin book is padded with empty levels
            bids = tuple(level for level in bids if level[1])
        if not v[43]:
            asks = tuple(level for level in asks if level[1])
        return Tick(symbol, "full", UNITS.get(v[0] & 0xFF, PAISE), v[1], v[2], v[3], v[4], v[5], v[6],
                    (v[7], v[8], v[9], v[10]), v[12], v[11], v[15], bids, asks)
    if length == 44:
        v = _QUOTE.unpack_from(data, offset)
        symbol = symbols.get(v[0])
        if symbol is None:
            return None
        return Tick(symbol, "quote", UNITS.get(v[0] & 0xFF, PAISE), v[1], v[2], v[3], v[4], v[5], v[6],
                    (v[7], v[8], v[9], v[10]))
    if length == 8:
        token, last = _LTP.unpack_from(data, offset)
        symbol = symbols.get(token)
        return None if symbol is None else Tick(symbol, "ltp", UNITS.get(token & 0xFF, PAISE), last)
    if length in (28, 32):
        # Index packets order the prices high, low, open, close.
        v = (_INDEX_FULL if length == 32 else _INDEX_QUOTE).unpack_from(data, offset)
        symbol = symbols.get(v[0])
        if symbol is None:
            return None
        return Tick(symbol, "full" if length == 32 else "quote", PAISE, v[1], ohlc=(v[4], v[2], v[3], v[5]),
                    exchange_time=v[7] if length == 32 else None)
    return None  # Kite's rule: packets of other lengths are skipped


def decode_frame(data: bytes, symbols: Mapping[int, str]) -> list[Tick]:
    """A binary frame: uint16 packet count, then (uint16 length, packet) pairs. A 1-byte frame is a heartbeat."""
    if len(data) < 4:
        return []
    ticks: list[Tick] = []
    try:
        (count,) = _U16.unpack_from(data, 0)
        offset = 2
        for _ in range(count):
            (length,) = _U16.unpack_from(data, offset)
            offset += 2
            if offset + length > len(data):
                raise ProtocolError(f"ticker frame cut short: packet of {length} bytes at {offset}", broker=BROKER)
            tick = decode_packet(data, offset, length, symbols)
            if tick is not None:
                ticks.append(tick)
            offset += length
    except struct.error as exc:
        raise ProtocolError(f"malformed ticker frame: {exc}", broker=BROKER) from None
    return ticks


def decode_text(text: str) -> Order | str | None:
    """A JSON text frame: an order update as Order, an error as its text; None for anything else."""
    try:
        message = parse_json(text)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    kind, data = message.get("type"), message.get("data")
    if kind == "order" and isinstance(data, dict) and data:
        return order_from_kite(data)
    if kind == "error":
        return str(data)
    return None


def subscribe_messages(tokens: Sequence[int], mode: TickMode) -> list[str]:
    return [json.dumps({"a": "subscribe", "v": list(tokens)}), json.dumps({"a": "mode", "v": [mode, list(tokens)]})]


LOGIN_POLL = 1.0  # seconds between looks at the stored session while a login is needed
CLOSE_TIMEOUT = 1.0  # a close handshake on a frozen link is never answered: wait this long at most


class KiteTickerStream(Stream):
    """Ticks and order updates for one account; see the module docstring for what it keeps up."""

    def __init__(
        self,
        *,
        ws_root: str,
        api_key: str,
        access_token: Callable[[], Awaitable[str]],
        store: KiteStore,
        account: str,
        silence: float = 5.0,
        backoff: Backoff | None = None,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        super().__init__(capacity=capacity)
        self._root = ws_root
        self._api_key = api_key
        self._access_token = access_token
        self._store = store
        self._account = account
        self._silence = silence
        self._backoff = backoff or Backoff(first=0.2, cap=10.0)
        self._modes: dict[int, TickMode] = {}
        self._symbols: dict[int, str] = {}
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._refused: str | None = None  # an access token the ticker refused: never sent again
        self._said: str | None = None  # the ticker's last error message on this connection
        self.connections = 0  # successful connections so far (reconnects show here)
        self.silent_closes = 0  # connections dropped for silence

    def __repr__(self) -> str:
        return f"<KiteTickerStream account={self._account!r} subscribed={len(self._modes)} state={self.state.state}>"

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"kite-ticker-{self._account}")

    # -- subscriptions ---------------------------------------------------------------
    def _tokens(self, symbols: Sequence[str]) -> list[tuple[int, str]]:
        resolved = []
        for text in symbols:
            symbol = canonical(text)
            resolved.append((self._store.key(symbol), symbol))  # SymbolError if unlisted
        return resolved

    async def subscribe(self, symbols: Sequence[str], mode: TickMode = "quote") -> None:
        if mode not in MODES:
            raise InputError(f"unknown tick mode {mode!r}; use one of {', '.join(MODES)}")
        resolved = self._tokens(symbols)
        if not resolved:
            return
        if len(self._modes.keys() | {token for token, _ in resolved}) > MAX_SUBSCRIPTIONS:
            raise InputError(f"Kite streams at most {MAX_SUBSCRIPTIONS} instruments per connection")
        for token, symbol in resolved:
            self._modes[token] = mode
            self._symbols[token] = symbol
        await self._send(subscribe_messages([token for token, _ in resolved], mode))

    async def unsubscribe(self, symbols: Sequence[str]) -> None:
        tokens = [token for token, _ in self._tokens(symbols)]
        if not tokens:
            return
        for token in tokens:
            self._modes.pop(token, None)
            self._symbols.pop(token, None)
        await self._send([json.dumps({"a": "unsubscribe", "v": tokens})])

    async def _send(self, messages: list[str]) -> None:
        ws = self._ws
        if ws is None:
            return  # sent on (re)connect by _resubscribe
        try:
            for message in messages:
                await ws.send(message)
        except Exception as exc:  # the reader notices the drop and reconnects; state is kept
            log.info("ticker send failed (%s); will resubscribe on reconnect", type(exc).__name__)

    async def _resubscribe(self, ws: ClientConnection) -> None:
        groups: dict[TickMode, list[int]] = {}
        for token, mode in self._modes.items():
            groups.setdefault(mode, []).append(token)
        for mode, tokens in groups.items():
            for message in subscribe_messages(tokens, mode):
                await ws.send(message)

    # -- connection ------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            await self._connect_forever()
        except Exception as exc:  # a bug must reach the reader, never end in a silent task
            log.exception("the Kite ticker of %s failed", self._account)
            self._fail(exc, broker=BROKER)

    async def _connect_forever(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        while not self._closed:
            token = await self._usable_token()
            url = f"{self._root}?api_key={self._api_key}&access_token={token}"
            try:
                async with connect(url, open_timeout=10, close_timeout=CLOSE_TIMEOUT, ping_interval=None,
                                   compression=None, max_size=2**22, user_agent_header="brokerplex-zerodha",
                                   logger=_wire_log) as ws:
                    self._ws, self._said = ws, None
                    self.connections += 1
                    self._backoff.reset()
                    await self._resubscribe(ws)
                    self._set_state(FeedState("live"))
                    reason = await self._read(ws)
            except InvalidStatus as exc:
                if exc.response.status_code in (401, 403):
                    self._refused = token  # _usable_token waits for a fresh login
                    continue
                reason = f"the ticker answered HTTP {exc.response.status_code}"
            except Exception as exc:  # OSError, TimeoutError, websockets' ConnectionClosed, a bug: reconnect
                reason = self._describe(exc, token)
            finally:
                self._ws = None
            if not self._closed:
                delay = self._backoff.next_delay()
                self._set_state(FeedState("reconnecting", self._backoff.attempt, delay, reason))
                log.info("ticker of %s: %s; reconnecting in %.1f s", self._account, reason, delay)
                await asyncio.sleep(delay)

    async def _usable_token(self) -> str:
        """The stored access token, once it is not one the ticker refused (login_needed until then)."""
        while True:
            try:
                token = await self._access_token()  # a fresh read: a new login (any process) replaces it
            except AuthenticationError as exc:  # logged out, or the stored session has expired
                problem = str(exc)
            else:
                if token != self._refused:
                    return token
                problem = f"the Kite ticker refused the session of {self._account}; {relogin_hint(self._account)}"
            self._set_state(FeedState("login_needed", reason=problem))
            await asyncio.sleep(LOGIN_POLL)

    def _describe(self, error: Exception, token: str) -> str:
        """Why a connection ended, for the reconnecting state (never with the token of the URL)."""
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        if isinstance(error, ConnectionClosed):
            code = error.rcvd.code if error.rcvd is not None else "no close frame"
            text = f"the ticker closed the connection ({code})" + (f": {self._said}" if self._said else "")
        elif isinstance(error, TimeoutError):
            text = "cannot reach the ticker: no answer in time"
        elif isinstance(error, OSError):
            text = f"cannot reach the ticker: {os.strerror(error.errno) if error.errno else error}"
        elif isinstance(error, ProtocolError | InvalidHandshake):
            text = f"{type(error).__name__}: {error}"
        else:
            log.warning("ticker of %s failed; reconnecting", self._account, exc_info=error)
            text = f"{type(error).__name__}: {error}"
        return text.replace(token, "…")[:300] if token else text[:300]

    async def _read(self, ws: ClientConnection) -> str:
        """Deliver the connection's messages until it ends; why it ended. Silence beyond the bound drops it."""
        from websockets.exceptions import ConnectionClosed

        loop = asyncio.get_running_loop()
        last = loop.time()
        silent = False

        async def watchdog() -> None:
            nonlocal silent
            while loop.time() - last <= self._silence:
                await asyncio.sleep(self._silence / 4)
            silent = True
            self.silent_closes += 1
            self._set_state(FeedState("stale", reason=f"no data from the ticker for {self._silence:g} s"))
            ws.transport.abort()  # a frozen link never answers a close handshake: do not wait for one

        guard = loop.create_task(watchdog())
        put = self._put_tick
        try:
            async for message in ws:
                last = loop.time()
                if isinstance(message, bytes):
                    try:
                        ticks = decode_frame(message, self._symbols)
                    except ProtocolError as exc:
                        log.warning("skipped a ticker frame: %s", exc)
                        continue
                    for tick in ticks:
                        put(tick)
                else:
                    self._on_text(message)
        except ConnectionClosed:
            if not silent:
                raise
        finally:
            guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await guard
        if silent:
            return f"no data from the ticker for {self._silence:g} s"
        return "the ticker closed the connection" + (f": {self._said}" if self._said else "")

    def _on_text(self, text: str) -> None:
        try:
            decoded = decode_text(text)
        except ProtocolError as exc:
            log.warning("skipped an order update: %s", exc)
            return
        if isinstance(decoded, Order):
            self._put_order(decoded)
        elif decoded is not None:
            self._said = decoded
            log.warning("Kite ticker error: %s", decoded)

    # -- ending ----------------------------------------------------------------------
    async def close(self) -> None:
        """Close for good: the close handshake is waited for at most CLOSE_TIMEOUT seconds."""
        if self._closed:
            return
        self._closed = True
        ws, task = self._ws, self._task
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._finish()

    @property
    def subscriptions(self) -> dict[str, TickMode]:
        return {self._symbols[token]: mode for token, mode in self._modes.items()}
