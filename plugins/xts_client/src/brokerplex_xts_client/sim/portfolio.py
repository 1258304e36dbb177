"""Portfolio routes beyond the books: convert a position, square off everything, the margin calculator.

Each acts for the client the call names (``clientID`` by the rules of spec 5.4) on the paper exchange:
conversion is :func:`brokerplex_paper.conversion.convert_position`, margins are the exchange's own
margin check (:mod:`brokerplex_paper.margins`), square-off places market orders on the other side.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.responses import Response

from brokerplex.errors import BrokerplexError
from brokerplex.models import OrderRequest, OrderType, Product, Side
from brokerplex_paper.conversion import convert_position
from brokerplex_paper.margins import basket_margins
from brokerplex_xts_client.sim.accounts import PRO
from brokerplex_xts_client.sim.fields import (
    PRODUCTS,
    choice_field,
    decimal_field,
    integer_field,
    validation_messages,
)
from brokerplex_xts_client.sim.http import Call, Refusal, bad_request, success
from brokerplex_xts_client.sim.records import REQUEST_ORDER_TYPES, number

if TYPE_CHECKING:
    from brokerplex_paper.exchange import PaperExchange
    from brokerplex_xts_client.sim.interactive import Interactive

_SIDES = {"BUY": Side.BUY, "SELL": Side.SELL}


def net_quantity(exchange: PaperExchange, account: str, symbol: str, product: Product) -> int:
    """The account's net position in ``symbol`` and ``product`` (negative when short)."""
    return sum(position.quantity for position in exchange.positions(account)
               if position.symbol == symbol and position.product is product)


class Portfolio:
    """``PUT /portfolio/positions/convert``, ``PUT /portfolio/squareoffall``, ``POST /orders/margindetails``."""

    def __init__(self, interactive: Interactive) -> None:
        self.api = interactive
        self.state = interactive.state

    async def convert(self, call: Call) -> Response:
        """Move ``targetQty`` of the day position from ``oldProductType`` to ``newProductType``."""
        user, code = self.api._client(call)
        errors: list[str] = []
        entry = self.api._instrument(call, errors)
        old = choice_field(call, "oldProductType", PRODUCTS, errors)
        new = choice_field(call, "newProductType", PRODUCTS, errors)
        quantity = integer_field(call, "targetQty", errors, required=True)
        if str(call.field("isDayWise")).lower() != "true":
            # The paper exchange converts the day's trades only (as Kite does); net-wise is not offered.
            errors.append("isDayWise must be true: only day positions can be converted")
        if errors or entry is None or quantity is None:
            raise bad_request(*errors)
        account = user.account(code)
        net = net_quantity(self.state.exchange, account, entry.symbol, old)
        try:
            convert_position(self.state.exchange, account, entry.symbol, Side.BUY if net >= 0 else Side.SELL,
                             quantity, old, new)
        except BrokerplexError as error:
            raise Refusal(str(error), code="e-portfolio-0004", errors=[str(error)]) from None
        self.state.on_interactive_change(user)
        client = user.user_id if code == PRO else code
        # JV's reply model, its spelling (CovertedQty) included.
        result = {"UserID": user.user_id, "ClientID": client, "OldProductType": old.value,
                  "NewProductType": new.value, "ExchangeSegment": entry.segment,
                  "ExchangeInstrumentId": entry.token, "CovertedQty": quantity}
        return success("s-portfolio-0003", "Request sent", result)

    async def square_off_all(self, call: Call) -> Response:
        """Close every open position of the client with a market order on the other side."""
        user, code = self.api._client(call)
        mode = str(call.field("squareoffMode") or "NetWise").lower()
        if mode not in ("daywise", "netwise"):
            raise bad_request("squareoffMode must be DayWise or NetWise")
        account = user.account(code)
        placed: list[int] = []
        for position in self.state.exchange.positions(account):
            net = position.buy_quantity - position.sell_quantity if mode == "daywise" else position.quantity
            if not net:
                continue
            request = OrderRequest(symbol=position.symbol, side=Side.SELL if net > 0 else Side.BUY,
                                   quantity=abs(net), product=position.product)
            placement = self.state.exchange.place(account, request)
            self.state.unique_ids[placement.order.order_id] = ""
            placed.append(int(placement.order.order_id))
        if not placed:
            raise Refusal("No open position to square off", code="e-portfolio-0005",
                          errors=["no open position to square off"])
        self.state.on_interactive_change(user)
        # The result's shape is not documented [D]: the AppOrderIDs placed, as cancelall answers its ids.
        return success("s-portfolio-0002", "Request sent", placed)

    async def margin_details(self, call: Call) -> Response:
        """The margin a ``portfolio`` of orders would block, as one basket, against the funds available.

        The request and the ``brokerageDeatils`` (sic) reply are inferred from OA's comments, not from
        a capture (spec 4.3, [D]); ``IsValid`` false with an ``ErrorMessage`` when funds fall short.
        """
        user, code = self.api._client(call)
        legs = call.field("portfolio")
        if not isinstance(legs, list) or not legs:
            raise bad_request("portfolio must be a non-empty list of orders")
        errors: list[str] = []
        requests = [request for index, leg in enumerate(legs)
                    if (request := self._margin_leg(call, leg, index, errors)) is not None]
        if errors:
            raise bad_request(*errors)
        account = user.account(code)
        basket = basket_margins(self.state.exchange, account, requests)
        available = self.state.exchange.funds(account).available_margin
        shortfall = max(basket.final - available, Decimal(0))
        result = {"brokerageDeatils": {
            "IsValid": not shortfall, "MarginRequired": number(basket.final), "MarginAvailable": number(available),
            "MarginShortfall": number(shortfall),
            "ErrorMessage": f"insufficient margin: short by {shortfall}" if shortfall else "",
        }}
        return success("s-calculatemargin-0001", "Margin details", result)

    def _margin_leg(self, call: Call, leg: Any, index: int, errors: list[str]) -> OrderRequest | None:
        where = f"portfolio[{index}]"
        if not isinstance(leg, dict):
            errors.append(f"{where} must be an object")
            return None
        fields = Call(call.request, leg, {})
        problems: list[str] = []
        segment, token = leg.get("exchange"), leg.get("exchangeInstrumentId")
        entry = self.state.catalog.find(segment if isinstance(segment, int) else str(segment), token)
        if entry is None or not entry.listing.instrument.tradable:
            problems.append(f"instrument {segment} {token} not found or not tradable")
        product = choice_field(fields, "productType", PRODUCTS, problems)
        kind = choice_field(fields, "orderType", REQUEST_ORDER_TYPES, problems)
        side = choice_field(fields, "orderSide", _SIDES, problems)
        quantity = integer_field(fields, "quantity", problems, required=True)
        price = decimal_field(fields, "price", problems)
        stop = decimal_field(fields, "stopPrice", problems)
        if problems or entry is None:
            errors.extend(f"{where}: {problem}" for problem in problems)
            return None
        try:
            return OrderRequest(
                symbol=entry.symbol, side=side, quantity=quantity, order_type=kind, product=product,
                price=price if kind in (OrderType.LIMIT, OrderType.SL) else None,
                trigger_price=stop if kind in (OrderType.SL, OrderType.SL_M) else None,
            )
        except ValidationError as error:
            errors.extend(f"{where}: {message}" for message in validation_messages(error))
            return None
