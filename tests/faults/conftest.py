"""Fault-injection suites: every broker through its simulator, with faults injected into its replies.

A :class:`Venue` is one broker's simulator and a logged-in manager on it, with the client-side
rate limits raised so that hundreds of orders go through in seconds, and a short timeout so that a
lost reply costs little. The simulator's own exchange is the truth the tests compare against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_zerodha.sim import KiteSimulator

ACCOUNT = "f1"
SYMBOL = "NSE:INFY"
KITE_SECRET = "kite_sim_secret"
FAST = {"orders_per_second": "1000", "requests_per_second": "1000"}


@dataclass
class Venue:
    broker: str
    sim: Any  # KiteSimulator | XtsSimulator: the same controls under the same names
    manager: BrokerManager
    exchange_account: str  # whose orders the simulator's exchange holds
    home: Path
    options: dict[str, str]  # the account's settings, to activate it again elsewhere
    account: str = ACCOUNT
    prepared: str | None = None  # what a test made ready for the call it tests (an order id)

    def exchange_orders(self) -> list[Order]:
        """The orders the simulator's exchange holds: the truth, not our view of it."""
        return list(self.sim.exchange.orders(self.exchange_account))

    def resting_buy(self, client_order_id: str | None = None) -> OrderRequest:
        """A LIMIT BUY of one share well under the market: it rests, so the book keeps it."""
        last = self.manager.quotes(ACCOUNT, [SYMBOL])[SYMBOL].last_price
        price = tick_floor(last * Decimal("0.97"), self.manager.instrument(ACCOUNT, SYMBOL))
        return OrderRequest(symbol=SYMBOL, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price,
                            client_order_id=client_order_id)

    def login(self, manager: BrokerManager) -> None:
        params = {"request_token": self.sim.request_token()} if isinstance(self.sim, KiteSimulator) else {}
        manager.login(ACCOUNT, params, ClickLoginIO())


def kite_options(sim: KiteSimulator, timeout: float) -> dict[str, str]:
    return {"api_key": sim.api_key, "api_secret": KITE_SECRET, "root": sim.rest, "ws_root": sim.ws,
            "login_url": sim.login, "timeout": str(timeout), "orders_per_minute": "100000",
            "orders_per_day": "100000", "quotes_per_second": "1000", **FAST}


def open_venue(broker: str, tmp_path: Path, timeout: float) -> Iterator[Venue]:
    home = tmp_path / "home"
    if broker == "zerodha":
        with KiteSimulator(state_dir=tmp_path / "sim", rate_limits=False) as kite, BrokerManager(home) as manager:
            options = kite_options(kite, timeout)
            manager.activate("zerodha", ACCOUNT, options)
            venue = Venue("zerodha", kite, manager, kite.user_id, home, options)
            venue.login(manager)
            manager.instruments(ACCOUNT)  # the day's master is in before any fault
            yield venue
        return
    with XtsSimulator(state_dir=tmp_path / "sim", rate_limits=False) as xts, BrokerManager(home) as manager:
        investor = xts.account("investor")
        options = xts.settings(timeout=str(timeout), **FAST)
        manager.activate("xts_client", ACCOUNT, options)
        venue = Venue("xts_client", xts, manager, investor["client_codes"][0], home, options)
        venue.login(manager)
        manager.instruments(ACCOUNT)
        yield venue


@pytest.fixture(params=["zerodha", "xts_client"])
def broker(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def venue_timeout() -> float:
    """The account's timeout; a suite overrides this fixture to change it."""
    return 1.0


@pytest.fixture
def venue(broker: str, tmp_path: Path, venue_timeout: float) -> Iterator[Venue]:
    yield from open_venue(broker, tmp_path, venue_timeout)
