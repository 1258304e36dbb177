"""BrokerManager: journal, reconciliation, hooks, fan-out, threads — over the real paper exchange."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pluggy
import pytest

from brokerplex import hookimpl
from brokerplex.errors import (
    InputError,
    InsufficientFundsError,
    OrderNotFoundError,
    OutcomeUnknownError,
    UnknownAccountError,
    UnreachableError,
    VetoedError,
)
from brokerplex.journal import JournalState, OrderJournal
from brokerplex.manager import BrokerManager
from brokerplex.models import (
    Instrument,
    Order,
    OrderAck,
    OrderEvent,
    OrderModify,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
)
from brokerplex.plugins import check, new_plugin_manager
from brokerplex.registry import BrokerSpec
from brokerplex.rules import tick_floor
from brokerplex.store import Store
from brokerplex_paper import CAPABILITIES
from brokerplex_paper.broker import PaperBroker

INFY = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1)


class FlakyNetworkBroker(PaperBroker):
    """The paper broker behind a network that fails in a chosen way on the next order."""

    failure: ClassVar[str] = "reply lost"  # or "request lost", "connect refused"

    async def place_order(self, request: OrderRequest):  # type: ignore[no-untyped-def]
        if self.failure == "connect refused":
            raise UnreachableError("connection refused", broker="flaky")
        if self.failure == "reply lost":
            await super().place_order(request)  # the order arrives; its reply does not
        raise OutcomeUnknownError("read timed out", broker="flaky")


class CountingBroker(PaperBroker):
    """The paper broker, counting what it reads and what modify and cancel are handed."""

    reads: ClassVar[Counter[str]] = Counter()
    handed: ClassVar[list[Order]] = []

    async def orders(self) -> list[Order]:
        self.reads["orders"] += 1
        return await super().orders()

    async def order_history(self, order_id: str) -> list[Order]:
        self.reads["history"] += 1
        return await super().order_history(order_id)

    async def modify_order(self, order: Order, changes: OrderModify) -> OrderAck:
        self.handed.append(order)
        return await super().modify_order(order, changes)

    async def cancel_order(self, order: Order) -> OrderAck:
        self.handed.append(order)
        return await super().cancel_order(order)


class Recorder:
    """A plugin observing order events and vetoing orders above a size."""

    def __init__(self) -> None:
        self.events: list[OrderEvent] = []

    @hookimpl
    def register_brokers(self, register: Callable[[BrokerSpec], None]) -> None:
        register(BrokerSpec("flaky", "paper behind a flaky network", CAPABILITIES, lambda: FlakyNetworkBroker))
        register(BrokerSpec("counting", "paper, counting its reads", CAPABILITIES, lambda: CountingBroker))

    @hookimpl
    def pretrade_check(self, request: OrderRequest, instrument: Instrument | None) -> str | None:
        return "more than 500 shares needs a second pair of eyes" if request.quantity > 500 else None

    @hookimpl
    def order_event(self, event: OrderEvent) -> None:
        self.events.append(event)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def plugins(recorder: Recorder) -> pluggy.PluginManager:
    manager = new_plugin_manager()
    manager.register(recorder, name="recorder")
    check(manager)
    return manager


@pytest.fixture
def manager(home: Path, plugins: pluggy.PluginManager) -> Iterator[BrokerManager]:
    with BrokerManager(home, plugin_manager=plugins) as manager:
        manager.activate("paper", "p1")
        manager.activate("flaky", "f1")
        manager.activate("counting", "c1")
        yield manager


def test_order_is_journalled_before_and_after_sending(manager: BrokerManager, recorder: Recorder) -> None:
    ack = manager.place_order("p1", INFY)
    entry = manager.journal.get(ack.client_order_id or "")
    assert entry is not None
    assert entry.state is JournalState.SENT
    assert entry.order_id == ack.order_id
    assert OrderRequest.model_validate_json(entry.request).client_order_id == ack.client_order_id
    assert [e.kind for e in recorder.events] == ["sent"]
    order = next(o for o in manager.orders("p1") if o.order_id == ack.order_id)
    assert order.client_order_id == ack.client_order_id


def test_client_order_ids_are_short_unique_and_alphanumeric(manager: BrokerManager) -> None:
    ids = [manager.place_order("p1", INFY).client_order_id or "" for _ in range(20)]
    assert len(set(ids)) == 20
    assert all(i.isalnum() and i.isascii() and len(i) <= 20 for i in ids)


def test_a_reused_client_order_id_is_refused_not_sent_twice(manager: BrokerManager) -> None:
    tagged = INFY.model_copy(update={"client_order_id": "mytag1"})
    manager.place_order("p1", tagged)
    with pytest.raises(InputError, match="used before"):
        manager.place_order("p1", tagged)
    assert [o.client_order_id for o in manager.orders("p1")] == ["mytag1"]


def test_lost_reply_is_reconciled_from_the_order_book(manager: BrokerManager, recorder: Recorder) -> None:
    FlakyNetworkBroker.failure = "reply lost"
    ack = manager.place_order("f1", INFY)
    orders = manager.orders("f1")
    assert [o.order_id for o in orders] == [ack.order_id], "the order must exist exactly once"
    assert ack.status is OrderStatus.COMPLETE
    entry = manager.journal.get(ack.client_order_id or "")
    assert entry is not None
    assert entry.state is JournalState.SENT
    assert [e.kind for e in recorder.events] == ["unknown", "reconciled"]


def test_lost_request_stays_unknown_and_is_never_resent(manager: BrokerManager) -> None:
    FlakyNetworkBroker.failure = "request lost"
    with pytest.raises(OutcomeUnknownError, match="not resent") as caught:
        manager.place_order("f1", INFY)
    cid = caught.value.client_order_id or ""
    assert manager.journal.get(cid).state is JournalState.UNKNOWN  # type: ignore[union-attr]
    assert manager.orders("f1") == []
    # Within the grace period the order may still surface; after it, it is declared not found.
    assert [r.state for r in manager.reconcile("f1")] == [JournalState.UNKNOWN]
    assert [r.state for r in manager.reconcile("f1", grace=dt.timedelta(0))] == [JournalState.NOT_FOUND]
    assert manager.reconcile("f1") == []
    assert manager.orders("f1") == []


def test_unreachable_broker_means_nothing_happened(manager: BrokerManager) -> None:
    FlakyNetworkBroker.failure = "connect refused"
    with pytest.raises(UnreachableError):
        manager.place_order("f1", INFY)
    (entry,) = manager.journal.entries("f1")
    assert entry.state is JournalState.FAILED


def test_broker_refusal_is_journalled_as_rejected(home: Path, plugins: pluggy.PluginManager) -> None:
    with BrokerManager(home, plugin_manager=plugins) as manager:
        manager.activate("paper", "poor", {"opening_cash": "1000"})
        with pytest.raises(InsufficientFundsError, match="required margin") as caught:
            manager.place_order("poor", INFY.model_copy(update={"quantity": 100}))
        (entry,) = manager.journal.entries("poor")
        assert entry.state is JournalState.REJECTED
        assert entry.order_id == caught.value.order_id
        (order,) = manager.orders("poor")
        assert order.status is OrderStatus.REJECTED


def test_pretrade_check_vetoes_before_anything_is_sent(manager: BrokerManager, recorder: Recorder) -> None:
    with pytest.raises(VetoedError, match="second pair of eyes"):
        manager.place_order("p1", INFY.model_copy(update={"quantity": 501}))
    assert manager.orders("p1") == []
    assert manager.journal.entries("p1") == []
    assert recorder.events == []


def test_a_failing_observer_does_not_change_the_outcome(home: Path) -> None:
    class Broken:
        @hookimpl
        def order_event(self, event: OrderEvent) -> None:
            raise RuntimeError("observer bug")

    plugins = new_plugin_manager()
    plugins.register(Broken())
    with BrokerManager(home, plugin_manager=plugins) as manager:
        manager.activate("paper", "p1")
        ack = manager.place_order("p1", INFY)
        assert manager.journal.get(ack.client_order_id or "").state is JournalState.SENT  # type: ignore[union-attr]


def test_fan_out_gives_every_account_its_result(home: Path) -> None:
    with BrokerManager(home) as manager:
        for name, cash in (("a1", "1000000"), ("a2", "100"), ("a3", "1000000")):
            manager.activate("paper", name, {"opening_cash": cash})
        results = manager.place_order_many(["a1", "a2", "a3"], INFY.model_copy(update={"quantity": 5}))
        assert [r.account for r in results] == ["a1", "a2", "a3"]
        assert [r.ok for r in results] == [True, False, True]
        assert isinstance(results[1].error, InsufficientFundsError)
        ids = {r.value.client_order_id for r in results if r.value}
        assert len(ids) == 2
        assert len(manager.orders("a1")) == len(manager.orders("a3")) == 1
        with pytest.raises(InputError, match="listed twice"):
            manager.place_order_many(["a1", "a1"], INFY)


def test_sixteen_threads_lose_nothing(home: Path) -> None:
    accounts = ["t0", "t1", "t2", "t3"]
    with BrokerManager(home) as manager:
        for name in accounts:
            manager.activate("paper", name)
        acks: list[tuple[str, str, str | None]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def worker(number: int) -> None:
            account = accounts[number % 4]
            try:
                for i in range(8):
                    limit = i % 2 == 1  # half rest far from the market, half fill
                    request = OrderRequest(symbol="NSE:SBIN", side=Side.BUY, quantity=number + 1,
                                           order_type=OrderType.LIMIT if limit else OrderType.MARKET,
                                           price=Decimal(900) if limit else None)
                    ack = manager.place_order(account, request)
                    with lock:
                        acks.append((account, ack.order_id, ack.client_order_id))
                    manager.orders(account)
                    manager.positions(account)
            except BaseException as exc:  # collected: an assertion in a thread would be lost
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(acks) == 16 * 8
        assert len({cid for _, _, cid in acks}) == len(acks), "duplicate client order ids"
        assert len({oid for _, oid, _ in acks}) == len(acks), "duplicate order ids"
        for account in accounts:
            book = manager.orders(account)
            mine = {oid for acc, oid, _ in acks if acc == account}
            assert {o.order_id for o in book} == mine, "lost or foreign orders"
            filled = sum(o.filled_quantity for o in book)
            (position,) = manager.positions(account)
            assert position.quantity == filled
            assert Counter(o.status for o in book) == {OrderStatus.COMPLETE: 16, OrderStatus.OPEN: 16}
        assert {e.state for e in manager.journal.entries()} == {JournalState.SENT}


def test_deactivate_forgets_the_account_and_its_stored_session(manager: BrokerManager, home: Path) -> None:
    manager.place_order("p1", INFY)  # a live session exists too
    stored = manager.store.session("p1")
    stored.save({"access_token": "t"})
    manager.deactivate("p1")
    assert stored.load() == {}
    with pytest.raises(UnknownAccountError):
        manager.orders("p1")


def test_the_journal_syncs_its_write_ahead_log(tmp_path: Path) -> None:
    store = Store(tmp_path)
    journal = OrderJournal(store)
    journal.record_intent("synced1", "p1", "paper", "{}")
    assert (tmp_path / "brokerplex.db-wal").stat().st_size > 0
    journal.sync()
    journal.close()
    store.close()
    reopened = Store(tmp_path)
    entry = OrderJournal(reopened).get("synced1")
    assert entry is not None
    assert entry.state is JournalState.INTENT
    reopened.close()


def test_modify_and_cancel_read_the_order_once_and_hand_it_over(manager: BrokerManager) -> None:
    below = tick_floor(manager.quotes("c1", ["NSE:INFY"])["NSE:INFY"].last_price * Decimal("0.95"),
                       manager.instrument("c1", "NSE:INFY"))
    resting = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=2, order_type=OrderType.LIMIT, price=below)
    ack = manager.place_order("c1", resting)
    CountingBroker.reads.clear()
    CountingBroker.handed.clear()
    manager.modify_order("c1", ack.order_id, OrderModify(quantity=3))
    manager.cancel_order("c1", ack.order_id)
    assert CountingBroker.reads == {"orders": 2}, "one read of the book per change, and no other"
    assert [(o.order_id, o.quantity) for o in CountingBroker.handed] == [(ack.order_id, 2), (ack.order_id, 3)]
    CountingBroker.handed.clear()
    for change in (lambda: manager.modify_order("c1", "NOSUCHORDER", OrderModify(quantity=3)),
                   lambda: manager.cancel_order("c1", "NOSUCHORDER")):
        with pytest.raises(OrderNotFoundError, match="NOSUCHORDER"):
            change()
    assert CountingBroker.handed == [], "an order the book lacks never reaches the broker"
