"""Operations that send several orders or change positions: exit, cancel-all, convert, basket, slice, target.

Each answers one result per leg (:class:`LegResult`), 200 even when a leg did not go through: the legs
say which, and whether one may have reached the broker (``unknown``: reconcile, never resend). Bad input
is refused with 422 before anything is sent; ``dry_run=true`` validates and sends nothing. Every call is
in the audit log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from brokerplex.models import OrderRequest, Position, Product
from brokerplex.ops.models import BasketResult, LegResult
from brokerplex_server.audit import audited
from brokerplex_server.deps import Manager, TradableAccount
from brokerplex_server.routes.ops_common import DryRun, judge_legs
from brokerplex_server.routes.schemas import Client

router = APIRouter(prefix="/accounts/{account}", tags=["operations"])


class ExitRequest(BaseModel):
    """Which net positions to flatten: ``symbols``, or ``all`` of them (one or the other)."""

    model_config = ConfigDict(extra="forbid")

    symbols: list[str] | None = Field(default=None, min_length=1)
    all: bool = False
    product: Product | None = None
    limit_offset: Decimal | None = Field(default=None, gt=0,
                                         description="Exit with LIMIT orders this far through the last price "
                                                     "(default: at market).")
    keep_orders: bool = Field(default=False, description="Do not cancel the symbols' open orders first.")

    @model_validator(mode="after")
    def _one_choice(self) -> ExitRequest:
        if (self.symbols is None) == (not self.all):
            raise ValueError("name the positions to exit (symbols) or give all: true, not both")
        return self


class ConvertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    symbol: str
    quantity: int = Field(gt=0)
    from_product: Product
    to_product: Product


class TargetRequest(BaseModel):
    """The net position to reach in ``symbol`` (negative: short; 0: flat)."""

    model_config = ConfigDict(extra="forbid")

    symbol: str
    quantity: int
    product: Product | None = None


@router.post("/exit")
async def exit_positions(request: Request, account: TradableAccount, manager: Manager, body: ExitRequest,
                         client: Client = None, dry_run: DryRun = False) -> list[LegResult]:
    """Flatten net positions, each after cancelling that symbol's open orders (unless ``keep_orders``): at
    market, or as LIMIT orders ``limit_offset`` through the last price. One result per position (per
    child when an exit is sliced). A halted account still exits."""
    work = manager.exit_positions(account, body.symbols, product=body.product, client=client,
                                  limit_offset=body.limit_offset, keep_orders=body.keep_orders, dry_run=dry_run)
    return await audited(
        request, "order.exit", work, account=account,
        detail={**body.model_dump(mode="json", exclude_defaults=True), "client": client, "dry_run": dry_run},
        judge=judge_legs)


@router.post("/cancel-all")
async def cancel_all(request: Request, account: TradableAccount, manager: Manager,
                     symbol: Annotated[str | None, Query(description="Only this symbol's open orders.")] = None,
                     client: Client = None) -> list[LegResult]:
    """Cancel every open order (of ``symbol``); one result per order."""
    return await audited(request, "order.cancel_all", manager.cancel_all(account, symbol=symbol, client=client),
                         account=account, detail={"symbol": symbol, "client": client}, judge=judge_legs)


@router.post("/convert")
async def convert_position(request: Request, account: TradableAccount, manager: Manager, body: ConvertRequest,
                           client: Client = None) -> list[Position]:
    """Move ``quantity`` of a position from one product to another; the symbol's positions afterwards."""
    work = manager.convert_position(account, body.symbol, body.quantity, from_product=body.from_product,
                                    to_product=body.to_product, client=client)
    return await audited(
        request, "position.convert", work, account=account,
        detail={**body.model_dump(mode="json"), "client": client})


@router.post("/basket")
async def place_basket(request: Request, account: TradableAccount, manager: Manager, orders: list[OrderRequest],
                       client: Client = None, dry_run: DryRun = False) -> BasketResult:
    """Place a list of orders: every leg validated (a bad one named by its number, from 1), and the basket's
    margin checked against the funds where the broker offers basket margins, before the first is sent."""
    return await audited(
        request, "order.basket", manager.place_basket(account, orders, client=client, dry_run=dry_run),
        account=account, detail={"orders": len(orders), "client": client, "dry_run": dry_run},
        judge=lambda result: judge_legs(result.legs))


@router.post("/slice")
async def place_sliced(request: Request, account: TradableAccount, manager: Manager, order: OrderRequest,
                       client: Client = None, dry_run: DryRun = False) -> list[LegResult]:
    """Place an order above the freeze quantity as freeze-sized children, one after the other (a child that
    fails stops the rest, reported as skipped); natively where the broker slices it itself."""
    return await audited(
        request, "order.slice", manager.place_sliced(account, order, client=client, dry_run=dry_run),
        account=account, detail={"symbol": order.symbol, "side": order.side.value, "quantity": order.quantity,
                                 "client": client, "dry_run": dry_run},
        judge=judge_legs)


@router.post("/target")
async def target_position(request: Request, account: TradableAccount, manager: Manager, body: TargetRequest,
                          client: Client = None, dry_run: DryRun = False) -> list[LegResult]:
    """Buy or sell what takes the net position in ``symbol`` to ``quantity``, counting open orders as if
    filled; two calls at once for one symbol never overshoot."""
    work = manager.target_position(account, body.symbol, body.quantity, product=body.product, client=client,
                                   dry_run=dry_run)
    return await audited(
        request, "order.target", work, account=account,
        detail={**body.model_dump(mode="json", exclude_defaults=True), "client": client, "dry_run": dry_run},
        judge=judge_legs)
