"""Kite's GTT routes (``/gtt/triggers``) over the paper exchange's GTT book.

The form fields are Kite's: ``type`` (single or two-leg) and ``condition`` and ``orders`` as JSON
strings, read with exact decimals. Each order is checked as ``POST /orders/regular`` checks its form,
then the book checks the trigger as a whole. Triggers fire on the book's lazy look at every GTT call
and on this module's own loop (:meth:`GttRoutes.run`), after which order updates go out on the ticker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from brokerplex.errors import InvalidOrderError, SymbolError
from brokerplex.models import OrderRequest
from brokerplex_paper.gtt import Gtt, GttBook, GttLeg, GttNotFoundError, GttType
from brokerplex_zerodha.sim import mapping
from brokerplex_zerodha.sim.auth import Session
from brokerplex_zerodha.sim.envelope import UNKNOWN_INSTRUMENT, KiteError, input_error, invalid, success
from brokerplex_zerodha.sim.orders import parse_place, read_form
from brokerplex_zerodha.sim.state import SimState
from brokerplex_zerodha.sim.stream import TickerHub

log = logging.getLogger(__name__)

Json = dict[str, Any]
Api = Callable[..., Callable[[Request], Awaitable[Response]]]
#: How often the simulator looks for triggers the market has hit.
CHECK_SECONDS = 0.25
#: The app id Kite writes into a fired order's ``meta`` (ours: the simulator's).
APP_ID = 1
TRIGGER_NOT_FOUND = "Trigger not found."
ORDER_FIELDS = ("exchange", "tradingsymbol", "transaction_type", "quantity", "order_type", "product", "price")


def _json(form: dict[str, str], name: str) -> Any:
    raw = form.get(name, "").strip()
    if not raw:
        raise input_error(f"Missing `{name}`.")
    try:
        return json.loads(raw, parse_float=Decimal)
    except ValueError:
        raise invalid(name) from None


def _decimal(value: object, name: str) -> Decimal:
    # bool is an int: true is no price
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise invalid(name)
    number = Decimal(value)
    if not number.is_finite():
        raise invalid(name)
    return number


@contextlib.contextmanager
def _kite_errors() -> Iterator[None]:
    """The book's refusals in Kite's words (InputException, as Kite answers a bad trigger)."""
    try:
        yield
    except GttNotFoundError:
        raise KiteError(400, "InputException", TRIGGER_NOT_FOUND) from None
    except SymbolError:
        raise input_error(UNKNOWN_INSTRUMENT) from None
    except InvalidOrderError as error:
        text = error.message
        raise input_error(f"{text[:1].upper()}{text[1:]}.") from None


class GttRoutes:
    """``/gtt/triggers`` over one :class:`SimState`; fired orders are announced on ``hub``."""

    def __init__(self, state: SimState, hub: TickerHub) -> None:
        self.state, self.hub = state, hub
        self.book = GttBook(state.exchange, clock=state.now)

    def routes(self, api: Api) -> list[BaseRoute]:
        return [
            Route("/gtt/triggers", api(self.list_triggers), methods=["GET"]),
            Route("/gtt/triggers", api(self.place), methods=["POST"]),
            Route("/gtt/triggers/{trigger_id}", api(self.get), methods=["GET"]),
            Route("/gtt/triggers/{trigger_id}", api(self.modify), methods=["PUT"]),
            Route("/gtt/triggers/{trigger_id}", api(self.delete), methods=["DELETE"]),
        ]

    async def run(self) -> None:
        """Fire what the market hits, as the market moves (the book also looks whenever it is used)."""
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                if self.book.check():
                    await self.hub.publish_orders()
            except Exception:  # a bad look must not end the loop
                log.exception("GTT check failed")

    # -- routes --------------------------------------------------------------------------------------
    async def list_triggers(self, _request: Request, session: Session) -> Response:
        triggers = self.book.triggers(session.user_id)
        await self.hub.publish_orders()
        return success([self._trigger(trigger) for trigger in triggers])

    async def get(self, request: Request, session: Session) -> Response:
        with _kite_errors():
            trigger = self.book.get(session.user_id, _trigger_id(request))
        await self.hub.publish_orders()
        return success(self._trigger(trigger))

    async def place(self, request: Request, session: Session) -> Response:
        kind, symbol, values, last_price, legs = self._parse(await read_form(request))
        self.hub.prime(session.user_id)  # a fired order is news on the ticker
        with _kite_errors():
            trigger = self.book.place(session.user_id, kind, symbol, values, legs, last_price=last_price)
        await self.hub.publish_orders()
        return success({"trigger_id": trigger.id})

    async def modify(self, request: Request, session: Session) -> Response:
        trigger_id = _trigger_id(request)
        kind, symbol, values, last_price, legs = self._parse(await read_form(request))
        with _kite_errors():
            trigger = self.book.modify(session.user_id, trigger_id, kind, symbol, values, legs, last_price=last_price)
        await self.hub.publish_orders()
        return success({"trigger_id": trigger.id})

    async def delete(self, request: Request, session: Session) -> Response:
        with _kite_errors():
            trigger = self.book.delete(session.user_id, _trigger_id(request))
        await self.hub.publish_orders()
        return success({"trigger_id": trigger.id})

    # -- Kite's shapes -------------------------------------------------------------------------------
    def _parse(self, form: dict[str, str]) -> tuple[GttType, str, list[Decimal], Decimal, list[OrderRequest]]:
        """The trigger a place or modify form asks for, each field checked as Kite checks it."""
        kind_text = form.get("type", "").strip()
        if not kind_text:
            raise input_error("Missing `type`.")
        if kind_text not in {kind.value for kind in GttType}:
            raise invalid("type")
        kind = GttType(kind_text)
        condition = _json(form, "condition")
        orders = _json(form, "orders")
        if not isinstance(condition, dict):
            raise invalid("condition")
        if not isinstance(orders, list) or not orders or not all(isinstance(order, dict) for order in orders):
            raise invalid("orders")
        for name in ("exchange", "tradingsymbol", "trigger_values", "last_price"):
            if name not in condition:
                raise input_error(f"Missing `{name}` in `condition`.")
        entry = self.state.catalog().find(f"{condition['exchange']}:{condition['tradingsymbol']}")
        if entry is None:
            raise input_error(UNKNOWN_INSTRUMENT)
        values = condition["trigger_values"]
        if not isinstance(values, list):
            raise invalid("trigger_values")
        legs = []
        for order in orders:
            missing = [name for name in ORDER_FIELDS if order.get(name) is None]
            if missing:
                raise input_error(f"Missing `{missing[0]}` in `orders`.")
            placing = parse_place("regular", {name: str(order[name]) for name in ORDER_FIELDS}, self.state.catalog())
            legs.append(placing.request)
        return (kind, entry.key, [_decimal(value, "trigger_values") for value in values],
                _decimal(condition["last_price"], "last_price"), legs)

    def _trigger(self, trigger: Gtt) -> Json:
        entry = self.state.catalog().by_key[trigger.symbol]
        instrument = entry.instrument
        return {
            "id": trigger.id, "user_id": trigger.account, "parent_trigger": None, "type": trigger.type.value,
            "created_at": trigger.created_at.strftime(mapping.TIME_FORMAT),
            "updated_at": trigger.updated_at.strftime(mapping.TIME_FORMAT),
            "expires_at": trigger.expires_at.strftime(mapping.TIME_FORMAT),
            "status": trigger.status.value,
            "condition": {
                "exchange": instrument.exchange.value, "last_price": mapping.number(trigger.last_price),
                "tradingsymbol": instrument.tradingsymbol,
                "trigger_values": [mapping.number(value) for value in trigger.trigger_values],
                "instrument_token": entry.instrument_token,
            },
            "orders": [self._leg(trigger, leg) for leg in trigger.legs],
            "meta": {},
        }

    def _leg(self, trigger: Gtt, leg: GttLeg) -> Json:
        request = leg.request
        instrument = self.state.catalog().by_key[request.symbol].instrument
        order: Json = {
            "exchange": instrument.exchange.value, "tradingsymbol": instrument.tradingsymbol,
            "product": request.product.value if request.product else "", "order_type": request.order_type.value,
            "transaction_type": request.side.value, "quantity": request.quantity,
            "price": mapping.number(request.price),
        }
        result = leg.result
        if result is None:
            return {**order, "result": None}
        return {**order, "result": {
            "account_id": trigger.account, **order, "validity": request.validity.value,
            "meta": json.dumps({"app_id": APP_ID, "gtt": trigger.id}, separators=(",", ":")),
            "timestamp": result.at.strftime(mapping.TIME_FORMAT),
            "triggered_at": mapping.number(result.triggered_at),
            "order_result": {
                "status": "success" if result.order_id else "failed", "order_id": result.order_id or "",
                "rejection_reason": result.rejection or "",
            },
        }}


def _trigger_id(request: Request) -> int:
    text = request.path_params["trigger_id"]
    if not text.isdigit():
        raise KiteError(400, "InputException", TRIGGER_NOT_FOUND)
    return int(text)
