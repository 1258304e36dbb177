"""Cover and bracket orders on their own XTS routes (spec 4.1): placing them, and changing their legs.

* Cover (variety co): ``POST /orders/cover`` places a MARKET or LIMIT entry with its stop-loss leg at
  ``trigger_price``; ``PUT /orders/cover`` exits it, named by its stop leg (the leg that names its entry).
  The entry alone is cancelled like any order (the host then drops its stop leg).
* Bracket (variety bo): ``POST /orders/bracket`` with the target (``squarOff``), the stop-loss and the
  trailing stop in points from the entry; ``PUT /orders/bracket`` changes a resting entry's price and
  quantity; ``DELETE /orders/bracket`` (by the entry's id) cancels the bracket, exiting what has traded,
  whichever of its orders is cancelled.

The client order id travels on the entry (``orderUniqueIdentifier``); the legs are the host's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from brokerplex.errors import InputError
from brokerplex.models import Order, OrderAck, OrderModify, OrderRequest, OrderType, Variety
from brokerplex_xts_client import mapping

if TYPE_CHECKING:
    from brokerplex_xts_client.broker import XtsClientBroker

PRO = "*****"  # a dealer's own book (spec 5.2): its brackets are pro orders


def _entry(request: OrderRequest, segment: int, ident: int) -> dict[str, Any]:
    if request.order_type not in (OrderType.MARKET, OrderType.LIMIT):
        raise InputError(f"a {request.variety} order's entry is MARKET or LIMIT, not {request.order_type}")
    return {
        "exchangeSegment": mapping.SEGMENT_NAMES[segment], "exchangeInstrumentID": ident,
        "orderSide": request.side.value, "orderType": mapping.XTS_ORDER_TYPES[request.order_type],
        "orderQuantity": request.quantity, "disclosedQuantity": request.disclosed_quantity,
        "limitPrice": float(request.price or 0), "apiOrderSource": "",
        "orderUniqueIdentifier": request.client_order_id or "",
    }


async def place(broker: XtsClientBroker, request: OrderRequest) -> OrderAck:
    """Place a cover or bracket order; the ack names its entry."""
    segment, ident = (await broker.store()).key(request.symbol)
    body = _entry(request, segment, ident)
    if request.variety is Variety.CO:
        if request.trigger_price is None:
            raise InputError("a cover order needs its stop-loss as trigger_price")
        body["stopPrice"] = float(request.trigger_price)
        path, key = "/orders/cover", "EntryAppOrderID"
    else:
        assert request.target is not None
        assert request.stop_loss is not None
        body.update({"squarOff": float(request.target), "stopLossPrice": float(request.stop_loss),
                     "trailingStoploss": float(request.trailing_stop_loss or 0),
                     "isProOrder": broker.client_code == PRO})
        path, key = "/orders/bracket", "AppOrderID"
    result = await broker.interactive("POST", path, body=body, bucket="orders", writing=True,
                                      client_order_id=request.client_order_id)
    entry = result.get(key) if isinstance(result, Mapping) else None
    return OrderAck(order_id=broker.order_id_of({"AppOrderID": entry} if entry is not None else result),
                    client_order_id=request.client_order_id)


async def cancel(broker: XtsClientBroker, order: Order) -> bool:
    """Cancel (exit) a cover or bracket through its own route; False: an order those routes do not take
    (a cover's entry, an ordinary order), for the ordinary cancel."""
    if order.variety is Variety.CO and order.parent_order_id is not None:
        await broker.interactive("PUT", "/orders/cover", body={"appOrderID": int(order.order_id)},
                                 bucket="orders", writing=True, order_id=order.order_id,
                                 client_order_id=order.client_order_id)
        return True
    if order.variety is Variety.BO:
        entry = order.parent_order_id or order.order_id
        await broker.interactive("DELETE", "/orders/bracket", params={"boEntryOrderId": int(entry)},
                                 bucket="orders", writing=True, order_id=order.order_id,
                                 client_order_id=order.client_order_id)
        return True
    return False


async def modify_bracket_entry(broker: XtsClientBroker, order: Order, changes: OrderModify) -> OrderAck:
    """``PUT /orders/bracket``: a resting entry's limit price and quantity (its exits are points, set once)."""
    if changes.order_type not in (None, order.order_type) or changes.trigger_price is not None \
            or changes.validity not in (None, order.validity):
        raise InputError("a bracket order's entry can change its price and quantity only")
    body = {"appOrderID": int(order.order_id), "limitPrice": float(changes.price or order.price or 0),
            "orderQuantity": changes.quantity or order.quantity}
    await broker.interactive("PUT", "/orders/bracket", body=body, bucket="orders", writing=True,
                             order_id=order.order_id, client_order_id=order.client_order_id)
    return OrderAck(order_id=order.order_id, client_order_id=order.client_order_id)
