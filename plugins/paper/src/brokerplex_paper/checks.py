"""The exchange's own checks on an order, before the broker's risk checks (holdings, margin) run.

In the order a real exchange applies them: the instrument's rules (tick, lot, freeze, product),
the session, the day's circuit limits, and which side of the market a stop-loss trigger is on. Also the
order as the exchange takes it in (:func:`received`) and the notes its lifecycle leaves on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from brokerplex.models import Order, OrderRequest, OrderStatus, Product, Side, Variety
from brokerplex.rules import order_problem
from brokerplex_paper.market import band
from brokerplex_paper.universe import Listing

if TYPE_CHECKING:
    from brokerplex_paper.ledger import Tape

# Lifecycle notes that a later state replaces; anything else (a square-off) stays on the order.
TRANSIENT_MESSAGES = frozenset({"order received", "validation pending", "triggered", "modified"})


def lasting_message(order: Order) -> str | None:
    """The note an order keeps once its state moves on (None for a transient one)."""
    return None if order.status_message in TRANSIENT_MESSAGES else order.status_message


def received(request: OrderRequest, order_id: str, now: dt.datetime) -> Order:
    """``request`` as the exchange takes it in, before any check."""
    return Order(
        order_id=order_id, client_order_id=request.client_order_id,
        exchange_order_id=None, symbol=request.symbol, side=request.side, order_type=request.order_type,
        product=request.resolved_product, validity=request.validity, variety=request.variety,
        quantity=request.quantity, pending_quantity=request.quantity,
        disclosed_quantity=request.disclosed_quantity, price=request.price, trigger_price=request.trigger_price,
        status=OrderStatus.PENDING, status_message="order received", placed_at=now, updated_at=now,
    )


class RejectReason(StrEnum):
    RULES = "rules"  # tick, lot, freeze, product, trigger
    BAND = "band"  # price outside the day's circuit limits
    FUNDS = "funds"
    HOLDINGS = "holdings"
    MARKET_CLOSED = "market_closed"


@dataclass(frozen=True, slots=True)
class Placement:
    """An order as placed, and why it was rejected when it was (for each simulator to word as its broker)."""

    order: Order
    reject: RejectReason | None = None


def market_refusal(request: OrderRequest, listing: Listing, tape: Tape, *, session_open: bool,
                   square_off_due: bool) -> tuple[RejectReason, str] | None:
    """Why the exchange refuses ``request`` on the market ``tape``, or None."""
    instrument = listing.instrument
    if problem := order_problem(request, instrument):
        return RejectReason.RULES, problem
    if not session_open and request.variety is not Variety.AMO:
        return RejectReason.MARKET_CLOSED, f"the {instrument.exchange} market is closed; place an AMO instead"
    if request.resolved_product is Product.MIS and square_off_due:
        return RejectReason.MARKET_CLOSED, "intraday (MIS) orders are closed for the day; use CNC or NRML"
    limits = band(listing, tape.close)
    for label, value in (("price", request.price), ("trigger price", request.trigger_price)):
        if limits and value is not None and not limits[0] <= value <= limits[1]:
            return RejectReason.BAND, (
                f"{label} {value} is outside the circuit limits {limits[0]} - {limits[1]} of {instrument.symbol}"
            )
    if request.trigger_price is not None:
        wrong_side = request.trigger_price <= tape.last_price if request.side is Side.BUY \
            else request.trigger_price >= tape.last_price
        if wrong_side:
            direction = "above" if request.side is Side.BUY else "below"
            return RejectReason.RULES, (
                f"trigger price of a stop-loss {request.side.value} must be {direction} the last price "
                f"{tape.last_price}"
            )
    return None
