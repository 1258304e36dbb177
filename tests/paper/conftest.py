"""Paper brokers on one home, each as a CLI command (a process of its own) would open it, on a clock the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest

from brokerplex.broker import AccountContext
from brokerplex.models import OrderRequest, OrderStatus
from brokerplex.testing.harness import MemorySession
from brokerplex_paper import broker as paper_broker
from brokerplex_paper.broker import PaperBroker, PaperSettings
from brokerplex_paper.exchange import PaperExchange
from clocks import TUESDAY_11AM, HeldClock

T = TypeVar("T")




class PaperHome:
    """Opens PaperBrokers on one home. ``process()`` starts a new "process": the brokers opened after it get
    an exchange object (and SQLite connection) of their own on the same file, as a second CLI command would."""

    def __init__(self, home: Path, clock: HeldClock, monkeypatch: pytest.MonkeyPatch) -> None:
        self.home, self.clock = home, clock
        self.path = home / "paper" / "exchange.sqlite"
        self._opened: list[PaperExchange] = []
        self._monkeypatch = monkeypatch
        self.process()

    def process(self) -> None:
        self._monkeypatch.setattr(paper_broker, "_exchanges", {})

    def broker(self, account: str = "a", cash: Decimal = Decimal(100_000_000)) -> PaperBroker:
        key = (str(self.path.resolve()), 7, False)
        if key not in paper_broker._exchanges:
            exchange = PaperExchange(self.path, clock=self.clock)
            self._opened.append(exchange)
            paper_broker._exchanges[key] = exchange
        broker = PaperBroker(AccountContext(account, "paper", self.home, MemorySession()),
                             PaperSettings(opening_cash=cash))
        run(broker.connect())
        return broker

    def close(self) -> None:
        for exchange in self._opened:
            exchange.close()


def run(awaitable: Awaitable[T]) -> T:
    async def wait() -> T:
        return await awaitable

    return asyncio.run(wait())


@pytest.fixture
def clock() -> HeldClock:
    return HeldClock(TUESDAY_11AM)


@pytest.fixture
def paper_home(tmp_path: Path, clock: HeldClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[PaperHome]:
    home = PaperHome(tmp_path / "home", clock, monkeypatch)
    yield home
    home.close()


@pytest.fixture
def call() -> Callable[[Awaitable[T]], T]:
    """Runs one broker call to its end (each test is one synchronous "command")."""
    return run


@pytest.fixture
def fill() -> Callable[[PaperBroker, OrderRequest], Decimal]:
    """Place ``request`` through the broker, check that it filled, and give its average price."""

    def place(broker: PaperBroker, request: OrderRequest) -> Decimal:
        ack = run(broker.place_order(request.model_copy(update={"client_order_id": request.client_order_id or "t1"})))
        order = next(o for o in run(broker.orders()) if o.order_id == ack.order_id)
        assert order.status is OrderStatus.COMPLETE, order.status_message
        assert order.average_price is not None
        return order.average_price

    return place
