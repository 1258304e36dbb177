"""Operations over several accounts, or several clients of a dealer account: one result each, every code
checked before anything is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from brokerplex.aiocore import ManagerCore
from brokerplex.errors import InputError
from brokerplex.models import OrderAck, OrderRequest
from brokerplex.outcomes import FanOutResult, outcome_of

T = TypeVar("T")


class FanOutOperations(ManagerCore):
    # -- fan-out --------------------------------------------------------------
    async def fan_out(
        self, accounts: Sequence[str], operation: Callable[[str], Awaitable[T]]
    ) -> list[FanOutResult[T]]:
        """Run ``operation(account)`` for every account at once; one failure hides nothing."""
        return list(await asyncio.gather(*(outcome_of(account, None, operation(account)) for account in accounts)))

    async def place_order_many(self, accounts: Sequence[str], request: OrderRequest) -> list[FanOutResult[OrderAck]]:
        """Place the same order in every account, each with its own client order id."""
        if request.client_order_id is not None and len(accounts) > 1:
            raise InputError("a fan-out gives each order its own client order id; do not set one")
        if len(set(accounts)) != len(accounts):
            raise InputError("an account is listed twice: that would place its order twice")
        return await self.fan_out(accounts, lambda account: self.place_order(account, request))

    async def for_clients(
        self, account: str, clients: Sequence[str] | None, operation: Callable[[str], Awaitable[T]]
    ) -> list[FanOutResult[T]]:
        """Run ``operation(client)`` for each client code of a dealer account (None: every code it
        holds) at once; one client's failure hides nothing. Every code is checked before anything runs."""
        codes = await self._held(account, clients)
        return list(await asyncio.gather(*(outcome_of(account, code, operation(code)) for code in codes)))

    async def place_order_for_clients(
        self, account: str, clients: Sequence[str], request: OrderRequest
    ) -> list[FanOutResult[OrderAck]]:
        """Place the same order for each client code of a dealer account, each with its own client order id."""
        if request.client_order_id is not None and len(clients) > 1:
            raise InputError("a fan-out gives each order its own client order id; do not set one")
        return await self.for_clients(account, clients,
                                      lambda code: self.place_order(account, request, client=code))

    async def _held(self, account: str, clients: Sequence[str] | None) -> list[str]:
        if clients is None:
            return await self.clients(account)
        if not clients:
            raise InputError("give at least one client code")
        held = [await self.held_client(account, code) for code in clients]
        if len(set(held)) != len(held):
            raise InputError("a client code is listed twice: that would place its order twice")
        return held

    async def held_client(self, account: str, code: str) -> str:
        """``code`` as the dealer login holds it; ClientCodeError, before any request, if it does not."""
        return (await (await self.session(account)).for_client(code)).client_code or code
