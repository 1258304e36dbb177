"""Orders: the book (filtered), place, read, modify, cancel, history, reconcile, the client codes of a
dealer login. Every order action is audited with how it ended; an order whose outcome is unknown is a
409 with ``outcome_known: false`` (reconcile it — never resend it)."""

from __future__ import annotations

import json
from typing import TypeVar

from fastapi import APIRouter, Request

from brokerplex.errors import OrderNotFoundError
from brokerplex.ids import new_client_order_id
from brokerplex.models import Order, OrderAck, OrderModify, OrderRequest
from brokerplex.ops.orders import StatusFilter
from brokerplex_server.audit import audited
from brokerplex_server.deps import Manager, ReadableAccount, TradableAccount
from brokerplex_server.routes.schemas import Client, ReconciledOrder, UnresolvedOrder

T = TypeVar("T")
router = APIRouter(tags=["orders"])


@router.get("/accounts/{account}/orders")
async def orders(account: ReadableAccount, manager: Manager, client: Client = None,
                 status: StatusFilter | None = None, symbol: str | None = None) -> list[Order]:
    """The order book, oldest first; ``status`` (open, complete, rejected, cancelled) and ``symbol`` narrow it."""
    return await manager.orders(account, client=client, status=status, symbol=symbol)


@router.post("/accounts/{account}/orders")
async def place_order(account: TradableAccount, order: OrderRequest, request: Request, manager: Manager,
                      client: Client = None) -> OrderAck:
    """Validate, journal, send once. Without a ``client_order_id`` one is made (the reply names it): sending
    the same one again is refused, never a second order."""
    if order.client_order_id is None:
        order = order.model_copy(update={"client_order_id": new_client_order_id()})
    detail = {**order.model_dump(mode="json", exclude_none=True), "client": client}
    return await audited(request, "order.place", manager.place_order(account, order, client=client),
                         account=account, target=order.client_order_id, detail=detail)


@router.get("/accounts/{account}/orders/{order_id}")
async def order(account: ReadableAccount, order_id: str, manager: Manager, client: Client = None) -> Order:
    """The order as it stands now (the last state of its history)."""
    history = await manager.order_history(account, order_id, client=client)
    if not history:
        raise OrderNotFoundError(f"order {order_id} has no history at account {account}")
    return history[-1]


@router.get("/accounts/{account}/orders/{order_id}/history")
async def order_history(account: ReadableAccount, order_id: str, manager: Manager,
                        client: Client = None) -> list[Order]:
    """The states of one order, oldest first."""
    return await manager.order_history(account, order_id, client=client)


@router.patch("/accounts/{account}/orders/{order_id}")
async def modify_order(account: TradableAccount, order_id: str, changes: OrderModify, request: Request,
                       manager: Manager, client: Client = None) -> OrderAck:
    """Change exactly what the body sets (quantity, price, trigger_price, order_type, validity)."""
    detail = {**changes.model_dump(mode="json", exclude_none=True), "client": client}
    return await audited(request, "order.modify", manager.modify_order(account, order_id, changes, client=client),
                         account=account, target=order_id, detail=detail)


@router.delete("/accounts/{account}/orders/{order_id}")
async def cancel_order(account: TradableAccount, order_id: str, request: Request, manager: Manager,
                       client: Client = None) -> OrderAck:
    return await audited(request, "order.cancel", manager.cancel_order(account, order_id, client=client),
                         account=account, target=order_id, detail={"client": client})


@router.post("/accounts/{account}/reconcile")
async def reconcile(account: TradableAccount, request: Request, manager: Manager) -> list[ReconciledOrder]:
    """Resolve orders whose outcome was unknown (and ones a crash left unsent), by their client order ids."""
    results = await audited(request, "order.reconcile", manager.reconcile(account), account=account)
    return [ReconciledOrder(client_order_id=r.entry.client_order_id, was=r.entry.state.value, now=r.state.value,
                            order_id=r.order.order_id if r.order else None) for r in results]


@router.get("/accounts/{account}/unresolved-orders")
async def unresolved_orders(account: ReadableAccount, manager: Manager) -> list[UnresolvedOrder]:
    """The journal's orders whose outcome is not known yet: ``POST …/reconcile`` settles them."""
    manager.account_store.get_raw(account)  # an unknown account is a 404, not an empty list
    return [UnresolvedOrder(client_order_id=entry.client_order_id, state=entry.state.value, order_id=entry.order_id,
                            client=entry.client, message=entry.message, created_at=entry.created_at,
                            request=OrderRequest.model_validate(json.loads(entry.request)))
            for entry in manager.unresolved_orders(account)]


@router.get("/accounts/{account}/clients")
async def clients(account: ReadableAccount, manager: Manager) -> list[str]:
    """The client codes a dealer login may act for."""
    return await manager.clients(account)
