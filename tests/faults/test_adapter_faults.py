"""Single faults on both brokers, each checked for what the user is told and what the journal keeps."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

import pytest

from brokerplex.errors import BrokerUnavailableError, OutcomeUnknownError, ProtocolError
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager

if TYPE_CHECKING:
    from tests.faults.conftest import Venue

GATEWAY_PAGE = "<html><body><h1>504 Gateway Time-out</h1></body></html>"


def kite_error(kind: str, message: str) -> str:
    return f'{{"status": "error", "error_type": "{kind}", "message": "{message}", "data": null}}'


def xts_error(description: str) -> str:
    return f'{{"type": "error", "code": "e-oms-0500", "description": "{description}", "result": {{}}}}'


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_failure_on_an_order_is_an_unknown_outcome_never_a_failure(venue: Venue, status: int) -> None:
    """A gateway can time out after the order system took the order: the order is looked up, never settled."""
    faults = venue.sim.faults
    envelope = (kite_error("NetworkException", "OMS unreachable") if venue.broker == "zerodha"
                else xts_error("Service unavailable"))
    never_placed = []
    for index, (body, content_type) in enumerate([(GATEWAY_PAGE, "text/html"), (envelope, "application/json")]):
        faults.answer("orders", body, status=status, content_type=content_type)  # after the order went in
        ack = venue.manager.place_order(venue.account, venue.resting_buy())
        entry = venue.manager.journal.by_order_id(venue.account, ack.order_id)
        assert entry is not None
        assert entry.state is JournalState.SENT  # found by its client order id, once
        faults.refuse("orders", status=status, body=body.encode())  # before it went in
        cid = f"gw{status}x{index}"
        with pytest.raises(OutcomeUnknownError, match=f"brokerplex reconcile {venue.account}"):
            venue.manager.place_order(venue.account, venue.resting_buy(cid))
        entry = venue.manager.journal.get(cid)
        assert entry is not None
        assert entry.state is JournalState.UNKNOWN
        never_placed.append(cid)
    settled = {r.entry.client_order_id: r.state for r in venue.manager.reconcile(venue.account,
                                                                                 grace=dt.timedelta(0))}
    assert settled == dict.fromkeys(never_placed, JournalState.NOT_FOUND)
    assert len({o.client_order_id for o in venue.exchange_orders()}) == len(venue.exchange_orders()) == 2


@pytest.mark.parametrize("venue_timeout", [3.0])  # the lookup by id after the cut one meets it too, loaded
def test_a_trickled_reply_is_cut_at_the_timeout(venue: Venue) -> None:
    """Each byte comes within the timeout; the whole reply would take minutes. The call ends near the timeout."""
    faults = venue.sim.faults
    request = venue.resting_buy("trickled1")
    faults.trickle("books", 0.4)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailableError, match="timed out"):
        venue.manager.orders(venue.account)
    assert time.monotonic() - started < 10  # the trickle alone would take far longer
    faults.trickle("orders", 0.4)
    started = time.monotonic()
    ack = venue.manager.place_order(venue.account, request)  # unknown at first, then found by its id
    assert time.monotonic() - started < 10
    entry = venue.manager.journal.get("trickled1")
    assert entry is not None
    assert entry.state is JournalState.SENT
    assert [o.order_id for o in venue.exchange_orders() if o.client_order_id == "trickled1"] == [ack.order_id]


def test_an_unreadable_reply_is_quoted_in_the_error(venue: Venue) -> None:
    venue.sim.faults.answer("books", '{"odd": "reply 7f3a"}')
    with pytest.raises(ProtocolError, match="reply 7f3a"):
        venue.manager.orders(venue.account)


def test_the_instrument_master_may_take_longer_than_a_call(venue: Venue) -> None:
    """Megabytes of master are capped by ``download_timeout``; every other call by ``timeout`` (1 s here)."""
    with BrokerManager(venue.home.parent / "fresh") as fresh:
        fresh.activate(venue.broker, venue.account, venue.options)
        venue.login(fresh)
        venue.sim.faults.delay("master", 1.5)
        assert fresh.instruments(venue.account)
        venue.sim.faults.delay("books", 1.5)
        with pytest.raises(BrokerUnavailableError, match="timed out"):
            fresh.orders(venue.account)
