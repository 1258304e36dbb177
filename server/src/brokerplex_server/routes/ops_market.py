"""Reads: margins (a question, asked by POST because a list of orders does not fit a query; a viewer may
ask it), option chains and expiries, depth, candles, and P&L of one account or several."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from brokerplex.errors import BrokerplexError
from brokerplex.models import Depth, OrderRequest
from brokerplex.ops.models import BasketMargin, Candle, Interval, Margin, OptionChain, PnlSummary, pnl_totals
from brokerplex_server.deps import CurrentUser, Manager, ReadableAccount
from brokerplex_server.errors import ApiError, ErrorDetail, detail_of, status_of
from brokerplex_server.routes.ops_common import READ_ONLY
from brokerplex_server.routes.schemas import Client

router = APIRouter(tags=["market"])
ACCOUNT = "/accounts/{account}"

Symbol = Annotated[str, Query(min_length=1, description="A symbol, e.g. NSE:INFY.")]


@router.post(f"{ACCOUNT}/margins", openapi_extra=READ_ONLY)
async def margins(account: ReadableAccount, manager: Manager, orders: list[OrderRequest],
                  client: Client = None) -> list[Margin]:
    """The margin each order would block, and its charges where the broker says. A read: nothing is placed,
    and a viewer may ask (POST only because the orders are a body)."""
    return await manager.margins(account, orders, client=client)


@router.post(f"{ACCOUNT}/basket-margin", openapi_extra=READ_ONLY)
async def basket_margin(account: ReadableAccount, manager: Manager, orders: list[OrderRequest],
                        client: Client = None) -> BasketMargin:
    """What a basket would block as a whole (less than the sum of its legs when they hedge each other). A
    read, like ``margins``."""
    return await manager.basket_margin(account, orders, client=client)


@router.get(f"{ACCOUNT}/expiries")
async def expiries(account: ReadableAccount, manager: Manager,
                   underlying: Annotated[str, Query(min_length=1)]) -> list[dt.date]:
    """The expiry dates of an underlying's futures and options, nearest first."""
    return await manager.expiries(account, underlying)


@router.get(f"{ACCOUNT}/chain")
async def chain(account: ReadableAccount, manager: Manager, underlying: Annotated[str, Query(min_length=1)],
                expiry: Annotated[dt.date | None, Query(description="Default: the nearest.")] = None,
                strikes: Annotated[int, Query(ge=1, le=100, description="Strikes on each side of the spot.")] = 10
                ) -> OptionChain:
    """The option chain around the spot: per strike, call and put with last price, bid/ask, OI, implied
    volatility and greeks."""
    return await manager.chain(account, underlying, expiry=expiry, strikes=strikes)


@router.get(f"{ACCOUNT}/depth")
async def depth(account: ReadableAccount, manager: Manager, symbol: Symbol) -> Depth:
    """The order book's best levels on both sides (five on most brokers)."""
    return await manager.depth(account, symbol)


@router.get(f"{ACCOUNT}/candles")
async def candles(account: ReadableAccount, manager: Manager, symbol: Symbol, interval: Interval,
                  start: Annotated[dt.datetime, Query(alias="from", description="Naive times are IST.")],
                  end: Annotated[dt.datetime, Query(alias="to", description="Naive times are IST.")]) -> list[Candle]:
    """OHLC candles from ``from`` to ``to``, oldest first; a long range is fetched in pages."""
    return await manager.candles(account, symbol, interval, start, end)


@router.get(f"{ACCOUNT}/pnl")
async def pnl(account: ReadableAccount, manager: Manager, client: Client = None) -> PnlSummary:
    """Realised, unrealised and day P&L per position and in total."""
    return await manager.pnl(account, client=client)


class PnlTotal(BaseModel):
    realised: Decimal
    unrealised: Decimal
    day: Decimal
    net: Decimal


class AccountFailure(BaseModel):
    account: str
    status: int  # what the account's own route would have answered
    error: ErrorDetail


class PnlReport(BaseModel):
    summaries: list[PnlSummary]
    total: PnlTotal  # across the summaries
    failures: list[AccountFailure]  # accounts that could not be read; the others are still shown


@router.get("/pnl")
async def pnl_across(user: CurrentUser, manager: Manager,
                     accounts: Annotated[str | None, Query(description="Comma-separated; default: every account "
                                                           "the caller may read.")] = None,
                     client: Client = None) -> PnlReport:
    """The P&L of several accounts and their total. Naming an account the caller may not read is a 403;
    an account that cannot be read is listed under ``failures`` (if it is the only one named, its error
    is the answer)."""
    if accounts is None:
        names = [name for name in manager.account_store.names() if user.may_read(name)]
    else:
        names = list(dict.fromkeys(name.strip() for name in accounts.split(",") if name.strip()))
        if not names:
            raise ApiError(422, "InputError", "accounts: name at least one account")
        if refused := [name for name in names if not user.may_read(name)]:
            raise ApiError(403, "PermissionDenied", f"{user.name} may not read account {refused[0]!r}")
    results = await manager.fan_out(names, lambda name: manager.pnl(name, client=client))
    summaries = [result.value for result in results if result.value is not None]
    errors = [(result.account, result.error) for result in results if result.error is not None]
    if accounts is not None and len(names) == 1 and errors:
        raise errors[0][1]
    return PnlReport(summaries=summaries, total=PnlTotal(**pnl_totals(summaries)),
                     failures=[_failure(name, error) for name, error in errors])


def _failure(account: str, error: Exception) -> AccountFailure:
    if not isinstance(error, BrokerplexError):  # never a stray exception's text: it may say anything
        return AccountFailure(account=account, status=500, error=ErrorDetail(
            type="InternalError", message="unexpected server error", outcome_known=True))
    return AccountFailure(account=account, status=status_of(error), error=detail_of(error))
