"""The investor (XTS Client) adapter: the unified Broker interface over one XTS login.

Session: ``login`` logs in to both APIs and stores the tokens with their IST day in
the account's private session file; ``connect`` restores them without a request.
XTS tokens are day-scoped, so a session from an earlier day is expired here, before
any request is made with it.

Extension points for dealer logins (``brokerplex-xts-pro``): :attr:`client_code`
(every interactive call goes through :meth:`XtsClientBroker.interactive`, which sends
it as ``clientID``), :meth:`accept_login` (which kind of login this broker accepts),
:meth:`records` (how a book is read; dealers read ``dealerorderbook`` …) and
:meth:`record_client` (whose an event's record is).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from brokerplex import wire
from brokerplex.broker import AccountContext, Broker, BrokerSettings, LoginIO
from brokerplex.errors import (
    AuthenticationError,
    InputError,
    OrderNotFoundError,
    ProtocolError,
    TokenExpiredError,
)
from brokerplex.formats import IST
from brokerplex.instruments import DailyCache, DailyStore
from brokerplex.models import (
    Exchange,
    Funds,
    Holding,
    Instrument,
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
from brokerplex.ops.models import BasketMargin, Candle, Interval, Margin
from brokerplex.streaming import Stream
from brokerplex_xts_client import CAPABILITIES, linked, mapping, operations, quotes
from brokerplex_xts_client.http import XtsHttp
from brokerplex_xts_client.master import Store, build_store, index_rows, parse_master
from brokerplex_xts_client.settings import XtsClientSettings

if TYPE_CHECKING:
    from brokerplex_xts_client.streaming import Api, XtsStream

log = logging.getLogger("brokerplex.xts")

MASTER_SEGMENTS = ("NSECM", "NSEFO", "NSECD", "BSECM", "BSEFO", "MCXFO")
INDEX_SEGMENTS = ("NSECM", "BSECM")


def session_day() -> str:
    """XTS sessions end with the IST day."""
    return dt.datetime.now(IST).date().isoformat()


def session_end(day: str) -> dt.datetime | None:
    """When the session of ``day`` (a :func:`session_day`) ends: the next IST midnight; None if unreadable."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(), tzinfo=IST)
    except ValueError:
        return None


class XtsClientBroker(Broker):
    settings_model = XtsClientSettings
    settings: XtsClientSettings
    #: Book routes under /interactive (dealers read the dealer books, falling back to these).
    routes: ClassVar[Mapping[str, str]] = {
        "orders": "/orders", "trades": "/orders/trades", "positions": "/portfolio/positions",
    }
    candle_ranges: ClassVar[Mapping[Interval, dt.timedelta]] = operations.CANDLE_RANGES

    def __init__(self, context: AccountContext, settings: BrokerSettings) -> None:
        assert isinstance(settings, XtsClientSettings)
        super().__init__(context, settings)
        self.http = XtsHttp(settings, account=context.account, broker=context.broker)
        self.login_clients: list[str] = []  # clientCodes of the login result
        cache = DailyCache(context.cache_dir, "master-" + settings.host.replace(":", "_"))
        self._instruments = DailyStore(cache, self._download_master,
                                       lambda data: build_store(parse_master(data.decode())))
        self._streams: list[XtsStream] = []  # open streams of this login, shared with its client copies

    async def interactive(self, method: str, path: str, **kwargs: Any) -> Any:
        """An Interactive API call for the account this instance acts for (a dealer's client)."""
        return await self.http.interactive(method, path, client=self.client_code, **kwargs)

    def record_client(self, record: Mapping[str, Any]) -> str | None:
        """The client code of a streamed record: none for an investor, whose records are all its own."""
        return None

    # -- session -----------------------------------------------------------------------------------
    async def connect(self) -> None:
        saved = self.context.session.load()
        account = self.context.account
        if not saved.get("interactive_token") or not saved.get("marketdata_token"):
            raise AuthenticationError(f"account {account!r} is not logged in; run `brokerplex login {account}`",
                                      broker=self.context.broker)
        if saved.get("day") != session_day() or saved.get("root") != self.settings.base_url:
            raise TokenExpiredError(f"the XTS session of account {account!r} is from {saved.get('day')} and has "
                                    f"expired; run `brokerplex login {account}`", broker=self.context.broker)
        self._restore(saved)

    def session_state(self) -> SessionState:
        saved = self.context.session.load()
        if not saved.get("interactive_token") or not saved.get("marketdata_token"):
            return SessionState(state="none")
        live = saved.get("day") == session_day() and saved.get("root") == self.settings.base_url  # as connect()
        return SessionState(state="live" if live else "expired", expires_at=session_end(str(saved.get("day"))))

    def _restore(self, saved: Mapping[str, Any]) -> None:
        self.http.interactive_token = saved["interactive_token"]
        self.http.marketdata_token = saved["marketdata_token"]
        self.http.user_id = saved.get("user_id")
        self.http.marketdata_user_id = saved.get("marketdata_user_id") or saved.get("user_id")
        self.login_clients = list(saved.get("client_codes") or [])

    async def login(self, params: Mapping[str, str], io: LoginIO) -> Profile:
        try:
            return await self._login()
        except BaseException:
            await self.http.close()  # a refused login leaves no connection behind
            raise

    async def _login(self) -> Profile:
        interactive = await self.http.login_interactive()
        self.http.interactive_token = interactive["token"]
        try:
            self.accept_login(interactive)
        except (AuthenticationError, InputError):
            await self.http.logout()  # do not leave a session we will not use
            self.http.interactive_token = None
            raise
        marketdata = await self.http.login_marketdata()
        session = {
            "day": session_day(), "root": self.settings.base_url,
            "interactive_token": interactive["token"], "marketdata_token": marketdata["token"],
            "user_id": wire.text(interactive.get("userID"), "userID", ""),
            "marketdata_user_id": wire.text(marketdata.get("userID"), "userID", ""),
            "client_codes": [str(code) for code in interactive.get("clientCodes") or []],
        }
        self.context.session.save(session)
        self._restore(session)
        return await self.profile()

    # -- the session a stream renews (streaming.LoginSession) ----------------------------------------
    def stored_tokens(self) -> object:
        saved = self.context.session.load()
        return saved.get("interactive_token"), saved.get("marketdata_token")

    async def renew(self, api: Api) -> None:
        """Log in to ``api`` again and store the token, so the next process uses it too."""
        if api == "marketdata":
            result = await self.http.login_marketdata()
            self.http.marketdata_token = result["token"]
        else:
            result = await self.http.login_interactive()
            self.accept_login(result)
            self.http.interactive_token = result["token"]
        saved = self.context.session.load()
        saved[f"{api}_token"] = result["token"]
        saved["day"] = session_day()
        self.context.session.save(saved)

    def accept_login(self, result: Mapping[str, Any]) -> None:
        """Accept investor logins only: a dealer (PRO) login trades for others and needs ``clientID``."""
        if result.get("isInvestorClient") is not True:
            raise AuthenticationError(
                f"these are dealer (PRO) credentials (XTS says isInvestorClient={result.get('isInvestorClient')}); "
                f"xts_client is for investor logins: activate the account with the xts_pro broker instead "
                f"(brokerplex activate xts_pro {self.context.account} …)", broker=self.context.broker)

    async def close(self) -> None:
        for stream in list(self._streams):
            await stream.close()
        await self.http.close()

    # -- reference data ----------------------------------------------------------------------------
    async def store(self) -> Store:
        """The day's instruments, from the cache folder or downloaded once (again on a new trading day)."""
        return await self._instruments.get()

    async def _download_master(self) -> bytes:
        text = await self.http.marketdata("POST", "/instruments/master", bucket="master",
                                          body={"exchangeSegmentList": list(MASTER_SEGMENTS)})
        if not isinstance(text, str):
            raise ProtocolError("XTS answered the instrument master with something other than text",
                                broker=self.context.broker)
        lines = [text.rstrip("\n")]
        for segment in INDEX_SEGMENTS:  # masters leave indices out; their ids come from the index list
            listed = await self.http.marketdata("GET", "/instruments/indexlist", empty={},
                                                params={"exchangeSegment": mapping.SEGMENT_IDS[segment]})
            names = listed.get("indexList") if isinstance(listed, Mapping) else None
            lines += [row[3] for row in index_rows(segment, names if isinstance(names, list) else [])]
        return "\n".join(line for line in lines if line).encode()

    async def instruments(self) -> Sequence[Instrument]:
        return (await self.store()).instruments()

    async def instrument(self, symbol: str) -> Instrument | None:
        return (await self.store()).instrument(symbol)

    async def _resolver(self) -> Callable[[int, int], str | None]:
        store = await self.store()
        return lambda segment, ident: store.symbol((segment, ident))

    # -- reads -------------------------------------------------------------------------------------
    async def profile(self) -> Profile:
        result = await self.interactive("GET", "/user/profile")
        record = result if isinstance(result, Mapping) else {}
        with wire.reading(self.context.broker, "profile", result):
            segments = record.get("ClientExchangeDetailsList")
            exchanges = sorted({Exchange(mapping.SEGMENT_EXCHANGES[name]) for name in segments
                                if name in mapping.SEGMENT_EXCHANGES}) if isinstance(segments, Mapping) else []
            return Profile(
                user_id=wire.text(record.get("ClientId"), "ClientId", None) or self.http.user_id
                or self.context.account,
                name=wire.text(record.get("ClientName"), "ClientName", ""),
                email=wire.text(record.get("EmailId"), "EmailId", None),
                broker=self.context.broker, exchanges=exchanges, products=list(Product),
            )

    async def records(self, route: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The records of one book (``orders``, ``trades``, ``positions``)."""
        return self._listed(route, await self.interactive("GET", self.routes[route], params=params, empty=[]))

    def _listed(self, route: str, result: Any) -> list[dict[str, Any]]:
        if isinstance(result, Mapping) and route == "positions":
            result = result.get("positionList")  # missing is unreadable, not "no positions"
        if not isinstance(result, list) or not all(isinstance(item, dict) for item in result):
            raise ProtocolError(f"XTS answered the {route} book with something other than a list of records",
                                broker=self.context.broker)
        return result

    async def orders(self) -> list[Order]:
        resolve = await self._resolver()
        return [mapping.order(r, mapping.record_symbol(resolve, r.get("ExchangeSegment"),
                                                       r.get("ExchangeInstrumentID"), r), self.client_code)
                for r in await self.records("orders")]

    async def order_history(self, order_id: str) -> list[Order]:
        resolve = await self._resolver()
        return [mapping.order(r, mapping.record_symbol(resolve, r.get("ExchangeSegment"),
                                                       r.get("ExchangeInstrumentID"), r), self.client_code)
                for r in await self._history(order_id)]

    async def _history(self, order_id: str) -> list[dict[str, Any]]:
        """The order's states, oldest first (``GET /orders?appOrderID=``); OrderNotFoundError if none."""
        records = await self.interactive("GET", "/orders", params={"appOrderID": _order_number(order_id)},
                                         empty=[], order_id=order_id)
        if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
            raise ProtocolError("XTS answered an order history with something other than a list",
                                broker=self.context.broker)
        if not records:
            raise OrderNotFoundError(f"no order {order_id} at XTS", broker=self.context.broker, order_id=order_id)
        return records

    async def trades(self) -> list[Trade]:
        resolve = await self._resolver()
        return [mapping.trade(r, mapping.record_symbol(resolve, r.get("ExchangeSegment"),
                                                       r.get("ExchangeInstrumentID"), r), self.client_code)
                for r in await self.records("trades")]

    async def positions(self) -> list[Position]:
        """Net positions (overnight and today's)."""
        return await self._positions("NetWise")

    async def day_positions(self) -> list[Position]:
        """Today's positions only."""
        return await self._positions("DayWise")

    async def _positions(self, day_or_net: str) -> list[Position]:
        resolve = await self._resolver()
        return [mapping.position(r, mapping.record_symbol(resolve, r.get("ExchangeSegment"),
                                                          wire.field(r, "ExchangeInstrumentId",
                                                                       "ExchangeInstrumentID"), r),
                                    self.client_code)
                for r in await self.records("positions", {"dayOrNet": day_or_net})]

    async def holdings(self) -> list[Holding]:
        resolve = await self._resolver()
        none: dict[str, Any] = {"RMSHoldingList": []}  # XTS's "Data Not Available": no holdings
        return mapping.holdings(await self.interactive("GET", "/portfolio/holdings", empty=none), resolve,
                                self.client_code)

    async def funds(self) -> Funds:
        return mapping.funds(await self.interactive("GET", "/user/balance"))

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        """Quotes with five-level depth (1502); what 1502 lacks (indices) comes from the touchline (1501).
        ``quote_batch`` instruments a request (CAPABILITIES)."""
        store = await self.store()
        keys = {store.key(symbol): symbol for symbol in symbols}  # SymbolError before any request
        found: dict[str, Quote] = {}
        for code in (1502, 1501):
            wanted = [key for key, symbol in keys.items() if symbol not in found]
            batch = CAPABILITIES.quote_batch
            for first in range(0, len(wanted), batch):
                await self._quote_batch(code, wanted[first:first + batch], keys, found)
        return found

    async def _quote_batch(self, code: int, wanted: list[tuple[int, int]], keys: Mapping[tuple[int, int], str],
                           found: dict[str, Quote]) -> None:
        result = await self.http.marketdata("POST", "/instruments/quotes", empty={}, body={
            "instruments": [{"exchangeSegment": seg, "exchangeInstrumentID": ident} for seg, ident in wanted],
            "xtsMessageCode": code, "publishFormat": "JSON"})
        for message in quotes.listed_quotes(result):
            key = (mapping.segment_id(message.get("ExchangeSegment")) or 0,
                   mapping.integer(message.get("ExchangeInstrumentID"), "ExchangeInstrumentID", 0))
            if (symbol := keys.get(key)) is not None:
                try:
                    found[symbol] = quotes.quote(message, symbol)
                except ProtocolError as exc:  # the other symbols' quotes still count
                    log.warning("left out the quote of %s: %s", symbol, exc)

    async def candles(self, symbol: str, interval: Interval, start: dt.datetime, end: dt.datetime) -> list[Candle]:
        return await operations.candles(self, symbol, interval, start, end)

    # -- orders ------------------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> OrderAck:
        if request.variety in (Variety.CO, Variety.BO):
            return await linked.place(self, request)
        segment, ident = (await self.store()).key(request.symbol)
        body = {
            "exchangeSegment": mapping.SEGMENT_NAMES[segment], "exchangeInstrumentID": ident,
            "productType": request.resolved_product.value, "orderType": mapping.XTS_ORDER_TYPES[request.order_type],
            "orderSide": request.side.value, "timeInForce": request.validity.value,
            "disclosedQuantity": request.disclosed_quantity, "orderQuantity": request.quantity,
            "limitPrice": float(request.price or 0), "stopPrice": float(request.trigger_price or 0),
            "orderUniqueIdentifier": request.client_order_id or "", "apiOrderSource": "",
        }
        result = await self.interactive("POST", "/orders", body=body, bucket="orders", writing=True,
                                        client_order_id=request.client_order_id)
        # XTS says only that it took the order: its status comes later, in the book and on the socket.
        return OrderAck(order_id=self.order_id_of(result), client_order_id=request.client_order_id)

    def order_id_of(self, result: Any) -> str:
        """The AppOrderID a write answered with; unreadable, the write's outcome is unknown."""
        found = wire.field(result, "AppOrderID", "appOrderID") if isinstance(result, Mapping) else None
        try:
            return str(mapping.order_number(found))
        except ProtocolError as exc:  # the order may stand: the manager settles this as an unknown outcome
            raise wire.unreadable(self.context.broker, "order acknowledgement", result, exc) from None

    async def modify_order(self, order: Order, changes: OrderModify) -> OrderAck:
        """XTS's modify restates every field: the order as the manager read it fills in what is unchanged. A
        bracket's resting entry changes through the bracket route."""
        if order.variety is Variety.BO and order.parent_order_id is None:
            return await linked.modify_bracket_entry(self, order, changes)
        body = mapping.modify_body(int(_order_number(order.order_id)), order, changes)
        await self.interactive("PUT", "/orders", body=body, bucket="orders", writing=True, order_id=order.order_id,
                               client_order_id=order.client_order_id)
        return OrderAck(order_id=order.order_id, client_order_id=order.client_order_id)  # confirmed later, by event

    async def cancel_order(self, order: Order) -> OrderAck:
        """A cover's stop leg exits the cover, and any order of a bracket cancels the bracket (their routes);
        anything else is cancelled alone."""
        if await linked.cancel(self, order):
            return OrderAck(order_id=order.order_id, client_order_id=order.client_order_id)
        await self.interactive("DELETE", "/orders", params={"appOrderID": _order_number(order.order_id)},
                               bucket="orders", writing=True, order_id=order.order_id,
                               client_order_id=order.client_order_id)
        return OrderAck(order_id=order.order_id, client_order_id=order.client_order_id)  # shows in the book, socket

    # -- trader operations (brokerplex_xts_client.operations) ------------------------------------------
    async def square_off(self, position: Position) -> OrderAck:
        return await operations.square_off(self, position)

    async def cancel_all(self, symbol: str) -> None:
        await operations.cancel_all(self, symbol)

    async def convert_position(self, position: Position, quantity: int, to: Product) -> None:
        await operations.convert_position(self, position, quantity, to)

    async def order_margins(self, requests: Sequence[OrderRequest]) -> list[Margin]:
        return await operations.order_margins(self, requests)

    async def basket_margins(self, requests: Sequence[OrderRequest]) -> BasketMargin:
        return await operations.basket_margins(self, requests)

    # -- streaming ---------------------------------------------------------------------------------
    async def stream(self) -> Stream:
        from brokerplex_xts_client.streaming import XtsStream

        stream = XtsStream(self.http, self, await self.store(), peers=self._streams, record_client=self.record_client)
        await stream.start()
        return stream


def _order_number(order_id: str) -> str:
    """XTS order ids are numbers: refuse anything else before a request."""
    text = str(order_id).strip()
    if not text.isdigit() or len(text) > 18:
        raise InputError(f"{order_id!r} is not an XTS order id (AppOrderID is a number)")
    return text
