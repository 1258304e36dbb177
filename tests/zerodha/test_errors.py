"""Kite's failures, produced by the simulator, reach users as brokerplex errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.errors import (
    AuthenticationError,
    InsufficientHoldingsError,
    RateLimitedError,
    TokenExpiredError,
    UnreachableError,
)
from brokerplex.formats import IST
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Side
from brokerplex_zerodha.sim import KiteSimulator
from stored import save_session, session_of

SECRET = "kite_sim_secret"


def options(sim: KiteSimulator, **changes: str) -> dict[str, str]:
    return {"api_key": sim.api_key, "api_secret": SECRET, "root": sim.rest, "ws_root": sim.ws,
            "login_url": sim.login, **changes}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def logged_in(home: Path, sim: KiteSimulator, **changes: str) -> BrokerManager:
    manager = BrokerManager(home)
    manager.activate("zerodha", "z1", options(sim, **changes))
    manager.login("z1", {"request_token": sim.request_token()}, ClickLoginIO())
    return manager


@pytest.fixture
def manager(home: Path, kite_sim: KiteSimulator) -> Iterator[BrokerManager]:
    with logged_in(home, kite_sim) as manager:
        yield manager


def test_an_invalidated_session_says_to_log_in_again(manager: BrokerManager, kite_sim: KiteSimulator) -> None:
    assert manager.profile("z1").user_id == kite_sim.user_id
    kite_sim.expire_sessions()
    with pytest.raises(TokenExpiredError, match=r"run `brokerplex login z1` again") as caught:
        manager.funds("z1")
    assert caught.value.code == "TokenException/403"


def test_a_spent_request_token_is_an_authentication_error(home: Path, kite_sim: KiteSimulator) -> None:
    token = kite_sim.request_token()
    with BrokerManager(home) as manager:
        manager.activate("zerodha", "z1", options(kite_sim))
        manager.login("z1", {"request_token": token}, ClickLoginIO())
        with pytest.raises(AuthenticationError, match="brokerplex login z1"):
            manager.login("z1", {"request_token": token}, ClickLoginIO())


def test_a_stored_token_past_six_am_is_expired_without_asking_kite(home: Path, tmp_path: Path) -> None:
    with KiteSimulator(state_dir=tmp_path / "sim") as sim, logged_in(home, sim):
        stored = session_of(home, "z1")
        assert dt.datetime.fromisoformat(stored["expires_at"]).astimezone(IST).time() == dt.time(6, 0)
        stored["expires_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
        save_session(home, "z1", stored)
    # The simulator is gone: a request would fail as unreachable, not as an expired session.
    with BrokerManager(home) as fresh, pytest.raises(TokenExpiredError, match="06:00 IST"):
        fresh.orders("z1")


def test_insufficient_holdings_are_recovered_from_the_message(manager: BrokerManager) -> None:
    with pytest.raises(InsufficientHoldingsError, match=r"(?i)holdings") as caught:
        manager.place_order("z1", OrderRequest(symbol="NSE:INFY", side=Side.SELL, quantity=5))
    assert caught.value.code == "GeneralException/400"  # the client's class; the wording told us
    entry = manager.journal.entries("z1")[-1]
    assert entry.state is JournalState.REJECTED


def test_http_429_is_rate_limited(home: Path, kite_sim: KiteSimulator) -> None:
    # Our own limiter would pace quotes at Kite's 1/s; let it through to meet the server's limit.
    with logged_in(home, kite_sim, quotes_per_second="100") as manager:
        def hammer() -> None:
            for _ in range(10):
                manager.quotes("z1", ["NSE:INFY"])

        with pytest.raises(RateLimitedError) as caught:
            hammer()
    assert caught.value.code == "NetworkException/429"


def test_an_unanswered_order_is_reconciled_by_its_tag_and_exists_once(home: Path, kite_sim: KiteSimulator) -> None:
    with logged_in(home, kite_sim, timeout="1") as manager:
        kite_sim.faults.delay("orders", 3)
        ack = manager.place_order("z1", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=2,
                                                     client_order_id="late1"))
        kite_sim.faults.clear()
        entry = manager.journal.get("late1")
        assert entry is not None
        assert entry.state is JournalState.SENT
        assert entry.order_id == ack.order_id
        assert [o.order_id for o in manager.orders("z1") if o.client_order_id == "late1"] == [ack.order_id]


def test_a_closed_port_is_unreachable_and_nothing_is_journalled_as_sent(home: Path, tmp_path: Path) -> None:
    with KiteSimulator(state_dir=tmp_path / "sim") as sim, logged_in(home, sim) as manager:
        manager.instrument("z1", "NSE:INFY")  # the day's instrument master is cached
    with BrokerManager(home) as manager:
        with pytest.raises(UnreachableError, match="nothing was sent"):
            manager.place_order("z1", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1,
                                                   order_type=OrderType.LIMIT, price=Decimal("1000"),
                                                   client_order_id="never1"))
        entry = manager.journal.get("never1")
        assert entry is not None
        assert entry.state is JournalState.FAILED
