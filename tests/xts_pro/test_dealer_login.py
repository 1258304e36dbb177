"""The XTS dealer (PRO) plugin: its logins and settings, reconciling in a client's book, and a broker
without clients (paper), through BrokerManager against the XTS simulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.errors import AuthenticationError, ClientCodeError, InputError, SettingsError
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderAck, OrderModify, OrderRequest, Side
from brokerplex_xts_client.sim import XtsSimulator

if TYPE_CHECKING:
    from tests.xts_pro.conftest import RequestCounter, SimKeys

ACCOUNT = "d1"  # the `dealer` fixture's account; its default client is FIRST
FIRST, SECOND, PRO = "CL1001", "CL1002", "*****"
BUY = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1)


def offline_options(**extra: str) -> dict[str, str]:
    """Settings that validate; no test using them makes a request."""
    return {"root": "http://127.0.0.1:9", "interactive_key": "k1", "interactive_secret": "s1",
            "marketdata_key": "k2", "marketdata_secret": "s2", **extra}


# -- logins and settings ---------------------------------------------------------------------------
def test_investor_credentials_are_refused_with_a_pointer_to_xts_client(
    tmp_path: Path, keys: SimKeys, dealer_sim: XtsSimulator
) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_pro", "inv", keys.options("investor"))
        with pytest.raises(AuthenticationError, match="xts_client") as refused:
            manager.login("inv", {}, ClickLoginIO())
        assert "isInvestorClient" in str(refused.value)
        assert manager.store.session("inv").load() == {}  # nothing stored to reuse
        with pytest.raises(AuthenticationError, match="brokerplex login inv"):
            manager.orders("inv")
    investor = keys.investor["user_id"]
    assert not [s for s in dealer_sim.state.sessions.values() if s.user.user_id == investor]  # logged out there


def test_a_dealer_without_a_default_client_must_name_one(
    tmp_path: Path, keys: SimKeys, requests_seen: RequestCounter
) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_pro", "d0", keys.options())
        assert manager.login("d0", {}, ClickLoginIO()).user_id == keys.dealer_id
        manager.instrument("d0", "NSE:INFY")
        before = requests_seen.count
        for call in (lambda: manager.place_order("d0", BUY), lambda: manager.orders("d0"),
                     lambda: manager.positions("d0"), lambda: manager.funds("d0"), lambda: manager.trades("d0"),
                     lambda: manager.holdings("d0"), lambda: manager.cancel_order("d0", "1"),
                     lambda: manager.order_history("d0", "1")):
            with pytest.raises(ClientCodeError, match="client_code") as refused:
                call()
            assert isinstance(refused.value, InputError)
        assert requests_seen.count == before
        assert manager.journal.entries("d0") == []

        ack = manager.place_order("d0", BUY, client=SECOND)
        assert [(o.order_id, o.client_code) for o in manager.orders("d0", client=SECOND)] == [(ack.order_id, SECOND)]
        assert manager.clients("d0") == [FIRST, SECOND, PRO]
        everyone = manager.for_clients("d0", None, lambda code: manager.aio.orders("d0", client=code))
        assert [(r.client, len(r.value or [])) for r in everyone] == [(FIRST, 0), (SECOND, 1), (PRO, 0)]


@pytest.mark.parametrize("code", ["", "   ", "CL 1001", "\t"])
def test_a_client_code_setting_must_be_one_code(tmp_path: Path, code: str) -> None:
    with BrokerManager(tmp_path) as manager:
        with pytest.raises(SettingsError, match="client_code must be one client code") as refused:
            manager.activate("xts_pro", "bad", offline_options(client_code=code))
        assert "\n" not in str(refused.value)
        assert manager.accounts() == []


def test_a_client_code_setting_is_trimmed(tmp_path: Path) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_pro", "ok", offline_options(client_code=f" {SECOND} "))
        assert manager.account("ok").settings.client_code == SECOND  # type: ignore[attr-defined]


def test_a_default_client_is_taken_as_the_login_spells_it(tmp_path: Path, keys: SimKeys) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_pro", "lc", keys.options(client_code=keys.codes[1].lower()))
        assert manager.login("lc", {}, ClickLoginIO()).user_id == keys.dealer_id
        assert manager.profile("lc").user_id == keys.dealer_id
        ack = manager.place_order("lc", BUY)
        assert [o.order_id for o in keys.exchange_orders(keys.codes[1])] == [ack.order_id]


def test_a_default_client_the_login_does_not_hold_fails_the_login_and_stores_nothing(
    tmp_path: Path, keys: SimKeys
) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("xts_pro", "fx", keys.options(client_code="CL9999"))
        with pytest.raises(ClientCodeError, match=f"'CL9999' is not held by dealer {keys.dealer_id} "):
            manager.login("fx", {}, ClickLoginIO())
        assert manager.store.session("fx").load() == {}


# -- reconciliation ------------------------------------------------------------------------------
def test_reconcile_looks_in_the_book_of_the_client_the_order_was_for(dealer: BrokerManager) -> None:
    # A process that died after sending: the intent (for SECOND) is journalled, its outcome is not.
    request = BUY.model_copy(update={"client_order_id": "crashcid1"})
    dealer.journal.record_intent("crashcid1", ACCOUNT, "xts_pro", request.model_dump_json(), client=SECOND)
    dealer.journal.record_intent("gonecid1", ACCOUNT, "xts_pro", BUY.model_dump_json(), client="CL7777")

    async def send(code: str) -> OrderAck:
        broker = await (await dealer.aio.session(ACCOUNT)).for_client(code)
        return await broker.place_order(request)

    (sent,) = dealer.for_clients(ACCOUNT, [SECOND], send)
    assert sent.value is not None
    results = {r.entry.client_order_id: r for r in dealer.reconcile(ACCOUNT)}
    assert set(results) == {"crashcid1", "gonecid1"}
    found = results["crashcid1"]
    assert found.state is JournalState.SENT
    assert found.order is not None
    assert (found.order.order_id, found.order.client_code) == (sent.value.order_id, SECOND)
    gone = results["gonecid1"]  # a client the login no longer holds: left as it was, nothing looked up
    assert (gone.state, gone.order) == (JournalState.INTENT, None)
    entry = dealer.journal.get("crashcid1")
    assert entry is not None
    assert (entry.state, entry.order_id, entry.client) == (JournalState.SENT, sent.value.order_id, SECOND)
    assert [r.entry.client_order_id for r in dealer.reconcile(ACCOUNT)] == ["gonecid1"]
    assert dealer.orders(ACCOUNT) == []  # never sent again, to the default client or anyone


# -- a broker without clients ----------------------------------------------------------------------
def test_a_paper_account_takes_no_client_code(paper: BrokerManager) -> None:
    calls: list[Callable[[], object]] = [
        lambda: paper.place_order("p1", BUY, client=FIRST),
        lambda: paper.orders("p1", client=FIRST),
        lambda: paper.order_history("p1", "1", client=FIRST),
        lambda: paper.trades("p1", client=FIRST),
        lambda: paper.positions("p1", client=FIRST),
        lambda: paper.holdings("p1", client=FIRST),
        lambda: paper.funds("p1", client=FIRST),
        lambda: paper.cancel_order("p1", "1", client=FIRST),
        lambda: paper.modify_order("p1", "1", OrderModify(quantity=2), client=FIRST),
        lambda: paper.clients("p1"),
        lambda: paper.client("p1", FIRST),
        lambda: paper.place_order_for_clients("p1", [FIRST], BUY),
        lambda: paper.for_clients("p1", None, lambda code: paper.aio.orders("p1", client=code)),
    ]
    for call in calls:
        with pytest.raises(ClientCodeError, match="paper logins act for their own account only"):
            call()
    assert paper.journal.entries("p1") == []
    assert paper.orders("p1") == []
    ack = paper.place_order("p1", BUY)
    assert [(o.order_id, o.client_code) for o in paper.orders("p1")] == [(ack.order_id, None)]
