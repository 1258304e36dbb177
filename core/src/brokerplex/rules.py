"""Exchange rules an order must satisfy for its instrument.

One implementation with two users: the manager refuses a bad order before it is sent,
and the paper exchange (and the simulators built on it) rejects one that arrives
through some other client.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from brokerplex.models import Instrument, Order, OrderModify, OrderRequest, OrderType


def order_problem(request: OrderRequest, instrument: Instrument) -> str | None:
    """Why ``request`` breaks the rules for ``instrument``, or None if it does not."""
    if not instrument.tradable:
        return f"{instrument.symbol} is an index: indices can be quoted, not traded"
    return quantity_problem(request.quantity, instrument) or prices_problem(
        request.price, request.trigger_price, instrument
    )


def modify_problem(order: Order, changes: OrderModify, instrument: Instrument) -> str | None:
    """Why ``changes`` to ``order`` break the rules, or None."""
    if changes.quantity is not None:
        if changes.quantity < order.filled_quantity:
            return f"quantity {changes.quantity} is below the {order.filled_quantity} already filled"
        if problem := quantity_problem(changes.quantity, instrument):
            return problem
    kind = changes.order_type or order.order_type
    price = changes.price if changes.price is not None else order.price
    trigger = changes.trigger_price if changes.trigger_price is not None else order.trigger_price
    if kind in (OrderType.LIMIT, OrderType.SL) and price is None:
        return f"a {kind} order needs a price"
    if kind in (OrderType.SL, OrderType.SL_M) and trigger is None:
        return f"a {kind} order needs a trigger price"
    return prices_problem(changes.price, changes.trigger_price, instrument)


def quantity_problem(quantity: int, instrument: Instrument) -> str | None:
    if quantity % instrument.lot_size:
        return (
            f"quantity {quantity} is not a multiple of the lot size {instrument.lot_size} of {instrument.symbol}"
        )
    if instrument.freeze_quantity is not None and quantity > instrument.freeze_quantity:
        return (
            f"quantity {quantity} exceeds the freeze quantity {instrument.freeze_quantity} of "
            f"{instrument.symbol}; slice the order"
        )
    return None


def tick_floor(price: Decimal, instrument: Instrument) -> Decimal:
    """The nearest price on the instrument's tick grid at or below ``price``."""
    return (price / instrument.tick_size).to_integral_value(ROUND_DOWN) * instrument.tick_size


def prices_problem(price: Decimal | None, trigger: Decimal | None, instrument: Instrument) -> str | None:
    for label, value in (("price", price), ("trigger price", trigger)):
        if value is not None and value % instrument.tick_size:
            return f"{label} {value} is not a multiple of the tick size {instrument.tick_size} of {instrument.symbol}"
    return None
