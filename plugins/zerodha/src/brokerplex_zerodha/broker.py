"""The Zerodha broker: Kite Connect through the official ``kiteconnect`` client.

The official client is synchronous; each call runs it in a greenlet on the event loop,
its HTTP done by aiohttp (:mod:`brokerplex_zerodha.transport`), after drawing from the
API key's shared rate limiter. Every failure leaves here as a
brokerplex error (:mod:`brokerplex_zerodha.errors`); every payload is mapped by the pure
functions of :mod:`brokerplex_zerodha.mapping`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from brokerplex import wire
from brokerplex.broker import AccountContext, Broker, BrokerSettings, LoginIO
from brokerplex.errors import AuthenticationError, InputError, ProtocolError
from brokerplex.formats import IST
from brokerplex.instruments import DailyCache, DailyStore
from brokerplex.models import (
    Funds,
    Holding,
    Instrument,
    InstrumentType,
    Order,
    OrderAck,
    OrderModify,
    OrderRequest,
    Position,
    Product,
    Profile,
    Quote,
    SessionState,
    Trade,
    Variety,
)
from brokerplex.ops.models import BasketMargin, Candle, Gtt, GttRequest, Interval, Margin
from brokerplex.ratelimit import RateLimiter, shared_limiter
from brokerplex.streaming import Stream
from brokerplex.symbols import canonical
from brokerplex_zerodha import mapping
from brokerplex_zerodha.errors import kite_call, map_error
from brokerplex_zerodha.instruments import KiteStore, parse_store
from brokerplex_zerodha.session import KiteSession, load_session, save_session, session_expiry
from brokerplex_zerodha.settings import ZerodhaSettings
from brokerplex_zerodha.transport import LoopSession, current_call, last_reply, long_call, run_blocking

if TYPE_CHECKING:
    from kiteconnect import KiteConnect

T = TypeVar("T")
log = logging.getLogger("brokerplex.zerodha")
#: Our candle widths in Kite's words, and the longest range Kite serves of each in one request (spec §5.4).
KITE_INTERVALS: dict[Interval, str] = {"1m": "minute", "3m": "3minute", "5m": "5minute", "10m": "10minute",
                                       "15m": "15minute", "30m": "30minute", "1h": "60minute", "1d": "day"}
KITE_CANDLE_DAYS: dict[Interval, int] = {"1m": 60, "3m": 100, "5m": 100, "10m": 100, "15m": 200, "30m": 200,
                                         "1h": 400, "1d": 2000}
DERIVATIVES = frozenset({InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE})
QUOTE_BATCH = 500  # Kite's cap of instruments per /quote call (ltp and ohlc take 1000)


class ZerodhaBroker(Broker):
    settings_model = ZerodhaSettings
    settings: ZerodhaSettings
    candle_ranges: ClassVar[Mapping[Interval, dt.timedelta]] = {
        interval: dt.timedelta(days=days) for interval, days in KITE_CANDLE_DAYS.items()}

    def __init__(self, context: AccountContext, settings: BrokerSettings) -> None:
        super().__init__(context, settings)
        assert isinstance(settings, ZerodhaSettings)
        key = settings.api_key
        self._limiters: dict[str, RateLimiter] = {
            bucket: shared_limiter(("kite", key, bucket), limits) for bucket, limits in settings.limits().items()
        }
        self._client: KiteConnect | None = None
        self._session: KiteSession | None = None
        cache_name = "instruments-" + hashlib.sha256(settings.root.encode()).hexdigest()[:10]
        self._instruments = DailyStore(DailyCache(context.cache_dir, cache_name), self._download_instruments,
                                       parse_store)

    # -- plumbing ------------------------------------------------------------------
    def _kite(self, access_token: str | None) -> KiteConnect:
        from kiteconnect import KiteConnect

        client = KiteConnect(self.settings.api_key, access_token=access_token, root=self.settings.root,
                             timeout=self.settings.timeout)
        client.reqsession = LoopSession(self.settings.timeout)
        client._default_login_uri = self.settings.login_url  # the client reads the login page from here
        return client

    @property
    def kite(self) -> KiteConnect:
        """The connected official client (after :meth:`connect` or :meth:`login`)."""
        if self._client is None or self._session is None:
            # Not connected: load_session raises the right AuthenticationError.
            self._restore()
        assert self._client is not None
        return self._client

    def _restore(self) -> KiteSession:
        session = load_session(self.context.session, api_key=self.settings.api_key, account=self.context.account)
        self._session = session
        if self._client is None:
            self._client = self._kite(session.access_token)
        else:
            self._client.set_access_token(session.access_token)
        return session

    def _check_session(self) -> None:
        # A token past Kite's 06:00 IST flush is dead: say so without asking Kite.
        if self._session is not None and self._session.expired():
            self._session = None
            self._restore()  # a newer login of another process may have stored a fresh token

    async def _call(self, bucket: str, kind: wire.Kind, function: Callable[..., T], *args: Any,
                    order_id: str | None = None, client_order_id: str | None = None, **kwargs: Any) -> T:
        """Run one client call (in a greenlet on this loop, see transport.py), rate-limited; failures
        become our errors."""
        if kind != "login":
            self._check_session()
        await self._limiters[bucket].acquire()
        call = kite_call(kind, self.context.account, order_id=order_id, client_order_id=client_order_id)
        current_call.set(call)
        last_reply.set(None)
        try:
            return await run_blocking(function, *args, **kwargs)
        except Exception as exc:
            reply = last_reply.get()
            raise map_error(exc, call, reply=reply.content if reply else None) from None

    # -- session ---------------------------------------------------------------------
    async def connect(self) -> None:
        self._restore()

    def session_state(self) -> SessionState:
        try:  # read whatever its age: expiry is judged here
            session = load_session(self.context.session, api_key=self.settings.api_key, account=self.context.account,
                                   now=dt.datetime.min.replace(tzinfo=dt.UTC))
        except AuthenticationError:  # none stored, or another API key's
            return SessionState(state="none")
        return SessionState(state="expired" if session.expired() else "live", expires_at=session.expires_at)

    async def login(self, params: Mapping[str, str], io: LoginIO) -> Profile:
        unknown = sorted(set(params) - {"request_token"})
        if unknown:
            raise InputError(f"unknown login parameter(s) {', '.join(unknown)}; Kite takes only request_token")
        request_token = params.get("request_token", "").strip()
        profile = await (self._start_session(request_token) if request_token else self._browser_login(io))
        assert self._session is not None
        io.show(f"logged in to Kite as {profile.user_id}; the session is valid until "
                f"{self._session.expires_at.astimezone(IST):%Y-%m-%d %H:%M} IST (Kite ends every session at 06:00 "
                "IST)")
        return profile

    async def _start_session(self, request_token: str) -> Profile:
        """Exchange a request token for a session, store it, and make it this instance's."""
        client = self._kite(None)
        secret = self.settings.api_secret.get_secret_value()
        try:
            data = await self._call("other", "login", client.generate_session, request_token, secret)
            if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) or not data["access_token"]:
                raise ProtocolError("Kite's session reply has no access token", broker=mapping.BROKER)
            profile = mapping.profile_from_kite(data, self.context.broker)
        except BaseException:
            await client.reqsession.aclose()
            raise
        session = KiteSession(self.settings.api_key, data["access_token"], profile.user_id,
                              session_expiry(dt.datetime.now(dt.UTC)))
        save_session(self.context.session, session)
        await self.close()
        self._session, self._client = session, client
        return profile

    def login_page(self) -> str:
        return f"{self.settings.login_url}?api_key={self.settings.api_key}&v=3"

    async def _browser_login(self, io: LoginIO) -> Profile:
        from brokerplex_zerodha.callback import login_through_redirect

        def ready() -> None:
            io.show(f"open this URL in a browser and log in to Kite:\n  {self.login_page()}\n"
                    f"waiting for the redirect to {self.settings.redirect_url} "
                    f"(up to {self.settings.login_timeout:g} s)…")

        return await login_through_redirect(self.settings.redirect_url, self.settings.login_timeout, ready,
                                            self._start_session)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.reqsession.aclose()

    # -- reference data ----------------------------------------------------------------
    async def profile(self) -> Profile:
        raw = await self._call("other", "read", self.kite.profile)
        return mapping.profile_from_kite(raw, self.context.broker)

    async def instrument_store(self) -> KiteStore:
        """Today's instrument master: from the day's cache, else downloaded (once per process and day)."""
        return await self._instruments.get()

    async def _download_instruments(self) -> bytes:
        # The official client returns the CSV as it came (its instruments() would parse it slowly)
        # and raises its own exceptions for an error reply, which _call maps.
        cap = long_call.set(self.settings.download_timeout)  # megabytes: the call's own timeout is too short
        try:
            dump = await self._call("other", "read", self.kite._get, "market.instruments.all")
        finally:
            long_call.reset(cap)
        if not isinstance(dump, bytes):
            raise ProtocolError("Kite's instrument dump is not a CSV", broker=mapping.BROKER)
        return dump

    async def instruments(self) -> Sequence[Instrument]:
        return (await self.instrument_store()).instruments()

    async def instrument(self, symbol: str) -> Instrument | None:
        return (await self.instrument_store()).instrument(symbol)

    # -- market data -----------------------------------------------------------------
    async def _quote_call(self, method: Callable[..., Any], symbols: Sequence[str], batch: int) -> dict[str, Quote]:
        wanted = list(dict.fromkeys(canonical(symbol) for symbol in symbols))  # each once: calls are scarce
        quotes: dict[str, Quote] = {}
        for start in range(0, len(wanted), batch):
            raw = await self._call("quote", "read", method, *wanted[start:start + batch])
            if not isinstance(raw, dict):
                raise ProtocolError("Kite's quote reply is not a map", broker=mapping.BROKER)
            for symbol, value in raw.items():
                try:
                    quotes[symbol] = mapping.quote_from_kite(symbol, value)
                except ProtocolError as exc:  # the other symbols' quotes still count
                    log.warning("left out the quote of %s: %s", symbol, exc)
        return quotes

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        """Full quotes with five-level depth; unlisted symbols are absent, as Kite leaves them out."""
        return await self._quote_call(self.kite.quote, symbols, QUOTE_BATCH)

    async def ltp(self, symbols: Sequence[str]) -> dict[str, Quote]:
        """Last prices only (Kite's ``/quote/ltp``): cheaper, 1000 a call."""
        return await self._quote_call(self.kite.ltp, symbols, 1000)

    async def ohlc(self, symbols: Sequence[str]) -> dict[str, Quote]:
        """Last price and the day's open/high/low/previous close (Kite's ``/quote/ohlc``)."""
        return await self._quote_call(self.kite.ohlc, symbols, 1000)

    async def candles(self, symbol: str, interval: Interval, start: dt.datetime, end: dt.datetime) -> list[Candle]:
        """Candles of ``symbol`` from ``start`` to ``end``, oldest first; open interest for derivatives."""
        name = KITE_INTERVALS.get(interval)
        if name is None:
            raise InputError(f"unknown candle interval {interval!r}; use one of {', '.join(KITE_INTERVALS)}")
        if end < start:
            raise InputError("the end of a candle range comes before its start")
        if end - start > self.candle_ranges[interval]:
            raise InputError(f"Kite gives {interval} candles for at most {self.candle_ranges[interval].days} days "
                             "a request")
        store = await self.instrument_store()
        token = store.key(canonical(symbol))
        instrument = store.instrument(canonical(symbol))
        derivative = instrument is not None and instrument.instrument_type in DERIVATIVES
        raw = await self._call("historical", "read", self.kite.historical_data, token, _ist(start), _ist(end),
                               name, oi=derivative)
        if not isinstance(raw, list):
            raise ProtocolError("Kite's candle reply is not a list", broker=mapping.BROKER)
        return sorted((mapping.candle_from_kite(row) for row in raw), key=lambda candle: candle.at)

    # -- books -----------------------------------------------------------------------
    async def orders(self) -> list[Order]:
        raw = await self._call("other", "read", self.kite.orders)
        return [mapping.order_from_kite(row) for row in _rows(raw, "orders")]

    async def order_history(self, order_id: str) -> list[Order]:
        raw = await self._call("other", "read", self.kite.order_history, order_id, order_id=order_id)
        return [mapping.order_from_kite(row) for row in _rows(raw, "order history")]

    async def trades(self) -> list[Trade]:
        raw = await self._call("other", "read", self.kite.trades)
        return [mapping.trade_from_kite(row) for row in _rows(raw, "trades")]

    async def positions(self) -> list[Position]:
        raw = await self._call("other", "read", self.kite.positions)
        if not isinstance(raw, dict):
            raise ProtocolError("Kite's positions reply is not a map", broker=mapping.BROKER)
        return mapping.positions_from_kite(raw)

    async def holdings(self) -> list[Holding]:
        """Holdings; one that cannot be read is left out with a warning (docs/failures.md)."""
        raw = await self._call("other", "read", self.kite.holdings)
        found = []
        for row in _rows(raw, "holdings"):
            try:
                found.append(mapping.holding_from_kite(row))
            except ProtocolError as exc:
                log.warning("skipped a holding: %s", exc)
        return found

    async def funds(self) -> Funds:
        raw = await self._call("other", "read", self.kite.margins)
        if not isinstance(raw, dict):
            raise ProtocolError("Kite's margins reply is not a map", broker=mapping.BROKER)
        return mapping.funds_from_kite(raw)

    # -- orders ----------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> OrderAck:
        # The manager has already checked the symbol against this broker's instruments. A cover order
        # without its stop-loss is refused here, not by OrderRequest: the Kite simulator books a cover
        # order's main leg, without the stop, through OrderRequest on the paper exchange.
        _check_cover(request)
        cid = request.client_order_id
        order_id = await self._call("orders", "write", self.kite.place_order,
                                    **mapping.place_params(request), client_order_id=cid)
        if not isinstance(order_id, (str, int)) or not str(order_id):
            raise ProtocolError(f"Kite's place reply has no order id: {order_id!r}", broker=mapping.BROKER,
                                client_order_id=cid)
        return OrderAck(order_id=str(order_id), client_order_id=cid)

    async def place_autosliced(self, request: OrderRequest) -> OrderAck:
        """Kite's ``autoslice=true``: one request, which Kite splits at the freeze quantity into child orders."""
        if request.variety is Variety.ICEBERG:
            raise InputError("Kite does not autoslice iceberg orders")
        _check_cover(request)
        cid = request.client_order_id
        reply = await self._call("orders", "write", self.kite.place_autoslice_order,
                                 **mapping.place_params(request), client_order_id=cid)
        try:
            return mapping.autosliced_ack(reply, cid)
        except ProtocolError as exc:  # the slices may be placed: only reconciling can tell
            raise kite_call("write", self.context.account, client_order_id=cid).unreadable_reply(exc.message) from None

    # Kite's modify and cancel routes name the order's variety: the order the manager read says it.
    async def modify_order(self, order: Order, changes: OrderModify) -> OrderAck:
        result = await self._call("other", "write", self.kite.modify_order, order.variety.value, order.order_id,
                                  **mapping.modify_params(changes), order_id=order.order_id,
                                  client_order_id=order.client_order_id)
        return OrderAck(order_id=str(result or order.order_id), client_order_id=order.client_order_id)

    async def cancel_order(self, order: Order) -> OrderAck:
        result = await self._call("other", "write", self.kite.cancel_order, order.variety.value, order.order_id,
                                  order_id=order.order_id, client_order_id=order.client_order_id)
        return OrderAck(order_id=str(result or order.order_id), client_order_id=order.client_order_id)

    # -- trader operations (brokerplex.ops.contract) ----------------------------------------
    async def convert_position(self, position: Position, quantity: int, to: Product) -> None:
        """Kite's ``PUT /portfolio/positions``, for the part of the position that holds ``quantity``."""
        if to is position.product:
            raise InputError(f"{position.symbol} is already {to}")
        position_type, part = _conversion_part(position, quantity)
        exchange, _, tradingsymbol = position.symbol.partition(":")
        done = await self._call("other", "write", self.kite.convert_position, exchange, tradingsymbol,
                                "BUY" if part > 0 else "SELL", position_type, quantity, position.product.value,
                                to.value)
        if done is not True:
            raise kite_call("write", self.context.account).unreadable_reply(
                f"Kite's conversion reply is {str(done)[:40]!r}, not true")

    async def order_margins(self, requests: Sequence[OrderRequest]) -> list[Margin]:
        if not requests:
            return []
        raw = await self._call("other", "read", self.kite.order_margins,
                               [mapping.margin_params(request) for request in requests])
        if not isinstance(raw, list) or len(raw) != len(requests):
            raise ProtocolError(f"Kite's margins reply is not a list of {len(requests)}", broker=mapping.BROKER)
        return [mapping.margin_from_kite(request, item) for request, item in zip(requests, raw, strict=True)]

    async def basket_margins(self, requests: Sequence[OrderRequest]) -> BasketMargin:
        if not requests:
            raise InputError("a basket needs at least one order")
        raw = await self._call("other", "read", self.kite.basket_order_margins,
                               [mapping.margin_params(request) for request in requests], consider_positions=True)
        if not isinstance(raw, dict):
            raise ProtocolError("Kite's basket margins reply is not a map", broker=mapping.BROKER)
        return mapping.basket_margin_from_kite(requests, raw)

    async def gtts(self) -> list[Gtt]:
        """Every trigger, as Kite lists them (newest first)."""
        raw = await self._call("other", "read", self.kite.get_gtts)
        return [mapping.gtt_from_kite(row) for row in _rows(raw, "GTT triggers")]

    async def place_gtt(self, request: GttRequest) -> str:
        reply = await self._call("other", "write", self.kite.place_gtt, **mapping.gtt_params(request))
        trigger_id = reply.get("trigger_id") if isinstance(reply, dict) else None
        if isinstance(trigger_id, bool) or not isinstance(trigger_id, int | str) or not str(trigger_id):
            raise kite_call("write", self.context.account).unreadable_reply(
                f"Kite's GTT reply has no trigger id: {str(reply)[:60]!r}")
        return str(trigger_id)

    async def modify_gtt(self, gtt_id: str, request: GttRequest) -> None:
        await self._call("other", "write", self.kite.modify_gtt, _trigger_id(gtt_id), **mapping.gtt_params(request))

    async def delete_gtt(self, gtt_id: str) -> None:
        await self._call("other", "write", self.kite.delete_gtt, _trigger_id(gtt_id))

    # -- streaming -------------------------------------------------------------------
    async def stream(self) -> Stream:
        from brokerplex_zerodha.ticker import KiteTickerStream

        store = await self.instrument_store()

        async def fresh_token() -> str:
            return self._restore().access_token  # re-read: a new login (any process) replaces the token

        stream = KiteTickerStream(ws_root=self.settings.ws_root, api_key=self.settings.api_key,
                                  access_token=fresh_token, store=store, account=self.context.account,
                                  silence=self.settings.ticker_silence)
        stream.start()
        return stream


def _rows(raw: Any, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(row, dict) for row in raw):
        raise ProtocolError(f"Kite's {what} reply is not a list of objects", broker=mapping.BROKER)
    return raw


def _conversion_part(position: Position, quantity: int) -> tuple[str, int]:
    """Which of Kite's two parts of a position converts ``quantity``: the day's (bought or sold today) or the
    carried one (``overnight``), and its signed quantity; each converts on its own, with its own side."""
    day = position.quantity - position.overnight_quantity
    parts = [(name, held) for name, held in (("day", day), ("overnight", position.overnight_quantity)) if held]
    for name, held in parts:
        if 0 < quantity <= abs(held):
            return name, held
    if not parts:
        raise InputError(f"{position.symbol} {position.product} is flat: there is nothing to convert")
    if len(parts) == 1:
        raise InputError(f"convert between 1 and {abs(parts[0][1])} of {position.symbol} {position.product}, "
                         f"not {quantity}")
    raise InputError(f"{position.symbol} {position.product} holds {abs(day)} from today and "
                     f"{abs(position.overnight_quantity)} carried, which Kite converts apart: at most one of those, "
                     f"not {quantity}")


def _check_cover(request: OrderRequest) -> None:
    if request.variety is Variety.CO and request.trigger_price is None:
        raise InputError("a Kite cover order (variety co) needs its stop-loss as a trigger price "
                         "(--trigger) on a MARKET or LIMIT entry")


def _trigger_id(gtt_id: str) -> int:
    """Kite's trigger ids are numbers: anything else is refused before it is sent."""
    if not gtt_id.isascii() or not gtt_id.isdigit():
        raise InputError(f"{gtt_id!r} is not a Kite GTT trigger id (a number)")
    return int(gtt_id)


def _ist(moment: dt.datetime) -> dt.datetime:
    """A naive IST wall-clock datetime, which is what the client formats for Kite."""
    return moment.astimezone(IST).replace(tzinfo=None) if moment.tzinfo else moment


