"""The books of an account (trades, positions, holdings, funds), quotes and the instrument search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from brokerplex.errors import InputError
from brokerplex.models import Exchange, Funds, Holding, Instrument, InstrumentType, Position, Quote, Trade
from brokerplex_server.deps import Manager, ReadableAccount
from brokerplex_server.routes.schemas import Client

router = APIRouter(tags=["books"])


@router.get("/accounts/{account}/trades")
async def trades(account: ReadableAccount, manager: Manager, client: Client = None) -> list[Trade]:
    """Today's trades, oldest first."""
    return await manager.trades(account, client=client)


@router.get("/accounts/{account}/positions")
async def positions(account: ReadableAccount, manager: Manager, client: Client = None) -> list[Position]:
    return await manager.positions(account, client=client)


@router.get("/accounts/{account}/holdings")
async def holdings(account: ReadableAccount, manager: Manager, client: Client = None) -> list[Holding]:
    return await manager.holdings(account, client=client)


@router.get("/accounts/{account}/funds")
async def funds(account: ReadableAccount, manager: Manager, client: Client = None) -> Funds:
    return await manager.funds(account, client=client)


@router.get("/accounts/{account}/quotes")
async def quotes(account: ReadableAccount, manager: Manager,
                 symbols: Annotated[list[str], Query(description="EXCHANGE:SYMBOL, comma-separated or repeated")]
                 ) -> dict[str, Quote]:
    """Quotes with depth, by symbol; a symbol the broker does not list is absent (none listed: 422)."""
    wanted = [symbol.strip() for given in symbols for symbol in given.split(",") if symbol.strip()]
    found = await manager.quotes(account, wanted)
    if not found:
        raise InputError(f"no quote for {', '.join(wanted)}: not listed at the broker "
                         f"(GET /accounts/{account}/instruments?q=TEXT finds what is)")
    return found


@router.get("/accounts/{account}/instruments")
async def instruments(account: ReadableAccount, manager: Manager,
                      q: Annotated[str, Query(description="words of a symbol or name, e.g. 'nifty 24000 ce'")],
                      exchange: Exchange | None = None,
                      kind: Annotated[InstrumentType | None, Query(alias="type", description="only this kind")] = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[Instrument]:
    """The listed instruments matching ``q``, best first (exact symbol, prefix, word, substring, misspelling)."""
    return await manager.search(account, q, exchange=exchange, instrument_type=kind, limit=limit)
