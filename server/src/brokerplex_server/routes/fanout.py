"""``POST /fan-out``: one order to several accounts, or to several client codes of one dealer account, a
result each. The caller must be allowed to trade on every account named, else nothing is sent."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from brokerplex.errors import BrokerplexError, InputError
from brokerplex.models import OrderAck
from brokerplex.outcomes import FanOutResult
from brokerplex_server import audit
from brokerplex_server.auth.principal import Principal, Role, Scope
from brokerplex_server.deps import CurrentUser, Manager
from brokerplex_server.errors import ApiError, ErrorDetail, detail_of, status_of
from brokerplex_server.routes.schemas import FanOutItem, FanOutRequest

log = logging.getLogger("brokerplex.server")
router = APIRouter(tags=["orders"])


async def trading_user(user: CurrentUser) -> Principal:
    """A caller who may trade somewhere: a viewer or a read key is refused before the body is read."""
    if user.scope is not Scope.TRADE or user.role is Role.VIEWER or not (user.is_admin or user.accounts):
        raise ApiError(403, "PermissionDenied", f"{user.name} may not trade (a viewer, a read-only key, or no "
                       "account granted)")
    return user


@router.post("/fan-out")
async def fan_out(body: FanOutRequest, request: Request, manager: Manager,
                  user: Annotated[Principal, Depends(trading_user)]) -> list[FanOutItem]:
    """Place ``order`` in every one of ``accounts``, or (with ``clients``) for every client code of the one
    dealer account named; each gets its own client order id. One target's failure hides no other: each item
    carries its acknowledgement or its error (and the status that error alone would have had)."""
    refused = next((account for account in body.accounts if not user.may_trade(account)), None)
    if refused is not None:
        raise ApiError(403, "PermissionDenied", f"{user.name} may not trade on account {refused!r}: nothing was sent")
    if body.clients is not None:
        if len(body.accounts) != 1:
            raise InputError("client codes belong to one dealer account: name exactly one account with clients")
        results = await manager.place_order_for_clients(body.accounts[0], body.clients, body.order)
    else:
        results = await manager.place_order_many(body.accounts, body.order)
    items = [_item(result) for result in results]
    for item in items:
        error, target = item.error, item.ack.client_order_id if item.ack else None
        audit.record(request, "order.place", account=item.account, target=target,
                     outcome="ok" if error is None else ("refused" if error.outcome_known else "unknown"),
                     detail={**body.order.model_dump(mode="json", exclude_none=True), "client": item.client,
                             "fan_out": True, **({"error": f"{error.type}: {error.message}"} if error else {})})
    return items


def _item(result: FanOutResult[OrderAck]) -> FanOutItem:
    if result.error is None:
        return FanOutItem(account=result.account, client=result.client, ack=result.value)
    exc = result.error
    if isinstance(exc, BrokerplexError):
        status, error = status_of(exc), detail_of(exc)
    else:
        log.error("unexpected %s in a fan-out to %s", type(exc).__name__, result.account, exc_info=exc)
        status, error = 500, ErrorDetail(type="InternalError", message="unexpected server error (logged)",
                                         outcome_known=False)
    return FanOutItem(account=result.account, client=result.client, status=status, error=error)
