"""The sync facade of the fan-outs, and :class:`ClientView`: a dealer account bound to one client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar, cast

from brokerplex.models import Funds, Holding, Order, OrderAck, OrderModify, OrderRequest, Position, Trade
from brokerplex.outcomes import FanOutResult

if TYPE_CHECKING:
    from brokerplex.aio import LoopThread
    from brokerplex.aiomanager import AsyncBrokerManager
    from brokerplex.manager import BrokerManager

T = TypeVar("T")


class SyncFanOuts:
    aio: AsyncBrokerManager
    _loop: LoopThread

    def fan_out(self, accounts: Sequence[str], operation: Callable[[str], Awaitable[T]]) -> list[FanOutResult[T]]:
        """``operation`` is async and receives the account name; use ``self.aio`` inside it."""
        return self._loop.run(self.aio.fan_out(accounts, operation))

    def place_order_many(self, accounts: Sequence[str], request: OrderRequest) -> list[FanOutResult[OrderAck]]:
        return self._loop.run(self.aio.place_order_many(accounts, request))

    def client(self, account: str, code: str) -> ClientView:
        """A dealer account acting for one client; a code the login does not hold fails here."""
        return ClientView(cast("BrokerManager", self), account, self._loop.run(self.aio.held_client(account, code)))

    def for_clients(
        self, account: str, clients: Sequence[str] | None, operation: Callable[[str], Awaitable[T]]
    ) -> list[FanOutResult[T]]:
        """``operation`` is async and receives the client code; use ``self.aio`` inside it."""
        return self._loop.run(self.aio.for_clients(account, clients, operation))

    def place_order_for_clients(
        self, account: str, clients: Sequence[str], request: OrderRequest
    ) -> list[FanOutResult[OrderAck]]:
        return self._loop.run(self.aio.place_order_for_clients(account, clients, request))


class ClientView:
    """A dealer account acting for one client: the book and order operations, bound to it.

    Made by :meth:`BrokerManager.client`; it shares the account's session.
    """

    def __init__(self, manager: BrokerManager, account: str, client: str) -> None:
        self.manager, self.account, self.client = manager, account, client

    def __repr__(self) -> str:
        return f"<ClientView {self.account}/{self.client}>"

    def orders(self) -> list[Order]:
        return self.manager.orders(self.account, client=self.client)

    def order_history(self, order_id: str) -> list[Order]:
        return self.manager.order_history(self.account, order_id, client=self.client)

    def trades(self) -> list[Trade]:
        return self.manager.trades(self.account, client=self.client)

    def positions(self) -> list[Position]:
        return self.manager.positions(self.account, client=self.client)

    def holdings(self) -> list[Holding]:
        return self.manager.holdings(self.account, client=self.client)

    def funds(self) -> Funds:
        return self.manager.funds(self.account, client=self.client)

    def place_order(self, request: OrderRequest) -> OrderAck:
        return self.manager.place_order(self.account, request, client=self.client)

    def modify_order(self, order_id: str, changes: OrderModify) -> OrderAck:
        return self.manager.modify_order(self.account, order_id, changes, client=self.client)

    def cancel_order(self, order_id: str) -> OrderAck:
        return self.manager.cancel_order(self.account, order_id, client=self.client)
