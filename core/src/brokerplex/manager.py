"""BrokerManager: the sync facade of :class:`~brokerplex.aiomanager.AsyncBrokerManager`.

It runs the async core on a private event loop so that any number of threads may call it at
once (all session state is touched on that one loop, so it needs no further locking).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy

from brokerplex.accounts import Account, AccountStore
from brokerplex.aio import LoopThread
from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex.broker import LoginIO
from brokerplex.hub import Event
from brokerplex.journal import OrderJournal
from brokerplex.models import (
    Funds,
    Holding,
    Instrument,
    Order,
    OrderAck,
    OrderModify,
    OrderRequest,
    Position,
    Profile,
    Quote,
    TickMode,
    Trade,
)
from brokerplex.ops.clients import ClientView, SyncFanOuts
from brokerplex.ops.facade import SyncOperations
from brokerplex.outcomes import FanOutResult, Reconciled
from brokerplex.pipeline import RECONCILE_GRACE
from brokerplex.registry import RegisteredBroker
from brokerplex.store import Store

__all__ = ["AsyncBrokerManager", "BrokerManager", "ClientView", "FanOutResult", "Reconciled"]


class BrokerManager(SyncOperations, SyncFanOuts):
    """The sync facade: the same operations (the trader operations from
    :class:`~brokerplex.ops.facade.SyncOperations`), callable from any thread.

    ``manager.aio`` is the async core, for code that already runs an event loop.
    """

    def __init__(self, home: Path | None = None, *, plugin_manager: pluggy.PluginManager | None = None,
                 bus: str | None = None, database: str | None = None) -> None:
        self.aio = AsyncBrokerManager(home, plugin_manager=plugin_manager, bus=bus, database=database)
        self._loop = LoopThread()

    def __enter__(self) -> BrokerManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._loop.run(self.aio.close())
        except RuntimeError:
            return  # already closed
        self._loop.stop()

    @property
    def home(self) -> Path:
        return self.aio.home

    @property
    def journal(self) -> OrderJournal:
        return self.aio.journal

    @property
    def store(self) -> Store:
        return self.aio.store

    @property
    def account_store(self) -> AccountStore:
        return self.aio.account_store

    def brokers(self) -> dict[str, RegisteredBroker]:
        return self.aio.brokers()

    def activate(
        self, broker: str, account: str, options: Mapping[str, str] | None = None, *,
        prompt_secret: Callable[[str], str] | None = None,
    ) -> Account:
        return self.aio.activate(broker, account, options, prompt_secret=prompt_secret)

    def deactivate(self, account: str) -> None:
        self._loop.run(self.aio.deactivate(account))

    def account(self, name: str) -> Account:
        return self.aio.account(name)

    def accounts(self) -> list[Account]:
        return self.aio.accounts()

    def account_row(self, name: str) -> dict[str, Any]:
        return self.aio.account_row(name)

    def login(self, account: str, params: Mapping[str, str], io: LoginIO) -> Profile:
        return self._loop.run(self.aio.login(account, params, io))

    def profile(self, account: str) -> Profile:
        return self._loop.run(self.aio.profile(account))

    def instruments(self, account: str) -> Sequence[Instrument]:
        return self._loop.run(self.aio.instruments(account))

    def instrument(self, account: str, symbol: str) -> Instrument:
        return self._loop.run(self.aio.instrument(account, symbol))

    def quotes(self, account: str, symbols: Sequence[str]) -> dict[str, Quote]:
        return self._loop.run(self.aio.quotes(account, symbols))

    def watch(
        self, accounts: str | Sequence[str], symbols: Sequence[str] = (), mode: TickMode = "quote", *,
        idle_timeout: float | None = None, give_up: float | None = None, after: str | None = None,
    ) -> Generator[Event, None, None]:
        """Events (``brokerplex.hub.Event``: ticks, order updates, trades, feed states) of one account or
        several, through the hub; the consumer closes when the loop over it ends.

        Without ``symbols``, order updates, trades and feed states only. With ``idle_timeout``, no tick or
        order update for that many seconds raises TimeoutError; with ``give_up``, an account whose feed is
        not connected for that many seconds raises UnreachableError. ``after``: resume order events after
        this bus event id.
        """
        from brokerplex.hub import WatchedEvents

        names = [accounts] if isinstance(accounts, str) else list(accounts)
        consumer = self._loop.run(self.aio.subscribe(names, symbols, mode, after=after))
        events = WatchedEvents(aiter(consumer), names, give_up=give_up, idle_timeout=idle_timeout)

        async def next_event() -> Event | None:
            return await anext(events, None)

        try:
            while (event := self._loop.run(next_event())) is not None:
                yield event
        finally:
            self._loop.run(consumer.close())

    def order_history(self, account: str, order_id: str, *, client: str | None = None) -> list[Order]:
        return self._loop.run(self.aio.order_history(account, order_id, client=client))

    def trades(self, account: str, *, client: str | None = None) -> list[Trade]:
        return self._loop.run(self.aio.trades(account, client=client))

    def positions(self, account: str, *, client: str | None = None) -> list[Position]:
        return self._loop.run(self.aio.positions(account, client=client))

    def holdings(self, account: str, *, client: str | None = None) -> list[Holding]:
        return self._loop.run(self.aio.holdings(account, client=client))

    def funds(self, account: str, *, client: str | None = None) -> Funds:
        return self._loop.run(self.aio.funds(account, client=client))

    def place_order(self, account: str, request: OrderRequest, *, client: str | None = None) -> OrderAck:
        return self._loop.run(self.aio.place_order(account, request, client=client))

    def verdict(self, account: str, order_id: str, *, client: str | None = None,
                timeout: float = 3.0) -> Order | None:
        return self._loop.run(self.aio.verdict(account, order_id, client=client, timeout=timeout))

    def modify_order(
        self, account: str, order_id: str, changes: OrderModify, *, client: str | None = None
    ) -> OrderAck:
        return self._loop.run(self.aio.modify_order(account, order_id, changes, client=client))

    def cancel_order(self, account: str, order_id: str, *, client: str | None = None) -> OrderAck:
        return self._loop.run(self.aio.cancel_order(account, order_id, client=client))

    def reconcile(self, account: str, *, grace: dt.timedelta = RECONCILE_GRACE) -> list[Reconciled]:
        return self._loop.run(self.aio.reconcile(account, grace=grace))

    # -- dealer logins (fan-outs and ClientView: brokerplex.ops.clients) -------------
    def clients(self, account: str) -> list[str]:
        return self._loop.run(self.aio.clients(account))
