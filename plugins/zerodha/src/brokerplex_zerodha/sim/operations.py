"""Kite's routes for the operations around orders: converting a position, margins and charges before
placing, and slicing an order above the freeze quantity (``autoslice``).

Each acts on the paper exchange through its own operations (:mod:`brokerplex_paper.conversion`,
:mod:`brokerplex_paper.margins`), so the simulator asks exactly what placing would need. The paper
exchange charges nothing, so every ``charges`` object is zero, in Kite's shape.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from brokerplex.models import Product, Side
from brokerplex.ops.legs import slice_quantities
from brokerplex_paper.checks import Placement
from brokerplex_paper.conversion import convert_position
from brokerplex_paper.margins import BasketPreview, MarginPreview, basket_margins, order_margins
from brokerplex_zerodha.sim import mapping
from brokerplex_zerodha.sim.auth import Session
from brokerplex_zerodha.sim.catalog import SEGMENT_CODES, Entry
from brokerplex_zerodha.sim.envelope import UNKNOWN_INSTRUMENT, KiteError, input_error, invalid, success
from brokerplex_zerodha.sim.orders import Placing, parse_place, read_form, refusal
from brokerplex_zerodha.sim.state import SimState

Json = dict[str, Any]
Api = Callable[..., Callable[[Request], Awaitable[Response]]]
#: Places one checked order as ``POST /orders`` does (book-keeping, ticker), tagged with extra ``tags``.
Place = Callable[[str, Placing, Sequence[str]], Awaitable[Placement]]
CONVERTIBLE = ("CNC", "NRML", "MIS")


def zero_charges(tax_type: str = "stt") -> Json:
    return {"transaction_tax": 0.0, "transaction_tax_type": tax_type, "exchange_turnover_charge": 0.0,
            "sebi_turnover_charge": 0.0, "brokerage": 0.0, "stamp_duty": 0.0,
            "gst": {"igst": 0.0, "cgst": 0.0, "sgst": 0.0, "total": 0.0}, "total": 0.0}


def _tax_type(entry: Entry) -> str:
    return "ctt" if entry.instrument.exchange.value == "MCX" else "stt"


def _derivative(entry: Entry) -> bool:
    return entry.segment.endswith(("-FUT", "-OPT"))


def _component(entry: Entry, side: Side) -> str:
    """Where Kite reports an order's margin: a bought option's premium as ``option_premium``, other derivatives
    as ``span``, the cash market as ``var``."""
    if entry.segment.endswith("-OPT") and side is Side.BUY:
        return "option_premium"
    return "span" if _derivative(entry) else "var"


def margin_dict(total: Decimal, entry: Entry | None, *, derivative: bool, component: str | None = None) -> Json:
    """Kite's margin object: the paper requirement under ``component`` (by default SPAN on derivatives, VaR on
    the cash market)."""
    part = component or ("span" if derivative else "var")
    return {
        "type": "" if entry is None else "commodity" if entry.instrument.exchange.value == "MCX" else "equity",
        "tradingsymbol": "" if entry is None else entry.instrument.tradingsymbol,
        "exchange": "" if entry is None else entry.instrument.exchange.value,
        **{name: mapping.number(total) if name == part else 0.0
           for name in ("span", "exposure", "option_premium", "additional", "bo", "cash", "var")},
        "pnl": {"realised": 0.0, "unrealised": 0.0}, "leverage": 0.0 if entry is None else 1.0,
        "charges": zero_charges(_tax_type(entry) if entry else ""), "total": mapping.number(total),
    }


async def _json_list(request: Request) -> list[Json]:
    try:
        items = json.loads(await request.body())
    except ValueError:
        raise input_error("Invalid JSON body.") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise input_error("Invalid JSON body: expected a list of orders.")
    return items


def _form_value(form: dict[str, str], name: str, choices: tuple[str, ...] | None = None) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise input_error(f"Missing `{name}`.")
    if choices is not None and value not in choices:
        raise invalid(name)
    return value


class OperationRoutes:
    """The routes over one :class:`SimState`; ``place`` is the app's own order placement."""

    def __init__(self, state: SimState, place: Place) -> None:
        self.state, self._place = state, place
        self._parents = itertools.count(1)

    def routes(self, api: Api) -> list[BaseRoute]:
        return [
            Route("/portfolio/positions", api(self.convert_position), methods=["PUT"]),
            Route("/margins/orders", api(self.order_margins), methods=["POST"]),
            Route("/margins/basket", api(self.basket_margins), methods=["POST"]),
            Route("/charges/orders", api(self.charges), methods=["POST"]),
        ]

    # -- PUT /portfolio/positions ---------------------------------------------------------------
    async def convert_position(self, request: Request, session: Session) -> Response:
        values = await read_form(request)
        exchange = _form_value(values, "exchange", tuple(SEGMENT_CODES))
        tradingsymbol = _form_value(values, "tradingsymbol")
        side = _form_value(values, "transaction_type", ("BUY", "SELL"))
        position_type = _form_value(values, "position_type", ("day", "overnight"))
        try:
            quantity = int(_form_value(values, "quantity"))
        except ValueError:
            raise invalid("quantity") from None
        if quantity <= 0:
            raise invalid("quantity")
        old, new = (_form_value(values, name, CONVERTIBLE) for name in ("old_product", "new_product"))
        entry = self.state.catalog().find(f"{exchange}:{tradingsymbol}")
        if entry is None:
            raise input_error(UNKNOWN_INSTRUMENT)
        convert_position(self.state.exchange, session.user_id, entry.key, Side(side), quantity, Product(old),
                         Product(new), position_type="day" if position_type == "day" else "overnight")
        return success(True)

    # -- POST /margins/orders, /margins/basket, /charges/orders ------------------------------------
    def _requests(self, items: list[Json]) -> list[tuple[Placing, Entry]]:
        """Margin request items as orders; a price Kite ignores for the order type is dropped."""
        checked = []
        for item in items:
            form = {key: str(value) for key, value in item.items() if value is not None}
            form.setdefault("order_type", "MARKET")
            if form["order_type"] in ("MARKET", "SL-M"):
                form.pop("price", None)
            placing = parse_place(form.get("variety", "regular"), form, self.state.catalog())
            checked.append((placing, self.state.catalog().by_key[placing.request.symbol]))
        return checked

    def _leg(self, preview: MarginPreview, entry: Entry) -> Json:
        return margin_dict(preview.margin, entry, derivative=_derivative(entry),
                           component=_component(entry, preview.request.side))

    async def order_margins(self, request: Request, session: Session) -> Response:
        """What each order would block on its own, given the account's positions."""
        checked = self._requests(await _json_list(request))
        previews = order_margins(self.state.exchange, session.user_id, [p.request for p, _ in checked])
        return success([self._leg(preview, entry) for preview, (_, entry) in zip(previews, checked, strict=True)])

    async def basket_margins(self, request: Request, session: Session) -> Response:
        """The basket's legs, their sum (``initial``) and what they block together (``final``)."""
        consider = request.query_params.get("consider_positions", "true").lower() != "false"
        checked = self._requests(await _json_list(request))
        basket: BasketPreview = basket_margins(self.state.exchange, session.user_id,
                                               [p.request for p, _ in checked], consider_positions=consider)
        derivative = any(_derivative(entry) for _, entry in checked)
        legs = [self._leg(preview, entry) for preview, (_, entry) in zip(basket.orders, checked, strict=True)]
        return success({
            "initial": margin_dict(basket.initial, None, derivative=derivative),
            "final": margin_dict(basket.final, None, derivative=derivative),
            "orders": legs, "charges": zero_charges(""),
        })

    async def charges(self, request: Request, _session: Session) -> Response:
        """The contract note of executed orders: the order as sent, and what it was charged (nothing)."""
        rows = []
        for item in await _json_list(request):
            form = {key: str(value) for key, value in item.items() if value is not None}
            for name in ("exchange", "tradingsymbol", "transaction_type", "quantity", "average_price"):
                _form_value(form, name)
            entry = self.state.catalog().find(f"{form['exchange']}:{form['tradingsymbol']}")
            if entry is None:
                raise input_error(UNKNOWN_INSTRUMENT)
            rows.append({
                "transaction_type": form["transaction_type"], "tradingsymbol": form["tradingsymbol"],
                "exchange": form["exchange"], "variety": form.get("variety", "regular"),
                "product": form.get("product", ""), "order_type": form.get("order_type", ""),
                "quantity": item["quantity"], "price": item["average_price"], "charges": zero_charges(_tax_type(entry)),
            })
        return success(rows)

    # -- POST /orders/{variety} with autoslice=true -------------------------------------------------
    async def autoslice(self, user_id: str, placing: Placing) -> Json:
        """Children of at most the freeze quantity, each its own order tagged with the parent's id; a
        refused child is an error object in its place and the rest are still placed, as Kite does."""
        request = placing.request
        if placing.meta:
            raise input_error("Autoslice is not available for iceberg orders.")
        instrument = self.state.catalog().by_key[request.symbol].instrument
        if request.quantity % instrument.lot_size:
            raise refusal("rules", f"quantity {request.quantity} is not a multiple of the lot size "
                                   f"{instrument.lot_size} of {instrument.symbol}")
        parent = f"{self.state.now():%y%m%d}9{next(self._parents):08d}"  # never one of the exchange's ids
        children: list[Json] = []
        for size in slice_quantities(request.quantity, instrument.freeze_quantity, instrument.lot_size):
            child = replace(placing, request=request.model_copy(update={"quantity": size}))
            placement = await self._place(user_id, child, ("autoslice", f"autoslice:{parent}"))
            if placement.reject is None:
                children.append({"order_id": placement.order.order_id})
            else:
                error = refusal(placement.reject.value, placement.order.status_message or "rejected")
                children.append({"error": _error_object(error)})
        return {"order_id": parent, "children": children}


def _error_object(error: KiteError) -> Json:
    return {"code": error.status, "error_type": error.error_type, "message": error.message, "data": None}
