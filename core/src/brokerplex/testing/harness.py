"""The conformance kit's target description and the fixtures and helpers every group of checks shares."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest

from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderAck, OrderRequest, OrderType, Product, Side
from brokerplex.rules import tick_floor
from brokerplex.testing.venue import Venue

ACCOUNT = "conformance"
T = TypeVar("T")


@dataclass(frozen=True)
class ConformanceTarget:
    """What the suite needs to know about the broker under test."""

    broker: str
    options: Mapping[str, str] = field(default_factory=dict)  # settings for `activate`
    # If set, `login` runs first with these params; a callable gives fresh ones (a single-use token)
    # each time, so that the bad-credentials check logs in too.
    login: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None
    symbol: str = "NSE:INFY"  # a liquid cash instrument
    derivative: str | None = None  # an F&O contract with a lot size above one
    trading: bool = True  # may place (and cancel) orders
    market_orders: bool = True  # may place market orders that fill
    rejects_for_funds: bool = True  # an absurdly large order is refused for margin (at once, or then REJECTED)
    bad_options: Mapping[str, str] | None = None  # settings whose session must fail authentication
    settle_seconds: float = 10.0  # how long an order may take to reach its final state
    # The simulator behind the plugin: the kit checks what reached it and injects its faults.
    venue: Venue | None = None
    timeout: float = 10.0  # the whole-call timeout `options` give the plugin (a late reply outlasts it)


class MemorySession:
    """A broker session kept in memory: for unit tests that build a broker without a manager
    (``AccountContext(account, broker, home, MemorySession())``)."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}

    def load(self) -> dict[str, Any]:
        return dict(self._data)

    def save(self, data: dict[str, Any]) -> None:
        self._data = dict(data)

    def clear(self) -> None:
        self._data = {}


class UnattendedLoginIO:
    """The kit logs in with the target's parameters; a login that asks a person cannot be conformed."""

    def show(self, text: str) -> None:
        """Nothing reads it: the kit runs unattended."""

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        raise AssertionError(f"the login asked {text!r}: give ConformanceTarget(login=...) what it needs")


def login_params(target: ConformanceTarget) -> Mapping[str, str]:
    login = target.login
    assert login is not None
    return login() if callable(login) else login


def eventually(probe: Callable[[], T | None], seconds: float) -> T | None:
    """Poll ``probe`` until it returns something, for brokers that update asynchronously."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


class Harness:
    """Fixtures and helpers; the checks live in the subclasses."""

    @pytest.fixture
    def conformance_home(self, tmp_path: Path) -> Path:
        return tmp_path / "conformance-home"

    @pytest.fixture
    def manager(self, conformance_target: ConformanceTarget, conformance_home: Path) -> Iterator[BrokerManager]:
        with BrokerManager(conformance_home) as manager:
            manager.activate(conformance_target.broker, ACCOUNT, conformance_target.options)
            if conformance_target.login is not None:
                manager.login(ACCOUNT, login_params(conformance_target), UnattendedLoginIO())
            yield manager

    @pytest.fixture
    def trading(self, conformance_target: ConformanceTarget) -> ConformanceTarget:
        if not conformance_target.trading:
            pytest.skip("order placement is not enabled for this target")
        return conformance_target

    @pytest.fixture
    def venue(self, trading: ConformanceTarget) -> Venue:
        if trading.venue is None:
            pytest.skip("no simulator behind this target: the wire checks need ConformanceTarget(venue=...)")
        return trading.venue

    # -- helpers -----------------------------------------------------------------------
    def find(self, manager: BrokerManager, client_order_id: str | None, seconds: float, *,
             final: bool = False, where: Callable[[Order], bool] = lambda order: True) -> Order:
        """The order in the plugin's book, once it matches (and is final, if asked)."""
        def probe() -> Order | None:
            order = next((o for o in manager.orders(ACCOUNT) if o.client_order_id == client_order_id), None)
            return order if order is not None and (order.status.is_final or not final) and where(order) else None

        found = eventually(probe, seconds)
        assert found is not None, f"order {client_order_id} not in the order book as expected"
        return found

    def received(self, venue: Venue | None, client_order_id: str | None) -> Order | None:
        """The order as the venue holds it (None without a venue); exactly one may carry the id."""
        if venue is None:
            return None
        matches = [o for o in venue.received_orders() if o.client_order_id == client_order_id]
        assert len(matches) == 1, f"the venue holds {len(matches)} orders with client id {client_order_id}"
        return matches[0]

    def away(self, manager: BrokerManager, symbol: str, factor: str) -> Decimal:
        """A price ``factor`` times the last one, on an odd tick multiple, so no rounding keeps it."""
        instrument = manager.instrument(ACCOUNT, symbol)
        last = manager.quotes(ACCOUNT, [symbol])[symbol].last_price
        price = tick_floor(last * Decimal(factor), instrument)
        return price if (price / instrument.tick_size) % 2 else price - instrument.tick_size

    def resting(
        self, manager: BrokerManager, target: ConformanceTarget, side: Side, *, symbol: str | None = None,
        lots: int = 1, product: Product | None = Product.MIS, **fields: object,
    ) -> tuple[OrderRequest, OrderAck]:
        """A LIMIT order far enough from the market to rest (BUY below it, SELL above it), placed."""
        symbol = symbol or target.symbol
        lot = manager.instrument(ACCOUNT, symbol).lot_size
        price = self.away(manager, symbol, "0.96" if side is Side.BUY else "1.04")
        request = OrderRequest.model_validate({
            "symbol": symbol, "side": side, "quantity": lot * lots, "order_type": OrderType.LIMIT, "price": price,
            "product": product, **fields})
        return request, manager.place_order(ACCOUNT, request)
