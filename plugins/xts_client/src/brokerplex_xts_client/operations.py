"""The trader operations XTS does on its own wire (:class:`brokerplex.ops.contract.BrokerOperations`).

Square-off, cancel-all and conversion act on one instrument of the account the broker acts for (a
dealer's client through ``clientID``, like every interactive call). Margins come from the margin
calculator (``POST /orders/margindetails``, spec 4.3), which prices a portfolio as a whole: one call
per order gives each order's margin, one call for all of them the basket's. Candles are the OHLC route's
bars; the host documents no range limit, and the XTS clients that page it (OpenAlgo's, a Wisdom C# client)
ask six days a request, so that is :data:`CANDLE_RANGE`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from brokerplex import wire
from brokerplex.errors import InputError, NotSupportedError, ProtocolError
from brokerplex.models import OrderAck, OrderRequest, OrderType, Position, Product
from brokerplex.ops.models import INTERVALS, BasketMargin, Candle, Interval, Margin
from brokerplex_xts_client import mapping, quotes
from brokerplex_xts_client.http import MissingRouteError

if TYPE_CHECKING:
    from brokerplex_xts_client.broker import XtsClientBroker

#: Our candle widths → XTS ``compressionValue`` (seconds, or D for a day; spec section 8).
COMPRESSIONS: dict[Interval, str] = {
    "1m": "60", "3m": "180", "5m": "300", "10m": "600", "15m": "900", "30m": "1800", "1h": "3600", "1d": "D",
}
CANDLE_RANGE = dt.timedelta(days=6)
CANDLE_RANGES: Mapping[Interval, dt.timedelta] = dict.fromkeys(INTERVALS, CANDLE_RANGE)


async def _instrument(broker: XtsClientBroker, symbol: str) -> dict[str, Any]:
    segment, ident = (await broker.store()).key(symbol)
    return {"exchangeSegment": mapping.SEGMENT_NAMES[segment], "exchangeInstrumentID": ident}


async def square_off(broker: XtsClientBroker, position: Position) -> OrderAck:
    """``PUT /portfolio/squareoff``: the exact net quantity of ``position`` at market. Open orders are left to
    the manager (it cancels them first unless told to keep them), so ``cancelOrders`` is false."""
    if not position.quantity:
        raise InputError(f"the {position.product} position in {position.symbol} is already flat")
    body = {**await _instrument(broker, position.symbol), "productType": position.product.value,
            "squareoffMode": "NetWise", "positionSquareOffQuantityType": "ExactQty",
            "squareOffQtyValue": abs(position.quantity), "blockOrderSending": False, "cancelOrders": False}
    result = await broker.interactive("PUT", "/portfolio/squareoff", body=body, bucket="orders", writing=True)
    return OrderAck(order_id=broker.order_id_of(result))


async def cancel_all(broker: XtsClientBroker, symbol: str) -> None:
    """``POST /orders/cancelall``: every open order of the instrument, in one request."""
    await broker.interactive("POST", "/orders/cancelall", body=await _instrument(broker, symbol), bucket="orders",
                             writing=True)


async def convert_position(broker: XtsClientBroker, position: Position, quantity: int, to: Product) -> None:
    """``PUT /portfolio/positions/convert``: day-wise when the position holds nothing carried in overnight."""
    if quantity <= 0 or quantity > abs(position.quantity):
        raise InputError(f"can convert 1 to {abs(position.quantity)} of the {position.product} position in "
                         f"{position.symbol}, not {quantity}")
    if to is position.product:
        raise InputError(f"the position in {position.symbol} is already {to}")
    body = {**await _instrument(broker, position.symbol), "targetQty": quantity,
            "isDayWise": not position.overnight_quantity, "oldProductType": position.product.value,
            "newProductType": to.value}
    await broker.interactive("PUT", "/portfolio/positions/convert", body=body, bucket="orders", writing=True)


async def order_margins(broker: XtsClientBroker, requests: Sequence[OrderRequest]) -> list[Margin]:
    """Each order priced alone: one margin-calculator call per order, as the route prices a whole portfolio."""
    return [Margin(symbol=request.symbol, side=request.side, quantity=request.quantity,
                   total=await _margin_required(broker, [request])) for request in requests]


async def basket_margins(broker: XtsClientBroker, requests: Sequence[OrderRequest]) -> BasketMargin:
    """The orders priced together (``final``, with the hedge benefit) and each alone (``legs``, whose sum is
    ``initial``): one call for the basket and one per order."""
    if not requests:
        raise InputError("a basket needs at least one order")
    final = await _margin_required(broker, requests)
    legs = await order_margins(broker, requests)
    return BasketMargin(initial=sum((leg.total for leg in legs), Decimal(0)), final=final, legs=legs)


async def _margin_required(broker: XtsClientBroker, requests: Sequence[OrderRequest]) -> Decimal:
    store = await broker.store()
    portfolio = []
    for request in requests:
        segment, ident = store.key(request.symbol)
        portfolio.append({
            "exchange": segment, "exchangeInstrumentId": ident, "productType": request.resolved_product.value,
            "orderType": mapping.XTS_ORDER_TYPES[request.order_type], "orderSide": request.side.value,
            "quantity": request.quantity, "price": float(request.price or 0),
            "stopPrice": float(request.trigger_price or 0) if request.order_type in (OrderType.SL, OrderType.SL_M)
            else 0, "orderSessionType": 1,
        })
    try:
        result = await broker.interactive("POST", "/orders/margindetails", body={"portfolio": portfolio})
    except MissingRouteError:  # a newer route, not on every host (OpenAlgo finds it missing on Compositedge)
        raise NotSupportedError(f"XTS at {broker.settings.host} has no margin calculator "
                                "(/orders/margindetails)") from None
    details = result.get("brokerageDeatils") if isinstance(result, Mapping) else None
    with wire.reading(broker.context.broker, "margin details", result):
        if not isinstance(details, Mapping):
            raise ProtocolError("XTS answered the margin calculator without brokerageDeatils")
        # IsValid false only says the funds fall short: the margin the orders need is still MarginRequired.
        return mapping.amount(details.get("MarginRequired"), "MarginRequired")


async def candles(broker: XtsClientBroker, symbol: str, interval: Interval, start: dt.datetime,
                  end: dt.datetime) -> list[Candle]:
    compression = COMPRESSIONS.get(interval)
    if compression is None:
        raise InputError(f"unknown candle interval {interval!r}; use one of {', '.join(COMPRESSIONS)}")
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise InputError("give timezone-aware start and end, with start before end")
    if end - start > CANDLE_RANGE:
        raise InputError(f"XTS candles are asked for at most {CANDLE_RANGE.days} days a request")
    segment, ident = (await broker.store()).key(symbol)
    result = await broker.http.marketdata("GET", "/instruments/ohlc", empty={}, params={
        "exchangeSegment": mapping.SEGMENT_NAMES[segment], "exchangeInstrumentID": ident,
        "startTime": quotes.ohlc_time(start), "endTime": quotes.ohlc_time(end), "compressionValue": compression})
    if not isinstance(result, Mapping):
        raise ProtocolError("XTS answered the OHLC request with something other than an object",
                            broker=broker.context.broker)
    return quotes.candles(wire.field(result, "dataReponse", "dataResponse"))
