"""Sending orders one leg at a time: each leg's outcome written down, none hidden, none sent twice."""

from __future__ import annotations

from collections.abc import Awaitable

from brokerplex.errors import InputError
from brokerplex.models import OrderAck, OrderRequest
from brokerplex.ops.models import LegOutcome, LegResult, outcome_of_error


def slice_quantities(quantity: int, freeze: int | None, lot: int) -> list[int]:
    """``quantity`` split into the fewest child quantities, each a whole number of lots and at most
    ``freeze`` (the exchange refuses larger orders); one child when there is no freeze limit."""
    if freeze is None or quantity <= freeze:
        return [quantity]
    biggest = freeze // lot * lot
    if biggest <= 0:
        raise InputError(f"the freeze quantity {freeze} is below one lot ({lot}): the order cannot be sliced")
    full, rest = divmod(quantity, biggest)
    return [biggest] * full + ([rest] if rest else [])


def planned(request: OrderRequest, *, outcome: LegOutcome = LegOutcome.DRY_RUN, message: str | None = None,
            client: str | None = None) -> LegResult:
    """A leg that was not sent: validated (a dry run) or skipped."""
    return LegResult(symbol=request.symbol, outcome=outcome, side=request.side, quantity=request.quantity,
                     client_order_id=request.client_order_id, message=message, client_code=client, request=request)


async def sent(request: OrderRequest, placing: Awaitable[OrderAck], *, client: str | None = None) -> LegResult:
    """Send one leg and describe what became of it; an error becomes the leg's outcome, not an exception."""
    try:
        ack = await placing
    except Exception as exc:
        return LegResult(symbol=request.symbol, outcome=outcome_of_error(exc), side=request.side,
                         quantity=request.quantity, client_order_id=getattr(exc, "client_order_id", None)
                         or request.client_order_id, order_id=getattr(exc, "order_id", None), message=str(exc),
                         client_code=client, request=request)
    return LegResult(symbol=request.symbol, outcome=LegOutcome.DONE, side=request.side, quantity=request.quantity,
                     order_id=ack.order_id, client_order_id=ack.client_order_id or request.client_order_id,
                     message=ack.status_message, client_code=client, request=request)


def skipped_after(failed: LegResult, rest: list[OrderRequest], client: str | None) -> list[LegResult]:
    """The legs left unsent because ``failed`` did not go through."""
    why = f"not sent: an earlier leg was {failed.outcome.value}"
    return [planned(request, outcome=LegOutcome.SKIPPED, message=why, client=client) for request in rest]
