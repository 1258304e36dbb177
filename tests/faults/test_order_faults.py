"""Hundreds of orders per broker with their replies lost, cut, replaced or refused: every order is
placed at most once, and every order the broker holds is known, once reconciled."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from brokerplex.errors import BrokerplexError, OutcomeUnknownError
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderAck, OrderRequest

if TYPE_CHECKING:
    from tests.faults.conftest import Venue

ORDERS = 500
WORKERS = 16


@pytest.fixture
def venue_timeout() -> float:
    """Each lost reply costs this long. At 1 s, 16 orders at once on a busy machine (three test workers, and
    benchmarks beside them) were at times not written by their deadline, and so refused, unsent."""
    return 3.0


def place(venue: Venue, order: OrderRequest, client_order_id: str) -> OrderAck | BrokerplexError:
    try:
        return venue.manager.place_order(venue.account, order.model_copy(update={"client_order_id": client_order_id}))
    except OutcomeUnknownError as unknown:  # the only failure these faults may produce
        return unknown


def test_ambiguous_order_replies_reconcile_to_exactly_one_order_each(venue: Venue) -> None:
    order = venue.resting_buy()  # quote and instrument read once, before the faults (a quote per order would
    # meet the placing process's short timeout on a busy machine)
    faults = venue.sim.faults
    lost = faults.lose_reply("orders", times=None, rate=0.10)  # processed; the reply never comes
    cut = faults.truncate("orders", times=None, rate=0.02)  # processed; half a reply, then the link drops
    gateway = faults.html("orders", status=502, times=None, rate=0.02)  # processed; a proxy's error page
    odd = faults.answer("orders", "{}", times=None, rate=0.02)  # processed; not an envelope
    refused = faults.refuse("orders", status=503, times=None, rate=0.02)  # never processed
    ids = [f"flt{index:05d}" for index in range(ORDERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = dict(zip(ids, pool.map(lambda cid: place(venue, order, cid), ids), strict=True))
    faults.clear()
    assert lost.applied >= ORDERS * 0.05, "the suite must lose about a tenth of the replies"
    assert min(cut.applied, gateway.applied, odd.applied, refused.applied) > 0

    # Reconciled as another process would: the same account and journal, with a timeout that reading a book
    # of 500 orders meets on a busy machine (the placing process's short one is for losing replies quickly).
    with BrokerManager(venue.home) as patient:
        patient.activate(venue.broker, venue.account, {**venue.options, "timeout": "30"})
        venue.login(patient)
        patient.reconcile(venue.account, grace=dt.timedelta(0))
        journal = {entry.client_order_id: entry for entry in patient.journal.entries(venue.account)}
    held = venue.exchange_orders()
    at_broker = Counter(order.client_order_id for order in held)

    assert set(journal) == set(ids)
    assert max(at_broker.values()) == 1, "an order was placed twice"
    states = Counter(entry.state for entry in journal.values())
    assert set(states) <= {JournalState.SENT, JournalState.NOT_FOUND}, states  # nothing left open, none refused
    sent = {cid for cid, entry in journal.items() if entry.state is JournalState.SENT}
    assert sent == set(at_broker), "the journal and the broker disagree: an order was lost"
    assert {journal[order.client_order_id or ""].order_id for order in held} == {order.order_id for order in held}
    assert states[JournalState.NOT_FOUND] == refused.applied  # exactly the orders never processed
    for cid, outcome in outcomes.items():
        if isinstance(outcome, OrderAck):
            assert outcome.order_id == journal[cid].order_id
    unknown = sum(isinstance(outcome, OutcomeUnknownError) for outcome in outcomes.values())
    print(f"\n{venue.broker}: {ORDERS} orders, faults lost={lost.applied} cut={cut.applied} "
          f"gateway={gateway.applied} odd={odd.applied} refused={refused.applied}; "
          f"unknown when placed={unknown}, at the broker={len(held)}, duplicates=0, lost=0")
