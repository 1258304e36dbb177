"""The Kite Connect REST API, login page and ticker route as one Starlette app.

Every route sits at the root path (the official client drops any path in its root URL).
Handlers check the session, then the rate limit, then the input, then act on the paper
exchange; every failure leaves as Kite's error envelope.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gzip
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from brokerplex.errors import InsufficientFundsError, InsufficientHoldingsError, InvalidOrderError, OrderNotFoundError
from brokerplex.formats import IST
from brokerplex_paper.checks import Placement
from brokerplex_zerodha.sim import candles, mapping
from brokerplex_zerodha.sim.auth import Session
from brokerplex_zerodha.sim.envelope import (
    ORDER_NOT_FOUND,
    TOO_MANY_REQUESTS,
    KiteError,
    failure,
    input_error,
    invalid,
    success,
)
from brokerplex_zerodha.sim.gtt import GttRoutes
from brokerplex_zerodha.sim.operations import OperationRoutes
from brokerplex_zerodha.sim.orders import MAX_MODIFICATIONS, Placing, parse_modify, parse_place, read_form, refusal
from brokerplex_zerodha.sim.state import SimState
from brokerplex_zerodha.sim.stream import TickerHub

log = logging.getLogger(__name__)

Handler = Callable[[Request, Session], Awaitable[Response]]
EXCHANGES = ["NSE", "NFO", "BFO", "CDS", "BSE", "MCX", "BCD"]
PRODUCTS = ["CNC", "NRML", "MIS", "CO"]
ORDER_TYPES = ["MARKET", "LIMIT", "SL", "SL-M"]
QUOTE_LIMITS = {"full": 500, "ohlc": 1000, "ltp": 1000}


def _profile(user_id: str) -> dict[str, Any]:
    return {
        "user_id": user_id, "user_type": "individual", "email": f"{user_id.lower()}@sim.invalid",
        "user_name": "Kite Simulator", "user_shortname": "Simulator", "broker": "ZERODHA", "exchanges": EXCHANGES,
        "products": PRODUCTS, "order_types": ORDER_TYPES, "avatar_url": None, "meta": {"demat_consent": "physical"},
    }


class KiteApp:
    """Routes over one :class:`SimState`; ``hub`` is the ticker."""

    def __init__(self, state: SimState, ticks_per_second: float = 2.0) -> None:
        self.state = state
        self.hub = TickerHub(state, ticks_per_second)
        self.operations = OperationRoutes(state, self.place)
        self.gtt = GttRoutes(state, self.hub)

    # -- plumbing -------------------------------------------------------------------------------
    def starlette(self) -> Starlette:
        return Starlette(routes=self._routes(), lifespan=self._lifespan,
                         exception_handlers={HTTPException: self._http_error})

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(self.hub.run()), asyncio.create_task(self.gtt.run())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _http_error(self, _request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = "Route not found" if status == 404 else "Method not allowed" if status == 405 else str(exc)
        return failure(KiteError(status, "GeneralException", message))

    def _api(self, handler: Handler, kind: str = "other") -> Callable[[Request], Awaitable[Response]]:
        """An authenticated, rate-limited endpoint answering Kite envelopes."""

        async def endpoint(request: Request) -> Response:
            try:
                session = self.state.sessions.from_header(request.headers.get("authorization"))
                self._limit(session.api_key, kind)
                return await handler(request, session)
            except KiteError as error:
                return failure(error)
            except OrderNotFoundError:
                return failure(KiteError(400, "OrderException", ORDER_NOT_FOUND))
            except InsufficientFundsError as error:
                return failure(refusal("funds", error.message))
            except InsufficientHoldingsError as error:
                return failure(refusal("holdings", error.message))
            except InvalidOrderError as error:
                return failure(refusal("rules", error.message))
            except Exception:
                log.exception("simulator error on %s %s", request.method, request.url.path)
                return failure(KiteError(500, "GeneralException", "Something went wrong. Please try again."))

        return endpoint

    def _limit(self, api_key: str, kind: str) -> None:
        """Count one ``kind`` request of ``api_key``, or refuse it as Kite does (429)."""
        if self.state.limits.check(api_key, kind):
            raise KiteError(429, "NetworkException", TOO_MANY_REQUESTS)

    def _routes(self) -> list[BaseRoute]:
        api = self._api
        return [
            Route("/connect/login", self.login_page, methods=["GET"]),
            Route("/session/token", self.create_session, methods=["POST"]),
            Route("/session/token", api(self.delete_session), methods=["DELETE"]),
            Route("/user/profile", api(self.profile), methods=["GET"]),
            Route("/user/margins", api(self.margins), methods=["GET"]),
            Route("/user/margins/{segment}", api(self.margins), methods=["GET"]),
            Route("/orders", api(self.orders), methods=["GET"]),
            Route("/orders/{order_id}", api(self.order_history), methods=["GET"]),
            Route("/orders/{variety}", api(self.place_order, "orders"), methods=["POST"]),
            Route("/orders/{order_id}/trades", api(self.order_trades), methods=["GET"]),
            Route("/orders/{variety}/{order_id}", api(self.modify_order), methods=["PUT"]),
            Route("/orders/{variety}/{order_id}", api(self.cancel_order), methods=["DELETE"]),
            Route("/trades", api(self.trades), methods=["GET"]),
            Route("/portfolio/positions", api(self.positions), methods=["GET"]),
            Route("/portfolio/holdings", api(self.holdings), methods=["GET"]),
            Route("/instruments", api(self.instruments), methods=["GET"]),
            Route("/instruments/{exchange}", api(self.instruments), methods=["GET"]),
            Route("/instruments/historical/{token}/{interval}", api(self.historical, "historical"), methods=["GET"]),
            Route("/quote", api(self.quote, "quote"), methods=["GET"]),
            Route("/quote/ohlc", api(self.quote, "quote"), methods=["GET"]),
            Route("/quote/ltp", api(self.quote, "quote"), methods=["GET"]),
            *self.operations.routes(api),
            *self.gtt.routes(api),
            WebSocketRoute("/", self.hub.serve),
            WebSocketRoute("/ws", self.hub.serve),
        ]

    # -- login and session ---------------------------------------------------------------------
    async def login_page(self, request: Request) -> Response:
        """Kite's login page for an already signed-in user: straight back to the app."""
        sessions = self.state.sessions
        if request.query_params.get("api_key") != sessions.api_key:
            return HTMLResponse("<html><body><h1>Invalid `api_key`.</h1></body></html>", status_code=400)
        query = {"request_token": sessions.issue_request_token(), "action": "login", "type": "login",
                 "status": "success"}
        if "redirect_params" in request.query_params:
            query["redirect_params"] = request.query_params["redirect_params"]
        url = self.state.redirect_url
        return RedirectResponse(url + ("&" if "?" in url else "?") + urlencode(query), status_code=302)

    async def create_session(self, request: Request) -> Response:
        form = await read_form(request)
        try:
            for name in ("api_key", "request_token", "checksum"):
                if not form.get(name):
                    raise input_error(f"Missing `{name}`.")
            self._limit(form["api_key"], "other")
            session = self.state.sessions.exchange(form["api_key"], form["request_token"], form["checksum"],
                                                   self.state.now())
        except KiteError as error:
            return failure(error)
        self.state.exchange.ensure_account(session.user_id)
        return success({
            **_profile(session.user_id), "api_key": session.api_key, "access_token": session.access_token,
            "public_token": session.public_token, "enctoken": session.enctoken, "refresh_token": "", "silo": "",
            "login_time": session.login_time.strftime(mapping.TIME_FORMAT),
        })

    async def delete_session(self, request: Request, session: Session) -> Response:
        """Logout (``access_token=``); a refresh-token invalidation has nothing to end here."""
        params = request.query_params
        if "access_token" in params or "refresh_token" not in params:
            self.state.sessions.logout(params.get("access_token") or session.access_token)
        return success(True)

    async def profile(self, _request: Request, session: Session) -> Response:
        return success(_profile(session.user_id))

    async def margins(self, request: Request, session: Session) -> Response:
        funds = self.state.exchange.funds(session.user_id)
        # One paper account backs every segment; its money shows under equity.
        segments = {"equity": mapping.margin_segment(funds), "commodity": mapping.margin_segment(None)}
        segment = request.path_params.get("segment")
        if segment is None:
            return success(segments)
        if segment not in segments:
            raise invalid("segment")
        return success(segments[segment])

    # -- orders ----------------------------------------------------------------------------------
    def _visible(self, user_id: str) -> list[Any]:
        # Orders refused at placement never reach Kite's order book (they were answered with
        # an error and announced on the ticker).
        return [o for o in self.state.exchange.orders(user_id) if o.status.value != "REJECTED"]

    async def orders(self, _request: Request, session: Session) -> Response:
        view = self.state.view(session.user_id)
        return success([view.order(order) for order in self._visible(session.user_id)])

    async def order_history(self, request: Request, session: Session) -> Response:
        order_id = request.path_params["order_id"]
        self._check_visible(session.user_id, order_id)
        snapshots = self.state.exchange.order_history(session.user_id, order_id)
        return success(self.state.view(session.user_id).history(snapshots))

    async def order_trades(self, request: Request, session: Session) -> Response:
        order_id = request.path_params["order_id"]
        self._check_visible(session.user_id, order_id)
        view = self.state.view(session.user_id)
        return success([view.trade(t) for t in self.state.exchange.trades(session.user_id) if t.order_id == order_id])

    async def trades(self, _request: Request, session: Session) -> Response:
        view = self.state.view(session.user_id)
        return success([view.trade(trade) for trade in self.state.exchange.trades(session.user_id)])

    async def place_order(self, request: Request, session: Session) -> Response:
        form = await read_form(request)
        placing = parse_place(request.path_params["variety"], form, self.state.catalog())
        if form.get("autoslice") == "true":
            return success(await self.operations.autoslice(session.user_id, placing))
        placement = await self.place(session.user_id, placing)
        if placement.reject is not None:
            raise refusal(placement.reject.value, placement.order.status_message or "rejected")
        return success({"order_id": placement.order.order_id})

    async def place(self, user_id: str, placing: Placing, tags: Sequence[str] = ()) -> Placement:
        """Place one checked order, keep what only Kite shows (tag, product, meta, extra ``tags``), and
        announce it on the ticker."""
        self.hub.prime(user_id)
        placement = self.state.exchange.place(user_id, placing.request)
        order = placement.order
        view = self.state.view(user_id)
        if placing.tag and placing.tag != order.client_order_id:
            view.tags[order.order_id] = placing.tag
        if placing.product != order.product.value:
            view.products[order.order_id] = placing.product
        if placing.meta:
            view.meta[order.order_id] = placing.meta
        if tags:
            view.extra_tags[order.order_id] = list(tags)
        await self.hub.publish_orders()
        return placement

    async def modify_order(self, request: Request, session: Session) -> Response:
        order_id = request.path_params["order_id"]
        changes = parse_modify(await read_form(request))
        view = self.state.view(session.user_id)
        if view.modifications.get(order_id, 0) >= MAX_MODIFICATIONS:
            raise input_error("Maximum allowed order modifications exceeded.")
        self._check_visible(session.user_id, order_id)
        self.state.exchange.modify(session.user_id, order_id, changes)
        view.modifications[order_id] = view.modifications.get(order_id, 0) + 1
        await self.hub.publish_orders()
        return success({"order_id": order_id})

    async def cancel_order(self, request: Request, session: Session) -> Response:
        order_id = request.path_params["order_id"]
        self._check_visible(session.user_id, order_id)
        self.state.exchange.cancel(session.user_id, order_id)
        await self.hub.publish_orders()
        return success({"order_id": order_id})

    def _check_visible(self, user_id: str, order_id: str) -> None:
        """The order is in Kite's book (one refused at placement never entered it: see :meth:`_visible`)."""
        with contextlib.suppress(OrderNotFoundError):
            if self.state.exchange.order(user_id, order_id).status.value != "REJECTED":
                return
        raise KiteError(400, "OrderException", ORDER_NOT_FOUND)

    # -- portfolio -------------------------------------------------------------------------------
    async def positions(self, _request: Request, session: Session) -> Response:
        rows = self.state.exchange.positions(session.user_id)
        closes = self._closes([row.symbol for row in rows])
        return success(mapping.positions(self.state.catalog(), rows, closes))

    async def holdings(self, _request: Request, session: Session) -> Response:
        rows = self.state.exchange.holdings(session.user_id)
        closes = self._closes([row.symbol for row in rows])
        return success([mapping.holding(self.state.catalog(), row, closes.get(row.symbol)) for row in rows])

    def _closes(self, symbols: list[str]) -> dict[str, Decimal]:
        quotes = self.state.exchange.quotes(symbols) if symbols else {}
        return {symbol: quote.close for symbol, quote in quotes.items() if quote.close is not None}

    # -- market data -----------------------------------------------------------------------------
    async def instruments(self, request: Request, _session: Session) -> Response:
        exchange = request.path_params.get("exchange")
        if exchange is not None and exchange not in EXCHANGES:
            raise invalid("exchange")
        body = gzip.compress(self.state.catalog().csv(exchange), compresslevel=5)
        # Exactly text/csv, as Kite sends it: a media_type would get "; charset=utf-8" appended, and
        # official clients that compare the whole header would refuse the dump.
        return Response(body, headers={"Content-Type": "text/csv", "Content-Encoding": "gzip"})

    async def quote(self, request: Request, _session: Session) -> Response:
        kind = request.url.path.rpartition("/")[2]
        kind = kind if kind in QUOTE_LIMITS else "full"
        keys = request.query_params.getlist("i")
        if not keys:
            raise input_error("Missing `i`.")
        if len(keys) > QUOTE_LIMITS[kind]:
            raise input_error(f"Too many tokens requested. Max permitted is {QUOTE_LIMITS[kind]}.")
        catalog = self.state.catalog()
        found = {key: entry for key in keys if (entry := catalog.find(key)) is not None}
        quotes = self.state.exchange.quotes(sorted({entry.key for entry in found.values()}))
        data: dict[str, Any] = {}
        for key, entry in found.items():
            quote = quotes.get(entry.key)
            if quote is None:
                continue  # instruments without data are left out, never null
            token = entry.instrument_token
            if kind == "ltp":
                data[key] = {"instrument_token": token, "last_price": mapping.number(quote.last_price)}
            elif kind == "ohlc":
                data[key] = {"instrument_token": token, "last_price": mapping.number(quote.last_price),
                             "ohlc": mapping.ohlc(quote)}
            else:
                data[key] = mapping.full_quote(token, quote)
        return success(data)

    async def historical(self, request: Request, _session: Session) -> Response:
        token, interval = request.path_params["token"], request.path_params["interval"]
        if interval not in candles.INTERVALS:
            raise invalid("interval")
        entry = self.state.catalog().find(token) if token.isdigit() else None
        if entry is None:
            raise invalid("instrument_token")
        start, end = (_moment(request.query_params.get(name, ""), name) for name in ("from", "to"))
        if start > end:
            raise input_error("Invalid `from` date: it is after the `to` date.")
        if (end - start).days > candles.MAX_DAYS[interval]:
            raise input_error(f"Interval exceeds max limit: {candles.MAX_DAYS[interval]} days")
        rows = candles.candles(self.state.exchange, entry.listing, interval, start, end,
                               oi=request.query_params.get("oi") == "1")
        return success({"candles": rows})


def _moment(text: str, name: str) -> dt.datetime:
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(text.strip(), layout).replace(tzinfo=IST)
    raise input_error(f"Invalid `{name}` date.")
