"""The XTS dealer (PRO) plugin through BrokerManager, against the XTS simulator over real HTTP.

A dealer login trades for the client codes XTS maps to it and for its own PRO book (``*****``):
each order and book names its client, a code the login does not hold is refused here before any
request, and the server's own refusal is PermissionDeniedError (spec section 5).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.errors import (
    ClientCodeError,
    InputError,
    OrderNotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
)
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderAck, OrderModify, OrderRequest, OrderStatus, OrderType, Side
from brokerplex.rules import tick_floor
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_pro.broker import XtsProBroker
from stored import save_session, session_of

if TYPE_CHECKING:
    from tests.xts_pro.conftest import RequestCounter, SimKeys

ACCOUNT = "d1"  # the `dealer` fixture's account; its default client is FIRST
FIRST, SECOND, PRO = "CL1001", "CL1002", "*****"
FOREIGN = "CL2001"  # a code the simulator maps to no dealer (put into a tampered session)
T = TypeVar("T")


# -- helpers ---------------------------------------------------------------------------------------
def buy(quantity: int = 1, **fields: Any) -> OrderRequest:
    return OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=quantity, **fields)


def resting_buy(manager: BrokerManager, account: str, quantity: int = 1) -> OrderRequest:
    """A LIMIT buy 5 % under the market: it stays OPEN, to be modified and cancelled."""
    last = manager.quotes(account, ["NSE:INFY"])["NSE:INFY"].last_price
    price = tick_floor(last * 95 / 100, manager.instrument(account, "NSE:INFY"))
    return buy(quantity, order_type=OrderType.LIMIT, price=price)


def eventually(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 10.0) -> T:
    """Reads until ``done`` holds or the deadline passes; returns the last value read."""
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def ids_of(orders: Iterable[Order]) -> list[str]:
    return sorted(order.order_id for order in orders)


def by_cid(orders: Iterable[Order], client_order_id: str | None) -> list[Order]:
    return [order for order in orders if order.client_order_id == client_order_id]


def status_of(manager: BrokerManager, order_id: str, client: str) -> OrderStatus | None:
    return next((o.status for o in manager.orders(ACCOUNT, client=client) if o.order_id == order_id), None)


def tamper_session(home: Path, account: str, *codes: str) -> None:
    """Add client codes to the stored login, as if XTS had listed them: the local check passes them,
    so only the server can refuse them."""
    saved = session_of(home, account)
    assert saved["client_codes"] == [FIRST, SECOND]
    saved["client_codes"] = [*saved["client_codes"], *codes]
    save_session(home, account, saved)


def exchange_counts(keys: SimKeys) -> dict[str, int]:
    return {code: len(keys.exchange_orders(code)) for code in (FIRST, SECOND, PRO)}


# -- the login and its clients ---------------------------------------------------------------------
def test_the_login_holds_its_clients_and_its_pro_book(dealer: BrokerManager, keys: SimKeys) -> None:
    assert keys.codes == [FIRST, SECOND]
    assert dealer.clients(ACCOUNT) == [FIRST, SECOND, PRO]
    assert dealer.profile(ACCOUNT).user_id == keys.dealer_id
    session = dealer.aio._sessions[ACCOUNT]
    assert isinstance(session, XtsProBroker)
    assert session.client_code == FIRST


def test_each_client_book_holds_only_its_own_orders(dealer: BrokerManager, keys: SimKeys) -> None:
    acks = {code: dealer.place_order(ACCOUNT, buy(), client=code) for code in (FIRST, SECOND, PRO)}
    default = dealer.place_order(ACCOUNT, buy(2))  # no client=: the account's client_code, FIRST
    expected = {FIRST: [acks[FIRST], default], SECOND: [acks[SECOND]], PRO: [acks[PRO]]}

    books = {code: dealer.orders(ACCOUNT, client=code) for code in expected}
    for code, placed in expected.items():
        assert ids_of(books[code]) == sorted(ack.order_id for ack in placed), code
        assert {o.client_order_id for o in books[code]} == {ack.client_order_id for ack in placed}
        assert {o.client_code for o in books[code]} == {code}
        # The simulator's exchange put each order in that client's own account.
        assert sorted(int(o.order_id) for o in keys.exchange_orders(code)) == sorted(
            int(ack.order_id) for ack in placed)
    assert ids_of(dealer.orders(ACCOUNT)) == ids_of(books[FIRST])
    assert {o.client_code for o in dealer.orders(ACCOUNT)} == {FIRST}

    journal = {entry.client_order_id: entry for entry in dealer.journal.entries(ACCOUNT)}
    assert len(journal) == 4
    for code, placed in expected.items():
        for ack in placed:
            assert ack.client_order_id is not None
            assert journal[ack.client_order_id].client == code
            assert journal[ack.client_order_id].state is JournalState.SENT

    positions = {}
    for code in expected:
        found = eventually(functools.partial(dealer.positions, ACCOUNT, client=code), bool)
        positions[code] = [(p.symbol, p.quantity, p.client_code) for p in found]
    assert positions == {
        FIRST: [("NSE:INFY", 3, FIRST)], SECOND: [("NSE:INFY", 1, SECOND)], PRO: [("NSE:INFY", 1, PRO)]}
    trades = {code: dealer.trades(ACCOUNT, client=code) for code in expected}
    for code, placed in expected.items():
        assert sorted(t.order_id for t in trades[code]) == sorted(ack.order_id for ack in placed)
        assert {t.client_code for t in trades[code]} == {code}


def test_an_order_is_reached_only_through_its_own_client(dealer: BrokerManager) -> None:
    ack = dealer.place_order(ACCOUNT, resting_buy(dealer, ACCOUNT), client=SECOND)
    with pytest.raises(OrderNotFoundError):
        dealer.cancel_order(ACCOUNT, ack.order_id, client=PRO)
    with pytest.raises(OrderNotFoundError):
        dealer.modify_order(ACCOUNT, ack.order_id, OrderModify(quantity=2), client=FIRST)
    history = dealer.order_history(ACCOUNT, ack.order_id, client=SECOND)
    assert history[-1].status is OrderStatus.OPEN
    assert history[-1].quantity == 1
    assert {o.client_code for o in history} == {SECOND}


def test_without_a_client_a_journalled_order_is_found_in_its_own_clients_book(dealer: BrokerManager) -> None:
    ack = dealer.place_order(ACCOUNT, resting_buy(dealer, ACCOUNT), client=SECOND)
    assert {o.client_code for o in dealer.order_history(ACCOUNT, ack.order_id)} == {SECOND}  # not FIRST's
    dealer.modify_order(ACCOUNT, ack.order_id, OrderModify(quantity=2))
    assert dealer.cancel_order(ACCOUNT, ack.order_id).order_id == ack.order_id
    final = dealer.order_history(ACCOUNT, ack.order_id, client=SECOND)[-1]
    assert (final.quantity, final.status) == (2, OrderStatus.CANCELLED)


def test_an_order_the_journal_does_not_know_is_looked_for_in_the_default_book_with_a_hint(
    dealer: BrokerManager,
) -> None:
    ack = dealer.place_order(ACCOUNT, resting_buy(dealer, ACCOUNT), client=SECOND)
    entry = dealer.journal.by_order_id(ACCOUNT, ack.order_id)
    assert entry is not None
    dealer.journal.record_outcome(entry.client_order_id, JournalState.SENT, order_id="0")  # as if placed elsewhere
    with pytest.raises(OrderNotFoundError, match="another client's order, name that client"):
        dealer.cancel_order(ACCOUNT, ack.order_id)


# -- local refusal ---------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["CL9999", "XTS0001", "DLR001", "CL10011", ""])
def test_a_code_the_login_does_not_hold_is_refused_before_any_request(
    dealer: BrokerManager, keys: SimKeys, requests_seen: RequestCounter, code: str
) -> None:
    dealer.instrument(ACCOUNT, "NSE:INFY")  # the master is in; what follows needs no request
    before_requests, before_orders = requests_seen.count, keys.all_exchange_orders()
    before_journal = dealer.journal.entries()
    calls: list[Callable[[], object]] = [
        lambda: dealer.place_order(ACCOUNT, buy(), client=code),
        lambda: dealer.orders(ACCOUNT, client=code),
        lambda: dealer.order_history(ACCOUNT, "1", client=code),
        lambda: dealer.trades(ACCOUNT, client=code),
        lambda: dealer.positions(ACCOUNT, client=code),
        lambda: dealer.holdings(ACCOUNT, client=code),
        lambda: dealer.funds(ACCOUNT, client=code),
        lambda: dealer.modify_order(ACCOUNT, "1", OrderModify(quantity=2), client=code),
        lambda: dealer.cancel_order(ACCOUNT, "1", client=code),
        lambda: dealer.client(ACCOUNT, code),
        # A fan-out checks every code before it sends anything: FIRST gets no order either.
        lambda: dealer.place_order_for_clients(ACCOUNT, [FIRST, code], buy()),
        lambda: dealer.for_clients(ACCOUNT, [SECOND, code], lambda held: dealer.aio.funds(ACCOUNT, client=held)),
    ]
    for call in calls:
        with pytest.raises(ClientCodeError) as refused:
            call()
        assert isinstance(refused.value, InputError)
        assert f"client {code!r} is not held by dealer {keys.dealer_id}" in str(refused.value)
        assert f"it holds {FIRST}, {SECOND}, {PRO}" in str(refused.value)
    assert requests_seen.count == before_requests
    assert keys.all_exchange_orders() == before_orders
    assert dealer.journal.entries() == before_journal
    dealer.funds(ACCOUNT)  # the counter does see a request
    assert requests_seen.count == before_requests + 1


def test_client_codes_match_without_regard_to_case(dealer: BrokerManager, keys: SimKeys) -> None:
    view = dealer.client(ACCOUNT, "cl1002")
    assert view.client == SECOND
    ack = dealer.place_order(ACCOUNT, buy(client_order_id="casecid1"), client=" cl1002 ")
    entry = dealer.journal.get("casecid1")
    assert entry is not None
    assert (entry.client, entry.state, entry.order_id) == (SECOND, JournalState.SENT, ack.order_id)
    book = dealer.orders(ACCOUNT, client="Cl1002")
    assert [(o.order_id, o.client_code) for o in by_cid(book, "casecid1")] == [(ack.order_id, SECOND)]
    assert [int(o.order_id) for o in keys.exchange_orders(SECOND)] == [int(ack.order_id)]
    assert keys.exchange_orders(FIRST) == []
    results = dealer.place_order_for_clients(ACCOUNT, ["cl1001", "cL1002"], buy())
    assert [(r.client, r.ok) for r in results] == [(FIRST, True), (SECOND, True)]


# -- the server's refusal --------------------------------------------------------------------------
def test_a_code_the_server_does_not_map_is_permission_denied(
    dealer: BrokerManager, keys: SimKeys, dealer_home: Path
) -> None:
    tamper_session(dealer_home, ACCOUNT, FOREIGN)
    before = keys.all_exchange_orders()
    with BrokerManager(dealer_home) as tampered:
        assert tampered.clients(ACCOUNT) == [FIRST, SECOND, FOREIGN, PRO]  # the local check lets it through
        for call in (lambda: tampered.orders(ACCOUNT, client=FOREIGN),
                     lambda: tampered.positions(ACCOUNT, client=FOREIGN),
                     lambda: tampered.funds(ACCOUNT, client=FOREIGN)):
            with pytest.raises(PermissionDeniedError, match=f"{FOREIGN} is not mapped to dealer {keys.dealer_id}"):
                call()
        with pytest.raises(PermissionDeniedError) as refused:
            tampered.place_order(ACCOUNT, buy(client_order_id="deniedcid1"), client=FOREIGN)
        assert not isinstance(refused.value, ClientCodeError)
        assert refused.value.nothing_happened
        entry = tampered.journal.get("deniedcid1")
        assert entry is not None
        assert (entry.client, entry.state, entry.order_id) == (FOREIGN, JournalState.REJECTED, None)
        assert FOREIGN in (entry.message or "")
        assert tampered.orders(ACCOUNT, client=SECOND) == []  # the other clients are untouched
        everyone = tampered.for_clients(ACCOUNT, None, lambda code: tampered.aio.orders(ACCOUNT, client=code))
        assert [(r.client, r.ok, r.value) for r in everyone] == [
            (FIRST, True, []), (SECOND, True, []), (FOREIGN, False, None), (PRO, True, [])]
        assert isinstance(everyone[2].error, PermissionDeniedError)
    assert keys.all_exchange_orders() == before


# -- fan-out ---------------------------------------------------------------------------------------
def test_fan_out_places_one_order_per_client(dealer: BrokerManager, keys: SimKeys) -> None:
    before = exchange_counts(keys)
    results = dealer.place_order_for_clients(ACCOUNT, [FIRST, SECOND, PRO], buy(2))
    assert [(r.account, r.client, r.ok) for r in results] == [(ACCOUNT, code, True) for code in (FIRST, SECOND, PRO)]
    acks = [r.value for r in results]
    cids = {ack.client_order_id for ack in acks if ack is not None}
    assert len(cids) == 3
    assert None not in cids
    for result in results:
        assert result.value is not None
        assert result.client is not None
        book = dealer.orders(ACCOUNT, client=result.client)
        assert [o.order_id for o in by_cid(book, result.value.client_order_id)] == [result.value.order_id]
        assert {o.client_code for o in book} == {result.client}
        entry = dealer.journal.get(result.value.client_order_id or "")
        assert entry is not None
        assert (entry.client, entry.state) == (result.client, JournalState.SENT)
    assert exchange_counts(keys) == {code: count + 1 for code, count in before.items()}  # each sent once


def test_one_clients_refusal_hides_no_other_result(dealer: BrokerManager, keys: SimKeys, dealer_home: Path) -> None:
    tamper_session(dealer_home, ACCOUNT, FOREIGN)
    before = exchange_counts(keys)
    total = keys.all_exchange_orders()
    with BrokerManager(dealer_home) as tampered:
        results = tampered.place_order_for_clients(ACCOUNT, [FIRST, FOREIGN, PRO], buy())
        assert [(r.client, r.ok) for r in results] == [(FIRST, True), (FOREIGN, False), (PRO, True)]
        refused = results[1]
        assert isinstance(refused.error, PermissionDeniedError)
        assert refused.value is None
        for result in (results[0], results[2]):
            assert result.value is not None
            assert result.client is not None
            assert result.error is None
            book = tampered.orders(ACCOUNT, client=result.client)
            assert [o.order_id for o in by_cid(book, result.value.client_order_id)] == [result.value.order_id]
        states = {entry.client: entry.state for entry in tampered.journal.entries(ACCOUNT)}
        assert states == {FIRST: JournalState.SENT, FOREIGN: JournalState.REJECTED, PRO: JournalState.SENT}
    assert exchange_counts(keys) == {FIRST: before[FIRST] + 1, SECOND: before[SECOND], PRO: before[PRO] + 1}
    assert keys.all_exchange_orders() == total + 2


def test_fan_out_refuses_repeated_codes_and_a_shared_client_order_id(
    dealer: BrokerManager, keys: SimKeys, requests_seen: RequestCounter
) -> None:
    dealer.instrument(ACCOUNT, "NSE:INFY")
    before_requests, before_orders = requests_seen.count, keys.all_exchange_orders()
    for codes in ([FIRST, "cl1001"], [PRO, PRO], [SECOND, FIRST, " CL1002"]):
        with pytest.raises(InputError, match="listed twice"):
            dealer.place_order_for_clients(ACCOUNT, codes, buy())
    with pytest.raises(InputError, match="own client order id"):
        dealer.place_order_for_clients(ACCOUNT, [FIRST, SECOND], buy(client_order_id="sharedcid1"))
    with pytest.raises(InputError, match="at least one client"):
        dealer.place_order_for_clients(ACCOUNT, [], buy())
    assert requests_seen.count == before_requests
    assert keys.all_exchange_orders() == before_orders
    assert dealer.journal.entries(ACCOUNT) == []
    # One client may carry the caller's client order id.
    (solo,) = dealer.place_order_for_clients(ACCOUNT, [SECOND], buy(client_order_id="solocid1"))
    assert solo.value is not None
    assert solo.value.client_order_id == "solocid1"
    assert [o.client_code for o in by_cid(dealer.orders(ACCOUNT, client=SECOND), "solocid1")] == [SECOND]


def test_every_held_client_in_one_view(dealer: BrokerManager) -> None:
    acks = {code: dealer.place_order(ACCOUNT, buy(), client=code) for code in (FIRST, SECOND, PRO)}
    everyone = dealer.for_clients(ACCOUNT, None, lambda code: dealer.aio.orders(ACCOUNT, client=code))
    assert [(r.client, r.ok) for r in everyone] == [(FIRST, True), (SECOND, True), (PRO, True)]
    for result in everyone:
        assert result.value is not None
        assert result.client is not None
        assert [o.order_id for o in result.value] == [acks[result.client].order_id]
        assert {o.client_code for o in result.value} == {result.client}
    # One client's failure hides nothing: the order exists in FIRST's book only.
    history = dealer.for_clients(ACCOUNT, None, lambda code: dealer.aio.order_history(
        ACCOUNT, acks[FIRST].order_id, client=code))
    assert [(r.client, r.ok) for r in history] == [(FIRST, True), (SECOND, False), (PRO, False)]
    assert history[0].value is not None
    assert {o.order_id for o in history[0].value} == {acks[FIRST].order_id}
    assert all(isinstance(r.error, OrderNotFoundError) for r in history[1:])
    named = dealer.for_clients(ACCOUNT, ["cl1002"], lambda code: dealer.aio.positions(ACCOUNT, client=code))
    assert [r.client for r in named] == [SECOND]


# -- ClientView --------------------------------------------------------------------------------------
def test_a_client_view_acts_for_its_client(dealer: BrokerManager, keys: SimKeys) -> None:
    view = dealer.client(ACCOUNT, SECOND)
    assert repr(view) == f"<ClientView {ACCOUNT}/{SECOND}>"
    resting = view.place_order(resting_buy(dealer, ACCOUNT))
    filled = view.place_order(buy(3))
    assert ids_of(view.orders()) == sorted([resting.order_id, filled.order_id])
    assert {o.client_code for o in view.orders()} == {SECOND}
    assert dealer.orders(ACCOUNT) == []  # FIRST, the default, has none of them
    assert sorted(int(o.order_id) for o in keys.exchange_orders(SECOND)) == sorted(
        [int(resting.order_id), int(filled.order_id)])

    view.modify_order(resting.order_id, OrderModify(quantity=2))
    modified = eventually(lambda: view.order_history(resting.order_id), lambda h: h[-1].quantity == 2)
    assert (modified[-1].quantity, modified[-1].status) == (2, OrderStatus.OPEN)
    view.cancel_order(resting.order_id)
    assert eventually(lambda: status_of(dealer, resting.order_id, SECOND),
                      lambda s: s is OrderStatus.CANCELLED) is OrderStatus.CANCELLED

    positions = eventually(view.positions, bool)
    assert [(p.symbol, p.quantity, p.client_code) for p in positions] == [("NSE:INFY", 3, SECOND)]
    assert dealer.positions(ACCOUNT) == []
    assert [(t.order_id, t.client_code) for t in view.trades()] == [(filled.order_id, SECOND)]
    assert view.holdings() == []
    spent, untouched = view.funds(), dealer.funds(ACCOUNT)
    assert spent.cash < untouched.cash  # the purchase was paid from CL1002's account only
    assert untouched.cash == dealer.funds(ACCOUNT, client=PRO).cash  # no order of PRO's has filled yet

    pro = dealer.client(ACCOUNT, PRO)
    ack = pro.place_order(buy())
    assert [(o.order_id, o.client_code) for o in pro.orders()] == [(ack.order_id, PRO)]


# -- book routes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("routes", [{"dealer_routes": False}, {"dealer_investor_routes": False}],
                         ids=["no-dealer-routes", "no-investor-routes-for-dealers"])
def test_books_work_with_either_kind_of_route(
    tmp_path: Path, start_sim: Callable[..., SimKeys], routes: dict[str, bool]
) -> None:
    keys = start_sim(**routes)
    with BrokerManager(tmp_path / "routes-home") as manager:
        manager.activate("xts_pro", ACCOUNT, keys.options(client_code=FIRST))
        manager.login(ACCOUNT, {}, ClickLoginIO())
        session = manager.aio._sessions[ACCOUNT]
        assert isinstance(session, XtsProBroker)
        token = session.http.interactive_token
        assert token
        # What the host serves a dealer: the tests below must get through the other kind of route.
        dealer_book = httpx.get(f"{keys.sim.root}/interactive/orders/dealerorderbook",
                                params={"clientID": SECOND}, headers={"Authorization": token})
        investor_book = httpx.get(f"{keys.sim.root}/interactive/orders/trades",
                                  params={"clientID": SECOND}, headers={"Authorization": token})
        if routes.get("dealer_routes") is False:
            assert dealer_book.status_code == 404
        else:
            assert investor_book.json()["description"] == "Data Not Available"

        assert manager.orders(ACCOUNT, client=SECOND) == []
        assert manager.trades(ACCOUNT, client=SECOND) == []
        assert manager.positions(ACCOUNT, client=SECOND) == []
        filled = manager.place_order(ACCOUNT, buy(2), client=SECOND)
        resting = manager.place_order(ACCOUNT, resting_buy(manager, ACCOUNT), client=SECOND)
        other = manager.place_order(ACCOUNT, buy())  # FIRST
        book = manager.orders(ACCOUNT, client=SECOND)
        assert ids_of(book) == sorted([filled.order_id, resting.order_id])
        assert {o.client_code for o in book} == {SECOND}
        assert ids_of(manager.orders(ACCOUNT)) == [other.order_id]
        trades = eventually(lambda: manager.trades(ACCOUNT, client=SECOND), bool)
        assert [(t.order_id, t.client_code) for t in trades] == [(filled.order_id, SECOND)]
        positions = eventually(lambda: manager.positions(ACCOUNT, client=SECOND), bool)
        assert [(p.symbol, p.quantity, p.client_code) for p in positions] == [("NSE:INFY", 2, SECOND)]

        history = manager.order_history(ACCOUNT, filled.order_id, client=SECOND)
        assert history[-1].status is OrderStatus.COMPLETE
        assert {o.client_code for o in history} == {SECOND}
        manager.modify_order(ACCOUNT, resting.order_id, OrderModify(quantity=3), client=SECOND)
        modified = eventually(lambda: manager.order_history(ACCOUNT, resting.order_id, client=SECOND),
                              lambda h: h[-1].quantity == 3)
        assert modified[-1].quantity == 3
        manager.cancel_order(ACCOUNT, resting.order_id, client=SECOND)
        assert eventually(lambda: status_of(manager, resting.order_id, SECOND),
                          lambda s: s is OrderStatus.CANCELLED) is OrderStatus.CANCELLED


# -- ambiguity and reconciliation ------------------------------------------------------------------
def test_a_timeout_is_reconciled_in_the_book_of_the_client(
    dealer: BrokerManager, keys: SimKeys, dealer_home: Path, dealer_sim: XtsSimulator
) -> None:
    dealer.instrument(ACCOUNT, "NSE:INFY")  # the day's master is cached: only the order meets the short timeout
    dealer.activate("xts_pro", ACCOUNT, keys.options(client_code=FIRST, timeout="0.5"))
    with BrokerManager(dealer_home) as slow:  # the stored session, now with a 0.5 s timeout
        dealer_sim.faults.delay("orders", 2.0)
        try:
            ack: OrderAck | None = slow.place_order(ACCOUNT, buy(client_order_id="slowcl2"), client=SECOND)
        except OutcomeUnknownError:
            ack = None  # a lookup that came too early; reconcile finds it
        finally:
            dealer_sim.faults.clear()
        entry = slow.journal.get("slowcl2")
        assert entry is not None
        assert entry.client == SECOND
        if ack is None:
            assert entry.state is JournalState.UNKNOWN
            (reconciled,) = eventually(lambda: slow.reconcile(ACCOUNT),
                                       lambda found: found[0].state is JournalState.SENT)
            assert reconciled.order is not None
            order_id = reconciled.order.order_id
        else:
            assert ack.client_order_id == "slowcl2"
            order_id = ack.order_id
        entry = slow.journal.get("slowcl2")
        assert entry is not None
        assert (entry.state, entry.order_id, entry.client) == (JournalState.SENT, order_id, SECOND)
        assert [o.order_id for o in by_cid(slow.orders(ACCOUNT, client=SECOND), "slowcl2")] == [order_id]
        assert slow.orders(ACCOUNT) == []
    assert [int(o.order_id) for o in keys.exchange_orders(SECOND)] == [int(order_id)]  # sent once
    assert keys.exchange_orders(FIRST) == []
