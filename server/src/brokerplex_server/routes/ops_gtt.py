"""Good-till-triggered orders, as Kite defines them: list, place, read, change, delete. A broker without
GTT refuses with 422 (NotSupportedError), nothing sent."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex.errors import InputError
from brokerplex.ops.models import Gtt, GttOrder, GttRequest, GttType
from brokerplex.validation import build
from brokerplex_server.audit import audited
from brokerplex_server.deps import Manager, ReadableAccount, TradableAccount
from brokerplex_server.errors import ApiError

router = APIRouter(prefix="/accounts/{account}/gtt", tags=["gtt"])


class GttChanges(BaseModel):
    """What to change of a GTT; what is not given stays. ``trigger_prices`` and ``orders`` replace all of
    theirs (one of each: a single trigger; two: a two-leg OCO, lower then upper). ``last_price`` defaults
    to a fresh quote."""

    model_config = ConfigDict(extra="forbid")

    trigger_prices: list[Decimal] | None = Field(default=None, min_length=1, max_length=2)
    orders: list[GttOrder] | None = Field(default=None, min_length=1, max_length=2)
    last_price: Decimal | None = None


@router.get("")
async def gtts(account: ReadableAccount, manager: Manager) -> list[Gtt]:
    """The account's GTT triggers, active and finished."""
    return await manager.gtts(account)


@router.post("", status_code=201)
async def place_gtt(request: Request, account: TradableAccount, manager: Manager, body: GttRequest) -> Gtt:
    """Create a trigger: it places its LIMIT order(s) when the last price crosses a trigger price. Prices
    and quantities are checked against the instrument first."""
    gtt_id = await audited(request, "gtt.place", manager.place_gtt(account, body), account=account,
                           detail=body.model_dump(mode="json"), judge=lambda placed: ("ok", {"gtt_id": placed}))
    return await _one(manager, account, gtt_id)


@router.get("/{gtt_id}")
async def gtt(account: ReadableAccount, manager: Manager, gtt_id: str) -> Gtt:
    return await _one(manager, account, gtt_id)


@router.patch("/{gtt_id}")
async def modify_gtt(request: Request, account: TradableAccount, manager: Manager, gtt_id: str,
                     changes: GttChanges) -> Gtt:
    """Change a trigger's prices or orders; the trigger as it stands afterwards."""
    if changes.trigger_prices is None and changes.orders is None and changes.last_price is None:
        raise InputError("nothing to change: give trigger_prices, orders or last_price")
    existing = await _one(manager, account, gtt_id)
    triggers = changes.trigger_prices or existing.trigger_prices
    last = changes.last_price or await _last_price(manager, account, existing.symbol)
    replacement = build(GttRequest, {
        "symbol": existing.symbol, "type": GttType.SINGLE if len(triggers) == 1 else GttType.OCO,
        "trigger_prices": triggers, "last_price": last, "orders": changes.orders or existing.orders})
    await audited(request, "gtt.modify", manager.modify_gtt(account, gtt_id, replacement), account=account,
                  target=gtt_id,
                  detail=replacement.model_dump(mode="json"))
    return await _one(manager, account, gtt_id)


@router.delete("/{gtt_id}", status_code=204)
async def delete_gtt(request: Request, account: TradableAccount, manager: Manager, gtt_id: str) -> Response:
    await audited(request, "gtt.delete", manager.delete_gtt(account, gtt_id), account=account, target=gtt_id)
    return Response(status_code=204)


async def _one(manager: AsyncBrokerManager, account: str, gtt_id: str) -> Gtt:
    found = next((item for item in await manager.gtts(account) if item.gtt_id == gtt_id), None)
    if found is None:
        raise ApiError(404, "GttNotFound", f"no GTT {gtt_id!r} at account {account}")
    return found


async def _last_price(manager: AsyncBrokerManager, account: str, symbol: str) -> Decimal:
    quote = (await manager.quotes(account, [symbol])).get(symbol)
    if quote is None:
        raise InputError(f"no quote for {symbol}: give its last_price")
    return quote.last_price
