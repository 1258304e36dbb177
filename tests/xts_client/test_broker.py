"""The investor adapter against the XTS simulator: sessions, refusals, ambiguity, and the extras."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.errors import (
    AuthenticationError,
    InputError,
    OrderNotFoundError,
    SettingsError,
    TokenExpiredError,
    UnreachableError,
)
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderStatus, OrderType, Side
from brokerplex.rules import tick_floor
from brokerplex_xts_client.broker import XtsClientBroker
from brokerplex_xts_client.settings import PRESETS
from brokerplex_xts_client.sim import XtsSimulator

ACCOUNT = "x1"
T = TypeVar("T")


def secrets_of(sim: XtsSimulator) -> list[str]:
    return [pair["secretKey"] for account in sim.accounts for pair in (account["interactive"], account["marketdata"])]


@pytest.fixture
def manager(tmp_path: Path, xts_sim: XtsSimulator) -> Iterator[BrokerManager]:
    with BrokerManager(tmp_path / "home") as manager:
        manager.activate("xts_client", ACCOUNT, xts_sim.settings())
        manager.login(ACCOUNT, {}, ClickLoginIO())
        yield manager


def on_broker(manager: BrokerManager, work: Callable[[XtsClientBroker], Awaitable[T]]) -> T:
    """Run ``work`` with the account's connected broker, on the manager's own event loop."""
    async def run(account: str) -> T:
        broker = await manager.aio.session(account)
        assert isinstance(broker, XtsClientBroker)
        return await work(broker)

    (result,) = manager.fan_out([ACCOUNT], run)
    if result.error is not None:
        raise result.error
    return result.value  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def resting_price(manager: BrokerManager, symbol: str, percent: int = 5) -> Decimal:
    last = manager.quotes(ACCOUNT, [symbol])[symbol].last_price
    return tick_floor(last * (100 - percent) / 100, manager.instrument(ACCOUNT, symbol))


# -- settings ------------------------------------------------------------------------------------
def test_a_preset_fills_in_the_root(tmp_path: Path) -> None:
    with BrokerManager(tmp_path) as manager:
        account = manager.activate("xts_client", "iifl1", {
            "broker": "IIFL", "interactive_key": "k", "interactive_secret": "s", "marketdata_key": "k2",
            "marketdata_secret": "s2"})
        assert account.settings.root == PRESETS["iifl"]  # type: ignore[attr-defined]


def test_an_unknown_preset_lists_the_known_ones(tmp_path: Path) -> None:
    with BrokerManager(tmp_path) as manager, pytest.raises(SettingsError) as refused:
        manager.activate("xts_client", "nb1", {"broker": "nosuchbroker", "interactive_key": "k",
                                               "interactive_secret": "s", "marketdata_key": "k2",
                                               "marketdata_secret": "s2"})
    message = str(refused.value)
    assert "\n" not in message
    assert "nosuchbroker" in message
    for name in PRESETS:
        assert name in message


def test_a_root_with_a_path_is_refused(tmp_path: Path) -> None:
    with BrokerManager(tmp_path) as manager, pytest.raises(SettingsError, match="no path"):
        manager.activate("xts_client", "bad", {"root": "https://example.invalid/interactive", "interactive_key": "k",
                                               "interactive_secret": "s", "marketdata_key": "k2",
                                               "marketdata_secret": "s2"})


# -- sessions ------------------------------------------------------------------------------------
def test_dealer_credentials_are_refused_with_a_pointer_to_xts_pro(tmp_path: Path, xts_sim: XtsSimulator) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_client", "dealer", xts_sim.settings(role="dealer"))
        with pytest.raises(AuthenticationError, match="xts_pro") as refused:
            manager.login("dealer", {}, ClickLoginIO())
        assert "isInvestorClient" in str(refused.value)
        assert manager.store.session("dealer").load() == {}  # nothing stored to reuse


def test_wrong_keys_are_an_authentication_error(tmp_path: Path, xts_sim: XtsSimulator) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_client", "wrong", xts_sim.settings(interactive_secret="not-the-secret"))
        with pytest.raises(AuthenticationError, match="refused the login") as refused:
            manager.login("wrong", {}, ClickLoginIO())
        assert "not-the-secret" not in str(refused.value)


def test_an_expired_token_says_to_log_in_again(manager: BrokerManager, xts_sim: XtsSimulator) -> None:
    token = manager.aio._sessions[ACCOUNT].http.interactive_token  # type: ignore[attr-defined]
    assert token
    xts_sim.expire_sessions()
    with pytest.raises(TokenExpiredError, match=f"brokerplex login {ACCOUNT}") as refused:
        manager.funds(ACCOUNT)
    assert refused.value.broker_message == "Invalid Token"
    assert token not in str(refused.value)
    assert token not in repr(manager.aio._sessions[ACCOUNT])


def test_a_session_from_an_earlier_day_expires_without_a_request(tmp_path: Path, xts_sim: XtsSimulator) -> None:
    dead_root = f"http://127.0.0.1:{free_port()}"  # a request would be an UnreachableError
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_client", "old", {**xts_sim.settings(), "root": dead_root})
        yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
        manager.aio._context("old", "xts_client").session.save({
            "day": yesterday, "root": dead_root, "interactive_token": "t1", "marketdata_token": "t2"})
        with pytest.raises(TokenExpiredError, match="brokerplex login old"):
            manager.orders("old")


def test_the_stored_session_is_reused_by_the_next_process(manager: BrokerManager, tmp_path: Path) -> None:
    with BrokerManager(tmp_path / "home") as second:
        assert second.profile(ACCOUNT).user_id == "XTS0001"


def test_no_login_yet_says_how_to_log_in(tmp_path: Path, xts_sim: XtsSimulator) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_client", "fresh", xts_sim.settings())
        with pytest.raises(AuthenticationError, match="brokerplex login fresh"):
            manager.orders("fresh")


def test_an_unreachable_host_is_unreachable(tmp_path: Path, xts_sim: XtsSimulator) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_client", "nowhere", {**xts_sim.settings(), "root": f"http://127.0.0.1:{free_port()}"})
        with pytest.raises(UnreachableError):
            manager.login("nowhere", {}, ClickLoginIO())


# -- books and orders ----------------------------------------------------------------------------
def test_data_not_available_is_an_empty_book(manager: BrokerManager, xts_sim: XtsSimulator) -> None:
    token = manager.aio._sessions[ACCOUNT].http.interactive_token  # type: ignore[attr-defined]
    raw = httpx.get(f"{xts_sim.root}/interactive/orders", headers={"Authorization": token})
    assert raw.status_code == 400
    assert raw.json()["description"] == "Data Not Available"
    assert manager.orders(ACCOUNT) == []
    assert manager.trades(ACCOUNT) == []
    assert manager.holdings(ACCOUNT) == []


def test_a_timeout_after_sending_is_reconciled_and_the_order_exists_once(
    tmp_path: Path, xts_sim: XtsSimulator
) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_client", "slow", xts_sim.settings(timeout="0.5"))
        manager.login("slow", {}, ClickLoginIO())
        xts_sim.faults.delay("orders", 1.5)
        ack = manager.place_order("slow", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=2,
                                                       client_order_id="slowcid1"))
        xts_sim.faults.clear()
        assert ack.client_order_id == "slowcid1"
        kinds = [entry for entry in manager.journal.entries("slow") if entry.client_order_id == "slowcid1"]
        assert [entry.state for entry in kinds] == [JournalState.SENT]
        mine = [order for order in manager.orders("slow") if order.client_order_id == "slowcid1"]
        assert [order.order_id for order in mine] == [ack.order_id]


def test_margin_refusals_arrive_as_rejected_orders(manager: BrokerManager) -> None:
    price = resting_price(manager, "NSE:RELIANCE", 0)
    quantity = manager.instrument(ACCOUNT, "NSE:RELIANCE").freeze_quantity or 1
    assert quantity * price > manager.funds(ACCOUNT).available_margin
    ack = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:RELIANCE", side=Side.BUY, quantity=quantity,
                                                    order_type=OrderType.LIMIT, price=price))
    history = manager.order_history(ACCOUNT, ack.order_id)
    assert history[-1].status is OrderStatus.REJECTED
    assert history[-1].status_message


def test_find_order_matches_the_order_unique_identifier(manager: BrokerManager) -> None:
    ack = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1,
                                                    client_order_id="findme42"))
    found = on_broker(manager, lambda broker: broker.find_order("findme42"))
    assert found is not None
    assert found.order_id == ack.order_id
    assert on_broker(manager, lambda broker: broker.find_order("nosuchcid")) is None


def test_unknown_and_malformed_order_ids(manager: BrokerManager) -> None:
    with pytest.raises(OrderNotFoundError):
        manager.order_history(ACCOUNT, "123456789")
    with pytest.raises(InputError, match="not an XTS order id"):
        manager.order_history(ACCOUNT, "abc")
    with pytest.raises(OrderNotFoundError):  # not in the book the manager reads first: never sent
        manager.cancel_order(ACCOUNT, "abc")


def test_day_and_net_positions(manager: BrokerManager) -> None:
    manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=3))
    deadline = time.monotonic() + 5
    while True:
        day = on_broker(manager, lambda broker: broker.day_positions())
        net = on_broker(manager, lambda broker: broker.positions())
        if (day and net) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [p.quantity for p in day] == [3]
    assert [p.symbol for p in net] == ["NSE:INFY"]
    assert net[0].last_price > 0


def test_the_master_is_cached_per_day(manager: BrokerManager, tmp_path: Path) -> None:
    manager.instrument(ACCOUNT, "NSE:INFY")
    cached = list((tmp_path / "home" / "cache" / "xts_client").glob("master-*"))
    assert len(cached) == 1
    assert b"NSE:" not in cached[0].read_bytes()[:5]  # the raw wire text, not our symbols
    assert "NIFTY 50|" in cached[0].read_text()  # with the index list folded in

    async def no_download(self: XtsClientBroker) -> bytes:
        raise AssertionError("the day's master was downloaded again")

    with pytest.MonkeyPatch.context() as patch, BrokerManager(tmp_path / "home") as later:
        patch.setattr(XtsClientBroker, "_download_master", no_download)
        assert later.instrument(ACCOUNT, "NSE:INFY").exchange_token == 1594  # a later process reads the cache


def test_no_secret_or_token_in_logs_errors_or_reprs(tmp_path: Path, xts_sim: XtsSimulator,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with BrokerManager(tmp_path) as manager:
        account = manager.activate("xts_client", ACCOUNT, xts_sim.settings())
        texts += [repr(account), str(account.settings)]
        manager.login(ACCOUNT, {}, ClickLoginIO())
        manager.quotes(ACCOUNT, ["NSE:INFY"])
        manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))
        broker = manager.aio._sessions[ACCOUNT]
        texts += [repr(broker), repr(broker.http), repr(broker.settings)]  # type: ignore[attr-defined]
        session = manager.store.session(ACCOUNT).load()
        xts_sim.expire_sessions()
        with pytest.raises(TokenExpiredError) as refused:
            manager.orders(ACCOUNT)
        texts += [str(refused.value), repr(refused.value), str(refused.value.broker_message)]
    assert "/interactive/orders" in caplog.text  # httpx logged the requests
    secrets = [*secrets_of(xts_sim), session["interactive_token"], session["marketdata_token"]]
    for secret in secrets:
        assert secret not in caplog.text
        for text in texts:
            assert secret not in text
